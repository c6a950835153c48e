package mockserver

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/mux"
)

// TestRouterBucketsRouteAsOneMux: over the server's own routing table,
// the buckets of router answer every method and path as one gorilla/mux
// router of the same routes, in the same order, would. The paths are the
// templates with each parameter replaced by a word and by every literal
// segment another template has at that place, so a literal and a
// parameter that could both match a path meet.
func TestRouterBucketsRouteAsOneMux(t *testing.T) {
	s := internalServer(t, Config{})
	type route struct{ method, template string }
	var table []route
	for _, op := range append(s.spec.Operations(), s.admin.Operations()...) {
		table = append(table, route{op.Method, op.Path})
	}
	table = append(table, route{"GET", "/openapi.yaml"}, route{"GET", "/v2/"}, route{"POST", "/v2/"}, route{"GET", "/v2"})

	var got string
	rt := &router{
		notFound: func(http.ResponseWriter, *http.Request) { got = "404" },
		methodNotAllowed: func(_ http.ResponseWriter, _ *http.Request, allowed []string) {
			got = "405 " + strings.Join(allowed, ",")
		},
	}
	one := mux.NewRouter()
	one.SkipClean(true)
	one.NotFoundHandler = http.HandlerFunc(func(http.ResponseWriter, *http.Request) { got = "404" })
	one.MethodNotAllowedHandler = http.HandlerFunc(func(http.ResponseWriter, *http.Request) { got = "405" })
	var templates []string
	for _, rte := range table {
		h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { got = rte.method + " " + rte.template })
		rt.handle(rte.method, rte.template, h)
		one.Handle(rte.template, h).Methods(rte.method)
		templates = append(templates, rte.template)
	}
	paths := samplePaths(templates)
	for path := range paths {
		for _, method := range []string{"GET", "POST", "PUT", "DELETE", "HEAD"} {
			r := httptest.NewRequest(method, "http://x/", nil)
			r.URL.Path = path
			got = ""
			one.ServeHTTP(httptest.NewRecorder(), r)
			want := got
			if want == "405" {
				want += " " + strings.Join(methodsOf(one, r), ",")
			}
			got = ""
			rt.ServeHTTP(httptest.NewRecorder(), r)
			if got != want {
				t.Errorf("%s %s: the buckets answer %q, one mux %q", method, path, got, want)
			}
		}
	}
	if len(paths) < len(table) {
		t.Fatalf("only %d paths for %d routes", len(paths), len(table))
	}
}

// methodsOf are the methods, sorted, that one router takes on the path of
// r: what a 405 answer lists.
func methodsOf(one *mux.Router, r *http.Request) []string {
	var out []string
	for _, method := range []string{"DELETE", "GET", "HEAD", "PATCH", "POST", "PUT"} {
		other := r.Clone(r.Context())
		other.Method = method
		var m mux.RouteMatch
		if one.Match(other, &m) && m.MatchErr == nil {
			out = append(out, method)
		}
	}
	return out
}

// A bucket compiles its routes on the first request of its shape, and
// only the buckets of that shape: a server that starts compiles none.
func TestRouterCompilesABucketOnItsFirstRequest(t *testing.T) {
	rt := &router{}
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	rt.handle("POST", "/v3/{customerId}/BankingServices/GenerateAuthorizeToken", ok)
	rt.handle("POST", "/v3/{customerId}/BankingServices/Authorize", ok)
	rt.handle("GET", "/v3/{customerId}/BankingServices/GetAccountsDetailAsync/{requestId}", ok)
	compiled := func() (n int) {
		for _, b := range rt.buckets {
			if b.mux != nil {
				n++
			}
		}
		return n
	}
	if n := compiled(); n != 0 {
		t.Fatalf("%d buckets compiled before any request", n)
	}

	w := httptest.NewRecorder()
	rt.ServeHTTP(w, httptest.NewRequest("POST", "/v3/c/BankingServices/GenerateAuthorizeToken", nil))
	if w.Code != http.StatusNoContent {
		t.Fatalf("the token route answered %d", w.Code)
	}
	// The path's own bucket; the bucket of templates ending with a
	// parameter has another number of segments, and is left alone.
	if n := compiled(); n != 1 {
		t.Errorf("%d buckets compiled after one request, want 1", n)
	}
}

// samplePaths are the templates with each parameter replaced by a word
// and by every literal segment a template has at that place.
func samplePaths(templates []string) map[string]bool {
	literals := map[int]map[string]bool{}
	for _, tmpl := range templates {
		for i, seg := range strings.Split(tmpl, "/") {
			if literals[i] == nil {
				literals[i] = map[string]bool{}
			}
			if !strings.HasPrefix(seg, "{") {
				literals[i][seg] = true
			}
		}
	}
	paths := map[string]bool{}
	for _, tmpl := range templates {
		variants := []string{""}
		for i, seg := range strings.Split(tmpl, "/") {
			choices := []string{seg}
			if strings.HasPrefix(seg, "{") {
				choices = []string{"word"}
				for lit := range literals[i] {
					choices = append(choices, lit)
				}
			}
			var next []string
			for _, v := range variants {
				for _, c := range choices {
					next = append(next, v+"/"+c)
				}
			}
			variants = next
		}
		for _, v := range variants {
			paths[strings.TrimPrefix(v, "/")] = true
		}
	}
	return paths
}
