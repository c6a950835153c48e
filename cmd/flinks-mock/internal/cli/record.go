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

func (p *Program) record(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("flinks-mock record", flag.ContinueOnError)
	upstream := fs.String("upstream", "", "the Flinks instance to forward to, e.g. https://toolbox-api.private.fin.ag (required)")
	out := fs.String("out", "", "the scenario `file` to write when the recording stops (required)")
	addr := fs.String("addr", DefaultAddr, "`host:port` to listen on (port 0 picks a free port)")
	stopAfter := fs.Int("stop-after", 0, "stop after this many completed flows (0: at SIGINT or SIGTERM)")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	upstreamTimeout := fs.Duration("upstream-timeout", record.DefaultUpstreamTimeout, "how long one forwarded request may take, the upstream's answer included; past it the client gets a 504")
	keepCredentials := fs.Bool("keep-credentials", false, "write usernames, LoginIds, MFA prompts, choices and answers as recorded instead of as fakes (the file must then stay private)")
	var today todayFlag
	today.define(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `Usage: flinks-mock record --upstream URL --out FILE [flags]

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

Flags:`)
		fs.PrintDefaults()
	}
	if code, done := p.parse(fs, args); done {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(p.Stderr, "flinks-mock record: "+format+"\n", a...)
		return ExitUsage
	}
	if fs.NArg() > 0 {
		return fail("unexpected argument %q", fs.Arg(0))
	}
	u, err := url.Parse(*upstream)
	switch {
	case *upstream == "":
		return fail("--upstream is required, e.g. --upstream https://toolbox-api.private.fin.ag")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fail("--upstream %q: give an absolute http or https URL such as https://toolbox-api.private.fin.ag", *upstream)
	case *out == "":
		return fail("--out is required: the scenario file to write")
	case *stopAfter < 0:
		return fail("--stop-after %d: give 0 or more", *stopAfter)
	case *upstreamTimeout <= 0:
		return fail("--upstream-timeout %s: give a positive duration such as 4m", *upstreamTimeout)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fail("--log-level %q: use debug, info, warn or error", *logLevel)
	}
	log := slog.New(slog.NewTextHandler(p.Stderr, &slog.HandlerOptions{Level: level}))
	// Fail now rather than after the session if the file cannot be written.
	probe, err := os.CreateTemp(filepath.Dir(*out), ".flinks-mock-record-*")
	if err != nil {
		fmt.Fprintf(p.Stderr, "flinks-mock record: --out %s: %v\n", *out, err)
		return ExitFailure
	}
	probe.Close()
	os.Remove(probe.Name())

	rec, err := record.New(record.Config{Upstream: u, StopAfter: *stopAfter, Logger: log, Now: func() time.Time { return today.start(p) },
		UpstreamTimeout: *upstreamTimeout, KeepCredentials: *keepCredentials})
	if err != nil {
		fmt.Fprintln(p.Stderr, "flinks-mock record:", err)
		return ExitUsage
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(p.Stderr, "flinks-mock record: listen on %s: %v\n", *addr, err)
		return ExitFailure
	}
	httpServer := newHTTPServer(rec, log)
	httpServer.WriteTimeout = max(RecordWriteTimeout, *upstreamTimeout+time.Minute)
	limited := limitConnections(envelopeListener{ln}, DefaultMaxConnections)
	httpServer.ConnState = limited.track
	baseURL := "http://" + ln.Addr().String()
	log.Info("flinks-mock recording", "url", baseURL, "upstream", u.Scheme+"://"+u.Host, "out", *out, "stopAfter", *stopAfter)
	if p.Started != nil {
		p.Started(baseURL)
	}
	served := make(chan error, 1)
	go func() { served <- httpServer.Serve(limited) }()
	select {
	case err := <-served:
		fmt.Fprintln(p.Stderr, "flinks-mock record:", err)
		return ExitFailure
	case <-ctx.Done():
	case <-rec.Done():
	}

	code := ExitOK
	shutdownCtx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(p.Stderr, "flinks-mock record: requests still running after %s were cut off: %v\n", ShutdownTimeout, err)
		_ = httpServer.Close()
	}
	data, err := rec.Scenario()
	if err != nil {
		fmt.Fprintln(p.Stderr, "flinks-mock record:", err)
		return ExitFailure
	}
	if err := writeFile(*out, data); err != nil {
		fmt.Fprintln(p.Stderr, "flinks-mock record:", err)
		return ExitFailure
	}
	f, notes := rec.File()
	fmt.Fprintf(p.Stdout, "wrote %s: %d login(s) from %d flow(s)\n", *out, len(f.Logins), rec.Flows())
	for _, n := range notes {
		fmt.Fprintln(p.Stdout, "not recorded:", n)
	}
	if _, err := scenarios.Parse(*out, data); err != nil {
		// Written all the same, so the problems can be fixed by hand.
		fmt.Fprintf(p.Stderr, "flinks-mock record: the file written does not validate:\n%v\n", err)
		code = ExitFailure
	}
	return code
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
