package mockserver

import (
	"sync"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/google/uuid"
)

// tenant is the state of one {customerId}: its authorize tokens, its
// sessions, how far each login has gone through its authorize steps, and
// its journal. Tenants never share state, so parallel test runs against one
// server do not see each other.
type tenant struct {
	id      string
	journal *journal.Journal
	tokens  tokenStore

	mu       sync.Mutex
	sessions map[string]*session
	order    []string // session ids, oldest first, to bound the map
	maxSess  int
	logins   map[string]*loginState // by LoginId
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

// addSession stores a new session, forgetting the oldest when full.
func (t *tenant) addSession(s *session) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.order) >= t.maxSess {
		delete(t.sessions, t.order[0])
		t.order = t.order[1:]
	}
	t.sessions[s.id] = s
	t.order = append(t.order, s.id)
}

// session returns the session with this RequestId, or nil.
func (t *tenant) session(requestID string) *session {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.sessions[requestID]
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
	order  []string
	max    int
}

// issue creates a new token.
func (ts *tokenStore) issue(now time.Time) string {
	id := uuid.NewString()
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if len(ts.order) >= ts.max {
		delete(ts.tokens, ts.order[0])
		ts.order = ts.order[1:]
	}
	ts.tokens[id] = &token{issued: now}
	ts.order = append(ts.order, id)
	return id
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
