package contract_test

import (
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/contract"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// The rules take /AuthorizeAsync for the /Authorize it is: its token is an
// authorize token, its poll's 200 authorizes the RequestId, and the
// session it opens holds the card.
func TestRulesTakeAuthorizeAsyncForAnAuthorize(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC)
	var seq int
	e := func(endpoint string, status int, f func(*journal.Entry)) journal.Entry {
		seq++
		x := journal.Entry{Seq: uint64(seq), Time: t0.Add(time.Duration(seq) * time.Second), Kind: journal.KindRequest,
			Method: "POST", Endpoint: endpoint, Status: status, RequestID: "R1", LoginID: "L1"}
		if f != nil {
			f(&x)
		}
		return x
	}
	token := func(state, ref string) func(*journal.Entry) {
		return func(x *journal.Entry) { x.Mode, x.Token, x.TokenRef = "live", state, ref }
	}
	open := e("AuthorizeAsync", 202, token(journal.TokenFresh, "t1"))
	poll200 := e("AuthorizeAsync", 200, nil)
	data := e("GetStatements", 200, nil)
	for _, tc := range []struct {
		name    string
		rule    contract.Rule
		journal []journal.Entry
		want    contract.Verdict
	}{
		{"FM001: a fresh token", contract.SingleUseToken(), []journal.Entry{open, poll200}, contract.Pass},
		{"FM001: the token of /AuthorizeAsync sent again to /Authorize", contract.SingleUseToken(),
			[]journal.Entry{open, e("Authorize", 401, token(journal.TokenReused, "t1"))}, contract.Fail},
		{"FM001: a reused token on /AuthorizeAsync", contract.SingleUseToken(),
			[]journal.Entry{open, e("AuthorizeAsync", 401, token(journal.TokenReused, "t1"))}, contract.Fail},
		{"FM003: statements after the poll's 200", contract.DataAfterAuthorize(), []journal.Entry{open, poll200, data}, contract.Pass},
		{"FM003: statements after the 202 alone", contract.DataAfterAuthorize(), []journal.Entry{open, e("GetStatements", 401, nil)}, contract.Fail},
		{"FM003: statements while the poll asks for MFA", contract.DataAfterAuthorize(),
			[]journal.Entry{open, e("AuthorizeAsync", 203, func(x *journal.Entry) { x.Challenges = []string{"Q?"} }), e("GetStatements", 401, nil)}, contract.Fail},
		{"FM015: DeleteCard after the data", contract.DeleteCardWhenIdle(), []journal.Entry{open, poll200, data, e("DeleteCard", 200, nil)}, contract.Pass},
		{"FM015: DeleteCard while the session waits", contract.DeleteCardWhenIdle(), []journal.Entry{open, poll200, e("DeleteCard", 400, nil)}, contract.Fail},
		{"FM009: the secret sent to /AuthorizeAsync", contract.KeysInTheirPlace(), []journal.Entry{e("AuthorizeAsync", 401, token(journal.TokenSecret, "s"))}, contract.Fail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.rule.Check(tc.journal, contract.Options{})
			if res.Verdict != tc.want {
				t.Fatalf("verdict %s, want %s:\n%s", res.Verdict, tc.want, res.Details())
			}
		})
	}
}

// GetStatements is a data endpoint like the others: FM003 judges it.
func TestDataAfterAuthorizeJudgesGetStatements(t *testing.T) {
	entries := []journal.Entry{
		{Seq: 1, Kind: journal.KindRequest, Method: "POST", Endpoint: "GetStatements", Status: 401, FlinksCode: "UNAUTHORIZED", RequestID: "R9"},
	}
	if res := contract.DataAfterAuthorize().Check(entries, contract.Options{}); res.Verdict != contract.Fail {
		t.Errorf("GetStatements with a RequestId no /Authorize answered 200: %s, want fail", res.Verdict)
	}
}
