package flinksapi

import (
	"testing"
	"unsafe"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// The accounts of a ready GetAccountsDetail are tens of kilobytes; sessions
// of the same login and options must share one encoding, or the session
// budget would hold gigabytes.
func TestSessionsShareTheEncodedAccounts(t *testing.T) {
	s := New(Config{})
	login := &scenarios.Login{Accounts: []scenarios.Account{{Id: "a", Transactions: []scenarios.Transaction{{Date: "2026-01-02"}}}}}
	inst := &scenarios.Institution{Name: "FlinksCapital", ID: 14}
	one := s.renderDetail(&session.Session{ID: "r1", Login: login, Inst: inst}, session.Options{Transactions: true, Days: 90})
	two := s.renderDetail(&session.Session{ID: "r2", Login: login, Inst: inst}, session.Options{Transactions: true, Days: 90})
	if unsafe.SliceData(one.Shared) != unsafe.SliceData(two.Shared) {
		t.Error("two sessions of one login encoded their accounts twice")
	}
	if string(one.Own) == string(two.Own) {
		t.Error("the sessions' own parts should differ by RequestId")
	}
	other := s.renderDetail(&session.Session{ID: "r3", Login: login, Inst: inst}, session.Options{Transactions: false, Days: 90})
	if string(other.Shared) == string(one.Shared) {
		t.Error("different options gave the same encoding")
	}
	filtered := s.renderDetail(&session.Session{ID: "r4", Login: login, Inst: inst}, session.Options{Transactions: true, Days: 90, Filter: "a"})
	if s.renders.Len() != 2 || filtered.Empty() {
		t.Errorf("a filtered request should not be cached: %d cached", s.renders.Len())
	}
}
