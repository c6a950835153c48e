// Package mockserver is the stateful Flinks fake: the HTTP handlers of the
// Flinks endpoints, the per-tenant state they share (authorize tokens,
// sessions, journal), and the admin API that scripts and inspects it.
// Behaviour comes from a scenarios.Library; paths, fields and statuses come
// from the openapi package.
package mockserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
	"github.com/gorilla/mux"
)

// Defaults for the Config fields left at zero. Every store is bounded, per
// tenant and across tenants, so a long soak test cannot exhaust memory:
// when a bound is reached the oldest items go first (and dropped journal
// entries are counted).
const (
	// DefaultMaxBodyBytes caps request bodies; larger ones get a 413.
	DefaultMaxBodyBytes = 1 << 20
	// DefaultJournalSize is how many entries each tenant's journal keeps.
	DefaultJournalSize = journal.DefaultCapacity
	// DefaultJournalBudget is how many journal entries all tenants keep
	// together.
	DefaultJournalBudget = 20_000
	// DefaultMaxSessions is how many sessions a tenant keeps; the oldest
	// is forgotten (its RequestId then answers SESSION_NONEXISTENT).
	DefaultMaxSessions = 1_000
	// DefaultSessionBudget is how many sessions all tenants keep together.
	DefaultSessionBudget = 5_000
	// DefaultMaxTokens is how many authorize tokens a tenant keeps.
	DefaultMaxTokens = 1_000
	// DefaultTokenBudget is how many tokens all tenants keep together.
	DefaultTokenBudget = 5_000
	// DefaultMaxTenants is how many customerIds the server serves at once;
	// past it a new customerId is refused until one is reset.
	DefaultMaxTenants = 10_000
	// DefaultWebhookAttempts and DefaultWebhookInterval are Flinks' retry
	// policy: at most 10 attempts, 30 minutes apart.
	DefaultWebhookAttempts = 10
	DefaultWebhookInterval = 30 * time.Minute
	// DefaultWebhookTimeout bounds one attempt, in real time.
	DefaultWebhookTimeout = 10 * time.Second
	// DefaultMaxDeliveries is how many webhook deliveries a tenant keeps;
	// the oldest finished ones go first.
	DefaultMaxDeliveries = 1_000
	// DefaultDeliveryBudget is how many deliveries all tenants keep
	// together.
	DefaultDeliveryBudget = 20_000
)

// Config configures a Server. Only Library is required.
type Config struct {
	// Library is the scenarios the server serves.
	Library *scenarios.Library
	// Spec is the loaded Flinks contract; New loads the embedded one when
	// nil. AdminSpec is the admin API's.
	Spec      *openapi.Spec
	AdminSpec *openapi.Spec
	// Clock is the time source (default: the real clock). A
	// *clock.Virtual can be moved through the admin API.
	Clock clock.Clock
	// SecretKey, when set, is the only flinks-auth-key that
	// /GenerateAuthorizeToken accepts; when empty any non-empty key is
	// accepted, the toolbox secret among them.
	SecretKey string
	// APIKey, when set, must be sent as x-api-key on the data endpoints.
	APIKey string
	// AdminToken, when set, must be sent as "Authorization: Bearer
	// <token>" on the admin API (except /__admin/health and the document).
	AdminToken string
	// Logger receives one debug line per request and info lines for
	// scenario events (default: discard).
	Logger *slog.Logger
	// JournalFile, when set, receives every journal entry as a line of
	// JSON, in order.
	JournalFile io.Writer
	// MaxBodyBytes caps request bodies (default DefaultMaxBodyBytes).
	MaxBodyBytes int64
	// JournalSize, MaxSessions and MaxTokens bound each tenant; the
	// budgets bound all tenants together; MaxTenants bounds the tenants.
	// Zero means the Default of the same name.
	JournalSize   int
	JournalBudget int
	MaxSessions   int
	SessionBudget int
	MaxTokens     int
	TokenBudget   int
	MaxTenants    int
	// WebhookURLs receive the webhooks of every tenant, signed with
	// WebhookSecret when set; a scenario's settings add more, and PUT
	// /__admin/webhooks/targets replaces them for one tenant.
	WebhookURLs   []string
	WebhookSecret string
	// WebhookAttempts, WebhookInterval and WebhookTimeout are the retry
	// policy (default DefaultWebhookAttempts...); a scenario's settings and
	// a target's own values override them.
	WebhookAttempts int
	WebhookInterval time.Duration
	WebhookTimeout  time.Duration
	// MaxDeliveries bounds the webhook deliveries each tenant keeps, and
	// DeliveryBudget those of all tenants.
	MaxDeliveries  int
	DeliveryBudget int
}

func (cfg *Config) fill() {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	def(&cfg.JournalSize, DefaultJournalSize)
	def(&cfg.JournalBudget, DefaultJournalBudget)
	def(&cfg.MaxSessions, DefaultMaxSessions)
	def(&cfg.SessionBudget, DefaultSessionBudget)
	def(&cfg.MaxTokens, DefaultMaxTokens)
	def(&cfg.TokenBudget, DefaultTokenBudget)
	def(&cfg.MaxTenants, DefaultMaxTenants)
	def(&cfg.WebhookAttempts, DefaultWebhookAttempts)
	def(&cfg.MaxDeliveries, DefaultMaxDeliveries)
	def(&cfg.DeliveryBudget, DefaultDeliveryBudget)
	if cfg.WebhookInterval <= 0 {
		cfg.WebhookInterval = DefaultWebhookInterval
	}
	if cfg.WebhookTimeout <= 0 {
		cfg.WebhookTimeout = DefaultWebhookTimeout
	}
}

// Server is a Flinks fake. Create it with New; serve Handler(); call
// Shutdown when done.
type Server struct {
	cfg     Config
	spec    *openapi.Spec
	admin   *openapi.Spec
	clock   clock.Clock
	log     *slog.Logger
	handler http.Handler
	router  *mux.Router // the routing table, for the Allow header of a 405
	base    atomic.Pointer[scenarios.Library]
	sink    *journalSink
	// rendered holds the encoded accounts shared by sessions.
	rendered renderCache
	// conventions holds the convention logins built so far.
	conventions conventionCache
	// hooks delivers the webhooks.
	hooks *webhooks

	journals budget
	sessions budget
	tokens   budget

	other   *journal.Journal // requests that named no tenant
	feed    journal.Feed     // every tenant's entries as they come, for Subscribe
	mu      sync.RWMutex
	tenants map[string]*tenant
}

// New returns a server ready to serve cfg.Library.
func New(cfg Config) (*Server, error) {
	if cfg.Library == nil {
		return nil, errors.New("mockserver: Config.Library is required")
	}
	cfg.fill()
	for _, u := range cfg.WebhookURLs {
		if err := checkWebhookURL(u); err != nil {
			return nil, fmt.Errorf("mockserver: Config.WebhookURLs: %w", err)
		}
	}
	if cfg.Spec == nil || cfg.AdminSpec == nil {
		flinks, admin, err := LoadSpecs(context.Background())
		if err != nil {
			return nil, err
		}
		if cfg.Spec == nil {
			cfg.Spec = flinks
		}
		if cfg.AdminSpec == nil {
			cfg.AdminSpec = admin
		}
	}
	s := &Server{
		cfg:      cfg,
		spec:     cfg.Spec,
		admin:    cfg.AdminSpec,
		clock:    cfg.Clock,
		log:      cfg.Logger,
		journals: budget{limit: int64(cfg.JournalBudget)},
		sessions: budget{limit: int64(cfg.SessionBudget)},
		tokens:   budget{limit: int64(cfg.TokenBudget)},
		other:    journal.New(cfg.JournalSize),
		hooks:    newWebhooks(),
		tenants:  map[string]*tenant{},
	}
	s.base.Store(cfg.Library)
	if cfg.JournalFile != nil {
		s.sink = newJournalSink(cfg.JournalFile, s.log)
	}
	s.handler = s.routes()
	return s, nil
}

// LoadSpecs loads the OpenAPI documents of the Flinks API and of the admin
// API, side by side: together they are half of the server's start-up.
func LoadSpecs(ctx context.Context) (flinks, admin *openapi.Spec, err error) {
	var adminErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		admin, adminErr = openapi.LoadAdmin(ctx)
	}()
	flinks, err = openapi.Load(ctx)
	<-done
	if err != nil {
		return nil, nil, fmt.Errorf("load the OpenAPI document of the Flinks API: %w", err)
	}
	if adminErr != nil {
		return nil, nil, fmt.Errorf("load the OpenAPI document of the admin API: %w", adminErr)
	}
	return flinks, admin, nil
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Library returns the scenarios the server serves to tenants that added
// none of their own.
func (s *Server) Library() *scenarios.Library { return s.base.Load() }

// Shutdown stops the webhooks (the attempts in flight finish while ctx
// allows; every delivery left undelivered is logged) and flushes the
// journal file. The HTTP server around Handler must be shut down first, so
// that no request is journalled after it.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutdownWebhooks(ctx)
	if s.sink != nil {
		return s.sink.close(ctx)
	}
	return nil
}

// Journal returns the entries of one tenant, oldest first; the empty
// customerId gives the requests that named no tenant (unknown paths).
func (s *Server) Journal(customerID string) []journal.Entry {
	if customerID == "" {
		return s.other.Entries(nil)
	}
	if t := s.lookupTenant(customerID); t != nil {
		return t.journal.Entries(nil)
	}
	return nil
}

// errTooManyTenants is returned when a new customerId would pass MaxTenants.
var errTooManyTenants = errors.New("too many customers")

// maxCustomerIDBytes bounds a customerId: Flinks' are GUIDs (36
// characters), and the bound keeps MaxTenants tenants from holding
// megabytes of names.
const maxCustomerIDBytes = 256

// errCustomerIDTooLong is returned for a customerId over maxCustomerIDBytes.
var errCustomerIDTooLong = fmt.Errorf("the customerId is longer than %d bytes; Flinks customerIds are GUIDs of 36 characters", maxCustomerIDBytes)

// tenant returns the state of one customerId, creating it on first use.
func (s *Server) tenant(customerID string) (*tenant, error) {
	if t := s.lookupTenant(customerID); t != nil {
		return t, nil
	}
	if len(customerID) > maxCustomerIDBytes {
		return nil, errCustomerIDTooLong
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tenants[customerID]; t != nil {
		return t, nil
	}
	if len(s.tenants) >= s.cfg.MaxTenants {
		return nil, errTooManyTenants
	}
	t := newTenant(customerID, s.cfg)
	s.tenants[customerID] = t
	return t, nil
}

func (s *Server) lookupTenant(customerID string) *tenant {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.tenants[customerID]
}

// allTenants returns the tenants, in no particular order.
func (s *Server) allTenants() []*tenant {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*tenant, 0, len(s.tenants))
	for _, t := range s.tenants {
		out = append(out, t)
	}
	return out
}

// library returns the scenarios a tenant sees: its own when it added
// run-time scenarios, else the server's.
func (s *Server) library(t *tenant) *scenarios.Library {
	if t != nil {
		if lib := t.lib.Load(); lib != nil {
			return lib
		}
	}
	return s.base.Load()
}

// record adds an entry to a tenant's journal (or to the journal of
// requests without one), within the journal budget, and to the journal
// file.
func (s *Server) record(t *tenant, e journal.Entry) {
	clipEntry(&e)
	e.Seq = s.journals.next()
	if t == nil {
		s.addEntry(s.other, e)
	} else {
		t.life.RLock()
		// A tenant reset while the request ran is gone: its entry goes
		// to the journal file only.
		if !t.retired {
			s.addEntry(t.journal, e)
		}
		t.life.RUnlock()
	}
	if t != nil {
		s.feed.Publish(e)
	}
	if s.sink != nil {
		s.sink.write(e)
	}
}

// Subscribe calls fn with every entry recorded for a customer from now on,
// at the moment it is recorded, until cancel is called; fn must not block.
// Unlike the bounded journal it misses nothing, however long the run.
func (s *Server) Subscribe(customerID string, fn func(journal.Entry)) (cancel func()) {
	return s.feed.Subscribe(customerID, fn)
}

// addEntry adds an entry to a journal within the journal budget.
func (s *Server) addEntry(j *journal.Journal, e journal.Entry) {
	if !j.Add(e) && s.journals.grow() {
		s.trim(&s.journals, func(t *tenant, before uint64) int { return t.journal.DropBefore(before) },
			func(before uint64) int { return s.other.DropBefore(before) })
	}
}

// A journal entry keeps what a request sent, which a client can make a
// megabyte long: its texts are cut to maxEntryText bytes and its answered
// prompts to maxEntryPrompts of maxPromptText bytes, so that the journal
// budget bounds memory (an entry stays under about 7 KiB).
const (
	maxEntryText    = 512
	maxEntryPrompts = 16
	maxPromptText   = 256
)

// clipEntry cuts the texts of a request's journal entry to their bounds.
func clipEntry(e *journal.Entry) {
	e.Tenant = clipText(e.Tenant, maxEntryText)
	e.Path = clipText(e.Path, maxEntryText)
	e.RequestID = clipText(e.RequestID, maxEntryText)
	e.LoginID = clipText(e.LoginID, maxEntryText)
	e.Body = clipText(e.Body, maxEntryText)
	if len(e.Answered) > maxEntryPrompts {
		more := len(e.Answered) - maxEntryPrompts
		e.Answered = append(e.Answered[:maxEntryPrompts:maxEntryPrompts], fmt.Sprintf("(and %d more)", more))
	}
	for i, p := range e.Answered {
		e.Answered[i] = clipText(p, maxPromptText)
	}
}

// clipText cuts s to at most n bytes, on a character boundary, marking
// the cut.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const mark = "...(cut)"
	cut := n - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}

// trim drops, across every tenant, the items of a budget that are older
// than the threshold that keeps 90% of it. One caller trims at a time;
// the others go on.
func (s *Server) trim(b *budget, drop func(*tenant, uint64) int, dropOther func(uint64) int) {
	if !b.trimming.TryLock() {
		return
	}
	defer b.trimming.Unlock()
	before := b.threshold()
	n := 0
	for _, t := range s.allTenants() {
		n += drop(t, before)
	}
	if dropOther != nil {
		n += dropOther(before)
	}
	b.held.Add(-int64(n))
}

// budget bounds how many items of one kind (journal entries, sessions,
// tokens) all tenants hold together. Items are numbered in order by next,
// so the oldest items across tenants are those with the smallest numbers.
type budget struct {
	limit    int64
	seq      atomic.Uint64
	held     atomic.Int64
	trimming sync.Mutex
}

// next numbers a new item.
func (b *budget) next() uint64 { return b.seq.Add(1) }

// grow counts one more item held and reports whether the budget is now
// exceeded.
func (b *budget) grow() bool { return b.held.Add(1) > b.limit }

// shrink counts n items gone.
func (b *budget) shrink(n int) { b.held.Add(-int64(n)) }

// threshold is the number below which items are dropped to get back to
// 90% of the budget.
func (b *budget) threshold() uint64 {
	last, keep := b.seq.Load(), uint64(b.limit*9/10)
	if last <= keep {
		return 0
	}
	return last - keep + 1
}
