package openapi

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"net/http"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
)

// A client polls with the same request again and again: the same
// GetAccountsDetail body, the same path, the same headers. Validating a
// request is a pure function of what the request carries that the
// operation declares, so a Spec remembers the requests it found valid and
// does not walk kin-openapi's decoders and schemas for them again. A
// problem is never remembered: every invalid request gets its full
// message.

const (
	// memoEntries bounds how many valid requests a Spec remembers; the
	// oldest remembered goes first.
	memoEntries = 1024
	// memoMaxKey bounds the size of a remembered request: a larger one is
	// validated every time.
	memoMaxKey = 1024
)

// validMemo is the set of requests found valid, by the bytes of their key.
type validMemo struct {
	seed maphash.Seed
	mu   sync.RWMutex
	keys map[uint64][]byte
	ring [memoEntries]uint64 // the hashes in the order they were added
	used int                 // slots of ring in use
	next int                 // the slot the next one takes
}

func newValidMemo() *validMemo {
	return &validMemo{seed: maphash.MakeSeed(), keys: make(map[uint64][]byte)}
}

// keyBuffers hold the keys being built, so building one allocates nothing.
var keyBuffers = sync.Pool{New: func() any { b := make([]byte, 0, memoMaxKey); return &b }}

// requestKey appends to b everything of r that validating it against
// route looks at: the operation, the declared path parameters and
// headers, the query, the cookies, whether there is a body, its
// Content-Type and its bytes. Each part is written after its length, so
// no two requests share a key.
func requestKey(b []byte, route *routers.Route, r *http.Request, pathParams map[string]string, hasBody bool, body []byte) []byte {
	return appendKey(b, route, r, pathValues{m: pathParams, fixed: true}, hasBody, body)
}

// appendKey is requestKey with the path parameters as validate has them.
func appendKey(b []byte, route *routers.Route, r *http.Request, params pathValues, hasBody bool, body []byte) []byte {
	b = appendPart(b, route.Method)
	b = appendPart(b, route.Path)
	for _, ps := range [2]openapi3.Parameters{route.PathItem.Parameters, route.Operation.Parameters} {
		for _, p := range ps {
			if p != nil && p.Value != nil {
				b = appendParam(b, p.Value, r, params)
			}
		}
	}
	b = appendPart(b, r.URL.RawQuery)
	b = appendValues(b, r.Header.Values("Cookie"))
	if !hasBody {
		return append(b, 0)
	}
	b = append(b, 1)
	b = appendPart(b, r.Header.Get("Content-Type"))
	return append(b, body...)
}

// appendParam appends the value r carries for a path or header
// parameter; query and cookie parameters are in the key whole.
func appendParam(b []byte, p *openapi3.Parameter, r *http.Request, params pathValues) []byte {
	switch p.In {
	case openapi3.ParameterInPath:
		return appendPart(b, params.get(p.Name))
	case openapi3.ParameterInHeader:
		return appendValues(b, r.Header.Values(p.Name))
	}
	return b
}

func appendPart(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendValues(b []byte, vs []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(vs)))
	for _, v := range vs {
		b = appendPart(b, v)
	}
	return b
}

// remembered reports whether key was found valid before.
func (m *validMemo) remembered(key []byte) bool {
	h := maphash.Bytes(m.seed, key)
	m.mu.RLock()
	stored, ok := m.keys[h]
	m.mu.RUnlock()
	return ok && bytes.Equal(stored, key)
}

// remember records key as valid, forgetting the oldest when full.
func (m *validMemo) remember(key []byte) {
	if len(key) > memoMaxKey {
		return
	}
	h := maphash.Bytes(m.seed, key)
	stored := bytes.Clone(key)
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.keys[h]; ok {
		m.keys[h] = stored
		return
	}
	if m.used == memoEntries {
		delete(m.keys, m.ring[m.next])
	} else {
		m.used++
	}
	m.ring[m.next] = h
	m.next = (m.next + 1) % memoEntries
	m.keys[h] = stored
}
