package flinksapi

import (
	"fmt"
	"testing"
	"time"
	"unsafe"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

var mocktestDay = time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)

// The accounts of a ready GetAccountsDetail are tens of kilobytes; sessions
// of the same login and options must share one encoding, or the session
// budget would hold gigabytes.
func TestSessionsShareTheEncodedAccounts(t *testing.T) {
	s := New(Config{})
	login := &scenarios.Login{Accounts: []scenarios.Account{{Id: "a", Transactions: []scenarios.Transaction{{Date: "2026-01-02"}}}}}
	inst := &scenarios.Institution{Name: "FlinksCapital", ID: 14}
	render := func(id string, o session.Options) session.Body {
		b, _ := s.renderDetail(&session.Session{ID: id, Login: login, Inst: inst}, o)
		return b
	}
	one := render("r1", session.Options{Transactions: true, Days: 90})
	two := render("r2", session.Options{Transactions: true, Days: 90})
	if unsafe.SliceData(one.Shared) != unsafe.SliceData(two.Shared) {
		t.Error("two sessions of one login encoded their accounts twice")
	}
	if string(one.Own) == string(two.Own) {
		t.Error("the sessions' own parts should differ by RequestId")
	}
	other := render("r3", session.Options{Transactions: false, Days: 90})
	if string(other.Shared) == string(one.Shared) {
		t.Error("different options gave the same encoding")
	}
	filtered := render("r4", session.Options{Transactions: true, Days: 90, Filter: "a"})
	if s.renders.Len() != 3 || filtered.Empty() {
		t.Errorf("%d encodings cached, want 3: one per login and options", s.renders.Len())
	}
}

// The cache of encodings is bounded in bytes, and a session keeps only the
// handle of its shared part: once the cache forgets it, the session renders
// it again rather than keeping bytes no bound counts.
func TestTheRenderCacheIsBoundedInBytes(t *testing.T) {
	s := New(Config{})
	inst := &scenarios.Institution{Name: "FlinksCapital", ID: 14}
	built, err := scenarios.Build(mocktestDay, scenarios.Source{Name: "t", File: &scenarios.File{Logins: []scenarios.Login{
		{Username: "big", Generate: &scenarios.Generate{Seed: 1, Chequing: 7, Savings: 7, CreditCards: 6, Days: 730}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	login := built.Logins[0]
	o := session.Options{Transactions: true, Days: 365}
	sess := &session.Session{ID: "r1", Login: login, Inst: inst}
	body, handle := s.renderDetail(sess, o)
	kept := session.Keep(body, handle)
	head := len(body.Shared)
	for i := range RenderCacheBytes/head + 2 {
		// A RefreshDelta that names no transaction: a whole answer each.
		s.renderDetail(&session.Session{ID: "r", Login: login, Inst: inst}, session.Options{Transactions: true, Days: 365, Delta: fmt.Sprint("none:", i)})
	}
	if got := s.renders.Bytes(); got > RenderCacheBytes {
		t.Errorf("the render cache holds %d bytes, over its bound of %d", got, RenderCacheBytes)
	}
	if _, ok := kept.Body(); ok {
		t.Fatal("the session still holds the encoding the cache forgot")
	}
	again, _ := s.renderDetail(sess, o)
	if len(again.Shared) != head {
		t.Errorf("rendered again: %d bytes, want the %d of the first rendering", len(again.Shared), head)
	}
	if got := s.generated.Bytes(); got == 0 || got > AccountsCacheBytes {
		t.Errorf("the cache of generated accounts holds %d bytes; want some, within %d", got, AccountsCacheBytes)
	}
}
