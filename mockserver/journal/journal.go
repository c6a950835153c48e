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

// Entry kinds.
const (
	KindRequest = "request" // a request the mock answered
	KindWebhook = "webhook" // one attempt to deliver a webhook
)

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
	// Time is when the request arrived (or the attempt started), on the
	// server clock.
	Time time.Time `json:"time"`
	// Kind is KindRequest or KindWebhook.
	Kind string `json:"kind"`
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

	// The fields below describe a webhook attempt (Kind KindWebhook); its
	// Status is the receiver's answer, 0 when none came.
	URL          string `json:"url,omitempty"`
	DeliveryID   string `json:"deliveryId,omitempty"`
	Attempt      int    `json:"attempt,omitempty"`
	ResponseType string `json:"responseType,omitempty"`
	Error        string `json:"error,omitempty"`
}

// Journal is a bounded, ordered list of entries. It is safe for concurrent
// use; each tenant has its own, so tenants never contend on one lock. Its
// memory grows with the entries it holds, up to its capacity.
type Journal struct {
	mu       sync.Mutex
	capacity int
	ring     []Entry
	start    int // index of the oldest entry once the ring is full
	n        int // entries held
	dropped  uint64
}

// New returns a Journal that keeps the newest capacity entries
// (DefaultCapacity when capacity <= 0).
func New(capacity int) *Journal {
	if capacity <= 0 {
		capacity = DefaultCapacity
	}
	return &Journal{capacity: capacity}
}

// Add appends e, dropping the oldest entry when the journal is full. It
// reports whether an entry was dropped.
func (j *Journal) Add(e Entry) (dropped bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.n < len(j.ring) {
		j.ring[(j.start+j.n)%len(j.ring)] = e
		j.n++
		return false
	}
	if len(j.ring) < j.capacity {
		// Still growing: put the entries back in order from index 0 (they
		// wrap after DropBefore), then append.
		if j.start != 0 {
			j.ring = append(j.ring[j.start:], j.ring[:j.start]...)
			j.start = 0
		}
		j.ring = append(j.ring, e)
		j.n++
		return false
	}
	j.ring[j.start] = e
	j.start = (j.start + 1) % len(j.ring)
	j.dropped++
	return true
}

// DropBefore drops the entries whose Seq is below seq (they are the oldest)
// and returns how many it dropped; they count as dropped.
func (j *Journal) DropBefore(seq uint64) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := 0
	for j.n > 0 && j.ring[j.start].Seq < seq {
		j.ring[j.start] = Entry{}
		j.start = (j.start + 1) % len(j.ring)
		j.n--
		n++
	}
	j.dropped += uint64(n)
	if j.n < len(j.ring)/4 && len(j.ring) > 64 {
		// Most of the ring is empty: give the memory back, keeping room to
		// grow again.
		shrunk := make([]Entry, j.n, 2*j.n)
		for i := range shrunk {
			shrunk[i] = j.ring[(j.start+i)%len(j.ring)]
		}
		j.ring, j.start = shrunk, 0
	}
	return n
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

// Snapshot returns, under one lock, the entries that keep reports true
// for (all of them when keep is nil), oldest first, and how many entries
// the journal was ever given since it was last cleared: those held plus
// those dropped. A reader that follows the journal compares that total
// with what it has read to know exactly how much it missed.
func (j *Journal) Snapshot(keep func(*Entry) bool) (entries []Entry, total uint64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	entries = make([]Entry, 0, j.n)
	for i := 0; i < j.n; i++ {
		e := &j.ring[(j.start+i)%len(j.ring)]
		if keep == nil || keep(e) {
			entries = append(entries, *e)
		}
	}
	return entries, uint64(j.n) + j.dropped
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

// Clear removes every entry and resets the dropped count. It returns how
// many entries it removed.
func (j *Journal) Clear() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := j.n
	j.ring = nil
	j.start, j.n, j.dropped = 0, 0, 0
	return n
}
