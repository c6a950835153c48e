package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// Defaults of serve.
const (
	DefaultAddr = "127.0.0.1:8080"
	// ShutdownTimeout bounds a graceful shutdown on SIGINT/SIGTERM.
	ShutdownTimeout = 10 * time.Second
)

// serveConfig is what the serve flags say.
type serveConfig struct {
	addr          string
	scenarioPaths listFlag
	noDefaults    bool
	secretKey     string
	apiKey        string
	logFormat     string
	logLevel      string
}

func (c *serveConfig) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.addr, "addr", DefaultAddr, "`host:port` to listen on (port 0 picks a free port)")
	fs.Var(&c.scenarioPaths, "scenarios", "scenario file or directory to add to the library (repeatable; comma-separated in the environment)")
	fs.BoolVar(&c.noDefaults, "no-default-scenarios", false, "serve only the --scenarios files, without the embedded sandbox library")
	fs.StringVar(&c.secretKey, "secret-key", "", "the only flinks-auth-key /GenerateAuthorizeToken accepts (default: any non-empty key)")
	fs.StringVar(&c.apiKey, "api-key", "", "x-api-key the data endpoints require (default: not checked)")
	fs.StringVar(&c.logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&c.logLevel, "log-level", "info", "log level: debug (one line per request), info, warn or error")
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
	fs := flag.NewFlagSet("flinks-mock serve", flag.ContinueOnError)
	cfg.flags(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: flinks-mock [serve] [flags]\n\nServes the Flinks API on --addr, with the embedded sandbox logins and any --scenarios.\n\nFlags:")
		fs.PrintDefaults()
	}
	if code, done := p.parse(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(p.Stderr, "flinks-mock serve: unexpected argument %q (scenario files go after --scenarios)\n", fs.Arg(0))
		return ExitUsage
	}
	log, err := cfg.logger(p)
	if err != nil {
		fmt.Fprintln(p.Stderr, "flinks-mock serve:", err)
		return ExitUsage
	}

	lib, err := scenarios.Load(time.Now(), !cfg.noDefaults, cfg.scenarioPaths...)
	if err != nil {
		fmt.Fprintf(p.Stderr, "flinks-mock serve: the scenarios did not load:\n%v\n", err)
		return ExitFailure
	}
	srv, err := mockserver.New(mockserver.Config{
		Library:   lib,
		SecretKey: cfg.secretKey,
		APIKey:    cfg.apiKey,
		Logger:    log,
	})
	if err != nil {
		fmt.Fprintln(p.Stderr, "flinks-mock serve:", err)
		return ExitFailure
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		fmt.Fprintf(p.Stderr, "flinks-mock serve: listen on %s: %v\n", cfg.addr, err)
		return ExitFailure
	}
	httpServer := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	baseURL := "http://" + ln.Addr().String()
	log.Info("flinks-mock listening", "url", baseURL, "logins", len(lib.Logins), "example", baseURL+"/v3/"+ToolboxCustomerID+"/BankingServices/GenerateAuthorizeToken")
	if p.Started != nil {
		p.Started(baseURL)
	}

	served := make(chan error, 1)
	go func() { served <- httpServer.Serve(ln) }()
	select {
	case err := <-served:
		fmt.Fprintln(p.Stderr, "flinks-mock serve:", err)
		return ExitFailure
	case <-ctx.Done():
	}
	log.Info("shutting down", "deadline", ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(p.Stderr, "flinks-mock serve: shutdown:", err)
		return ExitFailure
	}
	return ExitOK
}

// ToolboxCustomerID is the public customerId of the Flinks toolbox sandbox;
// any customerId works with the mock, each naming its own tenant.
const ToolboxCustomerID = "43387ca6-0391-4c82-857d-70d95f087ecb"
