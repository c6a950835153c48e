package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// HealthPath is the admin endpoint that answers 200 once serve is up.
const HealthPath = "/__admin/health"

// DefaultHealthcheckTimeout bounds one probe of healthcheck. It matches the
// HEALTHCHECK --timeout of the image, so Docker never kills a probe that
// would still have answered.
const DefaultHealthcheckTimeout = 2 * time.Second

// healthcheck probes a running server and exits 0 when it is healthy.
// Every failure, a misused flag included, exits 1: Docker reserves exit
// status 2 of a health check, and a probe that cannot run is unhealthy.
func (p *Program) healthcheck(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("flinks-mock healthcheck", flag.ContinueOnError)
	addr := fs.String("addr", DefaultAddr, "`host:port` serve listens on; a 0.0.0.0, [::] or empty host is probed on 127.0.0.1")
	base := fs.String("server", "", "base `URL` of the server, e.g. http://flinks-mock:8080 for a sidecar reached by host name (overrides --addr)")
	timeout := fs.Duration("timeout", DefaultHealthcheckTimeout, "how long to wait for the answer")
	verbose := fs.Bool("verbose", false, "print one line saying what happened, also when healthy")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: flinks-mock healthcheck [flags]\n\n"+
			"Asks a running flinks-mock for GET %s and exits 0 when it answers 200 in\n"+
			"time, 1 otherwise. Made for container health checks in images with no shell.\n\nFlags:\n", HealthPath)
		fs.PrintDefaults()
	}
	if code, done := p.parse(fs, args); done {
		if code == ExitOK {
			return ExitOK
		}
		return ExitFailure
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(p.Stderr, "flinks-mock healthcheck: "+format+"\n", a...)
		return ExitFailure
	}
	if fs.NArg() > 0 {
		return fail("unexpected argument %q", fs.Arg(0))
	}
	if *timeout <= 0 {
		return fail("--timeout %v: use a positive duration such as 2s", *timeout)
	}
	target, err := healthURL(*addr, *base)
	if err != nil {
		return fail("%v", err)
	}

	start := time.Now()
	status, err := probe(ctx, target, *timeout)
	elapsed := time.Since(start).Round(time.Millisecond)
	switch {
	case err != nil:
		return fail("%s: %v", target, err)
	case status != http.StatusOK:
		return fail("%s answered %d %s, want 200", target, status, http.StatusText(status))
	}
	if *verbose {
		fmt.Fprintf(p.Stdout, "healthy: %s answered 200 in %v\n", target, elapsed)
	}
	return ExitOK
}

// healthURL is the URL healthcheck asks: base (a full URL) when given, else
// http://addr. A wildcard host is what serve listens on, not an address to
// dial, so it becomes the loopback address that reaches the same server.
func healthURL(addr, base string) (string, error) {
	if base != "" {
		return baseHealthURL(base)
	}
	host, port, err := net.SplitHostPort(addr)
	n, perr := strconv.Atoi(port)
	if err != nil || perr != nil || n < 0 || n > 65535 {
		return "", fmt.Errorf("--addr %q: give host:port with a port number, e.g. 127.0.0.1:8080 or :8080", addr)
	}
	if n == 0 {
		return "", fmt.Errorf("--addr %q: port 0 makes serve pick a free port; probe the port it printed", addr)
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1"
	}
	hostPort := net.JoinHostPort(host, port)
	target := "http://" + hostPort + HealthPath
	if u, err := url.Parse(target); err != nil || u.Host != hostPort || u.Path != HealthPath {
		return "", fmt.Errorf("--addr %q: %q is not a host name or IP address", addr, host)
	}
	return target, nil
}

// baseHealthURL is the URL healthcheck asks of --server base.
func baseHealthURL(base string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("--server %q: give a base URL such as http://flinks-mock:8080", base)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", fmt.Errorf("--server %q: give the base URL alone, without a query or fragment", base)
	}
	return strings.TrimSuffix(u.String(), "/") + HealthPath, nil
}

// probe GETs target once and returns the HTTP status. The client ignores
// proxy variables, which would send a sidecar's host name to a proxy that
// cannot reach it, and follows no redirect: only the health endpoint itself
// may say the server is up.
func probe(ctx context.Context, target string, timeout time.Duration) (int, error) {
	client := &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:             nil,
			DisableKeepAlives: true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			if urlErr.Timeout() {
				return 0, fmt.Errorf("no answer within %v", timeout)
			}
			// url.Error repeats the method and URL, which the caller prints.
			err = urlErr.Err
		}
		return 0, err
	}
	defer resp.Body.Close()
	// Draining a little of the body lets the server finish its write
	// cleanly; the status alone decides.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	return resp.StatusCode, nil
}
