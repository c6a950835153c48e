package mockserver

import (
	"net/http"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/bounded"
)

// A client polls the same path again and again: the route gorilla/mux
// finds for a method and path is the same every time (the router matches
// the path alone, as received), so the router remembers it for the paths
// served lately, with the values of the template's parameters, and
// routes a path it remembers without matching the templates' regular
// expressions again. Only routes found are remembered: a 404 or a 405 is
// worked out every time.

const (
	// matchMemoEntries bounds how many paths the router remembers; the
	// one remembered first goes first.
	matchMemoEntries = 512
	// maxMemoVars bounds the parameters of a remembered route (the
	// documents' templates have two at most).
	maxMemoVars = 3
	// maxMemoPath bounds the length of a remembered path, so the memo
	// holds at most matchMemoEntries × maxMemoPath bytes of paths
	// whatever the clients send; the documents' paths with two UUIDs are
	// under 130 bytes.
	maxMemoPath = 512
)

// matchKey is a request's method and path, as received.
type matchKey struct{ method, path string }

// memoMatch is the route found for a path: its handler and the values of
// its parameters (tooMany: more than it can hold, not remembered).
type memoMatch struct {
	handler http.Handler
	n       int
	vars    [maxMemoVars]pathVar
	tooMany bool
}

// pathVar is one parameter of a path: its name in the template and its
// value in the path (a part of the path).
type pathVar struct{ name, value string }

// add notes a parameter of the match.
func (m *memoMatch) add(name, value string) {
	if m.n == maxMemoVars {
		m.tooMany = true
		return
	}
	m.vars[m.n] = pathVar{name: name, value: value}
	m.n++
}

// matchMemo is the routes found for the paths served lately.
type matchMemo struct {
	found *bounded.Memo[matchKey, memoMatch]
}

func newMatchMemo() *matchMemo {
	return &matchMemo{found: bounded.NewMemo[matchKey, memoMatch](matchMemoEntries)}
}

// get returns the route found for key before, if it is remembered.
func (m *matchMemo) get(key matchKey) (memoMatch, bool) {
	if m == nil {
		return memoMatch{}, false
	}
	return m.found.Get(key)
}

// put remembers the route found for key, forgetting the oldest when full.
func (m *matchMemo) put(key matchKey, found memoMatch) {
	if m == nil || found.tooMany || len(key.path) > maxMemoPath {
		return
	}
	m.found.Put(key, found)
}
