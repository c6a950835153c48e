package mockserver

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/scenarios"
	"github.com/google/uuid"
)

// tenant is the state of one {customerId}: its authorize tokens, its
// sessions, how far each login has gone through its authorize steps, its
// run-time scenarios and its journal. Tenants never share state, so
// parallel test runs against one server do not see each other.
type tenant struct {
	id      string
	journal *journal.Journal
	tokens  tokenStore

	// overlay holds the scenario files added at run time; lib is the
	// library built from the server's sources plus overlay (nil: none).
	overlayMu sync.Mutex
	overlay   []scenarios.Source
	lib       atomic.Pointer[scenarios.Library]

	// life is held for reading while an item is added to the tenant and
	// counted in a server budget, and for writing by reset: a request
	// still running when its tenant is reset must not count items into a
	// tenant the server no longer holds, or the budgets would drift.
	life    sync.RWMutex
	retired bool

	mu       sync.Mutex
	sessions map[string]*session
	order    []numbered // session ids, oldest first
	maxSess  int
	logins   map[string]*loginState // by LoginId
}

// A session keeps the Tag of its /Authorize and the AccountsFilter of its
// data requests: bounding them makes the session budget a bound on memory
// (each session then holds at most about 12 KiB of what clients sent).
const (
	maxTagBytes    = 4096
	maxFilterBytes = 4096
)

// numbered is an item of a bounded store with its number in the budget.
type numbered struct {
	seq uint64
	id  string
}

// loginState is what a tenant remembers of a login across sessions.
type loginState struct {
	authorize cursor // position in the login's authorize steps
	picks     int    // sessions opened so far, to rotate MFA picks
}

func newTenant(id string, cfg Config) *tenant {
	return &tenant{
		id:       id,
		journal:  journal.New(cfg.JournalSize),
		tokens:   tokenStore{tokens: map[string]*token{}, max: cfg.MaxTokens},
		sessions: map[string]*session{},
		maxSess:  cfg.MaxSessions,
		logins:   map[string]*loginState{},
	}
}

// login returns the tenant's memory of a login. Callers hold t.mu.
func (t *tenant) login(loginID string) *loginState {
	ls := t.logins[loginID]
	if ls == nil {
		ls = &loginState{}
		t.logins[loginID] = ls
	}
	return ls
}

// addSession stores a new session, numbered by next, forgetting the oldest
// when the tenant is full. It returns how many sessions it forgot.
func (t *tenant) addSession(s *session, next func() uint64) (forgot int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for len(t.sessions) >= t.maxSess && len(t.order) > 0 {
		forgot += t.popSession()
	}
	// Numbered under the lock, so t.order stays sorted.
	seq := next()
	s.seq = seq
	t.sessions[s.id] = s
	t.order = append(t.order, numbered{seq, s.id})
	return forgot
}

// popSession takes the first entry of t.order and forgets its session,
// unless the entry is stale (the session was renumbered since). It returns
// how many sessions it forgot. Callers hold t.mu.
func (t *tenant) popSession() int {
	o := t.order[0]
	t.order = t.order[1:]
	if sess := t.sessions[o.id]; sess != nil && sess.seq == o.seq {
		delete(t.sessions, o.id)
		return 1
	}
	return 0
}

// dropSessionsBefore forgets the sessions numbered below seq.
func (t *tenant) dropSessionsBefore(seq uint64) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for len(t.order) > 0 && t.order[0].seq < seq {
		n += t.popSession()
	}
	return n
}

// renumber gives a session a new, recent number, so the bounds, which
// forget the oldest numbers first, forget it last: the sessions are kept
// in the order they were last used. Its old entry in t.order goes stale;
// stale entries are dropped when they reach the front, or all at once
// when they outnumber the live ones. Callers hold t.mu.
func (t *tenant) renumber(sess *session, seq uint64) {
	if t.sessions[sess.id] != sess {
		return // forgotten meanwhile
	}
	sess.seq = seq
	t.order = append(t.order, numbered{seq, sess.id})
	if len(t.order) > 2*len(t.sessions)+16 {
		live := make([]numbered, 0, 2*len(t.sessions))
		for _, o := range t.order {
			if s := t.sessions[o.id]; s != nil && s.seq == o.seq {
				live = append(live, o)
			}
		}
		t.order = live
	}
}

// session returns the session with this RequestId, or nil.
func (t *tenant) session(requestID string) *session {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.sessions[requestID]
}

// forgetLogins drops the sessions and the step positions of the logins
// whose LoginIds are given (their scenario changed), and returns how many
// sessions went.
func (t *tenant) forgetLogins(loginIDs map[string]bool) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	kept := t.order[:0]
	for _, o := range t.order {
		sess := t.sessions[o.id]
		if sess == nil || sess.seq != o.seq {
			continue // stale
		}
		if loginIDs[sess.login.LoginID] {
			delete(t.sessions, o.id)
			n++
			continue
		}
		kept = append(kept, o)
	}
	t.order = kept
	for id := range loginIDs {
		delete(t.logins, id)
	}
	return n
}

// reset forgets every session, token, step position and journal entry,
// and the run-time scenarios, and retires the tenant: the server no longer
// holds it, and items added to it later are not counted. It returns how
// many sessions, tokens and entries went, for the budgets.
func (t *tenant) reset() (sessions, tokens, entries int) {
	t.life.Lock()
	defer t.life.Unlock()
	t.retired = true
	t.overlayMu.Lock()
	t.overlay = nil
	t.lib.Store(nil)
	t.overlayMu.Unlock()
	t.mu.Lock()
	sessions = len(t.sessions)
	t.sessions = map[string]*session{}
	t.order = nil
	t.logins = map[string]*loginState{}
	t.mu.Unlock()
	tokens = t.tokens.clear()
	entries = t.journal.Clear()
	return sessions, tokens, entries
}

// token is one authorize token.
type token struct {
	issued time.Time
	used   bool
}

// tokenStore holds a tenant's authorize tokens: single use, with a lifetime.
type tokenStore struct {
	mu     sync.Mutex
	tokens map[string]*token
	order  []numbered
	max    int
}

// issue creates a new token numbered seq and returns it with how many old
// tokens it forgot to stay within the tenant's bound.
func (ts *tokenStore) issue(now time.Time, seq uint64) (id string, forgot int) {
	id = uuid.NewString()
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for len(ts.order) >= ts.max {
		delete(ts.tokens, ts.order[0].id)
		ts.order = ts.order[1:]
		forgot++
	}
	ts.tokens[id] = &token{issued: now}
	ts.order = append(ts.order, numbered{seq, id})
	return id, forgot
}

// dropBefore forgets the tokens numbered below seq.
func (ts *tokenStore) dropBefore(seq uint64) int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	n := 0
	for len(ts.order) > 0 && ts.order[0].seq < seq {
		delete(ts.tokens, ts.order[0].id)
		ts.order = ts.order[1:]
		n++
	}
	return n
}

func (ts *tokenStore) clear() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	n := len(ts.order)
	ts.tokens = map[string]*token{}
	ts.order = nil
	return n
}

// consume uses a token once and reports its state (journal.Token*): only
// TokenFresh means the token was valid; it is then used up.
func (ts *tokenStore) consume(id string, now time.Time, lifetime time.Duration) string {
	if id == "" {
		return journal.TokenMissing
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	tok := ts.tokens[id]
	switch {
	case tok == nil:
		return journal.TokenUnknown
	case tok.used:
		return journal.TokenReused
	case now.Sub(tok.issued) >= lifetime:
		return journal.TokenExpired
	}
	tok.used = true
	return journal.TokenFresh
}

// addSession stores a new session within the tenant's bound and the
// server's session budget.
func (s *Server) addSession(t *tenant, sess *session) {
	t.life.RLock()
	defer t.life.RUnlock()
	if t.retired {
		return
	}
	// /Authorize refuses a longer Tag; other ways in (the Connect
	// simulator's form) are cut to the same bound.
	sess.tag = clipText(sess.tag, maxTagBytes)
	s.sessions.shrink(t.addSession(sess, s.sessions.next))
	if s.sessions.grow() {
		s.trim(&s.sessions, (*tenant).dropSessionsBefore, nil)
	}
}

// session returns the session with this RequestId (nil when there is none)
// for a request that uses it. A session in use is kept like a new one: it
// gets a new number, so a client polling one RequestId for its 30 minutes
// does not lose it to the sessions other customers open meanwhile.
func (s *Server) session(t *tenant, requestID string) *session {
	t.mu.Lock()
	defer t.mu.Unlock()
	sess := t.sessions[requestID]
	if sess != nil {
		t.renumber(sess, s.sessions.next())
	}
	return sess
}

// issueToken creates an authorize token within the tenant's bound and the
// server's token budget.
func (s *Server) issueToken(t *tenant) string {
	t.life.RLock()
	defer t.life.RUnlock()
	if t.retired {
		return uuid.NewString() // a token of a tenant that is gone
	}
	id, forgot := t.tokens.issue(s.clock.Now(), s.tokens.next())
	s.tokens.shrink(forgot)
	if s.tokens.grow() {
		s.trim(&s.tokens, func(t *tenant, before uint64) int { return t.tokens.dropBefore(before) }, nil)
	}
	return id
}
