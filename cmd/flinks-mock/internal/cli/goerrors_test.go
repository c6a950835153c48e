package cli

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServeAnswersWhatGoRefusesInTheEnvelope: the requests Go's HTTP
// server refuses before any handler (headers too large, an HTTP version it
// does not speak, a malformed request) are answered in the Flinks envelope
// like every other error, not in plain text.
func TestServeAnswersWhatGoRefusesInTheEnvelope(t *testing.T) {
	base, _, _ := startServe(t, "--addr", "127.0.0.1:0")
	addr := strings.TrimPrefix(base, "http://")
	tests := []struct {
		name, request string
		status        int
		message       string
	}{
		{"headers past MaxHeaderBytes", "GET /__admin/health HTTP/1.1\r\nHost: h\r\nX-Padding: " + strings.Repeat("p", MaxHeaderBytes+8<<10) + "\r\n\r\n", 431, "Request Header Fields Too Large"},
		{"an HTTP version Go does not speak", "GET /__admin/health HTTP/2.5\r\nHost: h\r\n\r\n", 505, "unsupported protocol version"},
		{"no Host", "GET /__admin/health HTTP/1.1\r\n\r\n", 400, "missing required Host header"},
		{"a space in a header name", "GET /__admin/health HTTP/1.1\r\nHost: h\r\nBad Header: x\r\n\r\n", 400, "Bad Request"},
		{"an unknown Transfer-Encoding", "POST /__admin/health HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: rot13\r\n\r\n", 501, "Unsupported transfer encoding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			go func() { _, _ = io.WriteString(c, tt.request) }()
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			var env struct {
				HttpStatusCode int
				FlinksCode     string
				Message        string
			}
			if err := json.Unmarshal(raw, &env); err != nil || resp.StatusCode != tt.status || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" ||
				env.HttpStatusCode != tt.status || env.FlinksCode != "INVALID_REQUEST" || !strings.Contains(env.Message, tt.message) {
				t.Errorf("answered %d %s %q, want %d in the envelope with a message saying %q", resp.StatusCode, resp.Header.Get("Content-Type"), raw, tt.status, tt.message)
			}
		})
	}
}

// TestEnvelopeGoErrorLeavesAnswersAlone: only the exact shape of Go's own
// error answers is rewritten.
func TestEnvelopeGoErrorLeavesAnswersAlone(t *testing.T) {
	for _, p := range []string{
		"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\nok",
		"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n400 Bad Request",
		"HTTP/1.1 413 Request Entity Too Large\r\nContent-Type: application/json\r\n\r\n{}",
		`{"HttpStatusCode":401}`,
		"HTTP/1.1 4",
	} {
		if out, ok := envelopeGoError([]byte(p)); ok {
			t.Errorf("%q was rewritten as %q", p, out)
		}
	}
}
