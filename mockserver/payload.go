package mockserver

import (
	"net/http"
	"strconv"
	"sync"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

// payload is an encoded 200 body in two parts: shared bytes that many
// sessions answer with (never modified), and the session's own bytes that
// follow them.
type payload struct {
	shared []byte
	own    []byte
}

func (p payload) empty() bool { return p.shared == nil && p.own == nil }

// bytes returns the whole body in one slice.
func (p payload) bytes() []byte {
	out := make([]byte, 0, len(p.shared)+len(p.own))
	return append(append(out, p.shared...), p.own...)
}

// write sends the payload as a JSON response.
func (p payload) write(w http.ResponseWriter, status int) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(p.shared)+len(p.own)))
	w.WriteHeader(status)
	_, _ = w.Write(p.shared)
	_, _ = w.Write(p.own)
}

// renderCacheSize bounds the shared encodings kept: a few per login and
// option set. When full it starts afresh, which only costs re-encoding.
const renderCacheSize = 512

// renderCache keeps the encoded accounts of a login for a set of options,
// shared by every session that asks for them. Requests with an
// AccountsFilter are not cached: their ids come from the client.
type renderCache struct {
	mu sync.Mutex
	m  map[renderKey][]byte
}

type renderKey struct {
	login *scenarios.Login
	opts  dataOptions
}

// get returns the cached encoding, making it with build when missing.
func (c *renderCache) get(login *scenarios.Login, o dataOptions, build func(*scenarios.Login, dataOptions) []byte) []byte {
	if o.filter != "" {
		return build(login, o)
	}
	key := renderKey{login, o}
	c.mu.Lock()
	b, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return b
	}
	b = build(login, o)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= renderCacheSize {
		c.m = map[renderKey][]byte{}
	}
	c.m[key] = b
	return b
}
