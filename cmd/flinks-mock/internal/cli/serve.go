package cli

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/openapi/toolbox"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// Defaults of serve.
const (
	DefaultAddr = "127.0.0.1:8080"
	// ShutdownTimeout bounds a graceful shutdown on SIGINT/SIGTERM. It is
	// below the 10 s a container runtime waits before SIGKILL (docker stop),
	// so the journal file is flushed even when requests must be cut off.
	ShutdownTimeout = 8 * time.Second
)

// Limits of the HTTP server serve runs. A scripted latency may exceed
// WriteTimeout: the handler moves the write deadline of its own answer
// past the latency (see mockserver's delay).
const (
	// ReadHeaderTimeout bounds a client that opens a connection and sends
	// its headers slowly.
	ReadHeaderTimeout = 5 * time.Second
	// ReadTimeout bounds reading a whole request, body included (1 MiB at
	// most).
	ReadTimeout = 30 * time.Second
	// WriteTimeout bounds the answer, counted from the end of the request
	// headers, scripted latency aside.
	WriteTimeout = 60 * time.Second
	// IdleTimeout closes keep-alive connections left unused. Past
	// --max-connections the longest idle is closed sooner (connLimiter).
	IdleTimeout = 60 * time.Second
	// MaxHeaderBytes bounds the request line and headers; Go's server
	// answers 431 past it (it reads up to 4 KiB more before deciding).
	MaxHeaderBytes = 64 << 10
)

// newHTTPServer is the HTTP server of serve, with its limits.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// serveConfig is what the serve flags say.
type serveConfig struct {
	addr          string
	scenarioPaths listFlag
	noDefaults    bool
	secretKey     string
	apiKey        string
	adminToken    string
	clock         string
	today         todayFlag
	journalFile   string
	watch         bool
	maxTenants    int
	maxConns      int
	logFormat     string
	logLevel      string
	webhooks      webhookFlags
	allowedHosts  listFlag
	allowedOrigin listFlag
	shapes        string
}

// webhookFlags are the serve flags of webhooks.
type webhookFlags struct {
	urls     listFlag
	secret   string
	attempts int
	interval time.Duration
	timeout  time.Duration
	// The bounds of the attempts in flight and waiting.
	maxInFlight, maxPerTarget, queueBytes int
}

func (c *serveConfig) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.addr, "addr", DefaultAddr, "`host:port` to listen on (port 0 picks a free port)")
	fs.Var(&c.scenarioPaths, "scenarios", "scenario file or directory to add to the library (repeatable; comma-separated in the environment)")
	fs.BoolVar(&c.noDefaults, "no-default-scenarios", false, "serve only the --scenarios files, without the embedded sandbox library")
	fs.StringVar(&c.secretKey, "secret-key", "", "the only flinks-auth-key /GenerateAuthorizeToken accepts (default: any non-empty key)")
	fs.StringVar(&c.apiKey, "api-key", "", "x-api-key the data endpoints require (default: not checked)")
	fs.StringVar(&c.adminToken, "admin-token", "", "bearer token the admin API requires (default: none on loopback; a random one, logged, on any other address)")
	fs.StringVar(&c.clock, "clock", "real", "real, or virtual: time stands still until POST /__admin/clock/advance or /set moves it")
	c.today.define(fs)
	fs.StringVar(&c.journalFile, "journal-file", "", "also append every journal entry to this `file`, one JSON object per line (a restart adds to what the file holds, never truncates it)")
	fs.BoolVar(&c.watch, "watch", false, "reload the --scenarios files when they change, keeping the state of unchanged logins")
	fs.IntVar(&c.maxTenants, "max-tenants", mockserver.DefaultMaxTenants, "how many customerIds the server serves at once")
	fs.IntVar(&c.maxConns, "max-connections", DefaultMaxConnections, "how many connections the server keeps open at once; past it the longest idle is closed to make room")
	fs.StringVar(&c.shapes, "shapes", scenarios.ShapesFull, "shape of the answers when the scenarios set none: full, minimal, or varied(seed) to draw each among the shapes the contract allows")
	fs.StringVar(&c.logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&c.logLevel, "log-level", "info", "log level: debug (one line per request), info, warn or error")
	fs.Var(&c.webhooks.urls, "webhook-url", "`URL` every customer's webhooks are posted to (repeatable; comma-separated in the environment)")
	fs.StringVar(&c.webhooks.secret, "webhook-secret", "", "HMAC secret that signs the webhooks to --webhook-url (flinks-authenticity-key)")
	fs.IntVar(&c.webhooks.attempts, "webhook-attempts", mockserver.DefaultWebhookAttempts, "how many times a webhook is tried before it fails")
	fs.DurationVar(&c.webhooks.interval, "webhook-interval", mockserver.DefaultWebhookInterval, "wait between two attempts of a webhook, on the server clock")
	fs.DurationVar(&c.webhooks.timeout, "webhook-timeout", mockserver.DefaultWebhookTimeout, "how long one webhook attempt waits for the receiver's answer")
	fs.IntVar(&c.webhooks.maxInFlight, "webhook-max-in-flight", mockserver.DefaultWebhookMaxInFlight, "how many webhook attempts are in flight at once, to every receiver together")
	fs.IntVar(&c.webhooks.maxPerTarget, "webhook-max-in-flight-per-target", mockserver.DefaultWebhookMaxInFlightPerTarget, "how many webhook attempts are in flight at once to one receiver (scheme, host and port)")
	fs.IntVar(&c.webhooks.queueBytes, "webhook-queue-bytes", mockserver.DefaultWebhookQueueBytes, "how many bytes of webhook bodies wait for a free attempt; past it an attempt is deferred to its next retry")
	fs.Var(&c.allowedHosts, "allowed-hosts", "Host `names` the admin API and the Connect forms answer to besides loopback names, IP addresses, single-label names and the host of --addr (repeatable; comma-separated; * for any)")
	fs.Var(&c.allowedOrigin, "allowed-origins", "`origins` (scheme://host[:port]) whose web pages may call the admin API and post the Connect forms (repeatable; comma-separated)")
}

// check refuses webhook flags the server cannot use.
func (w *webhookFlags) check() error {
	for _, raw := range w.urls {
		if u, err := url.Parse(raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--webhook-url %q: give an absolute http or https URL such as http://127.0.0.1:9000/webhook", raw)
		}
	}
	switch {
	case w.attempts < 1:
		return fmt.Errorf("--webhook-attempts %d: give 1 or more", w.attempts)
	case w.interval <= 0:
		return fmt.Errorf("--webhook-interval %s: give a positive duration such as 30m", w.interval)
	case w.timeout <= 0:
		return fmt.Errorf("--webhook-timeout %s: give a positive duration such as 10s", w.timeout)
	case w.maxInFlight < 1 || w.maxPerTarget < 1:
		return fmt.Errorf("--webhook-max-in-flight %d and --webhook-max-in-flight-per-target %d: give 1 or more", w.maxInFlight, w.maxPerTarget)
	case w.queueBytes < 0:
		return fmt.Errorf("--webhook-queue-bytes %d: give 0 (no queue) or more", w.queueBytes)
	}
	return nil
}

// queue is the Config value of --webhook-queue-bytes, where 0 means the
// default: -1 for no queue.
func (w *webhookFlags) queue() int {
	if w.queueBytes == 0 {
		return -1
	}
	return w.queueBytes
}

// logger builds the slog logger the flags ask for.
func (c *serveConfig) logger(p *Program) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", c.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(c.logFormat) {
	case "text":
		return slog.New(slog.NewTextHandler(p.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(p.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: use text or json", c.logFormat)
}

func (p *Program) serve(ctx context.Context, args []string) int {
	var cfg serveConfig
	if code, done := p.serveArgs(&cfg, args); done {
		return code
	}
	log, err := cfg.logger(p)
	if err != nil {
		fmt.Fprintln(p.Stderr, "flinks-mock serve:", err)
		return ExitUsage
	}
	st := serving{cfg: &cfg, log: log, start: cfg.today.start(p)}
	st.clock, err = serveClock(cfg.clock, st.start, cfg.today.pinned())
	if err == nil {
		err = cfg.check()
	}
	if err != nil {
		fmt.Fprintln(p.Stderr, "flinks-mock serve:", err)
		return ExitUsage
	}
	if err := st.load(ctx, p); err != nil {
		fmt.Fprintln(p.Stderr, "flinks-mock serve:", err)
		return ExitFailure
	}
	if cfg.journalFile != "" {
		// Appended to, never truncated: after a crash and a restart the
		// file still holds the run that crashed.
		if st.journalFile, err = os.OpenFile(cfg.journalFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644); err != nil {
			fmt.Fprintf(p.Stderr, "flinks-mock serve: --journal-file: %v\n", err)
			return ExitFailure
		}
		defer st.journalFile.Close()
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		fmt.Fprintf(p.Stderr, "flinks-mock serve: listen on %s: %v\n", cfg.addr, err)
		return ExitFailure
	}
	srv, err := st.server(ln)
	if err != nil {
		ln.Close()
		fmt.Fprintln(p.Stderr, "flinks-mock serve:", err)
		return ExitFailure
	}
	return st.run(ctx, p, ln, srv)
}

// serveArgs parses the serve flags into cfg; done says the command ends
// there, with code.
func (p *Program) serveArgs(cfg *serveConfig, args []string) (code int, done bool) {
	fs := flag.NewFlagSet("flinks-mock serve", flag.ContinueOnError)
	cfg.flags(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: flinks-mock [serve] [flags]\n\nServes the Flinks API on --addr, with the embedded sandbox logins and any --scenarios.\n\nFlags:")
		fs.PrintDefaults()
	}
	if code, done := p.parse(fs, args); done {
		return code, true
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(p.Stderr, "flinks-mock serve: unexpected argument %q (scenario files go after --scenarios)\n", fs.Arg(0))
		return ExitUsage, true
	}
	return ExitOK, false
}

// check refuses flags that the server cannot use together.
func (c *serveConfig) check() error {
	if err := c.webhooks.check(); err != nil {
		return err
	}
	if _, err := scenarios.ParseShape(c.shapes); err != nil {
		return fmt.Errorf("--shapes: %w", err)
	}
	if c.maxConns < 1 {
		return fmt.Errorf("--max-connections %d: give 1 or more", c.maxConns)
	}
	if c.watch && len(c.scenarioPaths) == 0 {
		return errors.New("--watch needs --scenarios: the embedded library never changes")
	}
	return nil
}

// serving is what serve has gathered to start the server.
type serving struct {
	cfg   *serveConfig
	log   *slog.Logger
	start time.Time
	clock clock.Clock
	// lib and the specs are loaded by load; loadedFiles is the
	// fingerprint of the --scenarios files as loaded, for --watch.
	lib                   *scenarios.Library
	flinksSpec, adminSpec *openapi.Spec
	loadedFiles           string
	journalFile           *os.File
	// adminToken is the token the admin API requires, set by server.
	adminToken string
}

// load reads the OpenAPI documents and the scenarios.
func (st *serving) load(ctx context.Context, p *Program) error {
	// The contract and the scenarios load side by side: files given with
	// --scenarios are parsed while the Flinks document is built.
	type specs struct {
		flinks, admin *openapi.Spec
		err           error
	}
	loaded := make(chan specs, 1)
	go func() {
		var sp specs
		sp.flinks, sp.admin, sp.err = mockserver.LoadSpecs(ctx)
		loaded <- sp
	}()
	if p.Getenv("GOMEMLIMIT") == "" {
		// The stores are bounded in bytes; a soft limit at the bound makes
		// the collector give the garbage back before the heap doubles past
		// it (GOMEMLIMIT overrides).
		debug.SetMemoryLimit(MemoryLimit)
	}
	// The files as loaded, for --watch: taken before the load, so that an
	// edit made while the server starts is seen as one.
	st.loadedFiles = scenarios.Fingerprint(st.cfg.scenarioPaths...)
	lib, err := scenarios.Load(st.start, !st.cfg.noDefaults, st.cfg.scenarioPaths...)
	sp := <-loaded
	if err != nil {
		return fmt.Errorf("the scenarios did not load:\n%w", err)
	}
	if sp.err != nil {
		return sp.err
	}
	for _, s := range lib.Skipped {
		st.log.Info("skipped: not a scenario", "path", s.Path, "reason", s.Reason)
	}
	st.lib, st.flinksSpec, st.adminSpec = lib, sp.flinks, sp.admin
	return nil
}

// server builds the mock server that will answer on ln. Beyond loopback
// the admin API needs a token: a random one, logged, unless
// --admin-token chose it.
func (st *serving) server(ln net.Listener) (*mockserver.Server, error) {
	cfg := st.cfg
	st.adminToken = cfg.adminToken
	if st.adminToken == "" && !isLoopback(ln.Addr()) {
		st.adminToken = rand.Text()
		st.log.Warn("the admin API listens beyond loopback, so it needs a token; set --admin-token to choose it", "adminToken", st.adminToken)
	}
	shapes, _ := scenarios.ParseShape(cfg.shapes) // checked by check
	mcfg := mockserver.Config{
		Library:    st.lib,
		Spec:       st.flinksSpec,
		AdminSpec:  st.adminSpec,
		Clock:      st.clock,
		SecretKey:  cfg.secretKey,
		APIKey:     cfg.apiKey,
		Shapes:     shapes,
		AdminToken: st.adminToken,
		Logger:     st.log,
		MaxTenants: cfg.maxTenants,

		WebhookURLs:     cfg.webhooks.urls,
		WebhookSecret:   cfg.webhooks.secret,
		WebhookAttempts: cfg.webhooks.attempts,
		WebhookInterval: cfg.webhooks.interval,
		WebhookTimeout:  cfg.webhooks.timeout,

		WebhookMaxInFlight:          cfg.webhooks.maxInFlight,
		WebhookMaxInFlightPerTarget: cfg.webhooks.maxPerTarget,
		WebhookQueueBytes:           cfg.webhooks.queue(),

		AllowedHosts:   append(listenHost(cfg.addr), cfg.allowedHosts...),
		AllowedOrigins: cfg.allowedOrigin,
	}
	if st.journalFile != nil {
		mcfg.JournalFile = st.journalFile
	}
	return mockserver.New(mcfg)
}

// run serves on ln until ctx ends, then shuts down.
func (st *serving) run(ctx context.Context, p *Program, ln net.Listener, srv *mockserver.Server) int {
	cfg, log := st.cfg, st.log
	httpServer := newHTTPServer(srv.Handler(), log)
	httpServer.RegisterOnShutdown(srv.EndStreams)
	limited := limitConnections(envelopeListener{ln}, cfg.maxConns)
	httpServer.ConnState = limited.track
	baseURL := "http://" + ln.Addr().String()
	log.Info("flinks-mock listening", "url", baseURL, "logins", len(st.lib.Logins), "clock", cfg.clock, "today", st.start.Format(time.DateOnly),
		"adminToken", st.adminToken != "", "example", baseURL+"/v3/"+toolbox.CustomerID+"/BankingServices/GenerateAuthorizeToken")
	if p.Started != nil {
		p.Started(baseURL)
	}
	if cfg.watch {
		go watch(ctx, log, srv, !cfg.noDefaults, cfg.scenarioPaths, st.loadedFiles)
	}
	// Loading the documents and scenarios leaves garbage behind; give it
	// back to the system once serving, without delaying the first answer.
	go debug.FreeOSMemory()

	served := make(chan error, 1)
	go func() { served <- httpServer.Serve(limited) }()
	select {
	case err := <-served:
		fmt.Fprintln(p.Stderr, "flinks-mock serve:", err)
		return ExitFailure
	case <-ctx.Done():
	}
	return shutdown(log, p, httpServer, srv, ShutdownTimeout)
}

// listenHost is the host of --addr when it is a name, which the server
// then answers to whatever its form.
func listenHost(addr string) []string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host == "" || net.ParseIP(host) != nil {
		return nil
	}
	return []string{host}
}

// serveClock is the clock --clock asks for. A pinned --today starts it at
// that day: a virtual clock stands there, a real one runs on from there at
// the wall clock's pace.
func serveClock(kind string, start time.Time, pinned bool) (clock.Clock, error) {
	switch kind {
	case "real":
		if pinned {
			return clock.NewScaled(start, 1)
		}
		return clock.Real{}, nil
	case "virtual":
		return clock.NewVirtual(start), nil
	}
	return nil, fmt.Errorf("--clock %q: use real or virtual", kind)
}

// journalFlushTimeout bounds writing the journal file out at shutdown.
const journalFlushTimeout = 2 * time.Second

// shutdown stops taking connections, lets the requests already accepted
// finish (within deadline; those still running then are cut off), and only
// then flushes the journal file, so that it holds every request that was
// answered.
func shutdown(log *slog.Logger, p *Program, httpServer *http.Server, srv *mockserver.Server, deadline time.Duration) int {
	start := time.Now()
	log.Info("shutting down", "deadline", deadline)
	code := ExitOK
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	if err := httpServer.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(p.Stderr, "flinks-mock serve: shutdown: requests still running after %s were cut off: %v\n", deadline, err)
		_ = httpServer.Close()
		code = ExitFailure
	}
	flushCtx, cancelFlush := context.WithTimeout(context.Background(), journalFlushTimeout)
	defer cancelFlush()
	if err := srv.Shutdown(flushCtx); err != nil {
		fmt.Fprintln(p.Stderr, "flinks-mock serve: shutdown:", err)
		code = ExitFailure
	}
	log.Info("stopped", "took", time.Since(start).Round(time.Millisecond))
	return code
}

// isLoopback reports whether a listener only takes connections from this
// machine.
func isLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// WatchInterval is how often --watch looks at the scenario files.
const WatchInterval = time.Second

// watch reloads the scenario files whenever their contents change from
// last, their fingerprint when they were loaded. A file that does not load
// is reported and the server keeps what it had.
func watch(ctx context.Context, log *slog.Logger, srv *mockserver.Server, withDefaults bool, paths []string, last string) {
	tick := time.NewTicker(WatchInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		fp := scenarios.Fingerprint(paths...)
		if fp == last {
			continue
		}
		last = fp
		lib, err := scenarios.Load(srv.Library().Built, withDefaults, paths...)
		if err != nil {
			log.Error("scenario files changed but do not load; the previous version stays in force", "problems", err.Error())
			continue
		}
		rep := srv.Reload(lib)
		log.Info("scenario files reloaded", "logins", len(lib.Logins), "added", rep.Added, "changed", rep.Changed, "removed", rep.Removed)
	}
}

// MemoryLimit is the soft memory limit serve sets unless GOMEMLIMIT is in
// the environment: the bound of docs/robustness.md. The stores of the
// server hold at most about 33 MiB together (mockserver's byte budgets,
// the caches of flinksapi, run-time scenarios and webhook deliveries),
// plus about 1 KiB a customer and what the server holds once started, so
// the live heap stays below it and the collector keeps the heap within it
// rather than letting it double; with the binary's own pages the
// resident memory stays under 64 MiB.
const MemoryLimit = 48 << 20

// ToolboxCustomerID is the public customerId of the Flinks toolbox sandbox,
// the one the start-up line's example uses; it is toolbox.CustomerID.
const ToolboxCustomerID = toolbox.CustomerID
