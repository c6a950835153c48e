package contract_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/contract"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

const (
	s = time.Second
	m = time.Minute
)

// cityQ and the others are the sandbox MFA prompts.
const (
	cityQ    = "What city were you born in?"
	countryQ = "What is the best country on earth?"
	shapeQ   = "What shape do people like most?"
)

// authorized is the start of most journals: a token, then a 200 for R1.
func authorized(rid string) []step {
	return []step{at(0, token()), at(0, authz(L1, "fresh", "t1").is(200).rid(rid))}
}

func with(prefix []step, rest ...step) []journal.Entry {
	return journalOf(append(slices.Clone(prefix), rest...)...)
}

type ruleCase struct {
	name    string
	opts    contract.Options
	journal []journal.Entry
	want    contract.Verdict
	// problem holds substrings of the first violation; quoted the Seq of
	// the entries it must quote, in order.
	problem []string
	quoted  []uint64
}

func runRuleCases(t *testing.T, id string, cases []ruleCase) {
	t.Helper()
	rule, ok := contract.RuleByID(id)
	if !ok {
		t.Fatalf("no rule %s", id)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := rule.Check(tc.journal, tc.opts)
			if res.Verdict != tc.want {
				t.Fatalf("verdict %s, want %s\n%s", res.Verdict, tc.want, res)
			}
			if tc.want != contract.Fail {
				if len(res.Violations) != 0 {
					t.Fatalf("violations on a %s: %v", res.Verdict, res.Violations)
				}
				return
			}
			v := res.Violations[0]
			for _, sub := range tc.problem {
				if !strings.Contains(v.Problem, sub) {
					t.Errorf("problem %q does not say %q", v.Problem, sub)
				}
			}
			var seqs []uint64
			for _, e := range v.Entries {
				seqs = append(seqs, e.Seq)
			}
			if tc.quoted != nil && !slices.Equal(seqs, tc.quoted) {
				t.Errorf("quoted entries %v, want %v\n%s", seqs, tc.quoted, v)
			}
		})
	}
}

func TestSingleUseToken(t *testing.T) {
	runRuleCases(t, contract.IDSingleUseToken, []ruleCase{
		{name: "a fresh token per call", want: contract.Pass, journal: journalOf(
			at(0, token()), at(0, authz(L1, "fresh", "t1").asks(R1, cityQ)),
			at(0, token()), at(5*s, answer(R1, "fresh", "t2", cityQ).is(200)))},
		{name: "no Authorize", want: contract.NotApplicable, journal: journalOf(at(0, token()))},
		{name: "refused before the token was read", want: contract.NotApplicable, journal: journalOf(
			at(0, authz(L1, "", "").is(401, "INVALID_REQUEST")))},
		{name: "token reused for the MFA answer", want: contract.Fail, problem: []string{"already used"}, quoted: []uint64{2, 3}, journal: journalOf(
			at(0, token()), at(0, authz(L1, "fresh", "t1").asks(R1, cityQ)),
			at(5*s, answer(R1, "reused", "t1", cityQ).is(401, "ACCESS_DENIED")))},
		{name: "expired token", want: contract.Fail, problem: []string{"expired"}, quoted: []uint64{2}, journal: journalOf(
			at(0, token()), at(31*m, authz(L1, "expired", "t1").is(401, "ACCESS_DENIED")))},
		{name: "unknown token", want: contract.Fail, problem: []string{"no token this customer issued"}, journal: journalOf(
			at(0, authz(L1, "unknown", "zz").is(401, "ACCESS_DENIED")))},
		{name: "no token", want: contract.Fail, problem: []string{"without flinks-auth-key"}, journal: journalOf(
			at(0, authz(L1, "missing", "").is(401, "ACCESS_DENIED")))},
		{name: "secret key as token", want: contract.Fail, problem: []string{"secret key"}, journal: journalOf(
			at(0, authz(L1, "secret", "s1").is(401, "ACCESS_DENIED")))},
		{name: "token sent to a data endpoint", want: contract.Fail, problem: []string{"/GetAccountsDetail"}, quoted: []uint64{2, 3}, journal: with(authorized(R1),
			at(1*s, detail(R1).is(200).ref("t1")))},
	})
}

func TestMFAAnsweredInFull(t *testing.T) {
	runRuleCases(t, contract.IDMFAAnsweredInFull, []ruleCase{
		{name: "every prompt in one call", want: contract.Pass, journal: journalOf(
			at(0, authz(L1, "fresh", "t1").asks(R1, cityQ, countryQ, shapeQ)),
			at(5*s, answer(R1, "fresh", "t2", countryQ, cityQ, shapeQ).is(200)))},
		{name: "two rounds", want: contract.Pass, journal: journalOf(
			at(0, authz(L1, "fresh", "t1").asks(R1, cityQ)),
			at(5*s, answer(R1, "fresh", "t2", cityQ).asks(R1, shapeQ)),
			at(9*s, answer(R1, "fresh", "t3", shapeQ).is(200)))},
		{name: "no MFA", want: contract.NotApplicable, journal: journalOf(at(0, authz(L1, "fresh", "t1").is(200).rid(R1)))},
		{name: "a prompt left out", want: contract.Fail, problem: []string{"left out 1 of the 3 prompts", `"What shape do people like most?"`}, quoted: []uint64{1, 2}, journal: journalOf(
			at(0, authz(L1, "fresh", "t1").asks(R1, cityQ, countryQ, shapeQ)),
			at(5*s, answer(R1, "fresh", "t2", cityQ, countryQ).is(401, "SECURITYRESPONSES_INCOMPLETE")))},
		{name: "prompt text changed", want: contract.Fail, problem: []string{`"what city were you born in?"`, "exactly as sent"}, journal: journalOf(
			at(0, authz(L1, "fresh", "t1").asks(R1, cityQ)),
			at(5*s, answer(R1, "fresh", "t2", "what city were you born in?").is(401, "UNKNOWN_CHALLENGE_KEY")))},
		{name: "answer with another RequestId", want: contract.Fail, problem: []string{R2, "no 203"}, quoted: []uint64{2}, journal: journalOf(
			at(0, authz(L1, "fresh", "t1").asks(R1, cityQ)),
			at(5*s, answer(R2, "fresh", "t2", cityQ).is(400, "SESSION_NONEXISTENT")))},
	})
}

func TestDataAfterAuthorize(t *testing.T) {
	runRuleCases(t, contract.IDDataAfterAuthorize, []ruleCase{
		{name: "after a 200", want: contract.Pass, journal: with(authorized(R1), at(1*s, detail(R1).is(200)))},
		{name: "after the MFA answers", want: contract.Pass, journal: journalOf(
			at(0, authz(L1, "fresh", "t1").asks(R1, cityQ)),
			at(5*s, answer(R1, "fresh", "t2", cityQ).is(200)),
			at(6*s, detail(R1).is(200)))},
		{name: "no data asked", want: contract.NotApplicable, journal: journalOf(at(0, authz(L1, "fresh", "t1").is(200).rid(R1)))},
		{name: "before answering MFA", want: contract.Fail, problem: []string{"still waited", "203"}, quoted: []uint64{1, 2}, journal: journalOf(
			at(0, authz(L1, "fresh", "t1").asks(R1, cityQ)),
			at(1*s, detail(R1).is(401, "UNAUTHORIZED")))},
		{name: "refused for its x-api-key before the RequestId was read", want: contract.NotApplicable, journal: with(authorized(R1),
			at(1*s, detail("").noAPIKey().is(401, "ACCESS_DENIED")))},
		{name: "without a RequestId", want: contract.Fail, problem: []string{`RequestId ""`}, journal: with(authorized(R1),
			at(1*s, detail("").is(401, "INVALID_REQUEST")))},
		{name: "with a RequestId no Authorize gave", want: contract.Fail, problem: []string{R9}, quoted: []uint64{3, 4}, journal: with(authorized(R1),
			at(1*s, detail(R9).is(400, "SESSION_NONEXISTENT")), at(2*s, detail(R9).is(400, "SESSION_NONEXISTENT")))},
	})
}

func TestPollSameRequest(t *testing.T) {
	runRuleCases(t, contract.IDPollSameRequest, []ruleCase{
		{name: "polls the Async endpoint until 200", want: contract.Pass, journal: with(authorized(R1),
			at(1*s, detail(R1).is(202)), at(1*s, async(R1).is(202)), at(11*s, async(R1).is(200)))},
		{name: "200 at once", want: contract.NotApplicable, journal: with(authorized(R1), at(1*s, detail(R1).is(200)))},
		{name: "Async without a 202", want: contract.Fail, problem: []string{"never answered 202"}, quoted: []uint64{3}, journal: with(authorized(R1),
			at(1*s, async(R1).is(401, "INVALID_REQUEST")))},
		{name: "polls after the 200", want: contract.Fail, problem: []string{"after the data had come"}, quoted: []uint64{4, 5}, journal: with(authorized(R1),
			at(1*s, detail(R1).is(202)), at(11*s, async(R1).is(200)), at(21*s, async(R1).is(200)))},
		{name: "GetAccountsDetail again instead of Async", want: contract.Fail, problem: []string{"poll /GetAccountsDetailAsync/" + R1}, quoted: []uint64{3, 4}, journal: with(authorized(R1),
			at(1*s, detail(R1).is(202)), at(11*s, detail(R1).is(200)))},
		{name: "a new RequestId instead of polling", want: contract.Fail, problem: []string{"new RequestId " + R2, "RequestId " + R1 + " of the same login"}, quoted: []uint64{3, 6}, journal: with(authorized(R1),
			at(1*s, detail(R1).is(202)),
			at(11*s, token()), at(11*s, authz(L1, "fresh", "t2").is(200).rid(R2)), at(11*s, detail(R2).rid(R2).is(202)))},
		{name: "a new RequestId after giving up", want: contract.Pass, journal: with(authorized(R1),
			at(1*s, detail(R1).is(202)), at(20*m, async(R1).is(202)),
			at(31*m, authz(L1, "fresh", "t2").is(200).rid(R2)), at(31*m, detail(R2).is(200)))},
		{name: "another login's request meanwhile", want: contract.Pass, journal: with(authorized(R1),
			at(1*s, detail(R1).is(202)),
			at(2*s, authz(L2, "fresh", "t2").is(200).rid(R2)), at(2*s, detail(R2).login(L2).is(200)),
			at(11*s, async(R1).is(200)))},
	})
}

func TestPollInterval(t *testing.T) {
	runRuleCases(t, contract.IDPollInterval, []ruleCase{
		{name: "10 s apart", want: contract.Pass, journal: with(authorized(R1),
			at(0, detail(R1).is(202)), at(0, async(R1).is(202)), at(10*s, async(R1).is(202)), at(20*s, async(R1).is(200)))},
		{name: "first poll right after the 202", want: contract.NotApplicable, journal: with(authorized(R1),
			at(0, detail(R1).is(202)), at(0, async(R1).is(200)))},
		{name: "too soon", want: contract.Fail, problem: []string{"2 times sooner than 10s", "shortest gap was 1s"}, quoted: []uint64{4, 5}, journal: with(authorized(R1),
			at(0, detail(R1).is(202)), at(0, async(R1).is(202)), at(2*s, async(R1).is(202)), at(3*s, async(R1).is(202)), at(13*s, async(R1).is(200)))},
		{name: "a longer interval asked", opts: contract.Options{MinPollInterval: 30 * s}, want: contract.Fail, problem: []string{"sooner than 30s"}, journal: with(authorized(R1),
			at(0, detail(R1).is(202)), at(0, async(R1).is(202)), at(10*s, async(R1).is(200)))},
	})
}

func TestPollDeadline(t *testing.T) {
	runRuleCases(t, contract.IDPollDeadline, []ruleCase{
		{name: "gives up in time", want: contract.Pass, journal: with(authorized(R1),
			at(0, detail(R1).is(202)), at(10*m, async(R1).is(202)), at(29*m+50*s, async(R1).is(202)))},
		{name: "no 202", want: contract.NotApplicable, journal: with(authorized(R1), at(0, detail(R1).is(200)))},
		{name: "polls at the deadline", want: contract.Fail, problem: []string{"1 time at or after the 30m0s deadline", "the last 30m0s after"}, quoted: []uint64{3, 5}, journal: with(authorized(R1),
			at(0, detail(R1).is(202)), at(15*m, async(R1).is(202)), at(30*m, async(R1).is(401, "SESSION_EXPIRED")))},
		{name: "polls on and on", want: contract.Fail, problem: []string{"2 times at or after", "the last 50m0s"}, quoted: []uint64{3, 4, 5}, journal: with(authorized(R1),
			at(0, detail(R1).is(202)), at(40*m, async(R1).is(202)), at(50*m, async(R1).is(202)))},
		{name: "a shorter deadline asked", opts: contract.Options{Deadline: 5 * m}, want: contract.Fail, journal: with(authorized(R1),
			at(0, detail(R1).is(202)), at(6*m, async(R1).is(200)))},
	})
}

func TestNoRetryOfFinalErrors(t *testing.T) {
	runRuleCases(t, contract.IDNoRetryOfFinalErrors, []ruleCase{
		{name: "reports the disabled login", want: contract.Pass, journal: journalOf(
			at(0, token()), at(0, authz(L1, "fresh", "t1").is(401, "DISABLED_LOGIN")))},
		{name: "nothing final", want: contract.NotApplicable, journal: with(authorized(R1), at(0, detail(R1).is(200)))},
		{name: "retries a disabled login", want: contract.Fail, problem: []string{"after DISABLED_LOGIN", "(3 repeats in all)"}, quoted: []uint64{2, 4, 6, 8}, journal: journalOf(
			at(0, token()), at(0, authz(L1, "fresh", "t1").is(401, "DISABLED_LOGIN")),
			at(10*s, token()), at(10*s, authz(L1, "fresh", "t2").is(401, "DISABLED_LOGIN")),
			at(20*s, token()), at(20*s, authz(L1, "fresh", "t3").is(401, "DISABLED_LOGIN")),
			at(30*s, token()), at(30*s, authz(L1, "fresh", "t4").is(401, "DISABLED_LOGIN")))},
		{name: "a fresh token after a stale one is a correction", want: contract.NotApplicable, journal: journalOf(
			at(0, authz(L1, "reused", "t1").is(401, "ACCESS_DENIED")),
			at(1*s, authz(L1, "fresh", "t2").is(200).rid(R1)))},
		{name: "a wrong MFA answer sent again is FM012's", want: contract.NotApplicable, journal: journalOf(
			at(0, authz(L1, "fresh", "t1").asks(R1, cityQ)),
			at(5*s, answer(R1, "fresh", "t2", cityQ).is(401, "INVALID_SECURITY_RESPONSE")),
			at(9*s, answer(R1, "fresh", "t3", cityQ).is(200)))},
		{name: "an expired RequestId used again", want: contract.Fail, problem: []string{"SESSION_EXPIRED"}, quoted: []uint64{4, 5}, journal: with(authorized(R1),
			at(0, detail(R1).is(202)), at(30*m, async(R1).is(401, "SESSION_EXPIRED")), at(31*m, detail(R1).is(401, "SESSION_EXPIRED")))},
		{name: "RETRY_LATER may be retried", want: contract.NotApplicable, journal: journalOf(
			at(0, authz(L1, "fresh", "t1").is(401, "RETRY_LATER")), at(10*s, authz(L1, "fresh", "t2").is(200).rid(R1)))},
	})
}

func TestBackOffOnRetryLater(t *testing.T) {
	runRuleCases(t, contract.IDBackOffOnRetryLater, []ruleCase{
		{name: "waits before retrying", want: contract.Pass, journal: journalOf(
			at(0, authz(L1, "fresh", "t1").is(401, "RETRY_LATER")), at(10*s, token()), at(10*s, authz(L1, "fresh", "t2").is(200).rid(R1)))},
		{name: "no RETRY_LATER", want: contract.NotApplicable, journal: with(authorized(R1))},
		{name: "retries at once", want: contract.Fail, problem: []string{"sent again 500ms after RETRY_LATER", "wait at least 10s"}, quoted: []uint64{1, 3}, journal: journalOf(
			at(0, authz(L1, "fresh", "t1").is(401, "RETRY_LATER")), at(500*time.Millisecond, token()), at(500*time.Millisecond, authz(L1, "fresh", "t2").is(200).rid(R1)))},
		{name: "too many requests on a data endpoint", want: contract.Fail, problem: []string{"after TOO_MANY_REQUESTS"}, journal: with(authorized(R1),
			at(1*s, detail(R1).is(401, "TOO_MANY_REQUESTS")), at(2*s, detail(R1).is(200)))},
		{name: "a longer back-off asked", opts: contract.Options{RetryBackoff: time.Minute}, want: contract.Fail, journal: journalOf(
			at(0, authz(L1, "fresh", "t1").is(401, "RETRY_LATER")), at(30*s, authz(L1, "fresh", "t2").is(200).rid(R1)))},
	})
}

func TestKeysInTheirPlace(t *testing.T) {
	required := contract.Options{RequireAPIKey: true}
	runRuleCases(t, contract.IDKeysInTheirPlace, []ruleCase{
		{name: "x-api-key on data", opts: required, want: contract.Pass, journal: with(authorized(R1), at(1*s, detail(R1).is(200)))},
		{name: "x-api-key not required", want: contract.Pass, journal: with(authorized(R1), at(1*s, detail(R1).noAPIKey().is(200)))},
		{name: "nothing to judge", want: contract.NotApplicable, journal: journalOf(at(0, token()))},
		{name: "x-api-key missing", opts: required, want: contract.Fail, problem: []string{"1 data request came without x-api-key"}, quoted: []uint64{3}, journal: with(authorized(R1),
			at(1*s, detail(R1).noAPIKey().is(401, "ACCESS_DENIED")))},
		{name: "secret key as token", want: contract.Fail, problem: []string{"belongs to /GenerateAuthorizeToken"}, journal: journalOf(
			at(0, authz(L1, "secret", "s1").is(401, "ACCESS_DENIED")))},
	})
}

func TestWebhooksAcknowledged(t *testing.T) {
	runRuleCases(t, contract.IDWebhooksAcknowledged, []ruleCase{
		{name: "no webhooks", want: contract.NotApplicable, journal: with(authorized(R1))},
		{name: "every attempt answered 200", want: contract.Pass, journal: journalOf(
			at(0, hook("d1", 1, 200, 3*time.Millisecond)), at(1*s, hook("d2", 1, 200, 2*time.Millisecond)))},
		{name: "answered 204", want: contract.Fail, problem: []string{"attempt 1 of delivery d1 was answered 204"}, quoted: []uint64{1}, journal: journalOf(
			at(0, hook("d1", 1, 204, time.Millisecond)))},
		{name: "no answer", want: contract.Fail, problem: []string{"got no HTTP answer (connection refused)"}, journal: journalOf(
			at(0, hook("d1", 1, 0, time.Millisecond).failed("connection refused")))},
		{name: "too slow", want: contract.Fail, problem: []string{"after 11s, past the 10s deadline"}, journal: journalOf(
			at(0, hook("d1", 1, 200, 11*time.Second)))},
		{name: "refused after the integration ended", opts: contract.Options{IntegrationEnded: t0.Add(1 * s)}, want: contract.Pass, journal: journalOf(
			at(0, hook("d1", 1, 200, time.Millisecond)), at(2*s, hook("d2", 1, 0, time.Millisecond).failed("connection refused")))},
		{name: "refused while the integration ran", opts: contract.Options{IntegrationEnded: t0.Add(3 * s)}, want: contract.Fail, problem: []string{"got no HTTP answer (connection refused)"}, journal: journalOf(
			at(0, hook("d1", 1, 200, time.Millisecond)), at(2*s, hook("d2", 1, 0, time.Millisecond).failed("connection refused")))},
		{name: "answered 500 after the integration ended", opts: contract.Options{IntegrationEnded: t0.Add(1 * s)}, want: contract.Fail, problem: []string{"was answered 500"}, journal: journalOf(
			at(2*s, hook("d2", 1, 500, time.Millisecond)))},
		{name: "a duplicate refused", want: contract.Fail, problem: []string{"a duplicate: send 2", "answered 409"}, quoted: []uint64{2}, journal: journalOf(
			at(0, hook("d1", 1, 200, time.Millisecond)), at(1*s, hook("d2", 1, 409, time.Millisecond)))},
	})
}

func TestCheckRunsEveryRule(t *testing.T) {
	j := with(authorized(R1),
		at(1*s, detail(R1).is(202)), at(1*s, async(R1).is(202)), at(2*s, async(R1).is(200)))
	rep := contract.Check(j, contract.Options{})
	if len(rep.Results) != len(contract.Rules()) {
		t.Fatalf("%d results for %d rules", len(rep.Results), len(contract.Rules()))
	}
	if rep.Passed() {
		t.Fatal("a poll 1s after a 202 passed")
	}
	if got := rep.FailedIDs(); !slices.Equal(got, []string{contract.IDPollInterval}) {
		t.Errorf("failed %v, want only %s", got, contract.IDPollInterval)
	}
	if rep.Options.MinPollInterval != contract.DefaultMinPollInterval {
		t.Errorf("defaults not filled: %+v", rep.Options)
	}
	text := rep.String()
	for _, want := range []string{
		"✓ " + contract.IDSingleUseToken,
		"– " + contract.IDMFAAnsweredInFull + " (not applicable)",
		"✗ " + contract.IDPollInterval + ": After an Async poll answered 202",
		`guide: "If the response is 202, the data is still processing. Wait 10 seconds`,
		"#4 15:04:06.000 GET GetAccountsDetailAsync RequestId=" + R1 + " → 202 OPERATION_PENDING",
		"#5 15:04:07.000 GET GetAccountsDetailAsync RequestId=" + R1 + " → 200",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
}

func TestCheckOrdersEntriesBySeq(t *testing.T) {
	j := with(authorized(R1), at(1*s, detail(R1).is(200)))
	slices.Reverse(j)
	if rep := contract.Check(j, contract.Options{}); !rep.Passed() {
		t.Errorf("a journal out of order was misread:\n%s", rep)
	}
}

func TestRuleIDsAreStableAndDocumented(t *testing.T) {
	seen := map[string]bool{}
	last := ""
	for i, r := range contract.Rules() {
		if seen[r.ID] {
			t.Errorf("duplicate id %s", r.ID)
		}
		seen[r.ID] = true
		// In number order; a number may wait for its rule (FM015 is
		// checked on its own until it joins the list).
		if want := "FM0"; !strings.HasPrefix(r.ID, want) || r.ID[:5] <= last || i == 0 && r.ID[:5] != "FM001" {
			t.Errorf("rule %d has id %s, after %s", i, r.ID, last)
		}
		last = r.ID[:5]
		if r.Statement == "" || r.Guide == "" || r.Source == "" {
			t.Errorf("%s lacks its statement, guide sentence or source", r.ID)
		}
		got, ok := contract.RuleByID(r.ID[:5])
		if !ok || got.ID != r.ID {
			t.Errorf("RuleByID(%q) = %s, %v", r.ID[:5], got.ID, ok)
		}
	}
	if _, ok := contract.RuleByID("FM999"); ok {
		t.Error("RuleByID found FM999")
	}
}

func TestViolationsAreCappedInRenderings(t *testing.T) {
	var steps []step
	for i := range 8 {
		steps = append(steps, at(time.Duration(i)*s, authz(L1, "missing", "").is(401, "ACCESS_DENIED")))
	}
	res := contract.SingleUseToken().Check(journalOf(steps...), contract.Options{})
	if len(res.Violations) != 8 {
		t.Fatalf("%d violations, want 8", len(res.Violations))
	}
	if !strings.Contains(res.String(), "... and 3 more like these") {
		t.Errorf("rendering not capped:\n%s", res)
	}
}

func TestFollowUpA202(t *testing.T) {
	webhook := hook("d1", 1, 200, 5*time.Millisecond)
	runRuleCases(t, contract.IDFollowUpA202, []ruleCase{
		{name: "polled after the 202", want: contract.Pass, journal: with(authorized(R1),
			at(1*s, detail(R1).is(202)), at(1*s, async(R1).is(200)))},
		{name: "data at once", want: contract.NotApplicable, journal: with(authorized(R1), at(1*s, detail(R1).is(200)))},
		{name: "waited for the webhook", want: contract.Pass, journal: with(authorized(R1),
			at(1*s, detail(R1).is(202)), at(3*s, webhook))},
		{name: "stopped at the 202", want: contract.Fail, problem: []string{"you stopped at a 202", "OPERATION_PENDING", "/GetAccountsDetailAsync/" + R1}, quoted: []uint64{3}, journal: with(authorized(R1),
			at(1*s, detail(R1).is(202)))},
		{name: "a new request instead of the poll is FM004's", want: contract.Pass, journal: with(authorized(R1),
			at(1*s, detail(R1).is(202)), at(12*s, authz(L1, "fresh", "t2").is(200).rid(R2)), at(12*s, detail(R2).is(200)))},
		{name: "gave up at the deadline", want: contract.Pass, journal: with(authorized(R1),
			at(1*s, detail(R1).is(202)), at(20*m, authz(L1, "fresh", "t2").is(200).rid(R2)), at(29*m+55*s, detail(R2).is(202)))},
	})
}

func TestNoMFAReanswer(t *testing.T) {
	runRuleCases(t, contract.IDNoMFAReanswer, []ruleCase{
		{name: "the refusal reported", want: contract.Pass, journal: journalOf(
			at(0, authz(L1, "fresh", "t1").asks(R1, cityQ)),
			at(5*s, answer(R1, "fresh", "t2", cityQ).is(401, "INVALID_SECURITY_RESPONSE")))},
		{name: "no wrong answer", want: contract.NotApplicable, journal: journalOf(
			at(0, authz(L1, "fresh", "t1").asks(R1, cityQ)),
			at(5*s, answer(R1, "fresh", "t2", cityQ).is(200)))},
		{name: "the same answer sent again", want: contract.Fail, problem: []string{"INVALID_SECURITY_RESPONSE", "answered again on its own", "send the user back"}, quoted: []uint64{2, 3}, journal: journalOf(
			at(0, authz(L1, "fresh", "t1").asks(R1, cityQ)),
			at(5*s, answer(R1, "fresh", "t2", cityQ).is(401, "INVALID_SECURITY_RESPONSE")),
			at(9*s, answer(R1, "fresh", "t3", cityQ).is(401, "INVALID_SECURITY_RESPONSE")))},
		{name: "an answer to a new 203 of the login", want: contract.Fail, problem: []string{R1}, quoted: []uint64{2, 4}, journal: journalOf(
			at(0, authz(L1, "fresh", "t1").asks(R1, cityQ)),
			at(5*s, answer(R1, "fresh", "t2", cityQ).is(401, "INVALID_SECURITY_RESPONSE")),
			at(6*s, authz(L1, "fresh", "t3").asks(R2, cityQ)),
			at(7*s, answer(R2, "fresh", "t4", cityQ).is(200)))},
	})
}

func TestMFAAnswerInTime(t *testing.T) {
	runRuleCases(t, contract.IDMFAAnswerInTime, []ruleCase{
		{name: "answered at once", want: contract.Pass, journal: journalOf(
			at(0, authz(L1, "fresh", "t1").asks(R1, cityQ)),
			at(5*s, answer(R1, "fresh", "t2", cityQ).is(200)))},
		{name: "no MFA", want: contract.NotApplicable, journal: journalOf(at(0, authz(L1, "fresh", "t1").is(200).rid(R1)))},
		{name: "started over after a slow user", want: contract.Pass, journal: journalOf(
			at(0, authz(L1, "fresh", "t1").asks(R1, cityQ)),
			at(9*m, authz(L1, "fresh", "t2").asks(R2, cityQ)),
			at(9*m+2*s, answer(R2, "fresh", "t3", cityQ).is(200)))},
		{name: "answered the expired RequestId", want: contract.Fail, problem: []string{"came 9m0s after its 203", "start over with a new /Authorize"}, quoted: []uint64{1, 2}, journal: journalOf(
			at(0, authz(L1, "fresh", "t1").asks(R1, cityQ)),
			at(9*m, answer(R1, "fresh", "t2", cityQ).is(401, "SESSION_EXPIRED")))},
		{name: "the second round counts from its own 203", want: contract.Pass, journal: journalOf(
			at(0, authz(L1, "fresh", "t1").asks(R1, cityQ)),
			at(5*m, answer(R1, "fresh", "t2", cityQ).asks(R1, shapeQ)),
			at(10*m, answer(R1, "fresh", "t3", shapeQ).is(200)))},
	})
}
