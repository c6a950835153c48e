// Package exchange is what the middleware and the handlers share about one
// request: its journal entry (which handlers fill and the middleware
// records), its body (read once), the tenant and library it was served
// with, and the writer of its answer; and how every answer is written: the
// Flinks error envelope, JSON bodies, and the scripted latency before them.
package exchange

import (
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
}

type key struct{}

// With returns r carrying x.
func With(r *http.Request, x *Exchange) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), key{}, x))
}

// Of returns the exchange of r, or nil outside the middleware.
func Of(r *http.Request) *Exchange {
	x, _ := r.Context().Value(key{}).(*Exchange)
	return x
}

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
