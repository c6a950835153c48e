package contract_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/contract"
)

// runs returns four judged runs: one passed, one broke FM005 and printed
// characters XML cannot hold, one failed outright, one was skipped.
func runs(t *testing.T) []contract.RunResult {
	t.Helper()
	scenario := func(name string) contract.Scenario {
		sc, err := contract.ScenarioByName(name)
		if err != nil {
			t.Fatal(err)
		}
		return sc
	}
	good := with(authorized(R1), at(1*s, detail(R1).is(200)))
	fast := with(authorized(R1), at(0, detail(R1).is(202)), at(0, async(R1).is(202)), at(1*s, async(R1).is(200)))
	threeAccounts := contract.Outcome{Accounts: []contract.Account{{ID: "a"}, {ID: "b"}, {ID: "c"}}}
	return []contract.RunResult{
		{Scenario: scenario("happy"), Report: contract.Check(good, contract.Options{}), Outcome: &threeAccounts, Exit: "exit status 0", Duration: 12 * time.Millisecond},
		{Scenario: scenario("pending"), Report: contract.Check(fast, contract.Options{}), Outcome: &threeAccounts, Exit: "exit status 0",
			Output: "\x1b[31mred\x1b[0m <tag> & \"quotes\" \x00 nul\n", Duration: time.Second},
		{Scenario: scenario("timeout"), Err: errors.New("the command was still running after --timeout 1s, and was killed"), Exit: "killed",
			Report: contract.Check(nil, contract.Options{})},
		{Scenario: scenario("webhook"), Skipped: "this flinks-mock sends no webhooks"},
	}
}

type junitDoc struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Skipped  int `xml:"skipped,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Cases    []struct {
			Name    string `xml:"name,attr"`
			Failure *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testcase"`
		SystemOut string `xml:"system-out"`
	} `xml:"testsuite"`
}

func TestWriteJUnitIsWellFormed(t *testing.T) {
	var buf bytes.Buffer
	if err := contract.WriteJUnit(&buf, "flinks-mock verify", runs(t)); err != nil {
		t.Fatal(err)
	}
	// Every token must parse, strictly.
	dec := xml.NewDecoder(bytes.NewReader(buf.Bytes()))
	dec.Strict = true
	for {
		_, err := dec.Token()
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			t.Fatalf("not well-formed: %v\n%s", err, buf.String())
		}
	}
	var doc junitDoc
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	per := 2 + len(contract.Rules())
	if doc.Tests != 4*per || len(doc.Suites) != 4 {
		t.Fatalf("%d tests in %d suites, want %d in 4", doc.Tests, len(doc.Suites), 4*per)
	}
	// pending: FM005 fails; timeout: the run fails; webhook: all skipped.
	if doc.Failures != 2 {
		t.Errorf("%d failures, want 2", doc.Failures)
	}
	pending := doc.Suites[1]
	if pending.Name != "pending" || pending.Failures != 1 {
		t.Fatalf("suite %s has %d failures", pending.Name, pending.Failures)
	}
	for _, c := range pending.Cases {
		if c.Name != contract.IDPollInterval {
			continue
		}
		if c.Failure == nil || c.Failure.Type != contract.IDPollInterval ||
			!strings.Contains(c.Failure.Message, "polled 1 time sooner than 10s") ||
			!strings.Contains(c.Failure.Text, "Wait 10 seconds") ||
			!strings.Contains(c.Failure.Text, "GET GetAccountsDetailAsync RequestId="+R1) {
			t.Errorf("FM005 testcase: %+v", c.Failure)
		}
	}
	if !strings.Contains(pending.SystemOut, "<tag> & \"quotes\"") {
		t.Errorf("system-out lost the output: %q", pending.SystemOut)
	}
	webhook := doc.Suites[3]
	for _, c := range webhook.Cases {
		if c.Skipped == nil || c.Skipped.Message != "this flinks-mock sends no webhooks" {
			t.Errorf("skipped scenario's testcase %s: %+v", c.Name, c.Skipped)
		}
	}
	if got := doc.Suites[0].Cases[0].Name + " " + doc.Suites[0].Cases[1].Name + " " + doc.Suites[0].Cases[2].Name; got != "run outcome "+contract.IDSingleUseToken {
		t.Errorf("first testcases %s", got)
	}
}

func TestWriteText(t *testing.T) {
	var buf bytes.Buffer
	if err := contract.WriteText(&buf, runs(t)); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	for _, want := range []string{
		"✓ scenario happy — cached /Authorize answers 200",
		"  login greatday_nomfa (cached): exit status 0 in 12ms\n",
		"  ✓ outcome: 3 accounts, as the scenario calls for\n",
		"✗ scenario pending — ",
		"  ✗ FM005-poll-interval: ",
		"    | \x1b[31mred",
		"✗ scenario timeout",
		"  ✗ run: the command was still running after --timeout 1s, and was killed\n",
		"– scenario webhook: skipped: this flinks-mock sends no webhooks\n",
		"4 scenarios: 1 passed, 2 failed, 1 skipped\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
}

// A run killed while it logged in a loop embeds the end of its output
// only: the report stays small.
func TestJUnitEmbedsABoundedOutput(t *testing.T) {
	sc, _ := contract.ScenarioByName("timeout")
	line := "polling again, still 202\n"
	out := strings.Repeat(line, 3<<20/len(line)) + "the last line\n"
	run := contract.RunResult{Scenario: sc, Err: errors.New("the command was still running after --timeout 1m6s, and was killed"),
		Exit: "killed", Output: out, Report: contract.Check(nil, contract.Options{})}
	var buf bytes.Buffer
	if err := contract.WriteJUnit(&buf, "verify", []contract.RunResult{run}); err != nil {
		t.Fatal(err)
	}
	if n := buf.Len(); n > 3*contract.MaxOutputBytes {
		t.Fatalf("the JUnit report of a run with %d bytes of output is %d bytes long", len(out), n)
	}
	if !strings.Contains(buf.String(), "the last line") || !strings.Contains(buf.String(), "bytes before)") {
		t.Fatalf("the report lacks the end of the output or the note that it was cut:\n%.400s", buf.String())
	}
}
