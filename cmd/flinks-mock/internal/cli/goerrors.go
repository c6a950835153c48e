package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
)

// goErrorHeaders are the headers Go's HTTP server gives the answers it
// writes itself, before any handler, to a request it cannot read: 400 (a
// malformed request line or header, no Host), 431 (headers past
// MaxHeaderBytes), 501 (an unknown Transfer-Encoding) and 505 (an HTTP
// version it does not speak). They come right after the status line and
// before a plain-text body.
const goErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// envelopeListener accepts connections whose answers from Go's HTTP server
// itself are rewritten in the Flinks envelope, as every other answer of
// the mock is, so that a client that reads every error as JSON reads
// these too.
type envelopeListener struct{ net.Listener }

func (l envelopeListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &envelopeConn{Conn: c}, nil
}

// envelopeConn rewrites the plain-text answers Go's server writes on it.
type envelopeConn struct{ net.Conn }

// Write passes every write through but Go's own error answers, which it
// writes in one call straight to the connection.
func (c *envelopeConn) Write(p []byte) (int, error) {
	if out, ok := envelopeGoError(p); ok {
		if _, err := c.Conn.Write(out); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// CloseWrite lets the server half-close the connection after an error
// answer, as it does on a bare TCP connection.
func (c *envelopeConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// envelopeGoError rewrites an answer of Go's server in the envelope, or
// reports false for anything else.
func envelopeGoError(p []byte) ([]byte, bool) {
	const prefix = "HTTP/1.1 "
	i := bytes.Index(p, []byte("\r\n"))
	if !bytes.HasPrefix(p, []byte(prefix)) || i < len(prefix)+3 || !bytes.HasPrefix(p[i:], []byte(goErrorHeaders)) {
		return nil, false
	}
	code, err := strconv.Atoi(string(p[len(prefix) : len(prefix)+3]))
	if err != nil || code < 400 || code > 599 {
		return nil, false
	}
	text := string(p[i+len(goErrorHeaders):])
	if len(text) > 4 && text[3] == ' ' {
		text = text[4:] // "431 Request Header Fields Too Large"
	}
	body, _ := json.Marshal(struct {
		HttpStatusCode int
		FlinksCode     string
		Message        string
	}{code, "INVALID_REQUEST", "The request could not be read: " + text})
	return fmt.Appendf(nil, "HTTP/1.1 %d %s\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		code, http.StatusText(code), len(body), body), true
}
