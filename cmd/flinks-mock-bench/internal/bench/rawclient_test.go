package bench

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRawClient checks the load generator against net/http's server: the
// body it keeps, the bodies it skips (sized, chunked, or up to a closed
// connection), the headers it sends, and the status it checks.
func TestRawClient(t *testing.T) {
	big := strings.Repeat("x", 100<<10)
	srv := httptest.NewServer(rawClientTestHandler(big))
	defer srv.Close()
	c := newClient(2)
	defer c.CloseIdleConnections()
	ctx := context.Background()

	for range 3 { // the connection is reused
		got, err := send(ctx, c, request{Method: http.MethodPost, URL: srv.URL + "/echo", Body: []byte(`{"a":1}`), AuthKey: "k", Want: http.StatusOK, Keep: true})
		if err != nil || string(got) != `POST k application/json {"a":1}` {
			t.Fatalf("echo: %q, %v", got, err)
		}
	}
	for _, tt := range []struct {
		path, want string
		keep       bool
	}{{"/chunked", big, false}, {"/chunked", big, true}, {"/close", "bye", false}, {"/close", "bye", true}} {
		got, err := send(ctx, c, request{Method: http.MethodGet, URL: srv.URL + tt.path, Want: http.StatusOK, Keep: tt.keep})
		if err != nil {
			t.Fatalf("%s: %v", tt.path, err)
		}
		if tt.keep && string(got) != tt.want {
			t.Errorf("%s: kept %d bytes, want %d", tt.path, len(got), len(tt.want))
		}
	}
	_, err := send(ctx, c, request{Method: http.MethodGet, URL: srv.URL + "/teapot", Want: http.StatusOK})
	var se *statusError
	if !errors.As(err, &se) || se.Status != http.StatusTeapot || len(se.Body) != 512 {
		t.Fatalf("teapot: %v, want a statusError quoting 512 bytes", err)
	}
	// The connection is still good after an unwanted answer.
	if _, err := send(ctx, c, request{Method: http.MethodGet, URL: srv.URL + "/echo", Want: http.StatusOK}); err != nil {
		t.Fatal(err)
	}
	// A kept connection the server closed is replaced, and the request
	// sent again, as net/http's client does.
	srv.CloseClientConnections()
	if _, err := send(ctx, c, request{Method: http.MethodPost, URL: srv.URL + "/echo", Body: []byte(`{}`), Want: http.StatusOK}); err != nil {
		t.Fatalf("after the server closed the kept connection: %v", err)
	}
}

// rawClientTestHandler answers in every way the raw client must read.
func rawClientTestHandler(big string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/echo":
			body := make([]byte, r.ContentLength)
			_, _ = io.ReadFull(r.Body, body)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(r.Method + " " + r.Header.Get("flinks-auth-key") + " " + r.Header.Get("Content-Type") + " " + string(body)))
		case "/chunked":
			w.(http.Flusher).Flush()
			_, _ = w.Write([]byte(big))
		case "/close":
			w.Header().Set("Connection", "close")
			_, _ = w.Write([]byte("bye"))
		case "/teapot":
			w.WriteHeader(http.StatusTeapot)
			_, _ = w.Write([]byte(big))
		}
	})
}
