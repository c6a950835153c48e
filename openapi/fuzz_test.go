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
