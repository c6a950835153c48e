// Package mockserver is the stateful Flinks fake: the HTTP handlers of the
// Flinks endpoints, the per-tenant state they share (authorize tokens,
// sessions, journal), and a small admin surface. Behaviour comes from a
// scenarios.Library; paths, fields and statuses come from the openapi
// package.
package mockserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// Defaults for the Config fields left at zero.
const (
	// DefaultMaxBodyBytes caps request bodies; larger ones get a 413.
	DefaultMaxBodyBytes = 1 << 20
	// DefaultJournalSize is how many entries each tenant's journal keeps.
	DefaultJournalSize = journal.DefaultCapacity
	// DefaultMaxSessions is how many sessions a tenant keeps; the oldest
	// is forgotten (its RequestId then answers SESSION_NONEXISTENT).
	DefaultMaxSessions = 10_000
	// DefaultMaxTokens is how many authorize tokens a tenant keeps.
	DefaultMaxTokens = 10_000
)

// Config configures a Server. Only Library is required.
type Config struct {
	// Library is the scenarios the server serves.
	Library *scenarios.Library
	// Spec is the loaded contract; New loads the embedded one when nil.
	Spec *openapi.Spec
	// Clock is the time source (default: the real clock).
	Clock clock.Clock
	// SecretKey, when set, is the only flinks-auth-key that
	// /GenerateAuthorizeToken accepts; when empty any non-empty key is
	// accepted, the toolbox secret among them.
	SecretKey string
	// APIKey, when set, must be sent as x-api-key on the data endpoints.
	APIKey string
	// Logger receives one debug line per request and info lines for
	// scenario events (default: discard).
	Logger *slog.Logger
	// MaxBodyBytes caps request bodies (default DefaultMaxBodyBytes).
	MaxBodyBytes int64
	// JournalSize is the journal capacity per tenant (default
	// DefaultJournalSize).
	JournalSize int
	// MaxSessions and MaxTokens bound the state of each tenant (defaults
	// DefaultMaxSessions and DefaultMaxTokens).
	MaxSessions int
	MaxTokens   int
}

// Server is a Flinks fake. Create it with New; serve Handler().
type Server struct {
	cfg     Config
	lib     *scenarios.Library
	spec    *openapi.Spec
	clock   clock.Clock
	log     *slog.Logger
	handler http.Handler

	seq     atomic.Uint64 // orders journal entries across tenants
	other   *journal.Journal
	mu      sync.RWMutex
	tenants map[string]*tenant
}

// New returns a server ready to serve cfg.Library.
func New(cfg Config) (*Server, error) {
	if cfg.Library == nil {
		return nil, errors.New("mockserver: Config.Library is required")
	}
	if cfg.Spec == nil {
		spec, err := openapi.Load(context.Background())
		if err != nil {
			return nil, fmt.Errorf("load the OpenAPI document: %w", err)
		}
		cfg.Spec = spec
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.JournalSize <= 0 {
		cfg.JournalSize = DefaultJournalSize
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.MaxTokens <= 0 {
		cfg.MaxTokens = DefaultMaxTokens
	}
	s := &Server{
		cfg:     cfg,
		lib:     cfg.Library,
		spec:    cfg.Spec,
		clock:   cfg.Clock,
		log:     cfg.Logger,
		other:   journal.New(cfg.JournalSize),
		tenants: map[string]*tenant{},
	}
	s.handler = s.routes()
	return s, nil
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Library returns the scenarios the server serves.
func (s *Server) Library() *scenarios.Library { return s.lib }

// Journal returns the entries of one tenant, oldest first; the empty
// customerId gives the requests that named no tenant (unknown paths).
func (s *Server) Journal(customerID string) []journal.Entry {
	if customerID == "" {
		return s.other.Entries(nil)
	}
	s.mu.RLock()
	t := s.tenants[customerID]
	s.mu.RUnlock()
	if t == nil {
		return nil
	}
	return t.journal.Entries(nil)
}

// tenant returns the state of one customerId, creating it on first use.
func (s *Server) tenant(customerID string) *tenant {
	s.mu.RLock()
	t := s.tenants[customerID]
	s.mu.RUnlock()
	if t != nil {
		return t
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t = s.tenants[customerID]; t == nil {
		t = newTenant(customerID, s.cfg)
		s.tenants[customerID] = t
	}
	return t
}
