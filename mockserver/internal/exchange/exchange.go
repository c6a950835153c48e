// Package exchange is what the middleware and the handlers share about one
// request: its journal entry (which handlers fill and the middleware
// records), its body (read once), the tenant and library it was served
// with, and the writer of its answer; and how every answer is written: the
// Flinks error envelope, JSON bodies, and the scripted latency before them.
package exchange

import (
	"bytes"
	"context"
	"net/http"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/tenancy"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// Exchange is one request as the server handles it.
type Exchange struct {
	// Entry is the journal entry of the request, filled by the handlers.
	Entry journal.Entry
	// Body is the request body, read once by the middleware.
	Body []byte
	// Tenant is the tenant the request was served for (nil: none yet).
	Tenant *tenancy.Tenant
	// Lib is the library in force: the server's until a handler enters a
	// tenant, then the tenant's. Error statuses follow its settings.
	Lib *scenarios.Library
	// W is the writer of the answer, for its write deadline.
	W http.ResponseWriter
	// Refused marks an admin request the server refused for where it
	// came from or for its size: the admin API is not journalled, but
	// what was refused there is.
	Refused bool

	// ctx is the request's context carrying the exchange (With), held
	// here so that carrying it costs no allocation of its own.
	ctx carrier
	// req is the request that carries the exchange (With).
	req *http.Request
	// paths are the path parameters the router found (SetPathValue), in
	// the exchange's own memory: net/http's r.SetPathValue makes a map
	// for each request that no http.ServeMux routed.
	paths  [maxPathValues]pathValue
	npaths int
	// held reads Body again as the request's body (Hold).
	held heldBody
	// inline holds a small body (Buffer), in the exchange's own memory.
	inline [InlineBody]byte
}

type key struct{}

// carrier is a context that carries an exchange.
type carrier struct {
	context.Context
	x *Exchange
}

// Value returns the exchange for its key, else what the parent holds.
func (c *carrier) Value(k any) any {
	if k == (key{}) {
		return c.x
	}
	return c.Context.Value(k)
}

// With returns r carrying x, as a shallow copy of r whose context holds
// x. It is called once per exchange: the context lives in x.
func With(r *http.Request, x *Exchange) *http.Request {
	x.ctx = carrier{Context: r.Context(), x: x}
	x.req = r.WithContext(&x.ctx)
	return x.req
}

// maxPathValues is how many path parameters an exchange holds; a template
// of the documents has two at most.
const maxPathValues = 4

// pathValue is one path parameter: its name in the template and its value.
type pathValue struct{ name, value string }

// SetPathValue sets the path parameter name of r to value, as
// r.SetPathValue does: in r's exchange when it has one and room for it,
// else on r.
func SetPathValue(r *http.Request, name, value string) {
	x := Of(r)
	if x == nil {
		r.SetPathValue(name, value)
		return
	}
	for i := range x.paths[:x.npaths] {
		if x.paths[i].name == name {
			x.paths[i].value = value
			return
		}
	}
	if x.npaths == len(x.paths) {
		r.SetPathValue(name, value)
		return
	}
	x.paths[x.npaths] = pathValue{name: name, value: value}
	x.npaths++
}

// PathValue returns the path parameter name of r, set by SetPathValue (or
// r.SetPathValue): "" when r has none of that name.
func PathValue(r *http.Request, name string) string {
	if x := Of(r); x != nil {
		return x.PathValue(name)
	}
	return r.PathValue(name)
}

// PathValue returns the path parameter name of the exchange's request.
// The exchange gives it to the validator in place of the request, whose
// own path values hold only those that found no room here.
func (x *Exchange) PathValue(name string) string {
	for _, p := range x.paths[:x.npaths] {
		if p.name == name {
			return p.value
		}
	}
	if x.req == nil {
		return ""
	}
	return x.req.PathValue(name)
}

// Of returns the exchange of r, or nil outside the middleware.
func Of(r *http.Request) *Exchange {
	ctx := r.Context()
	if c, ok := ctx.(*carrier); ok {
		return c.x
	}
	x, _ := ctx.Value(key{}).(*Exchange)
	return x
}

// InlineBody is the size of the request bodies an exchange holds in its
// own memory: a Flinks request body is a few hundred bytes at most.
const InlineBody = 384

// Buffer returns an empty buffer for a body of n bytes: the exchange's
// own memory when n fits in it, else a new one (n+1 bytes, so that the
// read that finds the end of the body needs no more room).
func (x *Exchange) Buffer(n int64) []byte {
	if n < InlineBody {
		return x.inline[:0]
	}
	return make([]byte, 0, n+1)
}

// Hold keeps body as the request's body, read once: x.Body, and r.Body
// reading it from the start. r.Body also hands the bytes over whole
// (Held), so that validation does not read them again.
func (x *Exchange) Hold(r *http.Request, body []byte) {
	x.Body = body
	x.held.data = body
	x.held.Reset(body)
	r.Body = &x.held
}

// heldBody is a request body read whole by the middleware.
type heldBody struct {
	bytes.Reader
	data []byte
}

// Close does nothing: the bytes are in memory.
func (*heldBody) Close() error { return nil }

// Held returns the whole body, however much of it was read.
func (b *heldBody) Held() []byte { return b.data }

// Entry returns the journal entry of r, for handlers to fill; a request
// outside the middleware gets a throwaway one.
func Entry(r *http.Request) *journal.Entry {
	if x := Of(r); x != nil {
		return &x.Entry
	}
	return &journal.Entry{}
}

// Body returns the request body, read once by the middleware.
func Body(r *http.Request) []byte {
	if x := Of(r); x != nil {
		return x.Body
	}
	return nil
}

// Enter notes the tenant a handler serves r for and the library it sees.
func Enter(r *http.Request, t *tenancy.Tenant, lib *scenarios.Library) {
	if x := Of(r); x != nil {
		x.Entry.Tenant = t.ID()
		x.Tenant, x.Lib = t, lib
	}
}

// writeGrace is how long an answer may take to write once a scripted
// latency is over.
const writeGrace = time.Minute

// Wait waits out a step's scripted latency, in real time. It reports false
// when the client went away meanwhile. It first moves the write deadline
// of the answer past the latency: an HTTP server's WriteTimeout counts
// from the end of the request headers, and a latency longer than it would
// otherwise get the connection closed under a finished answer.
func Wait(r *http.Request, d scenarios.Duration) bool {
	if d <= 0 {
		return true
	}
	if x := Of(r); x != nil && x.W != nil {
		// Not every ResponseWriter has a deadline (httptest's has none).
		_ = http.NewResponseController(x.W).SetWriteDeadline(time.Now().Add(d.D() + writeGrace))
	}
	timer := time.NewTimer(d.D())
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-r.Context().Done():
		return false
	}
}
