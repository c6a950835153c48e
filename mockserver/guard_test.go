package mockserver_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/mocktest"
)

// TestGuardOverHTTP sends what a web page (another origin, or a name
// rebound to 127.0.0.1) and what local tools send, to every kind of route:
// the admin API and the Connect forms refuse the pages with 403
// ACCESS_DENIED in the envelope, journalled; the Flinks API, the health
// check and local tools are not affected.
func TestGuardOverHTTP(t *testing.T) {
	srv := mocktest.NewServer(t, mocktest.WithConfig(func(cfg *mockserver.Config) {
		cfg.AllowedHosts = []string{"mock.ci.example"}
	}))
	crossSite := map[string]string{"Origin": "http://127.0.0.1:9", "Sec-Fetch-Site": "same-site"}
	rebound := map[string]string{"Host": "attacker.example:8080"}
	reset := "/__admin/reset?customerId=" + srv.CustomerID
	for _, tc := range []struct {
		name         string
		method, path string
		headers      map[string]string
		want         int
	}{
		{name: "curl resets", method: "POST", path: reset, want: 200},
		{name: "a page of another port resets", method: "POST", path: reset, headers: crossSite, want: 403},
		{name: "an old browser's page of another origin resets", method: "POST", path: reset, headers: map[string]string{"Origin": "http://attacker.example"}, want: 403},
		{name: "a rebound name resets", method: "POST", path: reset, headers: rebound, want: 403},
		{name: "a rebound name reads the journal", method: "GET", path: "/__admin/journal", headers: rebound, want: 403},
		{name: "an allowed name resets", method: "POST", path: reset, headers: map[string]string{"Host": "mock.ci.example:8080"}, want: 200},
		{name: "a compose service name resets", method: "POST", path: reset, headers: map[string]string{"Host": "flinks-mock:8080"}, want: 200},
		{name: "a page of another port reads the journal (the browser keeps the answer from it)", method: "GET", path: "/__admin/journal", headers: crossSite, want: 200},
		{name: "a rebound name asks for the health", method: "GET", path: "/__admin/health", headers: rebound, want: 200},
		{name: "a page of another port posts a Connect form", method: "POST", path: "/v2/?demo=true", headers: crossSite, want: 403},
		{name: "a rebound name posts a Connect form", method: "POST", path: "/v2/?demo=true", headers: rebound, want: 403},
		{name: "a page of another port shows the Connect page", method: "GET", path: "/v2/?demo=true", headers: crossSite, want: 200},
		{name: "a page of another port calls the Flinks API", method: "POST", path: "/v3/" + srv.CustomerID + "/BankingServices/GenerateAuthorizeToken", headers: map[string]string{"Origin": "http://127.0.0.1:9", "Sec-Fetch-Site": "same-site", "flinks-auth-key": mockserver.ToolboxSecretKey}, want: 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(srv.Mock.Journal(srv.CustomerID)) + len(srv.Mock.Journal(""))
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(""))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.headers {
				if k == "Host" {
					req.Host = v
					continue
				}
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d: %.300s", resp.StatusCode, tc.want, body)
			}
			if tc.want != http.StatusForbidden {
				return
			}
			checkRefusal(t, srv, tc.method, tc.path, body, before)
		})
	}
}

// checkRefusal checks the answer of a refused request: the envelope, a
// message that says how to allow it, and one journal entry more.
func checkRefusal(t *testing.T, srv *mocktest.Server, method, path string, body []byte, before int) {
	t.Helper()
	var env struct {
		HttpStatusCode int
		FlinksCode     string
		Message        string
	}
	if err := json.Unmarshal(body, &env); err != nil || env.HttpStatusCode != 403 || env.FlinksCode != "ACCESS_DENIED" {
		t.Errorf("answer %s, want the envelope with 403 ACCESS_DENIED", body)
	}
	if !strings.Contains(env.Message, "--allowed-") {
		t.Errorf("message %q says not how to allow it", env.Message)
	}
	entries := append(srv.Mock.Journal(srv.CustomerID), srv.Mock.Journal("")...)
	if len(entries) != before+1 {
		t.Fatalf("journal went from %d to %d entries, want one more", before, len(entries))
	}
	found := false
	for _, e := range entries {
		found = found || (e.Status == 403 && e.Method == method && strings.HasPrefix(path, e.Path))
	}
	if !found {
		t.Errorf("no journal entry of the refusal among %+v", entries)
	}
}
