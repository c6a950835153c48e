// Package journal records what a mock server saw and did: every request it
// answered, in order, with secrets redacted. The contract rules and the admin
// API read it. A Journal is bounded: when full, the oldest entries are
// dropped and counted, so a long soak test cannot exhaust memory.
package journal

import (
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"
	"unsafe"
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

// How /Authorize was called, recorded in Entry.Mode.
const (
	ModeCached = "cached"     // a LoginId with MostRecentCached true
	ModeLive   = "live"       // a LoginId with MostRecentCached false
	ModeLegacy = "legacy"     // a username, password and institution
	ModeAnswer = "mfa-answer" // the SecurityResponses of a 203
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
	// token), so reuse can be traced across entries; on
	// GenerateAuthorizeToken, the token it issued.
	TokenRef string `json:"tokenRef,omitempty"`
	// APIKey tells whether an x-api-key header was sent.
	APIKey bool `json:"apiKey,omitempty"`
	// Bearer tells whether an "Authorization: Bearer" header was sent.
	Bearer bool `json:"bearer,omitempty"`
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
	// Message is the Message of an error answer, so that its envelope
	// can be shown again without keeping the body.
	Message string `json:"message,omitempty"`
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
// memory grows with the entries it holds, up to its capacity: the entries
// are a ring, oldest first, that doubles while it is full and below the
// capacity, and halves when it holds less than a quarter of its room.
type Journal struct {
	mu       sync.Mutex
	entries  ring // the entries from head on, wrapping around
	head     int  // the slot of the oldest entry
	n        int  // entries held
	capacity int
	bytes    int64 // what the entries held cost (Entry.Bytes)
	added    uint64
	dropped  uint64
}

// ring is the room of a journal's entries.
type ring []slot

// Room returns how many entries the ring has room for.
func (r ring) Room() int { return len(r) }

// slot is an entry of the ring and what it costs.
type slot struct {
	e    Entry
	cost int64
}

// minRing is the room of a ring when it first holds an entry.
const minRing = 8

// New returns a Journal that keeps the newest capacity entries
// (DefaultCapacity when capacity <= 0).
func New(capacity int) *Journal {
	if capacity <= 0 {
		capacity = DefaultCapacity
	}
	return &Journal{capacity: capacity}
}

// entryBytes is what an Entry holds besides its texts: the struct, its
// slot in the ring and the room a ring keeps spare.
const entryBytes = int64(unsafe.Sizeof(Entry{})) + 96

// Bytes estimates the memory an entry holds in a journal: its fields, its
// texts and its lists.
func (e *Entry) Bytes() int64 {
	n := entryBytes
	for _, s := range [...]string{e.Kind, e.Tenant, e.Method, e.Path, e.Endpoint, e.RequestID, e.LoginID, e.Token, e.TokenRef, e.Body, e.Mode, e.FlinksCode, e.Message, e.URL, e.DeliveryID, e.ResponseType, e.Error} {
		n += int64(len(s))
	}
	for _, list := range [...][]string{e.Answered, e.Challenges} {
		n += int64(cap(list)) * int64(unsafe.Sizeof(""))
		for _, s := range list {
			n += int64(len(s))
		}
	}
	return n
}

// Add appends e, dropping the oldest entry when the journal is full. It
// reports whether an entry was dropped.
func (j *Journal) Add(e Entry) (dropped bool) {
	items, _ := j.AddCounting(e)
	return items < 1
}

// AddCounting is Add for a caller that counts the entries of many
// journals: it returns how many more entries, and bytes of them, the
// journal holds (fewer when others were dropped).
func (j *Journal) AddCounting(e Entry) (items int, bytes int64) {
	cost := e.Bytes()
	j.mu.Lock()
	defer j.mu.Unlock()
	j.added++
	if j.n == j.capacity {
		bytes -= j.dropFirst()
		items--
		j.dropped++
	}
	if j.n == len(j.entries) {
		j.resize(min(max(2*len(j.entries), minRing), j.capacity))
	}
	s := &j.entries[(j.head+j.n)%len(j.entries)]
	s.e, s.cost = e, cost
	j.n++
	j.bytes += cost
	return items + 1, bytes + cost
}

// dropFirst forgets the oldest entry, which the caller counts, and
// returns what it cost. Callers hold j.mu and know it is there.
func (j *Journal) dropFirst() int64 {
	s := &j.entries[j.head]
	cost := s.cost
	*s = slot{}
	j.head = (j.head + 1) % len(j.entries)
	j.n--
	j.bytes -= cost
	return cost
}

// resize moves the entries to a ring of the given room, oldest first.
func (j *Journal) resize(room int) {
	r := make(ring, room)
	for i := range j.n {
		r[i] = j.entries[(j.head+i)%len(j.entries)]
	}
	j.entries, j.head = r, 0
}

// shrink halves the ring while it holds less than a quarter of its room,
// and lets an empty one go. Callers hold j.mu.
func (j *Journal) shrink() {
	if j.n == 0 {
		j.entries, j.head = nil, 0
		return
	}
	room := len(j.entries)
	for room > minRing && j.n < room/4 {
		room /= 2
	}
	if room != len(j.entries) {
		j.resize(room)
	}
}

// Oldest returns the Seq of the oldest entry (for the journal budget).
func (j *Journal) Oldest() (uint64, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.n == 0 {
		return 0, false
	}
	return j.entries[j.head].e.Seq, true
}

// DropOldest drops the oldest entry, which counts as dropped, and returns
// what it cost (for the journal budget).
func (j *Journal) DropOldest() (items int, bytes int64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.n == 0 {
		return 0, 0
	}
	bytes = j.dropFirst()
	j.dropped++
	j.shrink()
	return 1, bytes
}

// DropBefore drops the entries whose Seq is below seq (they are the oldest)
// and returns how many it dropped; they count as dropped.
func (j *Journal) DropBefore(seq uint64) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := 0
	for j.n > 0 && j.entries[j.head].e.Seq < seq {
		j.dropFirst()
		n++
	}
	j.dropped += uint64(n)
	j.shrink()
	return n
}

// Entries returns a copy of the entries held, oldest first, that keep
// reports true for (all of them when keep is nil).
func (j *Journal) Entries(keep func(*Entry) bool) []Entry {
	entries, _ := j.Snapshot(keep)
	return entries
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
	for i := range j.n {
		e := j.entries[(j.head+i)%len(j.entries)].e
		if keep == nil || keep(&e) {
			entries = append(entries, e)
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

// Bytes returns what the entries the journal holds cost (Entry.Bytes).
func (j *Journal) Bytes() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.bytes
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
	n, _ := j.ClearCounting()
	return n
}

// ClearCounting is Clear that also returns the bytes the entries held.
func (j *Journal) ClearCounting() (entries int, bytes int64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	entries, bytes = j.n, j.bytes
	j.entries, j.head, j.n, j.bytes, j.dropped = nil, 0, 0, 0, 0
	return entries, bytes
}

// TokenRef identifies a token or key in the journal without keeping it: a
// short hash, the same for every request that presented the same value,
// so reuse can be traced across entries.
func TokenRef(token string) string {
	// A token of up to 64 bytes (a UUID is 36) is hashed from the stack.
	var buf [64]byte
	sum := sha256.Sum256(append(buf[:0], token...))
	var ref [12]byte
	hex.Encode(ref[:], sum[:6])
	return string(ref[:])
}
