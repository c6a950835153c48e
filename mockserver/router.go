package mockserver

import (
	"net/http"
	"slices"
	"strings"
)

// router matches a request's path, segment by segment, against path
// templates such as /v3/{customerId}/BankingServices/Authorize: a
// {parameter} matches one non-empty segment, anything else itself. It
// routes each request once, with no regular expression and no copy of
// the request, and sets the parameters as path values (r.PathValue).
//
// The path is matched as received (r.URL.Path), never cleaned and never
// redirected: a Flinks client follows no 301, and a path with dot
// segments or an encoded slash is answered 404 (or reaches its handler)
// in the envelope like any other.
type router struct {
	routes []route
	// notFound answers a path no route has; methodNotAllowed a path some
	// route has with another method, given the methods it takes, sorted.
	notFound         http.HandlerFunc
	methodNotAllowed func(w http.ResponseWriter, r *http.Request, allowed []string)
}

// route is one method and path template, and its handler.
type route struct {
	method   string
	segments []segment
	params   []string // the parameters' names, in order
	handler  http.Handler
}

// segment is one segment of a template: a literal, or a parameter.
type segment struct {
	literal string
	param   bool
}

// maxParams bounds the parameters of a template (the documents use two).
const maxParams = 4

// handle adds a route of method on the path template.
func (rt *router) handle(method, template string, h http.Handler) {
	rr := route{method: method, handler: h}
	for seg := range strings.SplitSeq(strings.TrimPrefix(template, "/"), "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok && strings.HasSuffix(name, "}") {
			rr.params = append(rr.params, strings.TrimSuffix(name, "}"))
			rr.segments = append(rr.segments, segment{param: true})
			continue
		}
		rr.segments = append(rr.segments, segment{literal: seg})
	}
	if len(rr.params) > maxParams {
		panic("mockserver: too many parameters in " + template)
	}
	rt.routes = append(rt.routes, rr)
}

// match reports whether path matches the route's template, and fills
// values with its parameters.
func (rr *route) match(path string, values *[maxParams]string) bool {
	rest, ok := strings.CutPrefix(path, "/")
	if !ok {
		return false
	}
	n := 0
	for i, want := range rr.segments {
		seg, tail, more := strings.Cut(rest, "/")
		if more != (i < len(rr.segments)-1) {
			return false
		}
		switch {
		case !want.param:
			if seg != want.literal {
				return false
			}
		case seg == "":
			return false
		default:
			values[n] = seg
			n++
		}
		rest = tail
	}
	return true
}

// ServeHTTP routes r.
func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var values [maxParams]string
	var allowed []string
	for i := range rt.routes {
		rr := &rt.routes[i]
		if !rr.match(r.URL.Path, &values) {
			continue
		}
		if rr.method != r.Method {
			if !slices.Contains(allowed, rr.method) {
				allowed = append(allowed, rr.method)
			}
			continue
		}
		for j, name := range rr.params {
			r.SetPathValue(name, values[j])
		}
		rr.handler.ServeHTTP(w, r)
		return
	}
	if len(allowed) > 0 {
		slices.Sort(allowed)
		rt.methodNotAllowed(w, r, allowed)
		return
	}
	rt.notFound(w, r)
}
