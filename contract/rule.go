package contract

import (
	"fmt"
	"slices"
	"strings"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// Rule ids, stable across versions: reports, JUnit files and CI
// dashboards refer to them.
const (
	IDSingleUseToken       = "FM001-single-use-token"
	IDMFAAnsweredInFull    = "FM002-mfa-answered-in-full"
	IDDataAfterAuthorize   = "FM003-data-after-authorize"
	IDPollSameRequest      = "FM004-poll-same-request"
	IDPollInterval         = "FM005-poll-interval"
	IDPollDeadline         = "FM006-poll-deadline"
	IDNoRetryOfFinalErrors = "FM007-no-retry-of-final-errors"
	IDBackOffOnRetryLater  = "FM008-back-off-on-retry-later"
	IDKeysInTheirPlace     = "FM009-keys-in-their-place"
	IDWebhooksAcknowledged = "FM010-webhooks-acknowledged"
	IDFollowUpA202         = "FM011-follow-up-a-202"
	IDNoMFAReanswer        = "FM012-no-automatic-mfa-reanswer"
	IDWebhookSignature     = "FM013-webhook-signature"
	IDMFAAnswerInTime      = "FM014-mfa-answer-in-time"
	IDRequestTimeout       = "FM016-request-timeout"
	IDRepeatFetchCached    = "FM017-repeat-fetch-cached"
)

// Rule is one rule of the Flinks guide, checked over a journal.
type Rule struct {
	// ID is stable, e.g. "FM001-single-use-token".
	ID string
	// Statement says in one line what an integration must do.
	Statement string
	// Guide quotes the sentence the rule comes from, and Source says where
	// it is.
	Guide  string
	Source string
	check  func(entries []journal.Entry, o Options) (applicable bool, problems []Violation)
}

// Verdict is what a rule says about a journal.
type Verdict string

// Verdicts.
const (
	Pass          Verdict = "pass"
	Fail          Verdict = "fail"
	NotApplicable Verdict = "n/a" // the journal holds nothing the rule is about
	// NotJudged: entries of the run were lost before the harness could
	// read them, and a verdict on the rest could be false either way.
	NotJudged Verdict = "not judged"
)

// Violation is one breach of a rule: what went wrong, and the journal
// entries that show it, oldest first.
type Violation struct {
	Problem string
	Entries []journal.Entry
}

// Result is the verdict of one rule on one journal.
type Result struct {
	Rule       Rule
	Verdict    Verdict
	Violations []Violation
}

// Report is the verdict of every rule on one journal.
type Report struct {
	Options Options
	Results []Result
	// Entries is how many journal entries were judged, and Lost how many
	// entries of the run the journal dropped before they could be read.
	// When Lost is not zero no rule is judged: a missing /Authorize would
	// make FM003 fail, a missing poll would hide an FM005 failure.
	Entries int
	Lost    uint64
}

// Rules returns every rule, in id order.
func Rules() []Rule {
	return []Rule{
		SingleUseToken(),
		MFAAnsweredInFull(),
		DataAfterAuthorize(),
		PollSameRequest(),
		PollInterval(),
		PollDeadline(),
		NoRetryOfFinalErrors(),
		BackOffOnRetryLater(),
		KeysInTheirPlace(),
		WebhooksAcknowledged(),
		FollowUpA202(),
		NoMFAReanswer(),
		WebhookSignature(),
		MFAAnswerInTime(),
		DeleteCardWhenIdle(),
		RequestTimeouts(),
		RepeatFetchCached(),
	}
}

// RuleByID returns the rule with this id; the number alone ("FM005") is
// enough.
func RuleByID(id string) (Rule, bool) {
	for _, r := range Rules() {
		if r.ID == id || strings.HasPrefix(r.ID, id+"-") {
			return r, true
		}
	}
	return Rule{}, false
}

// Check applies the rule to one customer's journal.
func (r Rule) Check(entries []journal.Entry, o Options) Result {
	applicable, problems := r.check(ordered(entries), o.withDefaults())
	res := Result{Rule: r, Verdict: Pass, Violations: problems}
	switch {
	case len(problems) > 0:
		res.Verdict = Fail
	case !applicable:
		res.Verdict = NotApplicable
	}
	return res
}

// Check applies every rule to one customer's journal.
func Check(entries []journal.Entry, o Options) Report {
	o = o.withDefaults()
	entries = ordered(entries)
	rep := Report{Options: o, Entries: len(entries)}
	for _, r := range Rules() {
		rep.Results = append(rep.Results, r.Check(entries, o))
	}
	return rep
}

// CheckRun applies every rule to the journal of a run of which lost
// entries could not be read: with none lost it is Check; else every rule
// is NotJudged, and the report says why.
func CheckRun(entries []journal.Entry, lost uint64, o Options) Report {
	if lost == 0 {
		return Check(entries, o)
	}
	rep := Report{Options: o.withDefaults(), Entries: len(entries), Lost: lost}
	for _, r := range Rules() {
		rep.Results = append(rep.Results, Result{Rule: r, Verdict: NotJudged})
	}
	return rep
}

// Incomplete says, when entries were lost, what the report cannot judge,
// or "" when the journal is whole.
func (r Report) Incomplete() string {
	if r.Lost == 0 {
		return ""
	}
	return fmt.Sprintf("the journal of the run is incomplete: %d of its %d entries were lost before the harness could read them, so no rule is judged (a verdict on the rest could be false either way)",
		r.Lost, uint64(r.Entries)+r.Lost)
}

// ordered returns the entries sorted by Seq, as the journal keeps them;
// entries gathered from several pages or files may not be.
func ordered(entries []journal.Entry) []journal.Entry {
	if slices.IsSortedFunc(entries, bySeq) {
		return entries
	}
	out := slices.Clone(entries)
	slices.SortStableFunc(out, bySeq)
	return out
}

func bySeq(a, b journal.Entry) int {
	switch {
	case a.Seq < b.Seq:
		return -1
	case a.Seq > b.Seq:
		return 1
	}
	return 0
}

// Passed reports whether no rule failed and the journal was whole.
func (r Report) Passed() bool { return r.Lost == 0 && len(r.Failures()) == 0 }

// Failures returns the results of the rules that failed.
func (r Report) Failures() []Result {
	var out []Result
	for _, res := range r.Results {
		if res.Verdict == Fail {
			out = append(out, res)
		}
	}
	return out
}

// Result returns the result of the rule with this id (or number).
func (r Report) Result(id string) (Result, bool) {
	for _, res := range r.Results {
		if res.Rule.ID == id || strings.HasPrefix(res.Rule.ID, id+"-") {
			return res, true
		}
	}
	return Result{}, false
}

// FailedIDs returns the ids of the rules that failed.
func (r Report) FailedIDs() []string {
	var ids []string
	for _, res := range r.Failures() {
		ids = append(ids, res.Rule.ID)
	}
	return ids
}

// String renders the report: one line per rule with ✓, ✗ or –, and under
// each failed rule its statement, the guide's sentence and the quoted
// requests.
func (r Report) String() string {
	var b strings.Builder
	if msg := r.Incomplete(); msg != "" {
		fmt.Fprintf(&b, "✗ %s\n", msg)
	}
	for _, res := range r.Results {
		b.WriteString(res.String())
	}
	return b.String()
}

// Compact renders the report in few lines: the rules that passed on one
// line, those with nothing to judge on another, then each failed rule in
// full, as String renders it.
func (r Report) Compact() string {
	if msg := r.Incomplete(); msg != "" {
		return fmt.Sprintf("✗ %s\n", msg)
	}
	var passed, na []string
	var failed strings.Builder
	for _, res := range r.Results {
		switch res.Verdict {
		case Pass:
			passed = append(passed, res.Rule.ID)
		case NotApplicable:
			na = append(na, res.Rule.ID)
		default:
			failed.WriteString(res.String())
		}
	}
	var b strings.Builder
	if len(passed) > 0 {
		fmt.Fprintf(&b, "✓ %s\n", strings.Join(passed, ", "))
	}
	if len(na) > 0 {
		fmt.Fprintf(&b, "– not applicable: %s\n", strings.Join(na, ", "))
	}
	b.WriteString(failed.String())
	return b.String()
}

// MaxViolationsShown bounds how many violations of one rule a rendering
// quotes; the others are counted.
const MaxViolationsShown = 5

// String renders one result: a mark and the rule id, and for a failure
// the statement, the guide's sentence and each violation with its
// requests.
func (res Result) String() string {
	var b strings.Builder
	switch res.Verdict {
	case Pass:
		fmt.Fprintf(&b, "✓ %s\n", res.Rule.ID)
	case NotApplicable:
		fmt.Fprintf(&b, "– %s (not applicable)\n", res.Rule.ID)
	case NotJudged:
		fmt.Fprintf(&b, "? %s (not judged: the journal is incomplete)\n", res.Rule.ID)
	default:
		fmt.Fprintf(&b, "✗ %s: %s\n", res.Rule.ID, res.Rule.Statement)
		fmt.Fprintf(&b, "    guide: \"%s\" (%s)\n", res.Rule.Guide, res.Rule.Source)
		b.WriteString(indent(res.Details(), "    "))
	}
	return b.String()
}

// Details renders the violations of a result, each with the requests
// that show it (at most MaxViolationsShown of them).
func (res Result) Details() string {
	var b strings.Builder
	for i, v := range res.Violations {
		if i == MaxViolationsShown {
			fmt.Fprintf(&b, "... and %d more like these\n", len(res.Violations)-i)
			break
		}
		b.WriteString(v.String())
	}
	return b.String()
}

// String renders a violation: the problem, then each quoted request.
func (v Violation) String() string {
	var b strings.Builder
	b.WriteString(v.Problem)
	b.WriteString("\n")
	for _, e := range v.Entries {
		b.WriteString("    ")
		b.WriteString(Quote(e))
		b.WriteString("\n")
	}
	return b.String()
}

func indent(s, prefix string) string {
	if s == "" {
		return ""
	}
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l == "" {
			continue
		}
		b.WriteString(prefix)
		b.WriteString(l)
	}
	return b.String()
}
