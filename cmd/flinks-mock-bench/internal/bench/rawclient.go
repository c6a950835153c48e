package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// client sends the runner's requests. The load uses rawClient for every
// server it measures, the reference and the peers included, so the load
// generator's own cost is the same for all; cold starts use net/http on a
// new connection each time (stdClient).
type client interface {
	do(ctx context.Context, req request) ([]byte, error)
	CloseIdleConnections()
}

// stdClient is a client over net/http.
type stdClient struct{ hc *http.Client }

func (c stdClient) CloseIdleConnections() { c.hc.CloseIdleConnections() }

func (c stdClient) do(ctx context.Context, req request) ([]byte, error) {
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	r, err := http.NewRequestWithContext(ctx, req.Method, req.URL, body)
	if err != nil {
		return nil, fmt.Errorf("build %s %s: %w", req.Method, req.URL, err)
	}
	if req.Body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if req.AuthKey != "" {
		r.Header.Set("flinks-auth-key", req.AuthKey)
	}
	resp, err := c.hc.Do(r)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != req.Want {
		head, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil, &statusError{Method: req.Method, URL: req.URL, Status: resp.StatusCode, Want: req.Want, Body: head}
	}
	if !req.Keep {
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return nil, fmt.Errorf("%s %s: read the body: %w", req.Method, req.URL, err)
		}
		return nil, nil
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: read the body: %w", req.Method, req.URL, err)
	}
	return data, nil
}

// rawClient is the load generator: HTTP/1.1 over kept-alive TCP
// connections, as wrk sends it. A request is written in one write from a
// buffer of its connection; the answer's status line and headers are read
// in place, and its body (Content-Length, chunked, or up to the end of a
// connection the server closes) is read whole, into the caller's bytes
// when it keeps them, else skipped. Every answer's status is checked as
// net/http's would be; what it costs is a fraction of net/http's client,
// which runs two goroutines and builds a Request and a Response a call.
type rawClient struct {
	timeout time.Duration
	mu      sync.Mutex
	idle    map[string][]*rawConn // by host:port
	max     int                   // idle connections kept per host
}

// rawConn is one connection and its buffers.
type rawConn struct {
	nc   net.Conn
	r    *bufio.Reader
	out  []byte
	used time.Time // when it was last put back idle (zero: new)
}

// maxIdle is how long a connection is kept idle: less than the servers'
// idle timeouts (serve's is 60 s), so a kept connection is seldom one the
// server already closed.
const maxIdle = 20 * time.Second

// newClient is the load generator's client: keep-alive, one idle
// connection kept per worker, a 64 KiB read buffer.
func newClient(conns int) *rawClient {
	return &rawClient{timeout: 60 * time.Second, idle: map[string][]*rawConn{}, max: max(conns, 1)}
}

// CloseIdleConnections closes the connections not in use.
func (c *rawClient) CloseIdleConnections() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for host, conns := range c.idle {
		for _, rc := range conns {
			_ = rc.nc.Close()
		}
		delete(c.idle, host)
	}
}

// splitURL splits http://host:port/path into host:port and /path.
func splitURL(u string) (host, path string, err error) {
	rest, ok := strings.CutPrefix(u, "http://")
	if !ok {
		return "", "", fmt.Errorf("the load generator speaks plain http only: %s", u)
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		return rest[:i], rest[i:], nil
	}
	return rest, "/", nil
}

func (c *rawClient) get(ctx context.Context, host string) (*rawConn, error) {
	c.mu.Lock()
	for conns := c.idle[host]; len(conns) > 0; conns = c.idle[host] {
		rc := conns[len(conns)-1]
		c.idle[host] = conns[:len(conns)-1]
		if time.Since(rc.used) < maxIdle {
			c.mu.Unlock()
			return rc, nil
		}
		_ = rc.nc.Close()
	}
	c.mu.Unlock()
	d := net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	nc, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return nil, err
	}
	return &rawConn{nc: nc, r: bufio.NewReaderSize(nc, 64<<10), out: make([]byte, 0, 1024)}, nil
}

func (c *rawClient) put(host string, rc *rawConn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.idle[host]) >= c.max {
		_ = rc.nc.Close()
		return
	}
	rc.used = time.Now()
	c.idle[host] = append(c.idle[host], rc)
}

func (c *rawClient) do(ctx context.Context, req request) ([]byte, error) {
	host, path, err := splitURL(req.URL)
	if err != nil {
		return nil, err
	}
	ans, rc, err := c.try(ctx, host, path, req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL, err)
	}
	if ans.close {
		_ = rc.nc.Close()
	} else {
		c.put(host, rc)
	}
	if ans.status != req.Want {
		return nil, &statusError{Method: req.Method, URL: req.URL, Status: ans.status, Want: req.Want, Body: ans.body}
	}
	if !req.Keep {
		return nil, nil
	}
	return ans.body, nil
}

// try sends req on a kept connection, or a new one. A kept connection
// the server closed while it was idle fails before any byte of an answer
// (io.EOF, or a reset): the server never read the request, and it is sent
// again once on a new connection, as net/http's client does.
func (c *rawClient) try(ctx context.Context, host, path string, req request) (answer, *rawConn, error) {
	for attempt := 0; ; attempt++ {
		rc, err := c.get(ctx, host)
		if err != nil {
			return answer{}, nil, err
		}
		reused := !rc.used.IsZero()
		ans, err := rc.exchange(host, path, req, time.Now().Add(c.timeout))
		if err == nil {
			return ans, rc, nil
		}
		_ = rc.nc.Close()
		if !reused || attempt > 0 || !closedIdle(err) {
			return answer{}, nil, err
		}
	}
}

// errNoAnswer is a connection that failed before any byte of an answer.
var errNoAnswer = errors.New("the connection closed before any answer")

// closedIdle reports whether err is that of a connection the server had
// closed before the request was sent on it.
func closedIdle(err error) bool {
	return errors.Is(err, errNoAnswer) && (errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE))
}

// answer is what rawConn.exchange read.
type answer struct {
	status int
	body   []byte // kept, or the start of an unwanted answer
	close  bool   // the server closes the connection after it
}

// exchange writes one request and reads its answer.
func (rc *rawConn) exchange(host, path string, req request, deadline time.Time) (answer, error) {
	if err := rc.nc.SetDeadline(deadline); err != nil {
		return answer{}, err
	}
	b := append(rc.out[:0], req.Method...)
	b = append(b, ' ')
	b = append(b, path...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, host...)
	b = append(b, "\r\nUser-Agent: flinks-mock-bench\r\n"...)
	if req.AuthKey != "" {
		b = append(b, "flinks-auth-key: "...)
		b = append(b, req.AuthKey...)
		b = append(b, "\r\n"...)
	}
	if req.Body != nil {
		b = append(b, "Content-Type: application/json\r\nContent-Length: "...)
		b = strconv.AppendInt(b, int64(len(req.Body)), 10)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	b = append(b, req.Body...)
	rc.out = b
	if _, err := rc.nc.Write(b); err != nil {
		return answer{}, fmt.Errorf("%w: %w", errNoAnswer, err)
	}
	return rc.read(req)
}

var errMalformed = errors.New("malformed HTTP answer")

// read reads an answer: status line, headers, body.
func (rc *rawConn) read(req request) (answer, error) {
	ans, length, chunked, err := rc.readHead()
	if err != nil {
		return answer{}, err
	}
	keep := req.Keep || ans.status != req.Want
	switch {
	case ans.status == http.StatusNoContent || ans.status == http.StatusNotModified || ans.status < 200 || req.Method == http.MethodHead:
	case chunked:
		ans.body, err = rc.readChunked(keep)
	case length >= 0:
		ans.body, err = rc.readN(length, keep)
	default:
		ans.close = true
		ans.body, err = io.ReadAll(rc.r)
	}
	if ans.status != req.Want && len(ans.body) > 512 {
		ans.body = ans.body[:512]
	}
	return ans, err
}

// readHead reads the status line and the headers of an answer, and what
// they say of its body: its length (-1: not given) or chunks.
func (rc *rawConn) readHead() (ans answer, length int64, chunked bool, err error) {
	line, err := rc.r.ReadSlice('\n')
	if err != nil && len(line) == 0 {
		return answer{}, 0, false, fmt.Errorf("%w: %w", errNoAnswer, err)
	}
	if err != nil {
		return answer{}, 0, false, err
	}
	// HTTP/1.1 200 OK
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return answer{}, 0, false, fmt.Errorf("%w: status line %q", errMalformed, line)
	}
	if ans.status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return answer{}, 0, false, fmt.Errorf("%w: status line %q", errMalformed, line)
	}
	ans.close, length = line[7] == '0', -1
	for {
		h, err := rc.r.ReadSlice('\n')
		if err != nil {
			return answer{}, 0, false, err
		}
		if len(h) <= 2 {
			return ans, length, chunked, nil
		}
		if err := header(h, &ans, &length, &chunked); err != nil {
			return answer{}, 0, false, err
		}
	}
}

// header reads one header line into what the answer says of its body and
// its connection.
func header(h []byte, ans *answer, length *int64, chunked *bool) error {
	name, value, ok := bytes.Cut(h, []byte{':'})
	if !ok {
		return fmt.Errorf("%w: header %q", errMalformed, h)
	}
	value = bytes.TrimSpace(value)
	switch {
	case asciiEqualFold(name, "content-length"):
		n, err := strconv.ParseInt(string(value), 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("%w: Content-Length %q", errMalformed, value)
		}
		*length = n
	case asciiEqualFold(name, "transfer-encoding"):
		*chunked = asciiEqualFold(value, "chunked")
	case asciiEqualFold(name, "connection"):
		ans.close = asciiEqualFold(value, "close")
	}
	return nil
}

// readN reads n bytes of body, kept or skipped.
func (rc *rawConn) readN(n int64, keep bool) ([]byte, error) {
	if !keep {
		_, err := rc.r.Discard(int(n))
		return nil, err
	}
	out := make([]byte, n)
	_, err := io.ReadFull(rc.r, out)
	return out, err
}

// readChunked reads a chunked body, kept or skipped.
func (rc *rawConn) readChunked(keep bool) ([]byte, error) {
	var out []byte
	for {
		line, err := rc.r.ReadSlice('\n')
		if err != nil {
			return nil, err
		}
		size, _, _ := bytes.Cut(bytes.TrimSpace(line), []byte{';'})
		n, err := strconv.ParseInt(string(size), 16, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%w: chunk size %q", errMalformed, line)
		}
		if n == 0 {
			// Trailers, then the empty line.
			for {
				t, err := rc.r.ReadSlice('\n')
				if err != nil {
					return nil, err
				}
				if len(t) <= 2 {
					return out, nil
				}
			}
		}
		chunk, err := rc.readN(n, keep)
		if err != nil {
			return nil, err
		}
		out = append(out, chunk...)
		if _, err := rc.r.Discard(2); err != nil {
			return nil, err
		}
	}
}

// asciiEqualFold reports whether b is s in any ASCII case.
func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
