package webhook

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

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
			if got := string(Body("GetAccountsDetail", []byte(tt.payload), tt.tag)); got != tt.want {
				t.Errorf("Body(%q, %q) = %s, want %s", tt.payload, tt.tag, got, tt.want)
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
		out := Body("KYC", []byte(payload), tag)
		var got map[string]any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("Body(%q, %q) = %s, not JSON: %v", payload, tag, out, err)
		}
		if got["ResponseType"] != "KYC" {
			t.Errorf("ResponseType = %v", got["ResponseType"])
		}
		if tag != "" && got["Tag"] != tag {
			t.Errorf("Tag = %v, want %q", got["Tag"], tag)
		}
		if len(got) != len(in)+1+min(len(tag), 1) {
			t.Errorf("Body(%q, %q) = %s: members lost or added", payload, tag, out)
		}
	})
}
