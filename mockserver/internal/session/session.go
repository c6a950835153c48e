package session

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// MaxTagBytes and MaxFilterBytes bound what a session keeps of what clients
// sent: the Tag of its /Authorize and the AccountsFilter of its data
// requests. Bounding them makes the session budget a bound on memory (each
// session then holds at most about 12 KiB of it).
const (
	MaxTagBytes    = 4096
	MaxFilterBytes = 4096
)

// LastRefreshLayout is how Flinks writes Login.LastRefresh: UTC, 7
// fractional digits, no zone designator.
const LastRefreshLayout = "2006-01-02T15:04:05.0000000"

// Session is one RequestId and what happened to it. Its first fields are
// set when it opens and never change; State and the operations are
// guarded by Lock.
type Session struct {
	ID    string
	Login *scenarios.Login
	Inst  *scenarios.Institution
	Tag   string
	// LastRefresh is Login.LastRefresh as Flinks writes it (UTC, no Z).
	LastRefresh string
	// ScheduledRefresh is Login.IsScheduledRefresh: the login was under
	// scheduled (nightly) refresh when the session opened.
	ScheduledRefresh bool
	// Ordinal counts the sessions of the login on its tenant, from 0, in
	// the varied shape (else 0): with the seed, it draws the session's
	// shapes, so that sessions differ and a run repeats.
	Ordinal int

	mu      sync.Mutex
	State   State
	Detail  Operation // GetAccountsDetail and its Async
	Summary Operation // GetAccountsSummary and its Async
	// Statements is GetStatements and its Async.
	Statements Operation

	// size is what Bytes returns, taken by Measure.
	size atomic.Int64
}

// New returns the record of a session opened at now in state st.
func New(id string, login *scenarios.Login, inst *scenarios.Institution, tag string, now time.Time, st State) *Session {
	s := &Session{ID: id, Login: login, Inst: inst, Tag: tag, LastRefresh: now.UTC().Format(LastRefreshLayout), State: st}
	s.Measure()
	return s
}

// detailTailBytes bounds the fields of the GetAccountsDetail tail
// besides the Tag.
const detailTailBytes = 1024

// Bytes estimates the memory the session holds of its own: its fields,
// the texts clients sent, and the parts of its 200 bodies that are not
// shared (the login and the shared parts belong to stores of their own).
// It is as of the last Measure, and safe to call without the lock.
func (s *Session) Bytes() int64 { return s.size.Load() }

// Measure takes the session's size again, for Bytes. Callers hold the
// lock, or are the only ones to know the session.
func (s *Session) Measure() {
	n := int64(unsafe.Sizeof(Session{})) + int64(len(s.ID)+len(s.Tag)+len(s.LastRefresh))
	// The own part of the GetAccountsDetail 200 is its tail (the Tag,
	// which JSON escapes in at most 6 bytes a byte, the RequestId, the
	// login and institution): counted from the start, since a webhook
	// may render it where the session is not measured.
	n += 6*int64(len(s.Tag)) + detailTailBytes
	for _, op := range [...]*Operation{&s.Detail, &s.Summary, &s.Statements} {
		o := &op.Options
		n += int64(len(o.Filter) + len(o.DateFrom) + len(o.DateTo) + len(o.Delta))
		if op != &s.Detail {
			n += int64(len(op.Body.own))
		}
	}
	for _, c := range s.State.Asked {
		n += int64(unsafe.Sizeof(c))
	}
	s.size.Store(n)
}

// Lock locks the session's state and operations.
func (s *Session) Lock() { s.mu.Lock() }

// Unlock unlocks them.
func (s *Session) Unlock() { s.mu.Unlock() }

// Operation is one data request of a session: where it is in its steps
// and, once ready, its encoded 200 body, built once and reused for every
// poll.
type Operation struct {
	// Started is the time of the first call; zero until then.
	Started time.Time
	Cursor  Cursor
	Options Options
	Body    Kept
	// Last is the Respond of the last step answered.
	Last string
	// Notified is set once the listeners of data events (the webhooks)
	// were told the data is ready: once per data request.
	Notified bool
	// ReadyTimer tells them when the steps say the data is ready, for a
	// client that relies on the webhook and never polls.
	ReadyTimer clock.Timer
}

// Ready reports whether the operation has answered its 200.
func (op *Operation) Ready() bool { return op.Last == scenarios.RespondReady }

// Options is what a data request asked for, in a comparable form.
type Options struct {
	// KYC: the holder of each account is sent (WithKYC, true unless set
	// false).
	KYC          bool
	Transactions bool
	Days         int
	Filter       string // AccountsFilter ids joined by commas
	// Months is how many monthly statements GetStatements asked for per
	// account (NumberOfStatements); 0 on the other endpoints.
	Months int
	// DateFrom and DateTo bound the transactions' dates (YYYY-MM-DD, ""
	// for no bound); either replaces Days.
	DateFrom, DateTo string
	// Minimal: the 200 leaves out what the contract lets it (the
	// library's shapes setting).
	Minimal bool
	// Varied: the answers are drawn from Seed among the shapes the
	// contract allows (shapes: varied(seed)).
	Varied bool
	Seed   uint64
	// NoBalance: WithBalance false, every balance is null.
	NoBalance bool
	// Delta is RefreshDelta as "accountId:transactionId" pairs joined by
	// commas: only the transactions newer than the one named are sent.
	Delta string
}

// DeltaOf returns the last TransactionId a RefreshDelta names for an
// account, "" when it names none.
func (o Options) DeltaOf(accountID string) string {
	for pair := range strings.SplitSeq(o.Delta, ",") {
		if acc, tx, ok := strings.Cut(pair, ":"); ok && acc == accountID {
			return tx
		}
	}
	return ""
}

// DefaultOptions are the options of a data request that sets none.
func DefaultOptions() Options { return Options{KYC: true, Transactions: true, Days: 90} }

// FilterIDs returns the AccountsFilter ids, nil when there is no filter.
func (o Options) FilterIDs() []string {
	if o.Filter == "" {
		return nil
	}
	return strings.Split(o.Filter, ",")
}

// Body is an encoded 200 body in two parts: shared bytes that many
// sessions answer with (never modified), and the session's own bytes that
// follow them.
type Body struct {
	Shared []byte
	Own    []byte
}

// Empty reports whether no body was built.
func (b Body) Empty() bool { return b.Shared == nil && b.Own == nil }

// Shared is the handle of shared bytes that a cache bounded in bytes
// holds. A session keeps the handle, not the bytes, so that what the
// sessions keep never adds to what the cache is bounded to: when the cache
// forgets the bytes it drops them, and the sessions that need them again
// render them again.
type Shared struct{ p atomic.Pointer[[]byte] }

// NewShared returns a handle of b.
func NewShared(b []byte) *Shared {
	s := &Shared{}
	s.p.Store(&b)
	return s
}

// Bytes returns the bytes, nil once dropped (or for a nil handle).
func (s *Shared) Bytes() []byte {
	if s == nil {
		return nil
	}
	if p := s.p.Load(); p != nil {
		return *p
	}
	return nil
}

// Drop lets the bytes go: the cache that held them forgot them.
func (s *Shared) Drop() { s.p.Store(nil) }

// Kept is a 200 body as a session keeps it: its own bytes, and the handle
// of its shared bytes.
type Kept struct {
	shared *Shared
	own    []byte
}

// Keep returns the body to keep of b, whose shared part shared holds (nil
// when b has none).
func Keep(b Body, shared *Shared) Kept { return Kept{shared: shared, own: b.Own} }

// Body returns the body kept; ok is false when there is none, or when its
// shared part was dropped: it must be rendered again.
func (k Kept) Body() (b Body, ok bool) {
	if k.shared == nil {
		return Body{Own: k.own}, k.own != nil
	}
	shared := k.shared.Bytes()
	return Body{Shared: shared, Own: k.own}, shared != nil
}

// Bytes returns the whole body in one slice.
func (b Body) Bytes() []byte {
	out := make([]byte, 0, len(b.Shared)+len(b.Own))
	return append(append(out, b.Shared...), b.Own...)
}

// Outcome is what one authorize event came to, for /Authorize to write as
// JSON and the Connect page to render: a failure, or a session that waits
// for the answers to Asked, or (Asked nil) an authorized session.
type Outcome struct {
	Session *Session
	Asked   []scenarios.Challenge
	Err     *Refusal
	// Gone: the client left during a scripted latency; nothing to answer.
	Gone bool
}

// Refusal is a failed authorize event as the answer carries it: a
// FlinksCode, its message (the code's default when empty), the RequestId to
// echo, and a status that overrides the code's when not zero (a scripted
// error step's).
type Refusal struct {
	Code      string
	Message   string
	RequestID string
	Status    int
}
