package mockserver

import (
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/gorilla/mux"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
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
//
// The templates are kept in buckets by their number of segments and their
// last segment, each bucket a gorilla/mux router of its own: a request is
// matched against the few templates of its shape (those ending with its
// last segment, then those ending with a parameter), not against every
// regexp of the table in turn. A template that ends with a literal
// segment thus goes before one that ends with a parameter, as net/http's
// mux prefers the more specific pattern.
//
// A bucket compiles its regexps on the first request of its shape, not
// when the server starts: most buckets hold one template, and a server
// that is asked for a token first compiles that one alone.
type router struct {
	buckets map[shape]*bucket
	// seen remembers the routes found for the paths served lately.
	seen *matchMemo
	// notFound answers a path no route has; methodNotAllowed a path some
	// route has with another method, given the methods it takes, sorted.
	notFound         http.HandlerFunc
	methodNotAllowed func(w http.ResponseWriter, r *http.Request, allowed []string)
}

// shape is the key of a bucket: the number of "/" of a path, and its last
// segment, or param for a template that ends with a parameter.
type shape struct {
	slashes int
	last    string
	param   bool
}

// pathShape is the shape of the bucket of literal templates that a path
// may match.
func pathShape(path string) shape {
	return shape{slashes: strings.Count(path, "/"), last: path[strings.LastIndexByte(path, '/')+1:]}
}

// templateShape is the shape of a template's bucket.
func templateShape(template string) shape {
	sh := pathShape(template)
	if strings.HasPrefix(sh.last, "{") {
		sh = shape{slashes: sh.slashes, param: true}
	}
	return sh
}

// routeMatch is a match being filled and the map of its variables, both
// reused from one request to the next through routeMatches: gorilla/mux
// takes a pointer to the match, and fills the map it holds rather than
// making one when it holds one.
type routeMatch struct {
	mux.RouteMatch
	vars map[string]string
}

var routeMatches = sync.Pool{New: func() any { return &routeMatch{vars: map[string]string{}} }}

// bucket is the routes of one shape: their templates until the first
// request of the shape, a gorilla/mux router of them from then on.
type bucket struct {
	once    sync.Once
	pending []pendingRoute
	mux     *mux.Router
	routes  []methodRoute
}

// pendingRoute is a route added and not compiled yet.
type pendingRoute struct {
	method, template string
	handler          http.Handler
}

// compiled returns the bucket with its routes compiled, compiling them on
// the first call.
func (b *bucket) compiled() *bucket {
	b.once.Do(func() {
		b.mux = mux.NewRouter()
		b.mux.SkipClean(true)
		for _, p := range b.pending {
			route := b.mux.Handle(p.template, p.handler).Methods(p.method)
			b.routes = append(b.routes, methodRoute{method: p.method, route: route})
		}
		b.pending = nil
	})
	return b
}

// methodRoute is one route of the router and the method it takes.
type methodRoute struct {
	method string
	route  *mux.Route
}

// handle adds a route of method on the path template.
func (rt *router) handle(method, template string, h http.Handler) {
	if rt.buckets == nil {
		rt.buckets = map[shape]*bucket{}
		rt.seen = newMatchMemo()
	}
	sh := templateShape(template)
	b := rt.buckets[sh]
	if b == nil {
		b = &bucket{}
		rt.buckets[sh] = b
	}
	b.pending = append(b.pending, pendingRoute{method: method, template: template, handler: h})
}

// ServeHTTP routes r: the handler of the route that matches it gets the
// template's parameters as path values; a path that some route has with
// another method is answered 405, any other 404. A method and path served
// lately are not matched again: the route gorilla/mux found for them is
// remembered (see matchMemo).
func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := matchKey{method: r.Method, path: r.URL.Path}
	if found, ok := rt.seen.get(key); ok {
		for _, v := range found.vars[:found.n] {
			exchange.SetPathValue(r, v.name, v.value)
		}
		found.handler.ServeHTTP(w, r)
		return
	}
	sh := pathShape(r.URL.Path)
	mismatch := false
	for _, key := range [2]shape{sh, {slashes: sh.slashes, param: true}} {
		b := rt.buckets[key]
		if b == nil {
			continue
		}
		m := routeMatches.Get().(*routeMatch)
		m.RouteMatch = mux.RouteMatch{Vars: m.vars}
		matched := b.compiled().mux.Match(r, &m.RouteMatch) && m.MatchErr == nil
		h, err := m.Handler, m.MatchErr
		var found memoMatch
		if matched {
			found = memoMatch{handler: h}
			for name, value := range m.vars {
				exchange.SetPathValue(r, name, value)
				found.add(name, value)
			}
		}
		clear(m.vars)
		m.RouteMatch = mux.RouteMatch{}
		routeMatches.Put(m)
		if matched {
			rt.seen.put(matchKey{method: r.Method, path: r.URL.Path}, found)
			h.ServeHTTP(w, r)
			return
		}
		mismatch = mismatch || err == mux.ErrMethodMismatch
	}
	if mismatch {
		rt.answerNotAllowed(w, r)
		return
	}
	rt.answerNotFound(w, r)
}

func (rt *router) answerNotFound(w http.ResponseWriter, r *http.Request) {
	if rt.notFound == nil {
		http.NotFound(w, r)
		return
	}
	rt.notFound(w, r)
}

// answerNotAllowed answers a path that some route has with another
// method, with the methods of the routes that match it: routes of the two
// buckets of the path's shape, which ServeHTTP has compiled already.
func (rt *router) answerNotAllowed(w http.ResponseWriter, r *http.Request) {
	var allowed []string
	sh := pathShape(r.URL.Path)
	for _, key := range [2]shape{sh, {slashes: sh.slashes, param: true}} {
		b := rt.buckets[key]
		if b == nil {
			continue
		}
		for _, mr := range b.compiled().routes {
			other := r.Clone(r.Context())
			other.Method = mr.method
			if mr.route.Match(other, &mux.RouteMatch{}) && !slices.Contains(allowed, mr.method) {
				allowed = append(allowed, mr.method)
			}
		}
	}
	slices.Sort(allowed)
	if rt.methodNotAllowed == nil || len(allowed) == 0 {
		rt.answerNotFound(w, r)
		return
	}
	rt.methodNotAllowed(w, r, allowed)
}
