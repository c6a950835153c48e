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
	"strings"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// adminPrefix is the path prefix of the admin API, which is not journalled:
// the journal is what the integration under test did.
const adminPrefix = "/__admin/"

// exchange is what the middleware and handlers share about one request.
type exchange struct {
	entry  journal.Entry
	body   []byte
	tenant *tenant
	lib    *scenarios.Library
	// w is the writer of the answer, for its write deadline.
	w http.ResponseWriter
}

type exchangeKey struct{}

func exchangeOf(r *http.Request) *exchange {
	x, _ := r.Context().Value(exchangeKey{}).(*exchange)
	return x
}

// entryOf returns the journal entry of the request, for handlers to fill.
func entryOf(r *http.Request) *journal.Entry {
	if x := exchangeOf(r); x != nil {
		return &x.entry
	}
	return nil
}

// bodyOf returns the request body, read once by readBody.
func bodyOf(r *http.Request) []byte {
	if x := exchangeOf(r); x != nil {
		return x.body
	}
	return nil
}

// recordingWriter journals the request the moment its status is written,
// before the body reaches the client: a client that has its answer always
// finds the request in the journal.
type recordingWriter struct {
	http.ResponseWriter
	status int
	commit func(status int)
}

func (w *recordingWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
		w.commit(status)
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *recordingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// journalRequests journals every request outside the admin API: it starts
// the entry handlers fill, then adds it to the tenant's journal (or to the
// journal of requests without a tenant) with the status sent. A request
// whose handler wrote nothing (the client left during a scripted latency)
// is journalled with status 0.
func (s *Server) journalRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, adminPrefix) {
			// Not journalled, but handlers share the same exchange.
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), exchangeKey{}, &exchange{w: w})))
			return
		}
		start := time.Now()
		x := &exchange{entry: journal.Entry{
			Kind:   journal.KindRequest,
			Time:   s.clock.Now(),
			Method: r.Method,
			Path:   r.URL.Path,
			APIKey: r.Header.Get("x-api-key") != "",
		}}
		commit := func(status int) {
			e := &x.entry
			e.Status = status
			e.Latency = time.Since(start)
			s.record(x.tenant, *e)
			if s.log.Enabled(r.Context(), slog.LevelDebug) {
				s.log.LogAttrs(r.Context(), slog.LevelDebug, "request",
					slog.String("method", e.Method), slog.String("path", e.Path),
					slog.Int("status", e.Status), slog.String("flinksCode", e.FlinksCode),
					slog.String("requestId", e.RequestID), slog.Duration("latency", e.Latency))
			}
		}
		rw := &recordingWriter{ResponseWriter: w, commit: commit}
		x.w = rw
		// Deferred, so that a request whose handler aborts the connection
		// (http.ErrAbortHandler) is journalled too.
		defer func() {
			if rw.status == 0 {
				commit(0)
			}
		}()
		next.ServeHTTP(rw, r.WithContext(context.WithValue(r.Context(), exchangeKey{}, x)))
	})
}

// writeGrace is how long an answer may take to write once a scripted
// latency is over.
const writeGrace = time.Minute

// allowLatency moves the write deadline of the answer to r past a
// scripted latency of d: an HTTP server's WriteTimeout counts from the end
// of the request headers, and a latency longer than it would otherwise get
// the connection closed under a finished answer.
func allowLatency(r *http.Request, d time.Duration) {
	if x := exchangeOf(r); x != nil && x.w != nil && d > 0 {
		// Not every ResponseWriter has a deadline (httptest's has none).
		_ = http.NewResponseController(x.w).SetWriteDeadline(time.Now().Add(d + writeGrace))
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
			writeError(w, r, s.codeError(r, "AGGREGATION_ERROR", "The mock failed while answering this request; the server log has the details", ""))
		}()
		next.ServeHTTP(w, r)
	})
}

// readBody reads the whole request body once, refusing bodies over the
// limit with a 413, so handlers and validation work from the same bytes.
func (s *Server) readBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				e := s.codeError(r, "INVALID_REQUEST", fmt.Sprintf("Request body is larger than the limit of %d bytes", s.cfg.MaxBodyBytes), "")
				e.Status = http.StatusRequestEntityTooLarge
				writeError(w, r, e)
				return
			}
			writeError(w, r, s.codeError(r, "INVALID_REQUEST", "Request body could not be read: "+err.Error(), ""))
			return
		}
		if x := exchangeOf(r); x != nil {
			x.body = body
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}
