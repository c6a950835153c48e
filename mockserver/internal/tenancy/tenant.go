package tenancy

import (
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/bounded"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// Tenant is the state of one {customerId}: its authorize tokens, its
// sessions, how far each login has gone through its authorize steps, its
// run-time scenarios and its journal.
type Tenant struct {
	id  string
	reg *Registry

	tokens   *bounded.LRU[string, *token]
	sessions *bounded.LRU[string, *session.Session]
	logins   *bounded.LRU[string, *LoginState] // by LoginId
	// deleted holds the LoginIds removed by /DeleteCard.
	deleted *bounded.LRU[string, struct{}]
	// access holds the OAuth access tokens (/Token) until they expire.
	access *bounded.LRU[string, time.Time]

	// life is held for reading while an entry is added to the journal and
	// counted in the journal budget, and for writing by a reset: a request
	// still running when its tenant is reset must not count entries into a
	// tenant the server no longer holds, or the budget would drift. The
	// other stores are closed by the reset, which makes them take nothing.
	life    sync.RWMutex
	retired atomic.Bool
	journal *journal.Journal

	// overlay holds the scenario files added at run time; lib is the
	// library built from the server's sources plus overlay (nil: none).
	overlayMu sync.Mutex
	overlay   []scenarios.Source
	// overlayBytes is what overlay costs in the registry's bound of
	// run-time scenarios.
	overlayBytes int64
	lib          atomic.Pointer[scenarios.Library]
}

func newTenant(id string, r *Registry) *Tenant {
	return &Tenant{
		id:      id,
		reg:     r,
		journal: journal.New(r.cfg.JournalSize),
		tokens: bounded.New[string, *token](r.cfg.MaxTokens, bounded.Options[string, *token]{Budget: r.tokens, Cost: func(k string, _ *token) int64 {
			return recordBytes + int64(len(k)) + int64(unsafe.Sizeof(token{}))
		}}),
		sessions: bounded.New[string, *session.Session](r.cfg.MaxSessions, bounded.Options[string, *session.Session]{Budget: r.sessions, Cost: func(_ string, s *session.Session) int64 {
			return recordBytes + s.Bytes()
		}}),
		// A login state is a few words: the session bound is a generous
		// bound for the logins a tenant signs in to.
		logins: bounded.New[string, *LoginState](r.cfg.MaxSessions, bounded.Options[string, *LoginState]{Budget: r.records, Cost: func(k string, ls *LoginState) int64 {
			return recordBytes + int64(len(k)) + ls.bytes()
		}}),
		deleted: bounded.New[string, struct{}](r.cfg.MaxSessions, bounded.Options[string, struct{}]{Budget: r.records, Cost: func(k string, _ struct{}) int64 {
			return recordBytes + int64(len(k))
		}}),
		access: bounded.New[string, time.Time](r.cfg.MaxTokens, bounded.Options[string, time.Time]{Budget: r.records, Cost: func(k string, _ time.Time) int64 {
			return recordBytes + int64(len(k)) + int64(unsafe.Sizeof(time.Time{}))
		}}),
	}
}

// recordBytes is what an item costs a store besides its key and value:
// its node, and its key in the store's index.
const recordBytes = 96

// ChargeSession takes again the bytes a session holds, which grow when
// its data is rendered, in the tenant's bound and the session budget. The
// caller must not hold the session's lock.
func (t *Tenant) ChargeSession(s *session.Session) { t.sessions.Update(s.ID) }

// ID returns the customerId.
func (t *Tenant) ID() string { return t.id }

// Live reports whether the server still holds the tenant: a reset retires
// it (a request that started before still holds it).
func (t *Tenant) Live() bool { return !t.retired.Load() }

// retire forgets everything the tenant holds and makes it take no more.
func (t *Tenant) retire() {
	t.life.Lock()
	t.retired.Store(true)
	entries, bytes := t.journal.ClearCounting()
	t.life.Unlock()
	t.reg.journals.Add(-entries, -bytes)
	t.overlayMu.Lock()
	t.overlay = nil
	t.lib.Store(nil)
	t.reg.scenarioBytes.Add(-t.overlayBytes)
	t.overlayBytes = 0
	t.overlayMu.Unlock()
	t.sessions.Close()
	t.tokens.Close()
	t.logins.Close()
	t.deleted.Close()
	t.access.Close()
}

// Journal returns the tenant's journal.
func (t *Tenant) Journal() *journal.Journal { return t.journal }

// Record adds an entry to the tenant's journal; see Registry.Record.
func (t *Tenant) Record(e journal.Entry) { t.reg.Record(t, e) }

// token is one authorize token.
type token struct {
	issued time.Time
	used   atomic.Bool
}

// IssueToken creates a single-use authorize token issued at now. A retired
// tenant's token is never stored.
func (t *Tenant) IssueToken(now time.Time) string {
	id := NewID()
	t.tokens.Add(id, &token{issued: now})
	return id
}

// ConsumeToken uses a token once and reports its state (journal.Token*):
// only TokenFresh means the token was valid; it is then used up. Exactly
// one of many concurrent calls with one token gets TokenFresh.
func (t *Tenant) ConsumeToken(id string, now time.Time, lifetime time.Duration) string {
	if id == "" {
		return journal.TokenMissing
	}
	tok, ok := t.tokens.Get(id)
	switch {
	case !ok:
		return journal.TokenUnknown
	case tok.used.Load():
		return journal.TokenReused
	case now.Sub(tok.issued) >= lifetime:
		return journal.TokenExpired
	case tok.used.Swap(true):
		return journal.TokenReused
	}
	return journal.TokenFresh
}

// HoldsToken reports whether the tenant issued this token, used or not.
func (t *Tenant) HoldsToken(id string) bool {
	_, ok := t.tokens.Peek(id)
	return ok
}

// AddSession stores a new session within the tenant's bound and the
// session budget. A retired tenant stores nothing.
func (t *Tenant) AddSession(s *session.Session) {
	// /Authorize refuses a longer Tag; other ways in (the Connect
	// simulator's form) are cut to the same bound.
	s.Tag = ClipText(s.Tag, session.MaxTagBytes)
	t.sessions.Add(s.ID, s)
}

// Session returns the session with this RequestId (nil when there is none)
// for a request that uses it: a session in use is kept like a new one, so
// a client polling one RequestId for its 30 minutes does not lose it to
// the sessions other customers open meanwhile.
func (t *Tenant) Session(requestID string) *session.Session {
	s, _ := t.sessions.Get(requestID)
	return s
}

// PeekSession returns the session with this RequestId without counting it
// as used (the server looking, not a client).
func (t *Tenant) PeekSession(requestID string) *session.Session {
	s, _ := t.sessions.Peek(requestID)
	return s
}

// LoginState is what a tenant remembers of a login across sessions.
type LoginState struct {
	mu        sync.Mutex
	authorize session.Cursor  // position in the login's authorize steps
	picks     int             // sessions that asked MFA so far, to rotate MFA picks
	answers   map[string]bool // the prompts answered, by prompt (see answers.go)
	// answerBytes is what answers holds, for the budget of records.
	answerBytes atomic.Int64
	refresh     refreshState // the scheduled (nightly) refresh (see refresh.go)
	refreshed   time.Time    // the last aggregation of the login's data
	opened      int          // sessions counted by Opened
}

// Opened counts a session of the login and returns how many were counted
// before it.
func (ls *LoginState) Opened() int {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	ls.opened++
	return ls.opened - 1
}

// Aggregated returns the time of the login's last aggregation, which
// Login.LastRefresh reports: a live call aggregates now; a cached one
// returns the data of the last aggregation, the first one seen when the
// tenant saw none.
func (ls *LoginState) Aggregated(live bool, now time.Time) time.Time {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if live || ls.refreshed.IsZero() {
		ls.refreshed = now
	}
	return ls.refreshed
}

// Login returns the tenant's memory of a login.
func (t *Tenant) Login(loginID string) *LoginState {
	if ls, ok := t.logins.Get(loginID); ok {
		return ls
	}
	ls, _ := t.logins.GetOrAdd(loginID, &LoginState{})
	return ls
}

// NextAuthorize returns the authorize step that answers a call at now and,
// when asksMFA says the step asks for MFA, which group of challenges the
// session gets (the picks rotate over the sessions of the login).
func (ls *LoginState) NextAuthorize(login *scenarios.Login, now time.Time, asksMFA func(scenarios.Step) bool) (step scenarios.Step, pick int, mfa bool) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	step = ls.authorize.Next(login.Authorize, now)
	pick, mfa = ls.picks, asksMFA(step)
	if mfa {
		ls.picks++
	}
	return step, pick, mfa
}

// ForgetLogins drops the sessions and the step positions of the logins
// whose LoginIds are given (their scenario changed).
func (t *Tenant) ForgetLogins(loginIDs map[string]bool) {
	if len(loginIDs) == 0 {
		return
	}
	t.sessions.RemoveFunc(func(_ string, s *session.Session) bool { return loginIDs[s.Login.LoginID] })
	for id := range loginIDs {
		t.logins.Remove(id)
	}
}
