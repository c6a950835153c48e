package mockserver_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/clock"
)

// FuzzHandler sends arbitrary requests to the whole handler: none may
// panic, get a 5xx, or get a body that is not the Flinks envelope, and
// every JSON answer of a Flinks path carries its status as HttpStatusCode.
// header holds extra header lines ("Name: value", one a line).
func FuzzHandler(f *testing.F) {
	const base = "/v3/43387ca6-0391-4c82-857d-70d95f087ecb/BankingServices/"
	f.Add("POST", base+"Authorize", "application/json", "", `{"LoginId":"5f3a1f55-0b8e-4b6b-9b8a-2f1b4c1d2e3f","MostRecentCached":true}`)
	f.Add("POST", base+"Authorize", "application/json", "", `{"RequestId":"x","SecurityResponses":{"a":["b"]}}`)
	f.Add("POST", base+"Authorize", "", "flinks-auth-key: c4569c54-e167-4d34-8de6-f4113bc82414", `{"username":"Greatday","Password":"Everyday","Institution":"FlinksCapital"}`)
	f.Add("POST", base+"GetAccountsDetail", "application/json", "x-api-key: k", `{"RequestId":"x","DaysOfTransactions":"Days365","AccountsFilter":["a"]}`)
	f.Add("GET", base+"GetAccountsDetailAsync/%2e%2e%2f", "", "", ``)
	f.Add("POST", base+"GetAccountsSummary", "text/plain", "Content-Type: application/json", `{"RequestId":1}`)
	f.Add("PUT", base+"GenerateAuthorizeToken", "application/json", "", `[]`)
	f.Add("POST", base+"Authorize", "application/json", "flinks-auth-key: \nflinks-auth-key: k", `{"SecurityResponses":{"a":"b"},"RequestId":null}`)
	f.Add("POST", base+"GenerateAuthorizeToken", "", "Content-Length: 5\nTransfer-Encoding: chunked", "")
	f.Add("GET", "/__admin/scenarios", "", "Authorization: Bearer x", "")
	f.Add("POST", "/__admin/scenarios?customerId=c", "application/yaml", "", "logins:\n  - name: a\n    username: a\n    loginId: 0f8c6a38-3a52-4a49-9d5e-0a3c6c8f1e11\n")
	f.Add("POST", "/__admin/clock/advance", "application/json", "", `{"by":"1h"}`)

	srv, err := mockserver.New(mockserver.Config{Library: library, Clock: clock.Real{}})
	if err != nil {
		f.Fatal(err)
	}
	h := srv.Handler()
	f.Fuzz(func(t *testing.T, method, path, contentType, header, body string) {
		if !validMethod(method) || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t#?") {
			return // not an HTTP request a client can send
		}
		if _, err := url.ParseRequestURI(path); err != nil {
			return
		}
		req := httptest.NewRequest(method, "http://127.0.0.1"+path, strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		req.Header.Set("flinks-auth-key", "k")
		for _, line := range strings.Split(header, "\n") {
			if name, value, ok := strings.Cut(line, ":"); ok && name != "" {
				req.Header.Add(strings.TrimSpace(name), strings.TrimSpace(value))
			}
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		// Only the Connect pages, which a browser opens, may redirect.
		if w.Code >= 300 && w.Code < 400 && !strings.HasPrefix(path, "/v2") {
			t.Fatalf("%s %s answered a redirect %d to %q; a Flinks client follows none", method, path, w.Code, w.Header().Get("Location"))
		}
		if w.Code >= 500 {
			t.Fatalf("%s %s %q answered %d: %s", method, path, body, w.Code, w.Body)
		}
		if strings.HasPrefix(path, "/v3/") && strings.HasPrefix(w.Body.String(), "{") {
			var status struct{ HttpStatusCode *int }
			if err := json.Unmarshal(w.Body.Bytes(), &status); err != nil || status.HttpStatusCode == nil || *status.HttpStatusCode != w.Code {
				t.Fatalf("%s %s %q answered %d with another HttpStatusCode: %s", method, path, body, w.Code, w.Body)
			}
		}
		if w.Code >= 400 {
			var env struct {
				HttpStatusCode int
				FlinksCode     string
				Message        string
			}
			if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil || env.HttpStatusCode != w.Code || env.FlinksCode == "" || env.Message == "" {
				t.Fatalf("%s %s %q answered %d without the envelope: %s", method, path, body, w.Code, w.Body)
			}
		}
	})
}

func validMethod(m string) bool {
	if m == "" || m == "CONNECT" {
		return false
	}
	for _, r := range m {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return m != http.MethodHead
}
