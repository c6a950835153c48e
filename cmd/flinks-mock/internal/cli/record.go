package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/flinks-mock/flinks-mock/scenarios"
	"github.com/flinks-mock/flinks-mock/scenarios/record"
)

// RecordWriteTimeout bounds one answer of record, counted from the end of
// the request headers: a real GetAccountsDetail may run 210 s before
// Flinks dispatches it. It is longer than the upstream's timeout, so the
// client gets the 504 of an upstream that hangs (a longer
// --upstream-timeout moves it on).
const RecordWriteTimeout = 5 * time.Minute

// recordConfig is what the record flags say.
type recordConfig struct {
	upstream        string
	upstreamURL     *url.URL // upstream, parsed by check
	out             string
	addr            string
	stopAfter       int
	logLevel        string
	upstreamTimeout time.Duration
	keepCredentials bool
	today           todayFlag
}

func (c *recordConfig) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.upstream, "upstream", "", "the Flinks instance to forward to, e.g. https://toolbox-api.private.fin.ag (required)")
	fs.StringVar(&c.out, "out", "", "the scenario `file` to write when the recording stops (required)")
	fs.StringVar(&c.addr, "addr", DefaultAddr, "`host:port` to listen on (port 0 picks a free port)")
	fs.IntVar(&c.stopAfter, "stop-after", 0, "stop after this many completed flows (0: at SIGINT or SIGTERM)")
	fs.StringVar(&c.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.DurationVar(&c.upstreamTimeout, "upstream-timeout", record.DefaultUpstreamTimeout, "how long one forwarded request may take, the upstream's answer included; past it the client gets a 504")
	fs.BoolVar(&c.keepCredentials, "keep-credentials", false, "write usernames, LoginIds, MFA prompts, choices and answers as recorded instead of as fakes (the file must then stay private)")
	c.today.define(fs)
}

const recordUsage = `Usage: flinks-mock record --upstream URL --out FILE [flags]

Listens as Flinks does (same paths) and forwards every request to --upstream,
returning its answers unchanged. When stopped (SIGINT, SIGTERM or --stop-after)
it writes what it saw as a scenario file that replays the same flows: the MFA
prompts and the answers that worked, the /Authorize errors, the 202s before the
data, and the accounts. Holder names, addresses, emails, phone numbers, account
and transit numbers and transaction descriptions are replaced by consistent
fakes, and so are usernames, LoginIds, MFA prompts, choices and answers (but
those of the public sandbox logins of the default library; --keep-credentials
keeps them all): the file says which username and answers replay each login.
No key, token or password is written.

Flags:`

// check refuses flags record cannot use, and parses --upstream.
func (c *recordConfig) check() error {
	u, err := url.Parse(c.upstream)
	switch {
	case c.upstream == "":
		return errors.New("--upstream is required, e.g. --upstream https://toolbox-api.private.fin.ag")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("--upstream %q: give an absolute http or https URL such as https://toolbox-api.private.fin.ag", c.upstream)
	case c.out == "":
		return errors.New("--out is required: the scenario file to write")
	case c.stopAfter < 0:
		return fmt.Errorf("--stop-after %d: give 0 or more", c.stopAfter)
	case c.upstreamTimeout <= 0:
		return fmt.Errorf("--upstream-timeout %s: give a positive duration such as 4m", c.upstreamTimeout)
	}
	c.upstreamURL = u
	return nil
}

func (p *Program) record(ctx context.Context, args []string) int {
	var cfg recordConfig
	fs := flag.NewFlagSet("flinks-mock record", flag.ContinueOnError)
	cfg.flags(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), recordUsage)
		fs.PrintDefaults()
	}
	if code, done := p.parse(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(p.Stderr, "flinks-mock record: unexpected argument %q\n", fs.Arg(0))
		return ExitUsage
	}
	var level slog.Level
	err := cfg.check()
	if err == nil && level.UnmarshalText([]byte(cfg.logLevel)) != nil {
		err = fmt.Errorf("--log-level %q: use debug, info, warn or error", cfg.logLevel)
	}
	if err != nil {
		fmt.Fprintln(p.Stderr, "flinks-mock record:", err)
		return ExitUsage
	}
	log := slog.New(slog.NewTextHandler(p.Stderr, &slog.HandlerOptions{Level: level}))
	// Fail now rather than after the session if the file cannot be written.
	probe, err := os.CreateTemp(filepath.Dir(cfg.out), ".flinks-mock-record-*")
	if err != nil {
		fmt.Fprintf(p.Stderr, "flinks-mock record: --out %s: %v\n", cfg.out, err)
		return ExitFailure
	}
	probe.Close()
	os.Remove(probe.Name())

	rec, err := record.New(record.Config{Upstream: cfg.upstreamURL, StopAfter: cfg.stopAfter, Logger: log, Now: func() time.Time { return cfg.today.start(p) },
		UpstreamTimeout: cfg.upstreamTimeout, KeepCredentials: cfg.keepCredentials})
	if err != nil {
		fmt.Fprintln(p.Stderr, "flinks-mock record:", err)
		return ExitUsage
	}
	if code, ok := p.recordUntilDone(ctx, &cfg, log, rec); !ok {
		return code
	}
	return p.writeRecording(cfg.out, rec)
}

// recordUntilDone forwards requests through rec until ctx ends or rec has
// seen --stop-after flows. When it cannot serve, it says so and returns
// the exit code and false.
func (p *Program) recordUntilDone(ctx context.Context, cfg *recordConfig, log *slog.Logger, rec *record.Recorder) (int, bool) {
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		fmt.Fprintf(p.Stderr, "flinks-mock record: listen on %s: %v\n", cfg.addr, err)
		return ExitFailure, false
	}
	httpServer := newHTTPServer(rec, log)
	httpServer.WriteTimeout = max(RecordWriteTimeout, cfg.upstreamTimeout+time.Minute)
	limited := limitConnections(envelopeListener{ln}, DefaultMaxConnections)
	httpServer.ConnState = limited.track
	baseURL := "http://" + ln.Addr().String()
	u := cfg.upstreamURL
	log.Info("flinks-mock recording", "url", baseURL, "upstream", u.Scheme+"://"+u.Host, "out", cfg.out, "stopAfter", cfg.stopAfter)
	if p.Started != nil {
		p.Started(baseURL)
	}
	served := make(chan error, 1)
	go func() { served <- httpServer.Serve(limited) }()
	select {
	case err := <-served:
		fmt.Fprintln(p.Stderr, "flinks-mock record:", err)
		return ExitFailure, false
	case <-ctx.Done():
	case <-rec.Done():
	}

	shutdownCtx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(p.Stderr, "flinks-mock record: requests still running after %s were cut off: %v\n", ShutdownTimeout, err)
		_ = httpServer.Close()
	}
	return ExitOK, true
}

// writeRecording writes what rec saw to out as a scenario file, says what
// it wrote and what it could not record, and checks that the file
// validates.
func (p *Program) writeRecording(out string, rec *record.Recorder) int {
	data, err := rec.Scenario()
	if err != nil {
		fmt.Fprintln(p.Stderr, "flinks-mock record:", err)
		return ExitFailure
	}
	if err := writeFile(out, data); err != nil {
		fmt.Fprintln(p.Stderr, "flinks-mock record:", err)
		return ExitFailure
	}
	f, notes := rec.File()
	fmt.Fprintf(p.Stdout, "wrote %s: %d login(s) from %d flow(s)\n", out, len(f.Logins), rec.Flows())
	for _, n := range notes {
		fmt.Fprintln(p.Stdout, "not recorded:", n)
	}
	if _, err := scenarios.Parse(out, data); err != nil {
		// Written all the same, so the problems can be fixed by hand.
		fmt.Fprintf(p.Stderr, "flinks-mock record: the file written does not validate:\n%v\n", err)
		return ExitFailure
	}
	return ExitOK
}

// writeFile writes data to path through a temporary file in the same
// directory, so that a reader never sees half a file.
func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".flinks-mock-record-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
