// Package journal records what a mock server saw and did: every request it
// answered, in order, with secrets redacted. The contract rules and the admin
// API read it. A Journal is bounded: when full, the oldest entries are
// dropped and counted, so a long soak test cannot exhaust memory.
package journal

import (
	"sync"
	"time"
)

// DefaultCapacity is how many entries a Journal keeps unless told otherwise.
const DefaultCapacity = 10_000

// Token states recorded in Entry.Token.
const (
	TokenNone    = ""        // no flinks-auth-key on an endpoint that takes a token
	TokenMissing = "missing" // /Authorize called without flinks-auth-key
	TokenFresh   = "fresh"   // an unused, unexpired authorize token, now consumed
	TokenReused  = "reused"  // a token that was already used once
	TokenExpired = "expired" // a token older than its lifetime
	TokenUnknown = "unknown" // a value that is no token of this tenant
	TokenSecret  = "secret"  // the secret key, sent where a token belongs
)

// Entry is one request and its answer.
type Entry struct {
	// Seq orders entries across every tenant of a server.
	Seq uint64 `json:"seq"`
	// Time is when the request arrived, on the server clock.
	Time time.Time `json:"time"`
	// Tenant is the {customerId} of the path; empty outside Flinks paths.
	Tenant string `json:"customerId,omitempty"`
	Method string `json:"method"`
	Path   string `json:"path"`
	// Endpoint names the Flinks operation, e.g. "GetAccountsDetailAsync".
	Endpoint string `json:"endpoint,omitempty"`
	// RequestID and LoginID are the Flinks ids the request was about.
	RequestID string `json:"requestId,omitempty"`
	LoginID   string `json:"loginId,omitempty"`
	// Token is the state of the flinks-auth-key of /Authorize (Token*).
	Token string `json:"token,omitempty"`
	// TokenRef identifies the token presented (a short hash, never the
	// token), so reuse can be traced across entries.
	TokenRef string `json:"tokenRef,omitempty"`
	// APIKey tells whether an x-api-key header was sent.
	APIKey bool `json:"apiKey,omitempty"`
	// Body is a short summary of the request body, secrets redacted.
	Body string `json:"body,omitempty"`
	// Mode is how /Authorize was called: "cached", "live", "legacy" or
	// "mfa-answer".
	Mode string `json:"mode,omitempty"`
	// Answered lists the prompts a /Authorize answer call answered (the
	// keys of SecurityResponses, exactly as sent; the answers are redacted).
	Answered []string `json:"answered,omitempty"`
	// Challenges lists the prompts of a 203.
	Challenges []string `json:"challenges,omitempty"`
	// Status and FlinksCode are what the mock answered.
	Status     int    `json:"status"`
	FlinksCode string `json:"flinksCode,omitempty"`
	// Latency is how long the answer took, scripted latency included.
	Latency time.Duration `json:"latencyNs"`
}

// Journal is a bounded, ordered list of entries. It is safe for concurrent
// use; each tenant has its own, so tenants never contend on one lock.
type Journal struct {
	mu      sync.Mutex
	ring    []Entry
	start   int // index of the oldest entry
	n       int // entries held
	dropped uint64
}

// New returns a Journal that keeps the newest capacity entries
// (DefaultCapacity when capacity <= 0).
func New(capacity int) *Journal {
	if capacity <= 0 {
		capacity = DefaultCapacity
	}
	return &Journal{ring: make([]Entry, capacity)}
}

// Add appends e, dropping the oldest entry when the journal is full.
func (j *Journal) Add(e Entry) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.n == len(j.ring) {
		j.ring[j.start] = e
		j.start = (j.start + 1) % len(j.ring)
		j.dropped++
		return
	}
	j.ring[(j.start+j.n)%len(j.ring)] = e
	j.n++
}

// Entries returns a copy of the entries held, oldest first, that keep
// reports true for (all of them when keep is nil).
func (j *Journal) Entries(keep func(*Entry) bool) []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]Entry, 0, j.n)
	for i := 0; i < j.n; i++ {
		e := &j.ring[(j.start+i)%len(j.ring)]
		if keep == nil || keep(e) {
			out = append(out, *e)
		}
	}
	return out
}

// Dropped returns how many entries were dropped because the journal was full.
func (j *Journal) Dropped() uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.dropped
}

// Len returns how many entries the journal holds.
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.n
}

// Clear removes every entry and resets the dropped count.
func (j *Journal) Clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	clear(j.ring)
	j.start, j.n, j.dropped = 0, 0, 0
}
