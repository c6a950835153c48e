package inspector

import (
	"strings"
	"testing"
)

func TestPrettyRedacted(t *testing.T) {
	tests := []struct {
		name, body string
		limit      int
		want       string
		cut        bool
	}{
		{"fields in their order", `{"b":1,"a":[true,null,"x"],"c":{}}`, 1000,
			"{\n  \"b\": 1,\n  \"a\": [\n    true,\n    null,\n    \"x\"\n  ],\n  \"c\": {}\n}", false},
		{"secrets redacted, whatever their case or type", `{"Token":"t-1","Password":"pw","SecurityResponses":{"q":["a"]},"access_token":"z"}`, 1000,
			"{\n  \"Token\": \"[redacted]\",\n  \"Password\": \"[redacted]\",\n  \"SecurityResponses\": \"[redacted]\",\n  \"access_token\": \"[redacted]\"\n}", false},
		{"account numbers by their last four", `{"Accounts":[{"AccountNumber":"1234567","Title":"<Chq>"},{"AccountNumber":"12"},{"AccountNumber":null}]}`, 1000,
			"{\n  \"Accounts\": [\n    {\n      \"AccountNumber\": \"•••4567\",\n      \"Title\": \"<Chq>\"\n    },\n    {\n      \"AccountNumber\": \"••\"\n    },\n    {\n      \"AccountNumber\": null\n    }\n  ]\n}", false},
		{"numbers as written", `{"Balance":12.50,"Big":12345678901234567890}`, 1000,
			"{\n  \"Balance\": 12.50,\n  \"Big\": 12345678901234567890\n}", false},
		{"cut past the limit", `[1,2,3,4,5,6,7,8,9]`, 10, "[\n  1,\n  2", true},
		{"no JSON: the text", `not json`, 1000, "not json", false},
		{"no JSON, cut", `not json at all`, 7, "not jso", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, cut := prettyRedacted([]byte(tt.body), tt.limit)
			if got != tt.want || cut != tt.cut {
				t.Errorf("prettyRedacted(%s) =\n%s (cut %v)\nwant\n%s (cut %v)", tt.body, got, cut, tt.want, tt.cut)
			}
			for _, secret := range []string{"t-1", "pw", `"a"`, "1234567"} {
				if strings.Contains(got, secret) && strings.Contains(tt.body, "Token") {
					t.Errorf("the secret %s shows", secret)
				}
			}
		})
	}
}
