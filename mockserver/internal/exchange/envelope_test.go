package exchange

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
)

// countingListener counts the writes made on the connections it accepts.
type countingListener struct {
	net.Listener
	writes atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, writes: &l.writes}, nil
}

type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// writesFor serves one answer written by write over real HTTP and returns
// the body the client read and how many writes reached the connection.
func writesFor(t *testing.T, write http.HandlerFunc) ([]byte, int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := &countingListener{Listener: ln}
	srv := &http.Server{Handler: write}
	go func() { _ = srv.Serve(cl) }()
	defer srv.Close()

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := client.Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return body, cl.writes.Load()
}

// A body in two parts reaches the connection in as many writes as the
// same body in one slice, up to joinLimit: the client wakes up no more
// often for the parts.
func TestWritePartsWritesLikeOneBody(t *testing.T) {
	tests := []struct {
		name        string
		shared, own int
	}{
		{"small, buffered whole", 1 << 10, 200},
		{"the 66 KiB hot path answer", 66 << 10, 300},
		{"own part past the buffer", 3 << 10, 5 << 10},
		{"at the join limit", joinLimit - 300, 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := session.Body{
				Shared: []byte(`{"Accounts":"` + strings.Repeat("s", tt.shared-13)),
				Own:    []byte(strings.Repeat("o", tt.own-2) + `"}`),
			}
			whole := append(append([]byte(nil), b.Shared...), b.Own...)

			got, parts := writesFor(t, func(w http.ResponseWriter, _ *http.Request) {
				WriteParts(w, http.StatusOK, b)
			})
			_, one := writesFor(t, func(w http.ResponseWriter, _ *http.Request) {
				WriteBody(w, http.StatusOK, whole)
			})
			if !bytes.Equal(got, whole) {
				t.Fatalf("the client read %d bytes, not the %d of the two parts in order", len(got), len(whole))
			}
			if parts != one {
				t.Errorf("two parts took %d writes on the connection, one body %d", parts, one)
			}
		})
	}
}

// Past joinLimit the parts are sent as they are, not copied: still whole
// and in order.
func TestWritePartsPastTheJoinLimit(t *testing.T) {
	b := session.Body{Shared: bytes.Repeat([]byte("s"), joinLimit), Own: []byte("tail")}
	got, _ := writesFor(t, func(w http.ResponseWriter, _ *http.Request) {
		WriteParts(w, http.StatusOK, b)
	})
	if want := append(append([]byte(nil), b.Shared...), b.Own...); !bytes.Equal(got, want) {
		t.Fatalf("the client read %d bytes, want %d", len(got), len(want))
	}
}
