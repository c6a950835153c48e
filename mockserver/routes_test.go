package mockserver

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flinks-mock/flinks-mock/openapi"
)

// TestRoutesMatchTheDocuments: every operation of the two OpenAPI
// documents has a handler and every handler an operation, and each
// documented method and path reaches its handler (neither 404 nor 405).
func TestRoutesMatchTheDocuments(t *testing.T) {
	s := internalServer(t, Config{})
	apis := []struct {
		name     string
		spec     *openapi.Spec
		handlers map[string]http.HandlerFunc
	}{
		{"flinks.yaml", s.spec, s.flinksHandlers()},
		{"admin.yaml", s.admin, s.adminHandlers()},
	}
	for _, api := range apis {
		t.Run(api.name, func(t *testing.T) {
			if _, err := bind(api.spec, api.handlers); err != nil {
				t.Fatal(err)
			}
			for id := range api.handlers {
				fewer := maps.Clone(api.handlers)
				delete(fewer, id)
				if _, err := bind(api.spec, fewer); err == nil || !strings.Contains(err.Error(), id) {
					t.Errorf("an operation without a handler (%s) is not refused: %v", id, err)
				}
			}
			more := maps.Clone(api.handlers)
			more["AuthorizeMultiple"] = func(http.ResponseWriter, *http.Request) {}
			if _, err := bind(api.spec, more); err == nil || !strings.Contains(err.Error(), "AuthorizeMultiple") {
				t.Errorf("a handler without an operation is not refused: %v", err)
			}
			for _, op := range api.spec.Operations() {
				path := strings.NewReplacer("{customerId}", "routes", "{requestId}", "r").Replace(op.Path)
				w := httptest.NewRecorder()
				s.Handler().ServeHTTP(w, httptest.NewRequest(op.Method, path, nil))
				// The router's own answers: 405, or 404 "No endpoint ...".
				if w.Code == http.StatusMethodNotAllowed || strings.Contains(w.Body.String(), "No endpoint") {
					t.Errorf("%s %s (%s) is not routed: %d %s", op.Method, op.Path, op.ID, w.Code, w.Body)
				}
			}
		})
	}
}

func TestRouterMatchesSegments(t *testing.T) {
	var got string
	rt := &router{
		notFound: func(http.ResponseWriter, *http.Request) { got = "404" },
		methodNotAllowed: func(_ http.ResponseWriter, _ *http.Request, allowed []string) {
			got = "405 " + strings.Join(allowed, ",")
		},
	}
	for _, tmpl := range []string{"/v3/{customerId}/BankingServices/GetAccountsDetailAsync/{requestId}", "/v2/", "/v2"} {
		for _, m := range []string{"GET", "POST"} {
			if tmpl == "/v2" && m == "POST" {
				continue
			}
			rt.handle(m, tmpl, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				got = r.Method + " " + tmpl + " " + r.PathValue("customerId") + " " + r.PathValue("requestId")
			}))
		}
	}
	tests := []struct{ method, path, want string }{
		{"GET", "/v3/c/BankingServices/GetAccountsDetailAsync/r", "GET /v3/{customerId}/BankingServices/GetAccountsDetailAsync/{requestId} c r"},
		{"POST", "/v3/c/BankingServices/GetAccountsDetailAsync/..", "POST /v3/{customerId}/BankingServices/GetAccountsDetailAsync/{requestId} c .."},
		{"PUT", "/v3/c/BankingServices/GetAccountsDetailAsync/r", "405 GET,POST"},
		{"GET", "/v3/c/BankingServices/GetAccountsDetailAsync/", "404"},
		{"GET", "/v3/c/BankingServices/GetAccountsDetailAsync/r/", "404"},
		{"GET", "/v3//BankingServices/GetAccountsDetailAsync/r", "404"},
		{"GET", "//v3/c/BankingServices/GetAccountsDetailAsync/r", "404"},
		{"GET", "/v3/c/BankingServices/../BankingServices/GetAccountsDetailAsync/r", "404"},
		{"GET", "/v2/", "GET /v2/  "},
		{"GET", "/v2", "GET /v2  "},
		{"POST", "/v2", "405 GET"},
		{"GET", "/v2/x", "404"},
	}
	for _, tt := range tests {
		got = ""
		r := httptest.NewRequest(tt.method, "http://x/", nil)
		r.URL.Path = tt.path
		rt.ServeHTTP(httptest.NewRecorder(), r)
		if got != tt.want {
			t.Errorf("%s %s: %q, want %q", tt.method, tt.path, got, tt.want)
		}
	}
}
