package contract_test

import (
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/contract"
)

func (r req) took(d time.Duration) req { r.Latency = d; return r }
func (r req) mode(m string) req        { r.Mode = m; return r }

func TestRequestTimeouts(t *testing.T) {
	timeout := contract.Options{RequestTimeout: time.Second}
	runRuleCases(t, contract.IDRequestTimeout, []ruleCase{
		{name: "answers at once", opts: timeout, want: contract.NotApplicable, journal: with(authorized(R1), at(1*s, detail(R1).is(200)))},
		{name: "gave up at the timeout, then sent it again", opts: timeout, want: contract.Pass, journal: journalOf(
			at(0, token()), at(0, authz(L1, "fresh", "t1").is(0).took(1100*time.Millisecond)),
			at(10*s, token()), at(10*s, authz(L1, "fresh", "t2").is(200).rid(R1)))},
		{name: "waited out a slow /Authorize", opts: timeout, want: contract.Fail, problem: []string{"/Authorize hung", "waited 3s", "took the answer", "twice the 1s", "FLINKS_REQUEST_TIMEOUT"}, quoted: []uint64{2}, journal: journalOf(
			at(0, token()), at(0, authz(L1, "fresh", "t1").is(200).rid(R1).took(3*s)))},
		{name: "left only when stopped", opts: timeout, want: contract.Fail, problem: []string{"/GetAccountsDetail hung", "left without an answer only then"}, quoted: []uint64{3}, journal: with(authorized(R1),
			at(1*s, detail(R1).is(0).took(5*s)))},
		{name: "the default is 4 minutes", want: contract.Pass, journal: with(authorized(R1), at(1*s, detail(R1).is(200).took(3*m)))},
	})
}

func TestRepeatFetchCached(t *testing.T) {
	repeat := contract.Options{RepeatFetch: true}
	linked := []step{
		at(0, token()), at(0, authz(L1, "fresh", "t1").mode("legacy").asks(R1, cityQ)),
		at(0, token()), at(5*s, answer(R1, "fresh", "t2", cityQ).login(L1).is(200)),
		at(6*s, detail(R1).is(200)),
	}
	again := func(mode string) []step {
		return []step{at(m, token()), at(m, authz(L1, "fresh", "t3").mode(mode).is(200).rid(R2))}
	}
	runRuleCases(t, contract.IDRepeatFetchCached, []ruleCase{
		{name: "one fetch", opts: repeat, want: contract.NotApplicable, journal: journalOf(linked...)},
		{name: "the LoginId and the cached data", opts: repeat, want: contract.Pass, journal: with(linked, again("cached")...)},
		{name: "the credentials again", want: contract.Fail, problem: []string{"sent its username and password again", "MostRecentCached true"}, quoted: []uint64{4, 7}, journal: with(linked, again("legacy")...)},
		{name: "a live refresh on a repeat fetch", opts: repeat, want: contract.Fail, problem: []string{"asked a live refresh", "no user there"}, journal: with(linked, again("live")...)},
		{name: "a live refresh with the user there", want: contract.Pass, journal: with(linked, again("live")...)},
		{name: "a new /Authorize before the login was linked", opts: repeat, want: contract.NotApplicable, journal: journalOf(
			at(0, token()), at(0, authz(L1, "fresh", "t1").mode("legacy").is(0)),
			at(0, token()), at(10*s, authz(L1, "fresh", "t2").mode("legacy").is(200).rid(R1)))},
	})
}
