package mockserver

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRouterRoutesRememberedPathsAlike: a path served again is routed
// from what the router remembers, to the same handler with the same
// parameters, and a 404 or 405 is never remembered as a route.
func TestRouterRoutesRememberedPathsAlike(t *testing.T) {
	var got string
	rt := &router{
		notFound: func(http.ResponseWriter, *http.Request) { got = "404" },
		methodNotAllowed: func(_ http.ResponseWriter, _ *http.Request, allowed []string) {
			got = fmt.Sprint("405 ", allowed)
		},
	}
	for _, tmpl := range []string{"/v3/{customerId}/BankingServices/GetAccountsDetailAsync/{requestId}", "/v3/{customerId}/BankingServices/GetAccountsDetail"} {
		rt.handle(http.MethodGet, tmpl, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			got = tmpl + " " + r.PathValue("customerId") + " " + r.PathValue("requestId")
		}))
	}
	tests := []struct{ method, path, want string }{
		{"GET", "/v3/a/BankingServices/GetAccountsDetailAsync/r1", "/v3/{customerId}/BankingServices/GetAccountsDetailAsync/{requestId} a r1"},
		{"GET", "/v3/b/BankingServices/GetAccountsDetailAsync/r2", "/v3/{customerId}/BankingServices/GetAccountsDetailAsync/{requestId} b r2"},
		{"GET", "/v3/a/BankingServices/GetAccountsDetail", "/v3/{customerId}/BankingServices/GetAccountsDetail a "},
		{"POST", "/v3/a/BankingServices/GetAccountsDetail", "405 [GET]"},
		{"GET", "/v3/a/BankingServices/Nothing", "404"},
	}
	for round := range 3 {
		for _, tt := range tests {
			got = ""
			rt.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(tt.method, tt.path, nil))
			if got != tt.want {
				t.Errorf("round %d, %s %s: %q, want %q", round, tt.method, tt.path, got, tt.want)
			}
		}
	}
	if n := rt.seen.found.Len(); n != 3 {
		t.Errorf("the router remembers %d paths, want the 3 it routed", n)
	}
}

// TestMatchMemoForgetsTheOldestWhenFull: past its bound, the memo
// forgets the path it remembered first, and holds no more than its bound.
func TestMatchMemoForgetsTheOldestWhenFull(t *testing.T) {
	m := newMatchMemo()
	key := func(i int) matchKey { return matchKey{method: "GET", path: fmt.Sprintf("/p/%d", i)} }
	for i := range matchMemoEntries + 10 {
		m.put(key(i), memoMatch{n: 1, vars: [maxMemoVars]pathVar{{name: "i", value: fmt.Sprint(i)}}})
	}
	if n := m.found.Len(); n != matchMemoEntries {
		t.Errorf("the memo holds %d paths, want its bound %d", n, matchMemoEntries)
	}
	for i := range 10 {
		if _, ok := m.get(key(i)); ok {
			t.Errorf("path %d is still remembered after %d newer ones", i, matchMemoEntries)
		}
	}
	last := matchMemoEntries + 9
	if got, ok := m.get(key(last)); !ok || got.vars[0].value != fmt.Sprint(last) {
		t.Errorf("the newest path is %v, %v; want remembered with its value", got, ok)
	}
	var many memoMatch
	for i := range maxMemoVars + 1 {
		many.add(fmt.Sprint(i), "v")
	}
	m.put(matchKey{method: "GET", path: "/many"}, many)
	if _, ok := m.get(matchKey{method: "GET", path: "/many"}); ok {
		t.Error("a route with more parameters than the memo holds is remembered")
	}
	long := matchKey{method: "GET", path: "/" + strings.Repeat("a", maxMemoPath)}
	m.put(long, memoMatch{n: 1})
	if _, ok := m.get(long); ok {
		t.Error("a path longer than maxMemoPath is remembered: the memo's bytes would grow with what clients send")
	}
}
