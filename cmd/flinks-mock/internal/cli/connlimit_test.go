package cli

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/onsi/gomega"
)

// TestServeAnswersHealthChecksUnderAConnectionFlood: a neighbour holds far
// more connections than --max-connections, kept alive after a request or
// opened and left silent. serve keeps at most that many open, closing the
// idle and the silent ones to make room, and a health check on a new
// connection is answered at once. (Without the bound, 20,000 such
// connections ran the server out of file descriptors and new clients
// timed out.)
func TestServeAnswersHealthChecksUnderAConnectionFlood(t *testing.T) {
	const limit, idle, silent = 16, 100, 100
	base, _, _ := startServe(t, "--addr", "127.0.0.1:0", "--max-connections", "16")
	addr := base[len("http://"):]

	var held []net.Conn
	t.Cleanup(func() {
		for _, c := range held {
			c.Close()
		}
	})
	for range idle {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
		if _, err := c.Write([]byte("GET /__admin/health HTTP/1.1\r\nHost: " + addr + "\r\n\r\n")); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close() // the connection stays open, idle
	}
	for range silent {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}

	health := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for i := range 20 {
		resp, err := health.Get(base + "/__admin/health")
		if err != nil {
			t.Fatalf("health check %d under the flood: %v", i+1, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("health check %d under the flood answered %d", i+1, resp.StatusCode)
		}
	}

	// Well before ReadHeaderTimeout (5 s) and IdleTimeout would close
	// them, all but the newest few of the held connections are closed.
	stillOpen := func() int {
		n := 0
		for _, c := range held {
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Millisecond))
			var b [1]byte
			if _, err := c.Read(b[:]); errors.Is(err, os.ErrDeadlineExceeded) {
				n++
			}
		}
		return n
	}
	gomega.NewWithT(t).Eventually(stillOpen).WithTimeout(3*time.Second).WithPolling(50*time.Millisecond).
		Should(gomega.BeNumerically("<=", limit), "held connections the server keeps open")
}

// TestConnLimiterPicksWhatCostsLeast: at the limit the longest idle
// connection goes first, then the oldest that has sent nothing, and when
// every connection is in a request the new one is refused.
func TestConnLimiterPicksWhatCostsLeast(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	clock := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	l := limitConnections(ln, 3)
	l.now = func() time.Time { clock = clock.Add(time.Second); return clock }

	var clients []net.Conn
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	accept := func() net.Conn {
		t.Helper()
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
		s, err := l.Accept()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	closed := func(c net.Conn) bool {
		_, err := c.Write([]byte("x"))
		return err != nil
	}
	a, b, c := accept(), accept(), accept()
	l.track(a, http.StateActive)
	l.track(b, http.StateIdle)
	l.track(c, http.StateIdle)
	l.track(b, http.StateActive)
	l.track(b, http.StateIdle) // b is now idle for less long than c

	d := accept()
	if !closed(c) || closed(b) || closed(a) {
		t.Fatal("the longest idle connection was not the one closed")
	}
	e := accept() // b (idle) goes
	if !closed(b) {
		t.Fatal("the remaining idle connection was not closed")
	}
	_ = accept() // d (new, oldest) goes before e (new)
	if !closed(d) || closed(e) {
		t.Fatal("the oldest silent connection was not the one closed")
	}
	if open, evicted, refused := l.open(); open != 3 || evicted != 3 || refused != 0 {
		t.Errorf("open %d, evicted %d, refused %d; want 3, 3, 0", open, evicted, refused)
	}

	l.mu.Lock()
	for conn := range l.conns {
		conn.set(http.StateActive, clock)
	}
	l.mu.Unlock()
	late, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer late.Close()
	go func() { _, _ = l.Accept() }() // refuses late, then waits for the next
	_ = late.SetReadDeadline(time.Now().Add(5 * time.Second))
	var buf [1]byte
	if _, err := late.Read(buf[:]); errors.Is(err, os.ErrDeadlineExceeded) {
		t.Error("a connection arriving when every connection is busy was not closed at once")
	}
}
