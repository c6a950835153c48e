// Package contracttest brings the contract rules to Ginkgo and Gomega:
// matchers that read like the rules (Expect(srv).To(HavePolledPolitely())),
// and DescribeIntegration, a ready suite a Go team plugs its Flinks client
// into. It is kept apart from package contract so that programs that only
// apply the rules (flinks-mock verify) do not link the test frameworks.
package contracttest

import (
	"context"
	"fmt"
	"strings"

	"github.com/onsi/gomega/types"

	"github.com/flinks-mock/flinks-mock/contract"
	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/mockserver/mocktest"
)

// Journaled is anything that has a journal: *mocktest.Server, for one.
type Journaled interface {
	Journal() []journal.Entry
}

// entriesOf reads the journal a matcher is given, and how many entries of
// it are known to be lost: the entries a mock's bounded journal dropped,
// or those a harness run could not read.
func entriesOf(actual any) ([]journal.Entry, uint64, error) {
	switch a := actual.(type) {
	case []journal.Entry:
		return a, 0, nil
	case *mocktest.Server:
		page, err := a.Admin.Journal(context.Background(), admin.JournalFilter{CustomerID: a.CustomerID})
		if err != nil {
			return nil, 0, fmt.Errorf("read the journal of the mock: %w", err)
		}
		return page.Entries, page.Total - uint64(len(page.Entries)), nil
	case Journaled:
		return a.Journal(), 0, nil
	case contract.RunResult:
		return a.Journal, a.Report.Lost, nil
	case *contract.RunResult:
		return a.Journal, a.Report.Lost, nil
	}
	return nil, 0, fmt.Errorf("the contract matchers judge a journal: give []journal.Entry, a *mocktest.Server (anything with Journal() []journal.Entry) or a contract.RunResult, not %T", actual)
}

// ruleMatcher judges the actual value again when Gomega asks for a
// message, so a matcher value holds no state and may be reused.
type ruleMatcher struct {
	rules []contract.Rule
	opts  contract.Options
}

func (m ruleMatcher) results(actual any) []contract.Result {
	entries, lost, err := entriesOf(actual)
	if err != nil || lost > 0 {
		return nil
	}
	opts := m.opts
	var run contract.Options
	switch a := actual.(type) {
	case contract.RunResult:
		run = a.Report.Options
	case *contract.RunResult:
		run = a.Report.Options
	}
	// What a harness run did is the run's to say: the forged webhooks it
	// sent, the request timeout it gave, whether it fetched a login again.
	if opts.Forged == nil {
		opts.Forged = run.Forged
	}
	if opts.RequestTimeout == 0 {
		opts.RequestTimeout = run.RequestTimeout
	}
	opts.RepeatFetch = opts.RepeatFetch || run.RepeatFetch
	out := make([]contract.Result, 0, len(m.rules))
	for _, r := range m.rules {
		out = append(out, r.Check(entries, opts))
	}
	return out
}

// incomplete says why the journal cannot be judged, or "".
func incomplete(actual any) string {
	entries, lost, err := entriesOf(actual)
	if err != nil || lost == 0 {
		return ""
	}
	return contract.Report{Entries: len(entries), Lost: lost}.Incomplete()
}

func (m ruleMatcher) match(actual any) (bool, error) {
	if _, _, err := entriesOf(actual); err != nil {
		return false, err
	}
	if incomplete(actual) != "" {
		return false, nil
	}
	for _, res := range m.results(actual) {
		if res.Verdict == contract.Fail {
			return false, nil
		}
	}
	return true, nil
}

func (m ruleMatcher) ids() string {
	if len(m.rules) > 3 {
		return "every contract rule"
	}
	ids := make([]string, len(m.rules))
	for i, r := range m.rules {
		ids[i] = r.ID
	}
	return strings.Join(ids, ", ")
}

// Failure is the message of Expect(...).To(...): each rule broken, with
// its statement, the guide's sentence and the requests that break it.
func (m ruleMatcher) Failure(actual any) string {
	var b strings.Builder
	if msg := incomplete(actual); msg != "" {
		fmt.Fprintf(&b, "Expected the integration to follow %s, but %s; judge the run with contracttest.RunScenario or a contract.Harness, which gather the whole run as it happens\n", m.ids(), msg)
		return b.String()
	}
	fmt.Fprintf(&b, "Expected the integration to follow %s, but it broke:\n", m.ids())
	for _, res := range m.results(actual) {
		if res.Verdict != contract.Fail {
			continue
		}
		for _, line := range strings.SplitAfter(res.String(), "\n") {
			if line != "" {
				b.WriteString("  " + line)
			}
		}
	}
	return b.String()
}

// Negated is the message of Expect(...).NotTo(...).
func (m ruleMatcher) Negated(actual any) string {
	entries, _, _ := entriesOf(actual)
	return fmt.Sprintf("Expected the integration to break %s, but it followed it over %d journal entries", m.ids(), len(entries))
}

// Match, FailureMessage and NegatedFailureMessage make ruleMatcher a
// Gomega matcher. It is written out rather than made with gcustom, whose
// messages format the whole actual value: for a *mocktest.Server that
// means reading its HTTP client's connections while they are in use.
func (m ruleMatcher) Match(actual any) (bool, error) { return m.match(actual) }

// FailureMessage is the message of Expect(...).To(...).
func (m ruleMatcher) FailureMessage(actual any) string { return m.Failure(actual) }

// NegatedFailureMessage is the message of Expect(...).NotTo(...).
func (m ruleMatcher) NegatedFailureMessage(actual any) string { return m.Negated(actual) }

func newRuleMatcher(rules []contract.Rule, opts []contract.Options) types.GomegaMatcher {
	m := ruleMatcher{rules: rules}
	if len(opts) > 0 {
		m.opts = opts[0]
	}
	return m
}

// FollowRule succeeds when the rule does not fail on the journal (it
// passes, or has nothing to judge); the failure message quotes the
// offending requests. opts (at most one) sets the thresholds.
//
//	Expect(srv).To(contracttest.FollowRule(contract.PollInterval()))
func FollowRule(r contract.Rule, opts ...contract.Options) types.GomegaMatcher {
	return newRuleMatcher([]contract.Rule{r}, opts)
}

// FollowAllRules succeeds when no rule fails on the journal.
//
//	Expect(srv).To(contracttest.FollowAllRules(contract.Options{RequireAPIKey: true}))
func FollowAllRules(opts ...contract.Options) types.GomegaMatcher {
	return newRuleMatcher(contract.Rules(), opts)
}

// HaveReusedNoToken is FM001: a fresh authorize token for every /Authorize.
func HaveReusedNoToken() types.GomegaMatcher { return FollowRule(contract.SingleUseToken()) }

// HaveAnsweredMFA is FM002: every prompt of a 203 answered in one call,
// with its RequestId and the prompt text exactly as sent.
func HaveAnsweredMFA() types.GomegaMatcher { return FollowRule(contract.MFAAnsweredInFull()) }

// HaveRequestedDataAfterAuthorize is FM003: data asked for only with a
// RequestId that /Authorize answered 200.
func HaveRequestedDataAfterAuthorize() types.GomegaMatcher {
	return FollowRule(contract.DataAfterAuthorize())
}

// HavePolledTheSameRequest is FM004: after a 202, the Async endpoint is
// polled with the same RequestId until the 200.
func HavePolledTheSameRequest() types.GomegaMatcher { return FollowRule(contract.PollSameRequest()) }

// HavePolledPolitely is FM004, FM005 and FM006 together: the same
// RequestId polled on the Async endpoint, no more often than
// MinPollInterval, and given up by the Deadline.
func HavePolledPolitely(opts ...contract.Options) types.GomegaMatcher {
	return newRuleMatcher([]contract.Rule{contract.PollSameRequest(), contract.PollInterval(), contract.PollDeadline()}, opts)
}

// HaveGivenUpByTheDeadline is FM006: no poll at or after the Deadline.
func HaveGivenUpByTheDeadline(opts ...contract.Options) types.GomegaMatcher {
	return FollowRule(contract.PollDeadline(), opts...)
}

// HaveNotRetriedFinalErrors is FM007: no request repeated after an answer
// that is not retryable.
func HaveNotRetriedFinalErrors() types.GomegaMatcher {
	return FollowRule(contract.NoRetryOfFinalErrors())
}

// HaveBackedOff is FM008: a wait of RetryBackoff after RETRY_LATER or
// TOO_MANY_REQUESTS.
func HaveBackedOff(opts ...contract.Options) types.GomegaMatcher {
	return FollowRule(contract.BackOffOnRetryLater(), opts...)
}

// HaveKeptKeysInPlace is FM009; pass contract.Options{RequireAPIKey: true}
// when the instance requires x-api-key.
func HaveKeptKeysInPlace(opts ...contract.Options) types.GomegaMatcher {
	return FollowRule(contract.KeysInTheirPlace(), opts...)
}

// HaveRejectedForgedWebhooks is FM013: a webhook with a wrong or missing
// signature rejected; opts names the forged deliveries (Options.Forged).
func HaveRejectedForgedWebhooks(opts ...contract.Options) types.GomegaMatcher {
	return FollowRule(contract.WebhookSignature(), opts...)
}

// HaveAcknowledgedWebhooks is FM010: every webhook attempt answered 200
// within the WebhookDeadline.
func HaveAcknowledgedWebhooks(opts ...contract.Options) types.GomegaMatcher {
	return FollowRule(contract.WebhooksAcknowledged(), opts...)
}

// HaveGivenUpOnSlowAnswers is FM016: no request waited for its answer
// more than twice the request timeout (Options.RequestTimeout; a harness
// run's own by default).
func HaveGivenUpOnSlowAnswers(opts ...contract.Options) types.GomegaMatcher {
	return FollowRule(contract.RequestTimeouts(), opts...)
}

// HaveFetchedAgainByLoginID is FM017: a linked login is fetched again
// with its LoginId and the cached data, never its credentials.
func HaveFetchedAgainByLoginID(opts ...contract.Options) types.GomegaMatcher {
	return FollowRule(contract.RepeatFetchCached(), opts...)
}
