package contract

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// JUnit XML, as CI systems read it: one testsuite per scenario, and in it
// one testcase for the run itself, one for the outcome and one per rule.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Cases     []junitCase `xml:"testcase"`
	SystemOut string      `xml:"system-out,omitempty"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the runs as JUnit XML: a testsuite per scenario named
// after it, with the testcases "run" (the integration ended without
// error), "outcome" (it reported what the scenario calls for) and one per
// rule, named by the rule's id. A failure's message is the problem in one
// line, and its text the statement, the guide's sentence and the quoted
// requests; rules with nothing to judge, and skipped scenarios, are
// skipped testcases.
func WriteJUnit(w io.Writer, name string, runs []RunResult) error {
	doc := junitSuites{Name: name}
	var total float64
	for _, r := range runs {
		total += r.Duration.Seconds()
		doc.add(junitSuiteOf(r))
	}
	doc.Time = secondsAttr(total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write the JUnit report: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitSuiteOf is the testsuite of one run.
func junitSuiteOf(r RunResult) junitSuite {
	s := junitSuite{Name: r.Scenario.Name, Time: secondsAttr(r.Duration.Seconds())}
	if r.Skipped != "" {
		for _, n := range append([]string{"run", "outcome"}, ruleIDs()...) {
			s.add(r, junitCase{Name: n, Skipped: &junitMessage{Message: r.Skipped}})
		}
		return s
	}
	s.add(r, junitRunCase(r))
	s.add(r, junitOutcomeCase(r))
	for _, res := range r.Report.Results {
		s.add(r, junitRuleCase(r, res))
	}
	if !r.Passed() {
		s.SystemOut = OutputTail(r.Output)
		if r.Timing != "" {
			s.SystemOut = "timing: " + r.Timing + "\n" + s.SystemOut
		}
	}
	return s
}

// add adds a testcase of run r to the suite, and counts it.
func (s *junitSuite) add(r RunResult, c junitCase) {
	c.Classname = "flinks-mock." + r.Scenario.Name
	if c.Time == "" {
		c.Time = "0"
	}
	s.Tests++
	switch {
	case c.Failure != nil:
		s.Failures++
	case c.Skipped != nil:
		s.Skipped++
	}
	s.Cases = append(s.Cases, c)
}

// junitRunCase is the testcase "run": the integration ended without error.
func junitRunCase(r RunResult) junitCase {
	run := junitCase{Name: "run", Time: secondsAttr(r.Duration.Seconds())}
	switch {
	case r.Err != nil:
		run.Failure = &junitMessage{Message: r.Err.Error(), Type: "run", Text: fmt.Sprintf("%s\n%s", orText(r.Exit, ""), OutputTail(r.Output))}
	case r.Stopped != "":
		run.Failure = &junitMessage{Message: r.Stopped, Type: "run"}
	case r.Report.Lost > 0:
		run.Failure = &junitMessage{Message: r.Report.Incomplete(), Type: "journal"}
	}
	return run
}

// junitOutcomeCase is the testcase "outcome": the integration reported
// what the scenario calls for.
func junitOutcomeCase(r RunResult) junitCase {
	out := junitCase{Name: "outcome"}
	switch {
	case r.Outcome == nil && r.Err == nil && r.Stopped == "":
		out.Skipped = &junitMessage{Message: "the integration reported no outcome"}
	case r.Outcome == nil:
		out.Skipped = &junitMessage{Message: "the run failed"}
	case r.OutcomeProblem != "":
		out.Failure = &junitMessage{Message: r.OutcomeProblem, Type: "outcome", Text: "wanted: " + r.Scenario.Want.String() + "\nreported: " + r.Outcome.String()}
	}
	return out
}

// junitRuleCase is the testcase of one rule, named by its id.
func junitRuleCase(r RunResult, res Result) junitCase {
	c := junitCase{Name: res.Rule.ID}
	switch res.Verdict {
	case Fail:
		c.Failure = &junitMessage{
			Message: firstLine(res.Violations[0].Problem),
			Type:    res.Rule.ID,
			Text:    fmt.Sprintf("%s\nguide: \"%s\" (%s)\n%s", res.Rule.Statement, res.Rule.Guide, res.Rule.Source, res.Details()),
		}
	case NotApplicable:
		c.Skipped = &junitMessage{Message: "not applicable: the journal holds nothing this rule is about"}
	case NotJudged:
		c.Skipped = &junitMessage{Message: "not judged: " + r.Report.Incomplete()}
	}
	return c
}

// MaxOutputBytes bounds the output of an integration that a JUnit report
// embeds (twice at most per scenario: in the run's failure and in the
// suite's system-out): a run killed while it logged in a loop must not
// make a report of megabytes.
const MaxOutputBytes = 16 << 10

// OutputTail returns the end of an integration's output, at most
// MaxOutputBytes of it, cut at a line start and said to be cut.
func OutputTail(out string) string {
	if len(out) <= MaxOutputBytes {
		return out
	}
	tail := out[len(out)-MaxOutputBytes:]
	if i := strings.IndexByte(tail, '\n'); i >= 0 && i < len(tail)-1 {
		tail = tail[i+1:]
	}
	tail = strings.ToValidUTF8(tail, "")
	return fmt.Sprintf("... (%d bytes before)\n%s", len(out)-len(tail), tail)
}

func (d *junitSuites) add(s junitSuite) {
	d.Tests += s.Tests
	d.Failures += s.Failures
	d.Skipped += s.Skipped
	d.Suites = append(d.Suites, s)
}

func ruleIDs() []string {
	var ids []string
	for _, r := range Rules() {
		ids = append(ids, r.ID)
	}
	return ids
}

func secondsAttr(s float64) string { return fmt.Sprintf("%.3f", s) }

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
