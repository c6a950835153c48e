package contract_test

import (
	"strings"
	"testing"

	"github.com/flinks-mock/flinks-mock/contract"
)

func TestParseOutcome(t *testing.T) {
	tests := []struct {
		name, out string
		ok        bool
		want      string // Outcome.String
	}{
		{"accounts", `{"accounts":[{"id":"a","accountNumber":"1","balance":2.5}]}`, true, "1 account"},
		{"last line wins", "{\"error\":{\"kind\":\"timeout\"}}\nlog line\n{\"accounts\":[]}\n", true, "0 accounts"},
		{"Flinks error after logs", "starting\n{\"level\":\"info\"}\n{\"error\":{\"kind\":\"flinks\",\"flinksCode\":\"DISABLED_LOGIN\"}}\ntrailing text\n", true, "Flinks error DISABLED_LOGIN"},
		{"other error", `{"error":{"kind":"other","message":"boom"}}`, true, "other error: boom"},
		{"MFA", `{"error":{"kind":"mfa"}}`, true, "MFA not answered"},
		{"no JSON", "done\n", false, ""},
		{"JSON of something else", `{"status":"ok"}`, false, ""},
		{"null error", `{"error":null}`, false, ""},
		{"broken JSON", `{"accounts":[`, false, ""},
		{"wrong types", `{"accounts":"three"}`, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, ok := contract.ParseOutcome([]byte(tt.out))
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v (%+v)", ok, tt.ok, o)
			}
			if ok && o.String() != tt.want {
				t.Errorf("outcome %q, want %q", o, tt.want)
			}
		})
	}
}

func FuzzParseOutcome(f *testing.F) {
	for _, seed := range []string{
		`{"accounts":[{"id":"a","balance":1}]}`,
		"x\n{\"error\":{\"kind\":\"timeout\"}}\n",
		`{"error":{"kind":"flinks","flinksCode":"RETRY_LATER"}}`,
		"{\"accounts\":null}\r\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, out []byte) {
		o, ok := contract.ParseOutcome(out)
		if !ok {
			return
		}
		// A parsed outcome says something, and judging it never panics.
		if o.String() == "" {
			t.Errorf("empty description of %+v", o)
		}
		_ = contract.Want{Accounts: true, Timeout: true}.Judge(o, nil)
	})
}

func TestWantJudge(t *testing.T) {
	bal := func(v float64) *float64 { return &v }
	login := []contract.Account{{ID: "a1", AccountNumber: "111", Balance: bal(10)}, {ID: "a2", AccountNumber: "222", Balance: bal(-5.5)}}
	accounts := func(a ...contract.Account) contract.Outcome { return contract.Outcome{Accounts: a} }
	flinks := func(code string) contract.Outcome {
		return contract.Outcome{Error: &contract.OutcomeError{Kind: contract.ErrorFlinks, FlinksCode: code}}
	}
	timeout := contract.Outcome{Error: &contract.OutcomeError{Kind: contract.ErrorTimeout}}
	tests := []struct {
		name    string
		want    contract.Want
		got     contract.Outcome
		problem string // "" when it matches
	}{
		{"the login's accounts", contract.Want{Accounts: true}, accounts(login...), ""},
		{"ids only", contract.Want{Accounts: true}, accounts(contract.Account{ID: "a2"}, contract.Account{ID: "a1"}), ""},
		{"an account missing", contract.Want{Accounts: true}, accounts(login[0]), "account a2 (222) is missing"},
		{"an account too many", contract.Want{Accounts: true}, accounts(append(login, contract.Account{ID: "zz"})...), "account zz is not one of the login's"},
		{"a wrong balance", contract.Want{Accounts: true}, accounts(login[0], contract.Account{ID: "a2", Balance: bal(5.5)}), "account a2 has balance 5.50, want -5.50"},
		{"a wrong number", contract.Want{Accounts: true}, accounts(login[0], contract.Account{ID: "a2", AccountNumber: "9"}), `AccountNumber "9", want "222"`},
		{"a timeout wanted", contract.Want{Timeout: true}, timeout, ""},
		{"accounts instead of a timeout", contract.Want{Timeout: true}, accounts(login...), "reported 2 accounts; the scenario calls for a timeout"},
		{"the code wanted", contract.Want{FlinksCodes: []string{"DISABLED_LOGIN"}}, flinks("DISABLED_LOGIN"), ""},
		{"another code", contract.Want{FlinksCodes: []string{"DISABLED_LOGIN"}}, flinks("INVALID_LOGIN"), "reported Flinks error INVALID_LOGIN; the scenario calls for Flinks error DISABLED_LOGIN"},
		{"either of two", contract.Want{Accounts: true, FlinksCodes: []string{"RETRY_LATER"}}, flinks("RETRY_LATER"), ""},
		{"a timeout instead of accounts", contract.Want{Accounts: true}, timeout, "reported timeout; the scenario calls for the login's accounts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.want.Judge(tt.got, login)
			switch {
			case tt.problem == "" && err != nil:
				t.Errorf("unexpected problem: %v", err)
			case tt.problem != "" && (err == nil || !strings.Contains(err.Error(), tt.problem)):
				t.Errorf("problem %v, want one saying %q", err, tt.problem)
			}
		})
	}
}
