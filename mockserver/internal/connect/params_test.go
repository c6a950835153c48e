package connect

import (
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParseConnectParams(t *testing.T) {
	tests := []struct {
		name  string
		query string
		check func(t *testing.T, p connectParams)
	}{
		{"defaults follow Flinks' tables", "", func(t *testing.T, p connectParams) {
			if p.language != "en" || !p.headerEnable || !p.backEnable || p.demo || p.consentEnable || p.filterEnable || p.closeEnable || p.redirectURL != nil {
				t.Errorf("defaults: %+v", p)
			}
		}},
		{"booleans in any case", "demo=TRUE&headerEnable=False&consentEnable=true", func(t *testing.T, p connectParams) {
			if !p.demo || p.headerEnable || !p.consentEnable {
				t.Errorf("got demo=%v headerEnable=%v consentEnable=%v", p.demo, p.headerEnable, p.consentEnable)
			}
		}},
		{"a boolean that is neither keeps the default and says so", "backEnable=no", func(t *testing.T, p connectParams) {
			if !p.backEnable || len(p.problems) != 1 || !strings.Contains(p.problems[0], `backEnable="no"`) {
				t.Errorf("backEnable=%v problems=%q", p.backEnable, p.problems)
			}
		}},
		{"names match without regard to case", "RedirectURL=https://a.example/&LANGUAGE=fr", func(t *testing.T, p connectParams) {
			if p.redirectURL == nil || p.redirectURL.Host != "a.example" || p.language != "fr" || len(p.unknown) != 0 {
				t.Errorf("redirect=%v language=%q unknown=%q", p.redirectURL, p.language, p.unknown)
			}
		}},
		{"French in any of its forms", "language=fr-CA", func(t *testing.T, p connectParams) {
			if p.language != "fr" {
				t.Errorf("language %q", p.language)
			}
		}},
		{"English for other languages", "language=de", func(t *testing.T, p connectParams) {
			if p.language != "en" {
				t.Errorf("language %q", p.language)
			}
		}},
		{"unknown parameters, sorted; known ignored ones are not unknown", "zeta=1&theme=dark&alpha=2", func(t *testing.T, p connectParams) {
			if !slices.Equal(p.unknown, []string{"alpha", "zeta"}) {
				t.Errorf("unknown %q", p.unknown)
			}
		}},
		{"a relative redirectUrl is refused", "redirectUrl=/thank-you", func(t *testing.T, p connectParams) {
			if p.redirectURL != nil || len(p.problems) != 1 || !strings.Contains(p.problems[0], "not absolute") {
				t.Errorf("redirect=%v problems=%q", p.redirectURL, p.problems)
			}
		}},
		{"an app's own scheme is a redirectUrl", "redirectUrl=myapp://callback", func(t *testing.T, p connectParams) {
			if p.redirectURL == nil || p.redirectURL.Scheme != "myapp" {
				t.Errorf("redirect=%v problems=%q", p.redirectURL, p.problems)
			}
		}},
		{"the page's extensions", "customerId=c-1&mockEventNames=REDIRECT:SUCCESS&requestId=r-1&tag=t", func(t *testing.T, p connectParams) {
			if p.customerID != "c-1" || p.eventName("REDIRECT") != "SUCCESS" || p.eventName("SUBMIT_MFA") != "SUBMIT_MFA" || p.requestID != "r-1" || p.tag != "t" {
				t.Errorf("%+v", p)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, parseConnectParams(q))
		})
	}
}

func TestCheckRedirectURL(t *testing.T) {
	tests := []struct {
		raw     string
		problem string // "" when accepted
	}{
		{"https://app.example/thank-you", ""},
		{"http://127.0.0.1:8080/landing?x=1#top", ""},
		{"myapp://callback", ""},
		{"thank-you", "not absolute"},
		{"JavaScript:alert(1)", "javascript scheme"},
		{"data:text/html,hi", "data scheme"},
		{"https://app.example/%zz", "not a URL"},
	}
	for _, tt := range tests {
		u, err := checkRedirectURL(tt.raw)
		switch {
		case tt.problem == "" && (err != nil || u == nil):
			t.Errorf("checkRedirectURL(%q) = %v, %v; want it accepted", tt.raw, u, err)
		case tt.problem != "" && (err == nil || !strings.Contains(err.Error(), tt.problem)):
			t.Errorf("checkRedirectURL(%q) error %v; want one that says %q", tt.raw, err, tt.problem)
		}
	}
}

func TestRedirectTarget(t *testing.T) {
	tests := []struct {
		base, tag, want string
	}{
		{"https://app.example/thank-you", "", "https://app.example/thank-you?loginId=L-1&institution=FlinksCapital"},
		{"https://app.example/thank-you", "order 7&x", "https://app.example/thank-you?loginId=L-1&tag=order+7%26x&institution=FlinksCapital"},
		{"https://app.example/done?step=2#end", "", "https://app.example/done?step=2&loginId=L-1&institution=FlinksCapital#end"},
		{"https://app.example/?", "", "https://app.example/?loginId=L-1&institution=FlinksCapital"},
		{"myapp://callback", "", "myapp://callback?loginId=L-1&institution=FlinksCapital"},
	}
	for _, tt := range tests {
		base, err := url.Parse(tt.base)
		if err != nil {
			t.Fatal(err)
		}
		if got := redirectTarget(base, "L-1", tt.tag, "FlinksCapital"); got != tt.want {
			t.Errorf("redirectTarget(%q, tag %q)\n got %s\nwant %s", tt.base, tt.tag, got, tt.want)
		}
	}
}

func TestParseEventNames(t *testing.T) {
	tests := []struct {
		raw     string
		want    map[string]string
		problem bool
	}{
		{"", map[string]string{}, false},
		{"REDIRECT:SUCCESS", map[string]string{"REDIRECT": "SUCCESS"}, false},
		{" REDIRECT : SUCCESS , ,SUBMIT_MFA:MFA_SENT", map[string]string{"REDIRECT": "SUCCESS", "SUBMIT_MFA": "MFA_SENT"}, false},
		{"REDIRECT:SUCCESS,APP_MOUNTED", map[string]string{"REDIRECT": "SUCCESS"}, true},
		{"REDIRECT:", map[string]string{}, true},
	}
	for _, tt := range tests {
		got, err := parseEventNames(tt.raw)
		if !reflect.DeepEqual(got, tt.want) || (err != nil) != tt.problem {
			t.Errorf("parseEventNames(%q) = %v, %v; want %v, problem %v", tt.raw, got, err, tt.want, tt.problem)
		}
	}
}

// FuzzConnectParams reads arbitrary queries: no panic, and a usable
// redirectUrl always gives a target that parses and carries the LoginId.
func FuzzConnectParams(f *testing.F) {
	f.Add("redirectUrl=https://app.example/x?y=1&demo=true&mockEventNames=A:B,C", "order-1")
	f.Add("redirectUrl=myapp://cb#frag&language=fr&LANGUAGE=en", "")
	f.Add("redirectUrl=%25&mockEventNames=::,:", "a&b=c")
	f.Add("redirectUrl=https://h/%3F?#", "t")
	f.Fuzz(func(t *testing.T, query, tag string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		p := parseConnectParams(q)
		if p.redirectURL == nil {
			return
		}
		target := redirectTarget(p.redirectURL, "3f2b2c1e-1111-4222-8333-944455556666", tag, "FlinksCapital")
		u, err := url.Parse(target)
		if err != nil {
			t.Fatalf("redirectTarget(%q) = %q, which does not parse: %v", p.redirectURL, target, err)
		}
		got, err := url.ParseQuery(u.RawQuery)
		if err == nil && got.Get("loginId") != "3f2b2c1e-1111-4222-8333-944455556666" && !strings.Contains(p.redirectURL.RawQuery, "loginId") {
			t.Fatalf("redirectTarget(%q) = %q has no loginId", p.redirectURL, target)
		}
	})
}

// TestConnectCatalogIsComplete: every string of the page exists in every
// language, and every FlinksCode has words in each.
func TestConnectCatalogIsComplete(t *testing.T) {
	en := connectCatalog["en"]
	for lang, text := range connectCatalog {
		v := reflect.ValueOf(*text)
		for i := range v.NumField() {
			if f := v.Field(i); f.Kind() == reflect.String && f.String() == "" {
				t.Errorf("%s: %s is empty", lang, v.Type().Field(i).Name)
			}
		}
		for code := range en.ByCode {
			if text.ByCode[code] == "" {
				t.Errorf("%s: no message for %s", lang, code)
			}
		}
		for code := range connectRetryable {
			if text.ByCode[code] == "" {
				t.Errorf("%s: no message for the retryable %s", lang, code)
			}
		}
	}
}

// TestConnectDocsDescribeEveryParameter keeps docs/connect.md in step with
// the parameters the page knows.
func TestConnectDocsDescribeEveryParameter(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/connect.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range connectParameters {
		if !strings.Contains(string(doc), "| `"+p.Name+"`") {
			t.Errorf("docs/connect.md has no table row for the parameter %s", p.Name)
		}
	}
}
