package contract_test

import (
	"testing"

	"github.com/flinks-mock/flinks-mock/contract"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// The journal keeps entries in the order the mock answered them, each
// with the time it arrived. An integration that gives up on a slow answer
// (its request timeout) and sends the request again can have the retry
// answered before the request it gave up on: that one then comes later in
// the journal with an earlier time, and its answer never reached the
// integration. The cases below are journals of that shape.

func statements(rid string) req {
	return req{Kind: journal.KindRequest, Method: "POST", Endpoint: "GetStatements", RequestID: rid, LoginID: L1, APIKey: true}
}

func statementsAsync(rid string) req {
	return req{Kind: journal.KindRequest, Method: "GET", Endpoint: "GetStatementsAsync", RequestID: rid, LoginID: L1, APIKey: true}
}

// abandonedPoll is the statements scenario as a reference client ran it
// on a busy machine: its second poll (at 21 s) got no answer within the
// request timeout, so after the backoff it polled again (at 31 s); the
// mock answered the retry (#5) before the poll given up on (#6).
func abandonedPoll(last ...step) []journal.Entry {
	return with(authorized(R1), append([]step{
		at(1*s, statements(R1).is(202)), at(11*s, statementsAsync(R1).is(202)),
		at(31*s, statementsAsync(R1).is(200)), at(21*s, statementsAsync(R1).is(200)),
	}, last...)...)
}

func TestPollSameRequestAfterAnAbandonedPoll(t *testing.T) {
	runRuleCases(t, contract.IDPollSameRequest, []ruleCase{
		{name: "the poll given up on is answered after its retry", want: contract.Pass, journal: abandonedPoll()},
		{name: "a poll after the 200 the integration had", want: contract.Fail, problem: []string{"after the data had come"}, quoted: []uint64{5, 7},
			journal: abandonedPoll(at(41*s, statementsAsync(R1).is(200)))},
		{name: "the request given up on is answered after its retry", want: contract.Pass, journal: with(authorized(R1),
			at(11*s, statements(R1).is(202)), at(1*s, statements(R1).is(202)), at(21*s, statementsAsync(R1).is(200)))},
	})
}

func TestPollIntervalAfterAnAbandonedPoll(t *testing.T) {
	runRuleCases(t, contract.IDPollInterval, []ruleCase{
		{name: "the 202 given up on is answered after its retry", want: contract.Pass, journal: with(authorized(R1),
			at(1*s, statements(R1).is(202)), at(11*s, statementsAsync(R1).is(202)),
			at(31*s, statementsAsync(R1).is(202)), at(21*s, statementsAsync(R1).is(202)),
			at(41*s, statementsAsync(R1).is(200)))},
		{name: "too soon after the 202 the integration had", want: contract.Fail, problem: []string{"shortest gap was 2s"}, quoted: []uint64{5, 7}, journal: with(authorized(R1),
			at(1*s, statements(R1).is(202)), at(11*s, statementsAsync(R1).is(202)),
			at(31*s, statementsAsync(R1).is(202)), at(21*s, statementsAsync(R1).is(202)),
			at(33*s, statementsAsync(R1).is(200)))},
	})
}

func TestPollDeadlineAfterAnAbandonedRequest(t *testing.T) {
	runRuleCases(t, contract.IDPollDeadline, []ruleCase{
		{name: "counted from the request given up on", want: contract.Fail, problem: []string{"1 time at or after the 30m0s deadline"}, quoted: []uint64{4, 5}, journal: with(authorized(R1),
			at(10*s, statements(R1).is(202)), at(0, statements(R1).is(202)), at(30*m+5*s, statementsAsync(R1).is(202)))},
	})
}

func TestBackOffAfterAnAbandonedRequest(t *testing.T) {
	runRuleCases(t, contract.IDBackOffOnRetryLater, []ruleCase{
		{name: "the retry answered RETRY_LATER before the request given up on", want: contract.Pass, journal: with(authorized(R1),
			at(11*s, detail(R1).is(401, "RETRY_LATER")), at(1*s, detail(R1).is(202)), at(21*s, detail(R1).is(200)))},
		{name: "the answer given up on never asked to back off", want: contract.NotApplicable, journal: with(authorized(R1),
			at(11*s, detail(R1).is(200)), at(1*s, detail(R1).is(401, "RETRY_LATER")))},
	})
}

func TestNoRetryOfFinalErrorsAfterAnAbandonedRequest(t *testing.T) {
	runRuleCases(t, contract.IDNoRetryOfFinalErrors, []ruleCase{
		{name: "the retry answered with a final error before the request given up on", want: contract.Pass, journal: with(authorized(R1),
			at(11*s, detail(R1).is(400, "SESSION_NONEXISTENT")), at(1*s, detail(R1).is(202)))},
		{name: "a final answer that never reached the integration", want: contract.NotApplicable, journal: with(authorized(R1),
			at(11*s, detail(R1).is(200)), at(1*s, detail(R1).is(400, "SESSION_NONEXISTENT")))},
	})
}

func TestNoMFAReanswerAfterAnAbandonedAnswer(t *testing.T) {
	runRuleCases(t, contract.IDNoMFAReanswer, []ruleCase{
		{name: "the answer given up on is refused after its retry", want: contract.Pass, journal: journalOf(
			at(0, authz(L1, "fresh", "t1").asks(R1, cityQ)),
			at(15*s, answer(R1, "fresh", "t3", cityQ).is(401, "INVALID_SECURITY_RESPONSE")),
			at(5*s, answer(R1, "fresh", "t2", cityQ).is(401, "INVALID_SECURITY_RESPONSE")))},
	})
}

func TestRepeatFetchCachedAfterAnAbandonedAuthorize(t *testing.T) {
	runRuleCases(t, contract.IDRepeatFetchCached, []ruleCase{
		{name: "the link given up on is answered after its retry", want: contract.NotApplicable, journal: journalOf(
			at(0, token()), at(10*s, token()),
			at(10*s, authz(L1, "fresh", "t2").mode("legacy").is(200).rid(R2)),
			at(0, authz(L1, "fresh", "t1").mode("legacy").is(200).rid(R1)))},
	})
}

// TestCheckAfterAnAbandonedPoll runs every rule on the journal of the
// statements scenario with a poll given up on: the integration did
// everything right.
func TestCheckAfterAnAbandonedPoll(t *testing.T) {
	if rep := contract.Check(abandonedPoll(), contract.Options{}); !rep.Passed() {
		t.Errorf("a retried poll was misjudged:\n%s", rep)
	}
}

// TestCheckAfterAnAnswerWrittenToNobody runs every rule on the journal of
// the statements scenario in which the mock wrote two answers after the
// integration had given up on them at its 1 s request timeout: the mock
// journals them with status 0 and the time the integration waited.
func TestCheckAfterAnAnswerWrittenToNobody(t *testing.T) {
	j := with(authorized(R1),
		at(1*s, statements(R1).is(202)), at(1*s, statementsAsync(R1).is(202)),
		at(11*s, statementsAsync(R1).is(0)), at(21*s, statementsAsync(R1).is(0)), at(31*s, statementsAsync(R1).is(200)))
	j[4].Latency, j[5].Latency = 1*s, 1*s
	if rep := contract.Check(j, contract.Options{RequestTimeout: 1 * s}); !rep.Passed() {
		t.Errorf("polls retried after the request timeout were misjudged:\n%s", rep)
	}
}
