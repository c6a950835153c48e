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
	"sync"
	"time"

	"github.com/flinks-mock/flinks-mock/contract"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/mockserver/timeline"
)

//go:embed report.tmpl
var reportTemplate string

// tmpl is parsed on first use, not when a program that never writes a
// report starts.
var tmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Parse(reportTemplate))
})

// report is what the template shows.
type report struct {
	T       *reportText
	Title   string
	Summary string
	CSS     template.CSS
	Runs    []run
}

// run is one scenario's run.
type run struct {
	Index      int
	Name, What string
	Verdict    string // "passed", "failed" or "skipped"
	Skipped    string
	Login      string
	Ran        string   // how the run went, after its login
	Problems   []string // why the run failed outright, its outcome
	Timing     string
	Rules      []rule
	Timeline   template.HTML
	Offending  []template.HTML // the details of the entries that broke a rule
	Details    []template.HTML // and of the others
	Output     string
}

// The verdicts of a run.
const (
	verdictPassed  = "passed"
	verdictFailed  = "failed"
	verdictSkipped = "skipped"
)

// rule is the verdict of one rule on a run.
type rule struct {
	ID, Statement, Guide, Source string
	Verdict                      contract.Verdict
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

// Write writes the runs as an HTML document titled title, in lang: "en"
// (or "") for English, "fr" for French (see [Languages]). The rules'
// words and the quoted requests are the harness's, English in both.
func Write(w io.Writer, title, lang string, runs []contract.RunResult) error {
	t, err := textFor(lang)
	if err != nil {
		return err
	}
	rep := report{T: t, Title: title, Summary: t.summary(runs), CSS: timeline.CSS()}
	for i, r := range runs {
		rep.Runs = append(rep.Runs, runOf(t, i+1, r))
	}
	var b bytes.Buffer
	if err := tmpl().Execute(&b, rep); err != nil {
		return fmt.Errorf("draw the HTML report: %w", err)
	}
	_, err = w.Write(b.Bytes())
	return err
}

// WriteFile writes the report to path, in lang.
func WriteFile(path, title, lang string, runs []contract.RunResult) error {
	if _, err := textFor(lang); err != nil {
		return fmt.Errorf("--html %s: %w", path, err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--html: %w", err)
	}
	if err := Write(f, title, lang, runs); err != nil {
		f.Close()
		return fmt.Errorf("--html %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--html %s: %w", path, err)
	}
	return nil
}

// runOf describes one run in the words of t; a failed one gets its
// timeline and the detail of each of its requests.
func runOf(t *reportText, i int, r contract.RunResult) run {
	out := run{Index: i, Name: r.Scenario.Name, What: r.Scenario.What, Login: r.Scenario.Login}
	switch {
	case r.Skipped != "":
		out.Verdict, out.Skipped = verdictSkipped, fmt.Sprintf(t.Skipped, r.Skipped)
		return out
	case r.Passed():
		out.Verdict = verdictPassed
	default:
		out.Verdict = verdictFailed
	}
	out.Ran = ranOf(t, r)
	out.Problems = problemsOf(t, r)
	if r.Timing != "" {
		out.Timing = fmt.Sprintf(t.Timing, r.Timing)
	}
	anchor := fmt.Sprintf("run%d-entry-", i)
	marks := map[uint64]string{}
	for _, res := range r.Report.Results {
		out.Rules = append(out.Rules, ruleOf(res, anchor, marks))
	}
	if out.Verdict == verdictFailed {
		entries := r.Journal
		o := timeline.Options{Labels: t.TL, Marks: marks, Anchor: anchor}
		out.Timeline = timeline.Render(entries, o)
		for _, e := range entries {
			d := timeline.Detail(e, o, fmt.Sprintf("%s%d", anchor, e.Seq), marks[e.Seq])
			if marks[e.Seq] != "" {
				out.Offending = append(out.Offending, d)
			} else {
				out.Details = append(out.Details, d)
			}
		}
		out.Output = lastLines(t, r.Output, contract.MaxOutputLines)
	}
	return out
}

// ranOf says, after the login, how a run went: its mode, how the command
// ended, how long it took and how many requests it made.
func ranOf(t *reportText, r contract.RunResult) string {
	mode := t.Live
	if r.Scenario.MostRecentCached {
		mode = t.Cached
	}
	if r.Scenario.Webhook {
		mode += t.Webhook
	}
	return fmt.Sprintf(t.Ran, mode, t.exit(r.Exit), r.Duration.Round(time.Millisecond), len(r.Journal))
}

// problemsOf returns why a run failed outright: its error, why it
// stopped, what was wrong with its outcome.
func problemsOf(t *reportText, r contract.RunResult) []string {
	var out []string
	if r.Err != nil {
		out = append(out, fmt.Sprintf(t.RunProblem, r.Err.Error()))
	}
	if r.Stopped != "" {
		out = append(out, fmt.Sprintf(t.RunProblem, r.Stopped))
	}
	if r.OutcomeProblem != "" {
		out = append(out, fmt.Sprintf(t.OutcomeProblem, r.OutcomeProblem))
	}
	return out
}

// ruleOf describes a rule's verdict, and adds the words of its
// violations to the marks of the entries that show them.
func ruleOf(res contract.Result, anchor string, marks map[uint64]string) rule {
	out := rule{ID: res.Rule.ID, Statement: res.Rule.Statement, Guide: res.Rule.Guide, Source: res.Rule.Source, Verdict: res.Verdict}
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

// lastLines returns the last n lines of s, saying in the words of t how
// many came before.
func lastLines(t *reportText, s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf(t.LinesBefore, len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}
