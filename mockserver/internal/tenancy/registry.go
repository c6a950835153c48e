// Package tenancy holds the tenants of the server: one per {customerId},
// each with its own authorize tokens, sessions, login states, run-time
// scenarios and journal, so that parallel test runs against one server
// never see each other. Every store is a bounded.LRU; the budgets bound
// each kind of item across all tenants together.
package tenancy

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/bounded"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// Config bounds a Registry; every field must be positive.
type Config struct {
	// MaxTenants bounds the tenants; past it a new customerId is refused.
	MaxTenants int
	// JournalSize, MaxSessions and MaxTokens bound each tenant; the
	// budgets bound all tenants together.
	JournalSize   int
	JournalBudget int
	MaxSessions   int
	SessionBudget int
	MaxTokens     int
	TokenBudget   int
	// JournalBytes and SessionBytes bound the bytes of the journal
	// entries and of the sessions of all tenants together, as their
	// estimates count them (zero: no bound in bytes).
	JournalBytes int64
	SessionBytes int64
	// RecordBudget bounds, across tenants, what a tenant remembers of
	// logins besides its sessions: login states, deleted cards and OAuth
	// access tokens (zero: 4 × SessionBudget), and RecordBytes their bytes.
	RecordBudget int
	RecordBytes  int64
	// ScenarioBytes bounds the memory of the scenario files added at run
	// time, all customers together, each counted ScenarioBytesPerByte
	// times its size and ScenarioBytesPerField a field (zero: no bound).
	ScenarioBytes int64
	// Sink, when set, receives every journal entry.
	Sink *journal.Sink
	// Log receives what a person running the server should know.
	Log *slog.Logger
}

// MaxCustomerIDBytes bounds a customerId: Flinks' are GUIDs (36
// characters), and the bound keeps MaxTenants tenants from holding
// megabytes of names.
const MaxCustomerIDBytes = 256

// ErrCustomerIDTooLong is returned for a customerId over MaxCustomerIDBytes.
var ErrCustomerIDTooLong = fmt.Errorf("the customerId is longer than %d bytes; Flinks customerIds are GUIDs of 36 characters", MaxCustomerIDBytes)

// FullError is returned when a new customerId would pass MaxTenants.
type FullError struct {
	Max int
}

// Error says how to make room.
func (e *FullError) Error() string {
	return fmt.Sprintf("The mock already serves %d customerIds; reset one with POST /__admin/reset?customerId=... or start it with a higher --max-tenants", e.Max)
}

// IsFull reports whether err is a FullError.
func IsFull(err error) bool {
	var full *FullError
	return errors.As(err, &full)
}

// Registry is the set of tenants, the library they share, the journal of
// requests that named no tenant, and the budgets across tenants.
type Registry struct {
	cfg  Config
	base atomic.Pointer[scenarios.Library]

	journals *bounded.Budget
	sessions *bounded.Budget
	tokens   *bounded.Budget
	records  *bounded.Budget // login states, deleted cards, access tokens
	// scenarioBytes counts the run-time scenarios (see ScenarioBytes).
	scenarioBytes atomic.Int64
	other         *journal.Journal // requests that named no tenant
	feed          journal.Feed     // every tenant's entries as they come, for Subscribe

	mu      sync.RWMutex
	tenants map[string]*Tenant
}

// New returns a registry of no tenants serving lib.
func New(cfg Config, lib *scenarios.Library) *Registry {
	r := &Registry{cfg: cfg, other: journal.New(cfg.JournalSize), tenants: map[string]*Tenant{}}
	r.base.Store(lib)
	if cfg.RecordBudget <= 0 {
		cfg.RecordBudget = 4 * cfg.SessionBudget
	}
	r.cfg = cfg
	r.journals = bounded.NewBudget(cfg.JournalBudget, func(yield func(bounded.Dropper) bool) {
		if !yield(r.other) {
			return
		}
		for _, t := range r.All() {
			if !yield(t.journal) {
				return
			}
		}
	}).CapBytes(cfg.JournalBytes)
	r.sessions = bounded.NewBudget(cfg.SessionBudget, func(yield func(bounded.Dropper) bool) {
		for _, t := range r.All() {
			if !yield(t.sessions) {
				return
			}
		}
	}).CapBytes(cfg.SessionBytes)
	r.records = bounded.NewBudget(cfg.RecordBudget, func(yield func(bounded.Dropper) bool) {
		for _, t := range r.All() {
			if !yield(t.logins) || !yield(t.deleted) || !yield(t.access) {
				return
			}
		}
	}).CapBytes(cfg.RecordBytes)
	r.tokens = bounded.NewBudget(cfg.TokenBudget, func(yield func(bounded.Dropper) bool) {
		for _, t := range r.All() {
			if !yield(t.tokens) {
				return
			}
		}
	})
	return r
}

// Base returns the library of tenants that added no scenarios of their own.
func (r *Registry) Base() *scenarios.Library { return r.base.Load() }

// Library returns the scenarios a tenant sees: its own when it added
// run-time scenarios, else the server's. t may be nil.
func (r *Registry) Library(t *Tenant) *scenarios.Library {
	if t != nil {
		if lib := t.lib.Load(); lib != nil {
			return lib
		}
	}
	return r.base.Load()
}

// Tenant returns the tenant of a customerId, creating it on first use. It
// fails with ErrCustomerIDTooLong or a *FullError.
func (r *Registry) Tenant(customerID string) (*Tenant, error) {
	if t := r.Lookup(customerID); t != nil {
		return t, nil
	}
	if len(customerID) > MaxCustomerIDBytes {
		return nil, ErrCustomerIDTooLong
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if t := r.tenants[customerID]; t != nil {
		return t, nil
	}
	if len(r.tenants) >= r.cfg.MaxTenants {
		return nil, &FullError{Max: r.cfg.MaxTenants}
	}
	t := newTenant(customerID, r)
	r.tenants[customerID] = t
	return t, nil
}

// Lookup returns the tenant of a customerId, or nil when there is none.
func (r *Registry) Lookup(customerID string) *Tenant {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.tenants[customerID]
}

// All returns the tenants, in no particular order.
func (r *Registry) All() []*Tenant {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*Tenant, 0, len(r.tenants))
	for _, t := range r.tenants {
		out = append(out, t)
	}
	return out
}

// Reset returns one customer (every one when customerID is empty) to the
// loaded state: the tenant is retired and forgets its tokens, sessions,
// login states, journal and run-time scenarios; the next request makes a
// new one. It returns the customerIds reset.
func (r *Registry) Reset(customerID string) []string {
	r.mu.Lock()
	var gone []*Tenant
	var ids []string
	if customerID != "" {
		if t := r.tenants[customerID]; t != nil {
			gone = append(gone, t)
			delete(r.tenants, customerID)
		}
		ids = append(ids, customerID)
	} else {
		for id, t := range r.tenants {
			gone = append(gone, t)
			ids = append(ids, id)
		}
		r.tenants = map[string]*Tenant{}
	}
	r.mu.Unlock()
	for _, t := range gone {
		t.retire()
	}
	if customerID == "" {
		n, bytes := r.other.ClearCounting()
		r.journals.Add(-n, -bytes)
	}
	return ids
}

// TenantOfToken returns the tenant that issued an authorize token, used or
// not, or nil.
func (r *Registry) TenantOfToken(token string) *Tenant {
	for _, t := range r.All() {
		if t.HoldsToken(token) {
			return t
		}
	}
	return nil
}

// Held returns how many sessions, tokens and journal entries the budgets
// count, for tests that check them against what the tenants hold.
func (r *Registry) Held() (sessions, tokens, entries int) {
	return r.sessions.Held(), r.tokens.Held(), r.journals.Held()
}

// HeldBytes returns how many bytes of sessions, journal entries and
// records (login states, deleted cards, access tokens) the budgets count.
func (r *Registry) HeldBytes() (sessions, entries, records int64) {
	return r.sessions.HeldBytes(), r.journals.HeldBytes(), r.records.HeldBytes()
}

// HoldingBytes returns how many bytes of sessions, journal entries and
// records the tenants (and the journal of requests without one) hold.
func (r *Registry) HoldingBytes() (sessions, entries, records int64) {
	for _, t := range r.All() {
		sessions += t.sessions.Bytes()
		entries += t.journal.Bytes()
		records += t.logins.Bytes() + t.deleted.Bytes() + t.access.Bytes()
	}
	return sessions, entries + r.other.Bytes(), records
}

// Holding returns how many sessions, tokens and journal entries the
// tenants (and the journal of requests without one) hold.
func (r *Registry) Holding() (sessions, tokens, entries int) {
	for _, t := range r.All() {
		sessions += t.sessions.Len()
		tokens += t.tokens.Len()
		entries += t.journal.Len()
	}
	return sessions, tokens, entries + r.other.Len()
}
