package mockserver

import (
	"net/http"
	"slices"

	"github.com/gorilla/mux"
)

// router routes requests with gorilla/mux, over the path templates of the
// documents' operations, such as /v3/{customerId}/BankingServices/Authorize:
// a {parameter} matches one non-empty segment, anything else itself. The
// parameters are set as path values (r.PathValue), so handlers read them
// as they would from net/http's own mux.
//
// The path is matched as received (r.URL.Path), never cleaned and never
// redirected: a Flinks client follows no 301, and a path with dot
// segments or an encoded slash is answered 404 (or reaches its handler)
// in the envelope like any other.
type router struct {
	mux    *mux.Router
	routes []methodRoute
	// notFound answers a path no route has; methodNotAllowed a path some
	// route has with another method, given the methods it takes, sorted.
	notFound         http.HandlerFunc
	methodNotAllowed func(w http.ResponseWriter, r *http.Request, allowed []string)
}

// methodRoute is one route of the router and the method it takes.
type methodRoute struct {
	method string
	route  *mux.Route
}

// handle adds a route of method on the path template.
func (rt *router) handle(method, template string, h http.Handler) {
	if rt.mux == nil {
		rt.mux = mux.NewRouter()
		rt.mux.SkipClean(true)
		rt.mux.NotFoundHandler = http.HandlerFunc(rt.answerNotFound)
		rt.mux.MethodNotAllowedHandler = http.HandlerFunc(rt.answerNotAllowed)
	}
	route := rt.mux.Handle(template, withPathValues(h)).Methods(method)
	rt.routes = append(rt.routes, methodRoute{method: method, route: route})
}

// ServeHTTP routes r.
func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rt.mux == nil {
		rt.answerNotFound(w, r)
		return
	}
	rt.mux.ServeHTTP(w, r)
}

// withPathValues hands the template's parameters to h as path values.
func withPathValues(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for name, value := range mux.Vars(r) {
			r.SetPathValue(name, value)
		}
		h.ServeHTTP(w, r)
	})
}

func (rt *router) answerNotFound(w http.ResponseWriter, r *http.Request) {
	if rt.notFound == nil {
		http.NotFound(w, r)
		return
	}
	rt.notFound(w, r)
}

// answerNotAllowed answers a path that some route has with another
// method, with the methods of the routes that match it.
func (rt *router) answerNotAllowed(w http.ResponseWriter, r *http.Request) {
	var allowed []string
	for _, mr := range rt.routes {
		other := r.Clone(r.Context())
		other.Method = mr.method
		if mr.route.Match(other, &mux.RouteMatch{}) && !slices.Contains(allowed, mr.method) {
			allowed = append(allowed, mr.method)
		}
	}
	slices.Sort(allowed)
	if rt.methodNotAllowed == nil || len(allowed) == 0 {
		rt.answerNotFound(w, r)
		return
	}
	rt.methodNotAllowed(w, r, allowed)
}
