// Package htmlreport writes the verdicts of contract runs as one
// self-contained HTML file, for a CI system to keep as an artifact: each
// scenario with its verdict and its rules, and for a failed run the
// timeline of its requests, drawn as the inspector draws it, with the
// requests that broke a rule highlighted and the rule's words beside them.
// The file holds its styles and diagrams inline and loads nothing.
package htmlreport

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"os"
	"strings"
	"time"

	"github.com/flinks-mock/flinks-mock/contract"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/mockserver/timeline"
)

//go:embed report.tmpl
var reportTemplate string

var tmpl = template.Must(template.New("report").Parse(reportTemplate))

// report is what the template shows.
type report struct {
	Title   string
	Summary string
	CSS     template.CSS
	Runs    []run
}

// run is one scenario's run.
type run struct {
	Index          int
	Name, What     string
	Verdict        string // "passed", "failed" or "skipped"
	Skipped        string
	Login, Mode    string
	Exit           string
	Duration       string
	Problems       []string // why the run failed outright, its outcome
	Timing         string
	Rules          []rule
	Timeline       template.HTML
	Offending      []template.HTML // the details of the entries that broke a rule
	Details        []template.HTML // and of the others
	Output         string
	EntriesJournal int
}

// rule is the verdict of one rule on a run.
type rule struct {
	ID, Statement, Guide, Source string
	Verdict                      string
	Violations                   []violation
}

type violation struct {
	Problem string
	Links   []link
}

type link struct {
	Href string
	Seq  uint64
}

// Write writes the runs as an HTML document titled title.
func Write(w io.Writer, title string, runs []contract.RunResult) error {
	rep := report{Title: title, Summary: contract.Summary(runs), CSS: timeline.CSS()}
	for i, r := range runs {
		rep.Runs = append(rep.Runs, runOf(i+1, r))
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, rep); err != nil {
		return fmt.Errorf("draw the HTML report: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// WriteFile writes the report to path.
func WriteFile(path, title string, runs []contract.RunResult) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--html: %w", err)
	}
	if err := Write(f, title, runs); err != nil {
		f.Close()
		return fmt.Errorf("--html %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--html %s: %w", path, err)
	}
	return nil
}

// runOf describes one run; a failed one gets its timeline and the detail
// of each of its requests.
func runOf(i int, r contract.RunResult) run {
	out := run{Index: i, Name: r.Scenario.Name, What: r.Scenario.What, Login: r.Scenario.Login, Exit: r.Exit, Timing: r.Timing}
	switch {
	case r.Skipped != "":
		out.Verdict, out.Skipped = "skipped", r.Skipped
		return out
	case r.Passed():
		out.Verdict = "passed"
	default:
		out.Verdict = "failed"
	}
	out.Mode = "live refresh"
	if r.Scenario.MostRecentCached {
		out.Mode = "cached"
	}
	if r.Scenario.Webhook {
		out.Mode += ", webhook mode"
	}
	out.Duration = r.Duration.Round(time.Millisecond).String()
	if r.Err != nil {
		out.Problems = append(out.Problems, "run: "+r.Err.Error())
	}
	if r.Stopped != "" {
		out.Problems = append(out.Problems, "run: "+r.Stopped)
	}
	if r.OutcomeProblem != "" {
		out.Problems = append(out.Problems, "outcome: "+r.OutcomeProblem)
	}
	anchor := fmt.Sprintf("run%d-entry-", i)
	marks := map[uint64]string{}
	for _, res := range r.Report.Results {
		out.Rules = append(out.Rules, ruleOf(res, anchor, marks))
	}
	if out.Verdict == "failed" {
		entries := r.Journal
		o := timeline.Options{Marks: marks, Anchor: anchor}
		out.Timeline = timeline.Render(entries, o)
		for _, e := range entries {
			d := timeline.Detail(e, o, fmt.Sprintf("%s%d", anchor, e.Seq), marks[e.Seq])
			if marks[e.Seq] != "" {
				out.Offending = append(out.Offending, d)
			} else {
				out.Details = append(out.Details, d)
			}
		}
		out.Output = lastLines(r.Output, contract.MaxOutputLines)
	}
	out.EntriesJournal = len(r.Journal)
	return out
}

// ruleOf describes a rule's verdict, and adds the words of its
// violations to the marks of the entries that show them.
func ruleOf(res contract.Result, anchor string, marks map[uint64]string) rule {
	out := rule{ID: res.Rule.ID, Statement: res.Rule.Statement, Guide: res.Rule.Guide, Source: res.Rule.Source, Verdict: string(res.Verdict)}
	for _, v := range res.Violations {
		vv := violation{Problem: v.Problem}
		for _, e := range v.Entries {
			vv.Links = append(vv.Links, link{Href: fmt.Sprintf("#%s%d", anchor, e.Seq), Seq: e.Seq})
			mark(marks, e, res.Rule.ID+": "+v.Problem)
		}
		out.Violations = append(out.Violations, vv)
	}
	return out
}

// mark adds a message to an entry's, once.
func mark(marks map[uint64]string, e journal.Entry, msg string) {
	switch prev := marks[e.Seq]; {
	case prev == "":
		marks[e.Seq] = msg
	case !strings.Contains(prev, msg):
		marks[e.Seq] = prev + " · " + msg
	}
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("... (%d lines before)", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}
