package contract_test

import (
	"strings"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/contract"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

func TestDeleteCardWhenIdle(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC)
	e := func(seq int, endpoint string, status int, rid, login string) journal.Entry {
		return journal.Entry{Seq: uint64(seq), Time: t0.Add(time.Duration(seq) * time.Second), Kind: journal.KindRequest,
			Method: "POST", Endpoint: endpoint, Status: status, RequestID: rid, LoginID: login}
	}
	for _, tc := range []struct {
		name    string
		journal []journal.Entry
		want    contract.Verdict
	}{
		{"no DeleteCard", []journal.Entry{e(1, "Authorize", 200, "R1", "L1")}, contract.NotApplicable},
		{"after the data", []journal.Entry{e(1, "Authorize", 200, "R1", "L1"), e(2, "GetAccountsDetail", 200, "R1", "L1"), e(3, "DeleteCard", 200, "", "L1")}, contract.Pass},
		{"right after /Authorize", []journal.Entry{e(1, "Authorize", 200, "R1", "L1"), e(2, "DeleteCard", 400, "", "L1")}, contract.Fail},
		{"while the data is pending", []journal.Entry{e(1, "Authorize", 200, "R1", "L1"), e(2, "GetStatements", 202, "R1", "L1"), e(3, "DeleteCard", 400, "", "L1")}, contract.Fail},
		{"another login's session", []journal.Entry{e(1, "Authorize", 200, "R1", "L2"), e(2, "DeleteCard", 200, "", "L1")}, contract.Pass},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := contract.DeleteCardWhenIdle().Check(tc.journal, contract.Options{})
			if res.Verdict != tc.want {
				t.Fatalf("verdict %s, want %s: %+v", res.Verdict, tc.want, res.Violations)
			}
			if tc.want == contract.Fail && !strings.Contains(res.Violations[0].Problem, "CARD_IN_USE") {
				t.Errorf("problem %q does not name CARD_IN_USE", res.Violations[0].Problem)
			}
		})
	}
}

func TestKeysInTheirPlaceTakesABearerToken(t *testing.T) {
	entries := []journal.Entry{{Seq: 1, Kind: journal.KindRequest, Method: "POST", Endpoint: "GetStatements", Status: 200, RequestID: "R1", Bearer: true}}
	res := contract.KeysInTheirPlace().Check(entries, contract.Options{RequireAPIKey: true})
	if res.Verdict != contract.Pass {
		t.Errorf("a data request with a Bearer token: %s %+v, want pass", res.Verdict, res.Violations)
	}
}
