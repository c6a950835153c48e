package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// TestHTTPServerLimits checks that the limits of serve's HTTP server hang
// together: each phase of a request is bounded, in order, and shutdown
// fits in the grace a container runtime gives before SIGKILL.
func TestHTTPServerLimits(t *testing.T) {
	hs := newHTTPServer(http.NotFoundHandler(), slog.New(slog.DiscardHandler))
	checks := []struct {
		what string
		ok   bool
	}{
		{"every timeout is set", hs.ReadHeaderTimeout > 0 && hs.ReadTimeout > 0 && hs.WriteTimeout > 0 && hs.IdleTimeout > 0},
		{"headers come before the body", hs.ReadHeaderTimeout < hs.ReadTimeout},
		{"1 MiB of body can be read at 64 KiB/s", hs.ReadTimeout >= time.Duration(mockserver.DefaultMaxBodyBytes/(64<<10))*time.Second},
		{"the answer has longer than the request", hs.WriteTimeout > hs.ReadTimeout},
		{"idle connections outlive an answer", hs.IdleTimeout >= hs.WriteTimeout},
		{"headers are bounded, above Go's 4 KiB slack and below its 1 MiB default", hs.MaxHeaderBytes >= 16<<10 && hs.MaxHeaderBytes < http.DefaultMaxHeaderBytes},
		{"shutdown ends before docker stop's 10 s SIGKILL, journal flush included", ShutdownTimeout+journalFlushTimeout <= 10*time.Second},
		{"the server logs its errors", hs.ErrorLog != nil},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: ReadHeaderTimeout %s, ReadTimeout %s, WriteTimeout %s, IdleTimeout %s, MaxHeaderBytes %d, ShutdownTimeout %s",
				c.what, hs.ReadHeaderTimeout, hs.ReadTimeout, hs.WriteTimeout, hs.IdleTimeout, hs.MaxHeaderBytes, ShutdownTimeout)
		}
	}
}

// TestServeRefusesOversizedHeaders: past MaxHeaderBytes, Go's server
// answers 431 itself, before any handler (so not in the envelope, and not
// journalled); just under it, the request is served.
func TestServeRefusesOversizedHeaders(t *testing.T) {
	base, _, _ := startServe(t, "--addr", "127.0.0.1:0")
	send := func(padding int) int {
		req, _ := http.NewRequest(http.MethodPost, base+"/v3/c/BankingServices/GenerateAuthorizeToken", nil)
		req.Header.Set("flinks-auth-key", "k")
		req.Header.Set("X-Padding", strings.Repeat("p", padding))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := send(MaxHeaderBytes - 1024); code != http.StatusOK {
		t.Errorf("headers just under MaxHeaderBytes answered %d, want 200", code)
	}
	if code := send(MaxHeaderBytes + 8<<10); code != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("headers over MaxHeaderBytes answered %d, want 431", code)
	}
}

// TestServeListensOnLoopbackByDefault: with no --addr, nothing but this
// machine can reach the mock (and its admin API, which then needs no
// token).
func TestServeListensOnLoopbackByDefault(t *testing.T) {
	ap, err := netip.ParseAddrPort(DefaultAddr)
	if err != nil || !ap.Addr().IsLoopback() {
		t.Errorf("DefaultAddr %q is not a loopback address", DefaultAddr)
	}
	var cfg serveConfig
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg.flags(fs)
	if err := fs.Parse(nil); err != nil || cfg.addr != DefaultAddr {
		t.Errorf("--addr defaults to %q, want %q", cfg.addr, DefaultAddr)
	}
}

// TestShutdownPastItsDeadline: a request still running at the deadline is
// cut off and serve exits 1, but the journal file still gets every request
// that was answered.
func TestShutdownPastItsDeadline(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "stuck.yaml")
	const stuck = "logins:\n  - name: stuck\n    username: stuck\n    loginId: 6e0c6a38-3a52-4a49-9d5e-0a3c6c8f1e43\n    authorize:\n      - respond: ok\n        latency: 30s\n"
	if err := os.WriteFile(file, []byte(stuck), 0o600); err != nil {
		t.Fatal(err)
	}
	lib, err := scenarios.Load(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC), true, file)
	if err != nil {
		t.Fatal(err)
	}
	var journal lockedBuffer
	log := slog.New(slog.DiscardHandler)
	srv, err := mockserver.New(mockserver.Config{Library: lib, JournalFile: &journal})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := newHTTPServer(srv.Handler(), log)
	go func() { _ = hs.Serve(ln) }()
	base := "http://" + ln.Addr().String() + "/v3/c/BankingServices/"

	const answered = 3
	var token string
	for range answered {
		code, body := httpDo(t, "POST", base+"GenerateAuthorizeToken", "", "")
		if code != http.StatusOK {
			t.Fatalf("GenerateAuthorizeToken answered %d", code)
		}
		token = strings.Split(strings.Split(body, `"Token":"`)[1], `"`)[0]
	}
	accepted := make(chan struct{})
	failed := make(chan error, 1)
	go func() {
		// 100 Continue comes once the handler reads the body.
		trace := &httptrace.ClientTrace{Got100Continue: func() { close(accepted) }}
		req, _ := http.NewRequest(http.MethodPost, base+"Authorize", strings.NewReader(`{"LoginId":"6e0c6a38-3a52-4a49-9d5e-0a3c6c8f1e43","MostRecentCached":true}`))
		req = req.WithContext(httptrace.WithClientTrace(context.Background(), trace))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Expect", "100-continue")
		req.Header.Set("flinks-auth-key", token)
		client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: 10 * time.Second}}
		resp, err := client.Do(req)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		failed <- err
	}()
	select {
	case <-accepted:
	case err := <-failed:
		t.Fatalf("the request failed before the server took it: %v", err)
	}

	var stderr bytes.Buffer
	began := time.Now()
	code := shutdown(log, &Program{Stderr: &stderr}, hs, srv, 300*time.Millisecond)
	took := time.Since(began)
	if code != ExitFailure || !strings.Contains(stderr.String(), "cut off") {
		t.Errorf("exit %d, %q; want 1 and a word about the requests cut off", code, stderr.String())
	}
	if took > 300*time.Millisecond+journalFlushTimeout {
		t.Errorf("shutdown took %s past a deadline of 300ms", took)
	}
	if err := <-failed; err == nil {
		t.Error("the request cut off got a whole answer")
	}
	// The request cut off may be journalled, with status 0: it got no
	// answer.
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(journal.String()), "\n") {
		var e struct {
			Endpoint string
			Status   int
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("journal line %q: %v", line, err)
		}
		switch {
		case e.Endpoint == "GenerateAuthorizeToken" && e.Status == http.StatusOK:
			n++
		case e.Endpoint == "Authorize" && e.Status == 0:
		default:
			t.Errorf("the journal file holds %s", line)
		}
	}
	if n != answered {
		t.Errorf("the journal file holds %d answered requests, want %d:\n%s", n, answered, journal.String())
	}
}
