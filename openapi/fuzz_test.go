package openapi

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func FuzzValidateRequest(f *testing.F) {
	s := loadSpec(f)
	seeds := []struct{ method, path, contentType, body string }{
		{"POST", "/v3/abc/BankingServices/Authorize", "application/json", `{"LoginId":"x","MostRecentCached":true}`},
		{"POST", "/v3/abc/BankingServices/Authorize", "application/json", `{"SecurityResponses":{"q":["a"]}}`},
		{"POST", "/v3/abc/BankingServices/Authorize", "", `{"MostRecentCached":"true"`},
		{"POST", "/v3/abc/BankingServices/GetAccountsDetail", "application/json", `{"RequestId":"x","DaysOfTransactions":"Days30","AccountsFilter":[1]}`},
		{"POST", "/v3/abc/BankingServices/GetAccountsDetail", "text/plain", `RequestId`},
		{"POST", "/v3/abc/BankingServices/GetAccountsSummary", "application/json; charset=utf-8", `[]`},
		{"GET", "/v3/abc/BankingServices/GetAccountsDetailAsync/r1", "", ""},
		{"POST", "/v3/abc/BankingServices/GetAccountsSummaryAsync/r1", "application/xml", "<x/>"},
		{"POST", "/v3/abc/BankingServices/GenerateAuthorizeToken", "", ""},
		{"PUT", "/v3/%zz/BankingServices/Authorize", "application/json", "null"},
	}
	for _, sd := range seeds {
		f.Add(sd.method, sd.path, sd.contentType, sd.body)
	}
	f.Fuzz(func(t *testing.T, method, path, contentType, body string) {
		r, err := http.NewRequest(method, "http://127.0.0.1:8080"+path, strings.NewReader(body))
		if err != nil {
			t.Skip()
		}
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		if verr := s.ValidateRequest(r); verr != nil {
			if verr.Message == "" || verr.Status < 400 || verr.Status > 499 || verr.FlinksCode != "INVALID_REQUEST" {
				t.Fatalf("ValidateRequest = %+v: want a 4xx INVALID_REQUEST with a message", verr)
			}
		}
		got, err := io.ReadAll(r.Body)
		if err != nil || string(got) != body {
			t.Fatalf("body after validation = %q, %v; want %q", got, err, body)
		}
	})
}

func FuzzValidateAdminRequest(f *testing.F) {
	s := loadAdmin(f)
	seeds := []struct{ method, path, contentType, body string }{
		{"POST", "/__admin/scenarios?customerId=c", "application/yaml", "logins:\n  - name: a\n"},
		{"POST", "/__admin/scenarios?customerId=c", "text/yaml; charset=utf-8", "logins: ["},
		{"POST", "/__admin/scenarios", "", ""},
		{"DELETE", "/__admin/scenarios?customerId=c&name=", "", ""},
		{"GET", "/__admin/journal?since=2025-10-30T04:04:31Z&limit=0&kind=x", "", ""},
		{"POST", "/__admin/clock/advance", "application/json", `{"by":10}`},
		{"POST", "/__admin/clock/set", "application/json", `{"now":"2025-13-45T99:00:00Z"}`},
		{"PUT", "/__admin/webhooks/targets?customerId=c", "application/json", `{"targets":[{"url":"http://%zz"}]}`},
		{"POST", "/__admin/webhooks/fire", "application/x-yaml", `customerId: c`},
	}
	for _, sd := range seeds {
		f.Add(sd.method, sd.path, sd.contentType, sd.body)
	}
	f.Fuzz(func(t *testing.T, method, path, contentType, body string) {
		r, err := http.NewRequest(method, "http://127.0.0.1:8080"+path, strings.NewReader(body))
		if err != nil {
			t.Skip()
		}
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		if verr := s.ValidateRequest(r); verr != nil {
			if verr.Message == "" || (verr.Status != 400 && verr.Status != 413 && verr.Status != 415) || verr.FlinksCode != "INVALID_REQUEST" {
				t.Fatalf("ValidateRequest = %+v: want a 400, 413 or 415 INVALID_REQUEST with a message", verr)
			}
		}
		got, err := io.ReadAll(r.Body)
		if err != nil || string(got) != body {
			t.Fatalf("body after validation = %q, %v; want %q", got, err, body)
		}
	})
}
