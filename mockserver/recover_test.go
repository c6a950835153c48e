package mockserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// internalStart is the virtual time the internal tests start at.
var internalStart = time.Date(2026, 11, 2, 15, 4, 5, 0, time.UTC)

// LockedBuffer is a bytes.Buffer safe for the server's goroutines. It is
// exported to the external test package (mockserver_test) too.
type LockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *LockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// internalLibrary is the default library, loaded once for the internal
// tests (a Library is not changed by the servers that serve it).
var internalLibrary = sync.OnceValues(func() (*scenarios.Library, error) {
	return scenarios.Load(internalStart, true)
})

// internalServer is a server of the default library on a virtual clock,
// for the tests that look inside the package.
func internalServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	lib, err := internalLibrary()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Library = lib
	if cfg.Clock == nil {
		cfg.Clock = clock.NewVirtual(internalStart)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestPanicsAreAnsweredAndJournalled puts panicking handlers behind the
// real middleware chain: the client gets the AGGREGATION_ERROR envelope,
// the journal (in memory and in the file) the request with its 500, and
// the log the panic with its stack.
func TestPanicsAreAnsweredAndJournalled(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		panic  func()
		tenant string // the journal the entry must be in ("" for none)
		logged string // what the log says of the panic
	}{
		{"a string, after the tenant is known", "/v3/acme/BankingServices/Authorize", func() { panic("boom") }, "acme", `"panic":"boom"`},
		{"a runtime error", "/v3/acme/BankingServices/GetAccountsDetail", func() {
			var m map[string]int
			m["boom"]++
		}, "acme", "assignment to entry in nil map"},
		{"an error value, before routing", "/anywhere", func() { panic(errors.New("boom")) }, "", `"panic":"boom"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs, file LockedBuffer
			s := internalServer(t, Config{
				Logger:      slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
				JournalFile: &file,
			})
			r := &router{notFound: func(http.ResponseWriter, *http.Request) { tt.panic() }}
			for _, endpoint := range []string{"Authorize", "GetAccountsDetail"} {
				r.handle(http.MethodPost, "/v3/{customerId}/BankingServices/"+endpoint, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if t := s.api.Enter(w, r); t == nil {
						return
					}
					tt.panic()
				}))
			}
			h := s.middleware(r)

			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, tt.path, strings.NewReader(`{"RequestId":"r"}`)))

			if w.Code != http.StatusInternalServerError {
				t.Fatalf("status %d, want 500: %s", w.Code, w.Body)
			}
			var env exchange.Error
			if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil {
				t.Fatalf("the answer is not the envelope: %v: %s", err, w.Body)
			}
			if env.Status != 500 || env.FlinksCode != "AGGREGATION_ERROR" || env.Message == "" {
				t.Errorf("envelope %+v, want HttpStatusCode 500 and AGGREGATION_ERROR with a message", env)
			}
			entries := s.Journal(tt.tenant)
			if len(entries) != 1 {
				t.Fatalf("journal of %q holds %d entries, want 1", tt.tenant, len(entries))
			}
			if e := entries[0]; e.Status != 500 || e.FlinksCode != "AGGREGATION_ERROR" || e.Path != tt.path || e.Tenant != tt.tenant {
				t.Errorf("journal entry %+v, want the request with 500 AGGREGATION_ERROR", e)
			}
			if err := s.Shutdown(t.Context()); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(file.String(), `"flinksCode":"AGGREGATION_ERROR"`) {
				t.Errorf("the journal file lacks the entry: %s", file.String())
			}
			if !strings.Contains(logs.String(), `"msg":"handler panic"`) || !strings.Contains(logs.String(), tt.logged) || !strings.Contains(logs.String(), "recover_test.go") {
				t.Errorf("the log lacks the panic with its stack: %s", logs.String())
			}
		})
	}
}

// TestPanicAfterTheStatusCutsTheConnection: once a status is sent, an
// envelope cannot replace it; the client must see a broken answer (not a
// 200 with an error glued to its body), and the journal the status sent.
func TestPanicAfterTheStatusCutsTheConnection(t *testing.T) {
	s := internalServer(t, Config{})
	r := &router{}
	r.handle(http.MethodPost, "/v3/{customerId}/BankingServices/GetAccountsDetail", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if t := s.api.Enter(w, r); t == nil {
			return
		}
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"HttpStatusCode":200,"Accounts":[`))
		_ = http.NewResponseController(w).Flush()
		panic("boom")
	}))
	hs := httptest.NewServer(s.middleware(r))
	defer hs.Close()

	resp, err := http.Post(hs.URL+"/v3/acme/BankingServices/GetAccountsDetail", "application/json", strings.NewReader(`{"RequestId":"r"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil {
		t.Errorf("the client read a whole answer %d %q; want the connection cut", resp.StatusCode, body)
	}
	if string(body) != `{"HttpStatusCode":200,"Accounts":[` {
		t.Errorf("the client read %q; want only what the handler wrote", body)
	}
	entries := s.Journal("acme")
	if len(entries) != 1 || entries[0].Status != http.StatusOK {
		t.Errorf("journal %+v, want the one request with the status it was sent", entries)
	}
}

// TestAbortedRequestsAreJournalled: a handler that aborts its connection
// before answering leaves an entry with status 0.
func TestAbortedRequestsAreJournalled(t *testing.T) {
	s := internalServer(t, Config{})
	h := s.middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }))
	func() {
		defer func() {
			if v := recover(); v != http.ErrAbortHandler {
				t.Errorf("recovered %v, want http.ErrAbortHandler passed on to net/http", v)
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/gone", nil))
	}()
	entries := s.Journal("")
	if len(entries) != 1 || entries[0].Status != 0 || entries[0].Path != "/gone" {
		t.Errorf("journal %+v, want the aborted request with status 0", entries)
	}
}
