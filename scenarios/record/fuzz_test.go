package record

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzRecorder feeds the recorder exchanges an upstream could answer, one
// per "\x1e"-separated record of "endpoint\x1fstatus\x1fbody\x1fanswer":
// whatever the upstream says, recording never panics, and the file written
// reads back as the File it was written from.
func FuzzRecorder(f *testing.F) {
	ex := func(parts ...string) string { return strings.Join(parts, "\x1f") }
	f.Add(strings.Join([]string{
		ex("GenerateAuthorizeToken", "200", "", `{"HttpStatusCode":200,"Token":"t1"}`),
		ex("Authorize", "203", `{"Username":"Jo","Password":"p","Institution":"FlinksCapital"}`, `{"RequestId":"r","Institution":"FlinksCapital","InstitutionId":14,"SecurityChallenges":[{"Type":"MultipleChoice","Prompt":"Pick: one?","Iterables":["a","b"]}]}`),
		ex("Authorize", "200", `{"RequestId":"r","SecurityResponses":{"Pick: one?":["b"]}}`, `{"RequestId":"r","Login":{"Username":"Jo","Type":"Personal","Id":"0b6a4c1e-7a51-4b8e-9c55-3f6d2a1e9b10"}}`),
		ex("GetAccountsDetail", "202", `{"RequestId":"r"}`, `{"FlinksCode":"OPERATION_DISPATCHED"}`),
		ex("GetAccountsDetailAsync/r", "200", ``, `{"Accounts":[{"Id":"a","Title":"x 0914","AccountNumber":"0914","LastFourDigits":"0914","Category":"Weird","Currency":"CAD","Balance":{"Current":1},"Holder":{"Name":"N","Address":{"City":"null"}},"Transactions":[{"Id":"t","Date":"2026-01-02","Description":"- x: y","Balance":1}]}]}`),
	}, "\x1e"))
	f.Add(ex("Authorize", "500", `{"LoginId":"not-a-uuid","MostRecentCached":true}`, `{"FlinksCode":"AGGREGATION_ERROR","Message":"#: '\"\n"}`))
	f.Add(ex("Authorize", "401", `{"LoginId":"x"}`, `{"FlinksCode":"NOT_IN_THE_TABLE"}`))
	f.Fuzz(func(t *testing.T, input string) {
		r, err := New(Config{Upstream: mustURL("http://upstream"), Key: []byte("k"), StopAfter: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range strings.Split(input, "\x1e") {
			p := strings.SplitN(rec, "\x1f", 4)
			if len(p) != 4 {
				continue
			}
			status, _ := strconv.Atoi(p[1])
			r.observe(exchange{path: "/v3/c/BankingServices/" + p[0], header: http.Header{"Flinks-Auth-Key": {"t1"}}, body: []byte(p[2]), status: status, answer: []byte(p[3])})
		}
		file, _ := r.File()
		data, err := r.Scenario()
		if err != nil {
			t.Fatalf("Scenario: %v", err)
		}
		var fromYAML, fromFile any
		if err := yaml.Unmarshal(data, &fromYAML); err != nil {
			t.Fatalf("the file is not YAML: %v\n%s", err, data)
		}
		j, _ := json.Marshal(file)
		_ = json.Unmarshal(j, &fromFile)
		a, _ := json.Marshal(fromYAML)
		b, _ := json.Marshal(fromFile)
		if string(a) != string(b) {
			t.Fatalf("the file reads back as\n%s\nnot\n%s", a, b)
		}
	})
}
