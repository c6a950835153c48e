package mockserver

import (
	"encoding/json"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

func TestReadyAfter(t *testing.T) {
	step := func(respond string, calls int, dur time.Duration) scenarios.Step {
		return scenarios.Step{Respond: respond, Calls: calls, For: scenarios.Duration(dur)}
	}
	tests := []struct {
		name      string
		steps     []scenarios.Step
		want      time.Duration
		wantIndex int
		wantOK    bool
	}{
		{"ready at once", []scenarios.Step{step("ready", 0, 0)}, 0, 0, true},
		{"one pending call", []scenarios.Step{step("pending", 0, 0), step("ready", 0, 0)}, 10 * time.Second, 1, true},
		{"three pending calls", []scenarios.Step{step("pending", 3, 0), step("ready", 0, 0)}, 30 * time.Second, 1, true},
		{"a duration, then a dispatched call", []scenarios.Step{step("pending", 0, 2*time.Minute), step("dispatched", 1, 0), step("ready", 0, 0)}, 2*time.Minute + 10*time.Second, 2, true},
		{"an error on the way counts as a poll", []scenarios.Step{step("pending", 0, 0), step("error", 1, 0), step("ready", 0, 0)}, 20 * time.Second, 2, true},
		{"an error at the end sends no data", []scenarios.Step{step("pending", 2, 0), step("error", 0, 0)}, 0, 0, false},
		{"an error alone", []scenarios.Step{step("error", 0, 0)}, 0, 0, false},
		{"no step", nil, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, index, ok := readyAfter(tt.steps)
			if got != tt.want || index != tt.wantIndex || ok != tt.wantOK {
				t.Errorf("readyAfter = %v, %d, %v; want %v, %d, %v", got, index, ok, tt.want, tt.wantIndex, tt.wantOK)
			}
		})
	}
}

func TestWebhookBody(t *testing.T) {
	tests := []struct {
		name, payload, tag, want string
	}{
		{"fields kept in order", `{"HttpStatusCode":200,"RequestId":"r"}`, "", `{"ResponseType":"GetAccountsDetail","HttpStatusCode":200,"RequestId":"r"}`},
		{"tag last", `{"HttpStatusCode":200}`, "order-42", `{"ResponseType":"GetAccountsDetail","HttpStatusCode":200,"Tag":"order-42"}`},
		{"tag escaped", `{"A":1}`, `a"b`, `{"ResponseType":"GetAccountsDetail","A":1,"Tag":"a\"b"}`},
		{"empty object", `{}`, "", `{"ResponseType":"GetAccountsDetail"}`},
		{"surrounding space", " {\"A\":1}\n", "", `{"ResponseType":"GetAccountsDetail","A":1}`},
		{"not an object is left alone", `[1]`, "t", `[1]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(webhookBody("GetAccountsDetail", []byte(tt.payload), tt.tag)); got != tt.want {
				t.Errorf("webhookBody(%q, %q) = %s, want %s", tt.payload, tt.tag, got, tt.want)
			}
		})
	}
}

// FuzzWebhookBody: any JSON object stays a JSON object, with ResponseType
// and Tag added and every other member kept.
func FuzzWebhookBody(f *testing.F) {
	f.Add(`{"HttpStatusCode":200}`, "t")
	f.Add(`{}`, "")
	f.Add(`{"a":{"b":[1,2]}, "c" : "}"}`, "\u2028")
	f.Fuzz(func(t *testing.T, payload, tag string) {
		var in map[string]any
		if json.Unmarshal([]byte(payload), &in) != nil || in == nil || !utf8.ValidString(tag) {
			return // a Tag is decoded from JSON, so always valid UTF-8
		}
		if _, ok := in["ResponseType"]; ok {
			return
		}
		if _, ok := in["Tag"]; ok {
			return
		}
		out := webhookBody("KYC", []byte(payload), tag)
		var got map[string]any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("webhookBody(%q, %q) = %s, not JSON: %v", payload, tag, out, err)
		}
		if got["ResponseType"] != "KYC" {
			t.Errorf("ResponseType = %v", got["ResponseType"])
		}
		if tag != "" && got["Tag"] != tag {
			t.Errorf("Tag = %v, want %q", got["Tag"], tag)
		}
		if len(got) != len(in)+1+min(len(tag), 1) {
			t.Errorf("webhookBody(%q, %q) = %s: members lost or added", payload, tag, out)
		}
	})
}
