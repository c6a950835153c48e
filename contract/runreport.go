package contract

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// MaxOutputLines is how many of the last lines of an integration's output
// a report shows when a run failed.
const MaxOutputLines = 15

// WriteText writes the runs for a person: each as WriteRun does, then a
// summary line.
func WriteText(w io.Writer, runs []RunResult) error {
	for _, r := range runs {
		if err := WriteRun(w, r); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, Summary(runs)+"\n")
	return err
}

// Summary says in one line how many runs passed, failed and were skipped.
func Summary(runs []RunResult) string {
	passed, failed, skipped := Tally(runs)
	return fmt.Sprintf("%s: %d passed, %d failed, %d skipped", plural(len(runs), "scenario"), passed, failed, skipped)
}

// Tally counts the runs that passed, failed and were skipped.
func Tally(runs []RunResult) (passed, failed, skipped int) {
	for _, r := range runs {
		switch {
		case r.Skipped != "":
			skipped++
		case r.Passed():
			passed++
		default:
			failed++
		}
	}
	return passed, failed, skipped
}

// WriteRun writes one run for a person: the scenario and its verdict, how
// the integration ended, its outcome, each rule (✓ passed, ✗ failed with
// the guide's sentence and the quoted requests, – not applicable), and for
// a failed run the end of the integration's output.
func WriteRun(w io.Writer, r RunResult) error {
	var b strings.Builder
	switch {
	case r.Skipped != "":
		fmt.Fprintf(&b, "– scenario %s: skipped: %s\n\n", r.Scenario.Name, r.Skipped)
		_, err := io.WriteString(w, b.String())
		return err
	case r.Passed():
		fmt.Fprintf(&b, "✓ scenario %s — %s\n", r.Scenario.Name, r.Scenario.What)
	default:
		fmt.Fprintf(&b, "✗ scenario %s — %s\n", r.Scenario.Name, r.Scenario.What)
	}
	mode := "live refresh"
	if r.Scenario.MostRecentCached {
		mode = "cached"
	}
	if r.Scenario.Webhook {
		mode += ", webhook mode"
	}
	fmt.Fprintf(&b, "  login %s (%s): %s in %s\n", r.Scenario.Login, mode, orText(r.Exit, "returned"), r.Duration.Round(time.Millisecond))
	if r.Err != nil {
		fmt.Fprintf(&b, "  ✗ run: %v\n", r.Err)
	}
	if r.Stopped != "" {
		fmt.Fprintf(&b, "  ✗ run: %s\n", r.Stopped)
	}
	if r.Timing != "" {
		fmt.Fprintf(&b, "  ! timing: %s\n", r.Timing)
	}
	switch {
	case r.Outcome == nil && r.Err == nil && r.Stopped == "":
		b.WriteString("  – outcome: not reported (print it as a line of JSON to have it checked)\n")
	case r.Outcome == nil:
	case r.OutcomeProblem != "":
		fmt.Fprintf(&b, "  ✗ outcome: %s\n", r.OutcomeProblem)
	default:
		fmt.Fprintf(&b, "  ✓ outcome: %s, as the scenario calls for\n", r.Outcome)
	}
	b.WriteString(indent(r.Report.Compact(), "  "))
	if !r.Passed() && r.Output != "" {
		b.WriteString("  output (last lines):\n")
		b.WriteString(indent(lastLines(r.Output, MaxOutputLines), "    | "))
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// lastLines returns the last n lines of s, ending with a newline.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("... (%d lines before)", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n") + "\n"
}
