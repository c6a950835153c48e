package tenancy

import (
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/scenarios"
	"github.com/google/uuid"
)

var start = time.Date(2026, 11, 2, 15, 4, 5, 0, time.UTC)

// newRegistry is a registry of small bounds over an empty library.
func newRegistry(t testing.TB, cfg Config) *Registry {
	t.Helper()
	lib, err := scenarios.Build(start)
	if err != nil {
		t.Fatal(err)
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&cfg.MaxTenants, 100)
	def(&cfg.JournalSize, 100)
	def(&cfg.JournalBudget, 1000)
	def(&cfg.MaxSessions, 100)
	def(&cfg.SessionBudget, 1000)
	def(&cfg.MaxTokens, 100)
	def(&cfg.TokenBudget, 1000)
	cfg.Log = slog.New(slog.DiscardHandler)
	return New(cfg, lib)
}

// checkBudgets checks that the budgets count exactly the sessions, tokens
// and journal entries the tenants hold: a count that drifts makes the
// server trim on every request, or never.
func checkBudgets(t *testing.T, r *Registry) {
	t.Helper()
	hs, ht, he := r.Held()
	s, tk, e := r.Holding()
	if hs != s || ht != tk || he != e {
		t.Errorf("the budgets count %d sessions, %d tokens, %d entries; the tenants hold %d, %d, %d", hs, ht, he, s, tk, e)
	}
	bs, be, br := r.HeldBytes()
	s2, e2, r2 := r.HoldingBytes()
	if bs != s2 || be != e2 || br != r2 {
		t.Errorf("the budgets count %d, %d, %d bytes of sessions, entries, records; the tenants hold %d, %d, %d", bs, be, br, s2, e2, r2)
	}
}

func newSession(id string) *session.Session {
	return session.New(id, &scenarios.Login{LoginID: "l"}, &scenarios.FlinksCapital, "", start, session.Open(nil, 0, start))
}

// TestResetDuringARequestKeepsBudgetsExact plays, in order, what the race
// tests hit only now and then: a request holds its tenant, the tenant is
// reset, then the request adds a session, a token and its journal entry.
func TestResetDuringARequestKeepsBudgetsExact(t *testing.T) {
	r := newRegistry(t, Config{})
	held, err := r.Tenant("acme")
	if err != nil {
		t.Fatal(err)
	}
	held.AddSession(newSession("before"))
	held.IssueToken(start)
	r.Record(held, journal.Entry{Kind: journal.KindRequest})
	checkBudgets(t, r)

	if ids := r.Reset("acme"); len(ids) != 1 || held.Live() {
		t.Fatalf("reset %v, tenant live %v", ids, held.Live())
	}
	held.AddSession(newSession("after"))
	held.IssueToken(start)
	r.Record(held, journal.Entry{Kind: journal.KindRequest})
	checkBudgets(t, r)
	if n := len(r.Entries("acme")); n != 0 {
		t.Errorf("the reset customer has %d journal entries, want none", n)
	}
	if again, _ := r.Tenant("acme"); again == held || again.PeekSession("after") != nil {
		t.Error("the customer came back with the retired tenant's state")
	}
}

// TestSessionBoundKeepsTheSessionsInUse: a client polling its session
// never loses it to the sessions others open meanwhile, in its tenant or
// across tenants.
func TestSessionBoundKeepsTheSessionsInUse(t *testing.T) {
	r := newRegistry(t, Config{MaxSessions: 5, SessionBudget: 20})
	hot, _ := r.Tenant("hot")
	hot.AddSession(newSession("polled"))
	for i := range 200 {
		tn, _ := r.Tenant([]string{"a", "b", "c", "hot"}[i%4])
		tn.AddSession(newSession(strings.Repeat("x", i%7) + string(rune('A'+i%26)) + string(rune('a'+i/26))))
		if hot.Session("polled") == nil {
			t.Fatalf("the polled session was forgotten after %d sessions opened", i+1)
		}
	}
	if s, _, _ := r.Holding(); s > 20 {
		t.Errorf("the tenants hold %d sessions, over the budget of 20", s)
	}
	checkBudgets(t, r)
}

func TestTokensAreSingleUse(t *testing.T) {
	r := newRegistry(t, Config{})
	tn, _ := r.Tenant("acme")
	id := tn.IssueToken(start)
	tests := []struct {
		token string
		at    time.Duration
		want  string
	}{
		{"", 0, journal.TokenMissing},
		{"nope", 0, journal.TokenUnknown},
		{id, 0, journal.TokenFresh},
		{id, 0, journal.TokenReused},
	}
	for _, tt := range tests {
		if got := tn.ConsumeToken(tt.token, start.Add(tt.at), 30*time.Minute); got != tt.want {
			t.Errorf("ConsumeToken(%q) = %s, want %s", tt.token, got, tt.want)
		}
	}
	old := tn.IssueToken(start)
	if got := tn.ConsumeToken(old, start.Add(30*time.Minute), 30*time.Minute); got != journal.TokenExpired {
		t.Errorf("a token of 30 minutes: %s, want expired", got)
	}
	if !tn.HoldsToken(old) || r.TenantOfToken(old) != tn {
		t.Error("the tenant does not hold the token it issued")
	}
}

func TestTooManyTenants(t *testing.T) {
	r := newRegistry(t, Config{MaxTenants: 2})
	for _, id := range []string{"a", "b"} {
		if _, err := r.Tenant(id); err != nil {
			t.Fatal(err)
		}
	}
	_, err := r.Tenant("c")
	if !IsFull(err) || !strings.Contains(err.Error(), "--max-tenants") {
		t.Errorf("a third tenant: %v, want a FullError saying how to make room", err)
	}
	if _, err := r.Tenant(strings.Repeat("c", MaxCustomerIDBytes+1)); err != ErrCustomerIDTooLong {
		t.Errorf("a long customerId: %v", err)
	}
}

// TestJournalEntriesAreBounded: a request can carry a megabyte of text;
// its journal entry must not, or the journal budget would not bound
// memory.
func TestJournalEntriesAreBounded(t *testing.T) {
	r := newRegistry(t, Config{})
	long := strings.Repeat("é", 300<<10)
	prompts := make([]string, 1000)
	for i := range prompts {
		prompts[i] = long[:2000]
	}
	r.Record(nil, journal.Entry{Kind: journal.KindRequest, Tenant: long, Path: "/" + long, RequestID: long, LoginID: long, Body: "Tag=" + long, Answered: prompts})
	e := r.Entries("")[0]
	raw, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) > 8<<10 {
		t.Errorf("an entry of hostile texts takes %d bytes; want at most 8 KiB", len(raw))
	}
	if len(e.Answered) != maxEntryPrompts+1 || e.Answered[maxEntryPrompts] != "(and 984 more)" {
		t.Fatalf("answered %d prompts, want %d and a count of the rest", len(e.Answered), maxEntryPrompts)
	}
	for _, text := range append([]string{e.Tenant, e.Path, e.RequestID, e.LoginID, e.Body}, e.Answered[:maxEntryPrompts]...) {
		if !strings.HasSuffix(text, "...(cut)") || !utf8Valid(text) {
			t.Errorf("text %.40q... is not cut on a character boundary with the mark", text)
		}
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// TestSessionTagsAreBounded: /Authorize refuses a Tag over MaxTagBytes,
// and a session opened another way keeps at most that much of it.
func TestSessionTagsAreBounded(t *testing.T) {
	r := newRegistry(t, Config{})
	tn, err := r.Tenant("acme")
	if err != nil {
		t.Fatal(err)
	}
	sess := newSession("r")
	sess.Tag = strings.Repeat("t", 1<<20)
	tn.AddSession(sess)
	if got := tn.Session("r"); got == nil || len(got.Tag) > session.MaxTagBytes {
		t.Errorf("a session keeps a tag of %d bytes, want at most %d", len(sess.Tag), session.MaxTagBytes)
	}
}

// TestNewIDIsARandomUUID checks the ids of tokens and sessions: version 4
// UUIDs, never the same twice.
func TestNewIDIsARandomUUID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewID()
		u, err := uuid.Parse(id)
		if err != nil || u.Version() != 4 || u.Variant() != uuid.RFC4122 {
			t.Fatalf("NewID() = %q: version %d, variant %v, %v; want a version 4 UUID", id, u.Version(), u.Variant(), err)
		}
		if seen[id] {
			t.Fatalf("NewID() gave %s twice", id)
		}
		seen[id] = true
	}
}
