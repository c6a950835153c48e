package record

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

func TestSteps(t *testing.T) {
	ok := outcome{respond: "ok"}
	retry := outcome{respond: "error", code: "RETRY_LATER", status: 401, message: "Flinks could not connect to the financial institution; try again later"}
	pending, dispatched, ready := outcome{respond: "pending"}, outcome{respond: "dispatched"}, outcome{respond: "ready"}
	tests := []struct {
		name string
		outs []outcome
		want string
	}{
		{"one ok", []outcome{ok}, `[{"respond":"ok"}]`},
		{"retries, then ok for ever", []outcome{retry, retry, ok, ok}, `[{"respond":"error","calls":2,"flinksCode":"RETRY_LATER"},{"respond":"ok"}]`},
		{"an error to the end", []outcome{ok, retry}, `[{"respond":"ok","calls":1},{"respond":"error","flinksCode":"RETRY_LATER"}]`},
		{"a status and message of their own", []outcome{{respond: "error", code: "SESSION_EXPIRED", status: 400, message: "gone"}},
			`[{"respond":"error","flinksCode":"SESSION_EXPIRED","status":400,"message":"gone"}]`},
		{"dispatched, then pending", []outcome{dispatched, pending, pending, ready}, `[{"respond":"dispatched","calls":1},{"respond":"pending","calls":2},{"respond":"ready"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := json.Marshal(steps(tt.outs))
			if string(got) != tt.want {
				t.Errorf("steps =\n  %s\nwant\n  %s", got, tt.want)
			}
		})
	}
}

func TestLoginName(t *testing.T) {
	for in, want := range map[string]string{"Greatday": "greatday", "jo.smith@bank": "jo_smith_bank", "Émile": "__mile", "a-b_c": "a-b_c"} {
		if got := loginName(in); got != want {
			t.Errorf("loginName(%q) = %q, want %q", in, got, want)
		}
	}
}

// A login first seen by username and then by LoginId (legacy, then
// cached) is one login. (Credentials kept, to read the file plainly.)
func TestStateMergesALoginSeenByUsernameThenByLoginID(t *testing.T) {
	r, err := New(Config{Upstream: mustURL("http://upstream"), KeepCredentials: true})
	if err != nil {
		t.Fatal(err)
	}
	send := func(endpoint, body string, status int, answer string) {
		r.observe(exchange{path: "/v3/c/BankingServices/" + endpoint, header: http.Header{}, body: []byte(body), status: status, answer: []byte(answer)})
	}
	const id = "0b6a4c1e-7a51-4b8e-9c55-3f6d2a1e9b10"
	send("Authorize", `{"LoginId":"`+id+`","MostRecentCached":true}`, 401, `{"FlinksCode":"RETRY_LATER"}`)
	send("Authorize", `{"username":"Jo","Password":"p","Institution":"FlinksCapital"}`, 203,
		`{"RequestId":"r1","Institution":"FlinksCapital","InstitutionId":14,"SecurityChallenges":[{"Type":"QuestionAndAnswer","Prompt":"Q?"}]}`)
	send("Authorize", `{"RequestId":"r1","SecurityResponses":{"Q?":["A"]}}`, 200,
		`{"RequestId":"r1","Login":{"Username":"Jo","Type":"Business","Id":"`+id+`"}}`)
	send("GetAccountsDetail", `{"RequestId":"r1"}`, 202, `{"FlinksCode":"OPERATION_PENDING"}`)
	send("GetAccountsDetailAsync/r1", ``, 200, `{"Accounts":[{"Id":"a1","Title":"Chequing","AccountNumber":"123","Balance":{"Current":1},"Category":"Operations","Type":"Chequing","Currency":"CAD","Transactions":[]}]}`)

	f, notes := r.File()
	if len(f.Logins) != 1 || len(notes) != 0 {
		t.Fatalf("logins %+v, notes %q", f.Logins, notes)
	}
	l := f.Logins[0]
	got, _ := json.Marshal(l)
	for _, want := range []string{
		`"name":"jo"`, `"username":"Jo"`, `"loginId":"` + id + `"`, `"type":"Business"`, `"tokenRequired":false`,
		`"authorize":[{"respond":"error","calls":1,"flinksCode":"RETRY_LATER"},{"respond":"ok"}]`,
		`"mfa":{"rounds":[{"challenges":[{"prompt":"Q?","answers":["A"]}]}]}`,
		`"accountsDetail":[{"respond":"pending","calls":1},{"respond":"ready"}]`, `"Id":"a1"`,
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("the login\n  %s\nhas no %s", got, want)
		}
	}
	if _, err := scenarios.Parse("merged.json", mustJSON(t, f)); err != nil {
		t.Errorf("the file does not parse: %v", err)
	}
}

func TestMarshalFileQuotesWhatWouldReadBackAsSomethingElse(t *testing.T) {
	f := &scenarios.File{Logins: []scenarios.Login{{
		Name: "q", Username: "null", LoginID: "0b6a4c1e-7a51-4b8e-9c55-3f6d2a1e9b10",
		MFA: &scenarios.MFA{Rounds: []scenarios.Round{{Challenges: []scenarios.Challenge{{Prompt: "Code?: # yes", Answers: []string{"0914", "true", "1e3", "- a", "multi\nline"}}}}}},
		Accounts: []scenarios.Account{{Id: "2026-01-02", Title: "x", AccountNumber: "007", Category: "Operations", Type: "Chequing", Currency: "CAD",
			Balance: scenarios.Balance{Current: 1.5}, Transactions: []scenarios.Transaction{}}},
	}}}
	data, err := marshalFile(f, []string{"a header", "", "more"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), schemaComment+"\n#\n# a header\n#\n# more\nlogins:\n") {
		t.Errorf("the file starts\n%s", data)
	}
	src, err := scenarios.Parse("quoted.yaml", data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	back, _ := json.Marshal(src.File)
	want, _ := json.Marshal(f)
	if string(back) != string(want) {
		t.Errorf("read back as\n  %s\nwritten from\n  %s\nthe YAML:\n%s", back, want, data)
	}
}

func mustJSON(t *testing.T, f *scenarios.File) []byte {
	t.Helper()
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustURL(raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	return u
}
