package mockserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// adminPrefix is the path prefix of the admin API, which is not journalled:
// the journal is what the integration under test did.
const adminPrefix = "/__admin/"

// middleware wraps the router in the chain every request goes through,
// outermost first.
func (s *Server) middleware(h http.Handler) http.Handler {
	return s.journalRequests(s.recoverPanics(s.readBody(h)))
}

// recordingWriter journals the request the moment its status is written,
// before the body reaches the client: a client that has its answer always
// finds the request in the journal.
type recordingWriter struct {
	http.ResponseWriter
	status int
	call   *call
}

// WriteHeader journals the request with its status, then sends it.
func (w *recordingWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
		w.call.commit(status)
	}
	w.ResponseWriter.WriteHeader(status)
}

// Write sends a body, with the status 200 when none was written.
func (w *recordingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap returns the writer it wraps, for http.ResponseController.
func (w *recordingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// call is one request as the middleware sees it: its exchange, the
// writer that journals it, and what the journal entry needs at the end.
// It is allocated whole, once per request.
type call struct {
	x     exchange.Exchange
	rw    recordingWriter
	s     *Server
	r     *http.Request
	start time.Time
	admin bool
	left  atomic.Int64 // how long the client waited, once it left
}

// clientLeft notes how long the client waited when it leaves.
func (c *call) clientLeft() { c.left.Store(int64(time.Since(c.start))) }

// commit journals the request with the status sent: a request outside
// the admin API, or an admin request the server refused.
func (c *call) commit(status int) {
	x := &c.x
	if c.admin && !x.Refused {
		return
	}
	e := &x.Entry
	e.Status = status
	e.Latency = time.Since(c.start)
	if c.r.Context().Err() != nil {
		// The client left before its answer: none reached it.
		e.Status = 0
		if d := c.left.Load(); d > 0 {
			e.Latency = time.Duration(d)
		}
	}
	if c.admin {
		// The customer the admin call named, when it exists.
		if x.Tenant = c.s.tenants.Lookup(c.r.URL.Query().Get("customerId")); x.Tenant != nil {
			e.Tenant = x.Tenant.ID()
		}
	}
	c.s.tenants.Record(x.Tenant, *e)
	c.s.logRequest(c.r, e)
}

// journalRequests journals every request outside the admin API, and the
// admin requests refused for where they came from or for their size: it
// starts the entry handlers fill, then adds it to the tenant's journal (or
// to the journal of requests without a tenant) with the status sent. A
// request whose handler wrote nothing (the client left during a scripted
// latency), or wrote only after the client had left (it gave up at its
// request timeout), is journalled with status 0 and the time the client
// waited: no answer reached it.
func (s *Server) journalRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := calls.Get().(*call)
		c.s, c.start, c.admin = s, time.Now(), strings.HasPrefix(r.URL.Path, adminPrefix)
		c.x = exchange.Exchange{Lib: s.tenants.Base(), Entry: journal.Entry{
			Kind:   journal.KindRequest,
			Time:   s.cfg.Clock.Now(),
			Method: r.Method,
			Path:   r.URL.Path,
			APIKey: r.Header.Get("X-Api-Key") != "",
			Bearer: bearer(r),
		}}
		c.rw = recordingWriter{ResponseWriter: w, call: c}
		c.x.W = &c.rw
		c.r = exchange.With(r, &c.x)
		stop := context.AfterFunc(r.Context(), c.clientLeft)
		returned := false
		defer func() {
			// Deferred, so that a request whose handler aborts the
			// connection (http.ErrAbortHandler) is journalled too.
			c.unanswered()
			if stop() && returned {
				c.release()
			}
		}()
		next.ServeHTTP(&c.rw, c.r)
		returned = true
	})
}

// calls are the calls of requests answered, for the next requests: a
// call holds the exchange with its body buffer, about 1.4 KiB, and
// allocating one per request was most of what a poll allocates.
var calls = sync.Pool{New: func() any { return new(call) }}

// release gives c back to calls once nothing can reach it any more: its
// handler returned (no panic left it half-way), and the watch for the
// client leaving was stopped before it ran (else it may still be
// running). The journal keeps copies of the entry, never the exchange,
// and the memos copy the bytes of a body they keep.
func (c *call) release() {
	*c = call{}
	calls.Put(c)
}

// unanswered journals a request whose handler wrote nothing, with status 0.
func (c *call) unanswered() {
	if c.rw.status == 0 {
		c.commit(0)
	}
}

// logRequest logs a journalled request at debug level.
func (s *Server) logRequest(r *http.Request, e *journal.Entry) {
	if s.log.Enabled(r.Context(), slog.LevelDebug) {
		s.log.LogAttrs(r.Context(), slog.LevelDebug, "request",
			slog.String("method", e.Method), slog.String("path", e.Path),
			slog.Int("status", e.Status), slog.String("flinksCode", e.FlinksCode),
			slog.String("requestId", e.RequestID), slog.Duration("latency", e.Latency))
	}
}

// recoverPanics turns a panic in a handler into the AGGREGATION_ERROR
// envelope, logged with its stack, instead of a dropped connection.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("handler panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if rw, ok := w.(*recordingWriter); ok && rw.status != 0 {
				// The status, and maybe part of a body, are on their way:
				// an error envelope now would be glued to them. Cutting
				// the connection shows the client a broken answer rather
				// than a wrong one.
				panic(http.ErrAbortHandler)
			}
			exchange.WriteError(w, r, exchange.Code(r, "AGGREGATION_ERROR", "The mock failed while answering this request; the server log has the details", ""))
		}()
		next.ServeHTTP(w, r)
	})
}

// readBody reads the whole request body once, refusing bodies over the
// limit with a 413, so handlers and validation work from the same bytes.
// A scenario file posted to the admin API may be as large as one on disk.
// The body is kept in the request's exchange (into its own memory when it
// is small); r.Body reads it again from the start.
func (s *Server) readBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		limit, what := s.cfg.MaxBodyBytes, "Request body"
		if r.URL.Path == scenariosPath {
			limit, what = max(limit, scenarios.MaxFileBytes), "A scenario file"
		}
		x := exchange.Of(r)
		if x == nil {
			x = &exchange.Exchange{} // outside the middleware: a body of its own
		}
		body, err := readLimited(w, r, x, limit)
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				x.Refused = true
				msg := fmt.Sprintf("%s is larger than the limit of %d bytes (%s)", what, limit, mebibytes(limit))
				if what != "Request body" {
					msg += "; split it into several files"
				}
				exchange.WriteError(w, r, exchange.WithStatus(r, http.StatusRequestEntityTooLarge, "INVALID_REQUEST", msg, ""))
				return
			}
			exchange.WriteError(w, r, exchange.Code(r, "INVALID_REQUEST", "Request body could not be read: "+err.Error(), ""))
			return
		}
		x.Hold(r, body)
		next.ServeHTTP(w, r)
	})
}

// readLimited reads the body of r whole, into the exchange's buffer, and
// fails with *http.MaxBytesError past limit bytes. A body whose
// Content-Length is within the limit is read directly (the server already
// stops it at that length); any other goes through http.MaxBytesReader,
// which also has the server close the connection of a body too large.
func readLimited(w http.ResponseWriter, r *http.Request, x *exchange.Exchange, limit int64) ([]byte, error) {
	if r.ContentLength < 0 || r.ContentLength > limit {
		return readAll(x.Buffer(-1), http.MaxBytesReader(w, r.Body, limit))
	}
	buf, err := readAll(x.Buffer(r.ContentLength), r.Body)
	if err == nil && int64(len(buf)) > limit {
		// A body longer than it said (only a request built in process
		// can be): read it as any body of unknown length.
		return readAll(nil, http.MaxBytesReader(w, io.NopCloser(io.MultiReader(bytes.NewReader(buf), r.Body)), limit))
	}
	return buf, err
}

// readAll is io.ReadAll into buf, growing it as needed.
func readAll(buf []byte, body io.Reader) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// scenariosPath is where the admin API takes scenario files.
const scenariosPath = adminPrefix + "scenarios"

// mebibytes words a byte count in MiB.
func mebibytes(n int64) string {
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', -1, 64) + " MiB"
}

// guarded refuses, before h, the requests the guard refuses: a web page
// of another origin changing state, or a Host the server does not answer
// to. The refusal is journalled.
func (s *Server) guarded(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.guard.Check(r); err != nil {
			if x := exchange.Of(r); x != nil {
				x.Refused = true
			}
			s.log.Warn("request refused", "method", r.Method, "path", r.URL.Path, "host", r.Host,
				"origin", r.Header.Get("Origin"), "secFetchSite", r.Header.Get("Sec-Fetch-Site"))
			exchange.WriteError(w, r, exchange.WithStatus(r, http.StatusForbidden, "ACCESS_DENIED", err.Error(), ""))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// bearer reports whether r carries an "Authorization: Bearer" header.
func bearer(r *http.Request) bool {
	scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	return strings.EqualFold(scheme, "Bearer")
}
