package cli

import (
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultMaxConnections bounds the connections serve keeps open at once.
// A test suite rarely holds more than a few dozen; each connection costs a
// file descriptor and some 20 KiB of memory.
const DefaultMaxConnections = 1024

// connLimiter is a listener that keeps at most max connections open.
// Unlike a listener that stops accepting at its limit (netutil's
// LimitListener), where a flood of kept-alive connections leaves every new
// client, health checks included, waiting in the kernel's backlog, it
// always accepts, and at its limit makes room by closing the connection
// that costs the least to lose:
//
//  1. the one idle the longest (a kept-alive connection between
//     requests, which a client reopens);
//  2. else the oldest that has not sent a byte of a request yet;
//  3. else, every connection being in the middle of a request, the new
//     one, at once, so that its client fails fast instead of timing out.
//
// It learns each connection's state from the HTTP server: set the server's
// ConnState to track.
type connLimiter struct {
	net.Listener
	max int
	now func() time.Time

	mu    sync.Mutex
	conns map[*trackedConn]struct{}
	// evicted counts the connections closed to make room, refused the new
	// ones closed at once; both for tests and logs.
	evicted, refused int
}

// trackedConn is a connection the limiter accepted, with its state as the
// HTTP server last told it. The server's hook sets it without the
// limiter's lock: a kept-alive connection changes state twice a request.
type trackedConn struct {
	net.Conn
	state atomic.Int32 // an http.ConnState
	since atomic.Int64 // when it changed, in Unix nanoseconds
}

// set records a change of state at t.
func (c *trackedConn) set(state http.ConnState, t time.Time) {
	c.since.Store(t.UnixNano())
	c.state.Store(int32(state))
}

// CloseWrite lets the server half-close the connection after an error
// answer, as the connection it wraps does.
func (c *trackedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// limitConnections wraps ln so that at most max connections stay open.
func limitConnections(ln net.Listener, max int) *connLimiter {
	return &connLimiter{Listener: ln, max: max, now: time.Now, conns: map[*trackedConn]struct{}{}}
}

// Accept accepts the next connection, making room for it when the limit
// is reached.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.mu.Lock()
		if len(l.conns) >= l.max {
			victim, ok := l.victim()
			if !ok {
				l.refused++
				l.mu.Unlock()
				c.Close()
				continue
			}
			delete(l.conns, victim)
			l.evicted++
			// The server's goroutine of the victim sees its read fail and
			// ends; its StateClosed finds nothing left to remove.
			victim.Close()
		}
		tc := &trackedConn{Conn: c}
		tc.set(http.StateNew, l.now())
		l.conns[tc] = struct{}{}
		l.mu.Unlock()
		return tc, nil
	}
}

// victim picks the connection to close to make room. Callers hold l.mu.
func (l *connLimiter) victim() (*trackedConn, bool) {
	var (
		idle, fresh         *trackedConn
		idleSince, newSince int64
	)
	for c := range l.conns {
		since := c.since.Load()
		switch http.ConnState(c.state.Load()) {
		case http.StateIdle:
			if idle == nil || since < idleSince {
				idle, idleSince = c, since
			}
		case http.StateNew:
			if fresh == nil || since < newSince {
				fresh, newSince = c, since
			}
		}
	}
	if idle != nil {
		return idle, true
	}
	return fresh, fresh != nil
}

// track is the HTTP server's ConnState hook.
func (l *connLimiter) track(c net.Conn, state http.ConnState) {
	tc, ok := c.(*trackedConn)
	if !ok {
		return
	}
	switch state {
	case http.StateClosed, http.StateHijacked:
		l.mu.Lock()
		delete(l.conns, tc)
		l.mu.Unlock()
	default:
		tc.set(state, l.now())
	}
}

// open returns how many connections are open, and how many were closed
// to make room or refused so far.
func (l *connLimiter) open() (open, evicted, refused int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns), l.evicted, l.refused
}
