// Package mocktest starts an in-process flinks-mock for Go tests, in the
// manner of net/http/httptest: one call gives a server on 127.0.0.1 with a
// random port, a virtual clock, a fresh customerId and an admin client, and
// the test's cleanup stops it.
//
//	srv := mocktest.NewServer(t)
//	client := myapp.NewFlinksClient(srv.BaseURL(), toolbox.SecretKey)
//	...
//	srv.Advance(10 * time.Second)
//	page, _ := srv.Admin.Journal(ctx, admin.JournalFilter{CustomerID: srv.CustomerID})
//
// With Ginkgo, pass GinkgoT(): the server stops in the spec's DeferCleanup.
package mocktest

import (
	"context"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/scenarios"
	"github.com/google/uuid"
)

// TB is the part of testing.TB the helper needs; *testing.T, *testing.B
// and Ginkgo's GinkgoT() have it.
type TB interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
}

// Start is where a virtual clock starts: a fixed time, so generated dates
// and expiries are the same on every run.
var Start = time.Date(2026, 11, 2, 15, 4, 5, 0, time.UTC)

// Server is a running in-process mock.
type Server struct {
	// URL is the server's root, e.g. "http://127.0.0.1:43117".
	URL string
	// CustomerID is a fresh customerId (a tenant of its own) for the test.
	CustomerID string
	// Admin is a client of the server's admin API.
	Admin *admin.Client
	// Clock is the virtual clock, or nil with WithRealClock.
	Clock *clock.Virtual
	// Mock is the server itself.
	Mock *mockserver.Server
}

// Option changes how NewServer builds the server.
type Option func(*options)

type options struct {
	today     time.Time
	realClock bool
	files     [][]byte
	noDefault bool
	config    func(*mockserver.Config)
}

// WithToday makes the server take t for now: the virtual clock starts at
// t, and generated accounts and transactions end on t's date (default
// Start). With WithRealClock the clock stays the wall clock and only the
// generated data moves.
func WithToday(t time.Time) Option { return func(o *options) { o.today = t } }

// WithRealClock runs the server on the wall clock instead of a virtual one.
func WithRealClock() Option { return func(o *options) { o.realClock = true } }

// WithScenarios adds a scenario file (YAML or JSON) to the default library.
func WithScenarios(file string) Option {
	return func(o *options) { o.files = append(o.files, []byte(file)) }
}

// WithoutDefaultScenarios serves only the WithScenarios files.
func WithoutDefaultScenarios() Option { return func(o *options) { o.noDefault = true } }

// WithConfig edits the server's configuration before it starts (API key,
// secret key, bounds...).
func WithConfig(f func(*mockserver.Config)) Option { return func(o *options) { o.config = f } }

// defaultLibrary is parsed once per test binary: most tests use it as is.
var defaultLibrary = sync.OnceValues(func() (*scenarios.Library, error) {
	return scenarios.Load(Start, true)
})

// NewServer starts a mock for the test and stops it at cleanup. It fails
// the test if a scenario file does not load.
func NewServer(t TB, opts ...Option) *Server {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	lib, err := library(o)
	if err != nil {
		t.Fatalf("mocktest: the scenarios did not load:\n%v", err)
		return nil
	}
	cfg := mockserver.Config{Library: lib}
	var vc *clock.Virtual
	if !o.realClock {
		vc = clock.NewVirtual(o.start())
		cfg.Clock = vc
	}
	if o.config != nil {
		o.config(&cfg)
	}
	mock, err := mockserver.New(cfg)
	if err != nil {
		t.Fatalf("mocktest: %v", err)
		return nil
	}
	hs := httptest.NewServer(mock.Handler())
	t.Cleanup(func() {
		mock.EndStreams()
		hs.Close()
		_ = mock.Shutdown(context.Background())
	})
	return &Server{
		URL:        hs.URL,
		CustomerID: uuid.NewString(),
		Admin:      admin.New(hs.URL, cfg.AdminToken, hs.Client()),
		Clock:      vc,
		Mock:       mock,
	}
}

// start is the time the server takes for now when it starts.
func (o options) start() time.Time {
	if o.today.IsZero() {
		return Start
	}
	return o.today
}

func library(o options) (*scenarios.Library, error) {
	if len(o.files) == 0 && !o.noDefault && o.today.IsZero() {
		return defaultLibrary()
	}
	var sources []scenarios.Source
	if !o.noDefault {
		def, err := scenarios.DefaultSources()
		if err != nil {
			return nil, err
		}
		sources = def
	}
	for i, f := range o.files {
		src, err := scenarios.Parse("WithScenarios #"+strconv.Itoa(i+1), f)
		if err != nil {
			return nil, err
		}
		sources = append(sources, src)
	}
	return scenarios.Build(o.start(), sources...)
}

// BaseURL is what a Flinks client takes as its base URL: the server's URL
// with /v3/{CustomerID}.
func (s *Server) BaseURL() string { return s.URL + "/v3/" + s.CustomerID }

// Advance moves the virtual clock forward; it panics on a real clock.
func (s *Server) Advance(d time.Duration) time.Time {
	now, _ := s.Clock.Advance(d)
	return now
}

// Journal returns what the server recorded for the test's customer.
func (s *Server) Journal() []journal.Entry { return s.Mock.Journal(s.CustomerID) }

// Login returns the login of the server's library with this name, or nil.
func (s *Server) Login(name string) *scenarios.Login {
	for _, l := range s.Mock.Library().Logins {
		if l.Name == name {
			return l
		}
	}
	return nil
}
