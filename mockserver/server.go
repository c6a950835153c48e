// Package mockserver is the stateful Flinks fake: New wires its parts into
// one HTTP handler. The routes come from the OpenAPI documents of package
// openapi; behaviour comes from a scenarios.Library. Each part owns its
// state and its lock:
//
//   - internal/tenancy: the tenants (one per customerId) with their tokens,
//     sessions, login states, run-time scenarios and journal, every store a
//     bounded LRU within budgets across tenants;
//   - internal/session: the flow of a session as pure transitions;
//   - internal/flinksapi: the Flinks endpoints;
//   - internal/connect: the Connect page simulator;
//   - internal/adminapi: the admin API (/__admin/...);
//   - internal/inspector: the inspector, a web page at /__admin/ui/ of
//     what the integrations did (timeline draws its diagrams);
//   - webhook: the dispatcher, a listener on the data endpoints' events;
//   - journal, clock, admin: the journal, the server clock, and the admin
//     API's wire types with its Go client.
//
// docs/architecture.md draws them, with the path of a request and of a
// webhook through them.
package mockserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/adminapi"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/connect"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/flinksapi"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/guard"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/inspector"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/tenancy"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/mockserver/webhook"
	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// Defaults for the Config fields left at zero. Every store is bounded, per
// tenant and across tenants, so a long soak test cannot exhaust memory:
// when a bound is reached the items least recently used go first (and
// dropped journal entries are counted).
const (
	// DefaultMaxBodyBytes caps request bodies; larger ones get a 413.
	DefaultMaxBodyBytes = 1 << 20
	// DefaultJournalSize is how many entries each tenant's journal keeps.
	DefaultJournalSize = journal.DefaultCapacity
	// DefaultJournalBudget is how many journal entries all tenants keep
	// together.
	DefaultJournalBudget = 10_000
	// DefaultMaxSessions is how many sessions a tenant keeps; the one
	// least recently used is forgotten (its RequestId then answers
	// SESSION_NONEXISTENT): a session a client keeps polling is kept.
	DefaultMaxSessions = 1_000
	// DefaultSessionBudget is how many sessions all tenants keep together.
	DefaultSessionBudget = 3_000
	// DefaultMaxTokens is how many authorize tokens a tenant keeps.
	DefaultMaxTokens = 1_000
	// DefaultTokenBudget is how many tokens all tenants keep together.
	DefaultTokenBudget = 3_000
	// DefaultJournalBytes, DefaultSessionBytes and DefaultRecordBytes
	// bound in bytes the journal entries, the sessions, and the login
	// states, deleted cards and access tokens of all tenants together,
	// as their estimates count them; the counts above bound them too.
	// With the caches of flinksapi (RenderCacheBytes, AccountsCacheBytes),
	// the run-time scenarios and the webhook deliveries they make the
	// memory bound of docs/robustness.md: together with what the server
	// holds once started and per customer, under serve's soft memory
	// limit with room for the collector. 3 MiB hold about 4 500 journal
	// entries of a flow (about 700 bytes each) and about 1 500 sessions
	// (about 2 KiB each).
	DefaultJournalBytes = 3 << 20
	DefaultSessionBytes = 3 << 20
	DefaultRecordBytes  = 1 << 20
	// DefaultScenarioBytes bounds the memory of the scenario files added
	// at run time, all customers together (tenancy.ScenarioBytesPerByte
	// and ScenarioBytesPerField); past it an upload is refused until some
	// are removed.
	DefaultScenarioBytes = 10 << 20
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
	// the finished ones least recently attempted go first.
	DefaultMaxDeliveries = 1_000
	// DefaultDeliveryBudget is how many deliveries all tenants keep
	// together.
	DefaultDeliveryBudget = 20_000
	// DefaultDeliveryBytes bounds in bytes the deliveries all tenants keep
	// together, the bodies of those waiting for a retry included; past it
	// the finished deliveries least recently attempted go first.
	DefaultDeliveryBytes = 4 << 20
	// DefaultWebhookMaxInFlight is how many webhook attempts are in
	// flight at once, to every receiver together, and
	// DefaultWebhookMaxInFlightPerTarget to one receiver (scheme, host and
	// port): a receiver that hangs holds that many connections, no more.
	DefaultWebhookMaxInFlight          = webhook.DefaultMaxInFlight
	DefaultWebhookMaxInFlightPerTarget = webhook.DefaultMaxInFlightPerTarget
	// DefaultWebhookQueueBytes bounds the bodies of the attempts waiting
	// for a free place; past it an attempt is deferred to its next retry.
	// It is smaller than the dispatcher's own default so that, with the
	// deliveries, it fits the memory bound of docs/robustness.md.
	DefaultWebhookQueueBytes = 2 << 20
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
	// Shapes is the shape of the answers of a library whose settings set
	// no shapes (--shapes): full (the zero value), minimal or
	// varied(seed).
	Shapes scenarios.Shape
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
	// JournalBytes, SessionBytes and RecordBytes bound the same stores in
	// bytes (zero: the Default of the same name).
	JournalBytes  int64
	SessionBytes  int64
	RecordBytes   int64
	ScenarioBytes int64
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
	// DeliveryBytes bounds them in bytes (zero: DefaultDeliveryBytes).
	DeliveryBytes int64
	// WebhookMaxInFlight and WebhookMaxInFlightPerTarget cap the webhook
	// attempts in flight, in all and to one receiver; WebhookQueueBytes
	// bounds the attempts waiting for a place (0: the Defaults; a negative
	// WebhookQueueBytes: no queue).
	WebhookMaxInFlight          int
	WebhookMaxInFlightPerTarget int
	WebhookQueueBytes           int
	// AllowedHosts are the Host names, beyond loopback names, IP
	// addresses and single-label names, that the admin API and the
	// Connect forms answer to ("*": any); AllowedOrigins the origins of
	// the web pages that may change state through them. See package
	// guard.
	AllowedHosts   []string
	AllowedOrigins []string
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
	def64 := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	def64(&cfg.JournalBytes, DefaultJournalBytes)
	def64(&cfg.SessionBytes, DefaultSessionBytes)
	def64(&cfg.RecordBytes, DefaultRecordBytes)
	def64(&cfg.ScenarioBytes, DefaultScenarioBytes)
	def(&cfg.WebhookAttempts, DefaultWebhookAttempts)
	def(&cfg.MaxDeliveries, DefaultMaxDeliveries)
	def(&cfg.DeliveryBudget, DefaultDeliveryBudget)
	def64(&cfg.DeliveryBytes, DefaultDeliveryBytes)
	def(&cfg.WebhookMaxInFlight, DefaultWebhookMaxInFlight)
	def(&cfg.WebhookMaxInFlightPerTarget, DefaultWebhookMaxInFlightPerTarget)
	if cfg.WebhookQueueBytes == 0 {
		cfg.WebhookQueueBytes = DefaultWebhookQueueBytes
	}
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
	log     *slog.Logger
	handler http.Handler

	guard    *guard.Guard
	sink     *journal.Sink // nil without a journal file
	tenants  *tenancy.Registry
	hooks    *webhook.Dispatcher
	api      *flinksapi.API
	connect  *connect.Simulator
	adminAPI *adminapi.API
	ui       *inspector.Inspector
}

// New returns a server ready to serve cfg.Library.
func New(cfg Config) (*Server, error) {
	if cfg.Library == nil {
		return nil, errors.New("mockserver: Config.Library is required")
	}
	cfg.fill()
	for _, u := range cfg.WebhookURLs {
		if err := webhook.CheckURL(u); err != nil {
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
	g, err := guard.New(guard.Config{AllowedHosts: cfg.AllowedHosts, AllowedOrigins: cfg.AllowedOrigins})
	if err != nil {
		return nil, fmt.Errorf("mockserver: Config.AllowedOrigins: %w", err)
	}
	s := &Server{cfg: cfg, spec: cfg.Spec, admin: cfg.AdminSpec, log: cfg.Logger, guard: g}
	s.wire()
	handler, err := s.routes()
	if err != nil {
		return nil, fmt.Errorf("mockserver: %w", err)
	}
	s.handler = handler
	return s, nil
}

// wire makes the parts of the server and connects them.
func (s *Server) wire() {
	cfg := s.cfg
	if cfg.JournalFile != nil {
		s.sink = journal.NewSink(cfg.JournalFile, s.log, 0)
	}
	s.tenants = tenancy.New(tenancy.Config{
		MaxTenants:  cfg.MaxTenants,
		JournalSize: cfg.JournalSize, JournalBudget: cfg.JournalBudget,
		MaxSessions: cfg.MaxSessions, SessionBudget: cfg.SessionBudget,
		MaxTokens: cfg.MaxTokens, TokenBudget: cfg.TokenBudget,
		JournalBytes: cfg.JournalBytes, SessionBytes: cfg.SessionBytes, RecordBytes: cfg.RecordBytes,
		ScenarioBytes: cfg.ScenarioBytes,
		Sink:          s.sink,
		Log:           s.log,
	}, cfg.Library)
	s.hooks = webhook.New(webhook.Config{
		Clock:          cfg.Clock,
		Log:            s.log,
		URLs:           cfg.WebhookURLs,
		Secret:         cfg.WebhookSecret,
		Policy:         webhook.Policy{Attempts: cfg.WebhookAttempts, Interval: cfg.WebhookInterval, Timeout: cfg.WebhookTimeout},
		MaxDeliveries:  cfg.MaxDeliveries,
		DeliveryBudget: cfg.DeliveryBudget,
		DeliveryBytes:  cfg.DeliveryBytes,
		Limits: webhook.Limits{
			InFlight:          cfg.WebhookMaxInFlight,
			InFlightPerTarget: cfg.WebhookMaxInFlightPerTarget,
			QueueBytes:        max(cfg.WebhookQueueBytes, 0),
		},
	})
	s.api = flinksapi.New(flinksapi.Config{
		Tenants:   s.tenants,
		Clock:     cfg.Clock,
		Log:       s.log,
		SecretKey: cfg.SecretKey,
		APIKey:    cfg.APIKey,
		Events:    webhookEvents{s.hooks},
		Shapes:    cfg.Shapes,
	})
	s.connect = connect.New(connect.Config{Tenants: s.tenants, Clock: cfg.Clock, Log: s.log, Authorizer: s.api})
	s.adminAPI = adminapi.New(adminapi.Config{
		Tenants:  s.tenants,
		Clock:    cfg.Clock,
		Log:      s.log,
		Hooks:    s.hooks,
		Renderer: s.api,
		Token:    cfg.AdminToken,
	})
	s.ui = inspector.New(inspector.Config{Tenants: s.tenants, Clock: cfg.Clock, Hooks: s.hooks, Renderer: s.api, Log: s.log})
}

// LoadSpecs loads the OpenAPI documents of the Flinks API and of the admin
// API. The admin document is built on the first admin request (see
// openapi.LoadAdminOnUse): the first Flinks request does not need it.
func LoadSpecs(ctx context.Context) (flinks, admin *openapi.Spec, err error) {
	flinks, err = openapi.Load(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("load the OpenAPI document of the Flinks API: %w", err)
	}
	return flinks, openapi.LoadAdminOnUse(), nil
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Library returns the scenarios the server serves to tenants that added
// none of their own.
func (s *Server) Library() *scenarios.Library { return s.tenants.Base() }

// Shutdown stops the webhooks (the attempts in flight finish while ctx
// allows; every delivery left undelivered is logged) and flushes the
// journal file. The HTTP server around Handler must be shut down first, so
// that no request is journalled after it.
func (s *Server) Shutdown(ctx context.Context) error {
	s.ui.EndStreams()
	s.hooks.Shutdown(ctx)
	if s.sink != nil {
		return s.sink.Close(ctx)
	}
	return nil
}

// EndStreams ends the event streams of the open inspector pages, which
// would otherwise keep their requests running: call it when the HTTP
// server around Handler starts to shut down (http.Server's
// RegisterOnShutdown), before waiting for the requests to finish.
func (s *Server) EndStreams() { s.ui.EndStreams() }

// Journal returns the entries of one tenant, oldest first; the empty
// customerId gives the requests that named no tenant (unknown paths).
func (s *Server) Journal(customerID string) []journal.Entry {
	return s.tenants.Entries(customerID)
}

// Subscribe calls fn with every entry recorded for a customer from now on,
// at the moment it is recorded, until cancel is called; fn must not block.
// Unlike the bounded journal it misses nothing, however long the run.
func (s *Server) Subscribe(customerID string, fn func(journal.Entry)) (cancel func()) {
	return s.tenants.Subscribe(customerID, fn)
}

// ReloadReport says what a Reload changed, by login name.
type ReloadReport struct {
	Added, Changed, Removed []string
	// Kept lists the customers whose run-time scenarios no longer build on
	// top of the new library; they keep their previous library.
	Kept []string
}

// Reload serves a new library (the scenario files changed on disk). State
// is kept for the logins whose scenario did not change; the sessions and
// step positions of changed or removed logins are forgotten. Customers
// with run-time scenarios get them rebuilt on top of the new library.
func (s *Server) Reload(lib *scenarios.Library) ReloadReport {
	rep := s.tenants.Reload(lib)
	return ReloadReport{Added: rep.Added, Changed: rep.Changed, Removed: rep.Removed, Kept: rep.Kept}
}
