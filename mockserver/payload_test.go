package mockserver

import (
	"testing"
	"unsafe"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

// The accounts of a ready GetAccountsDetail are tens of kilobytes; sessions
// of the same login and options must share one encoding, or the session
// budget would hold gigabytes.
func TestSessionsShareTheEncodedAccounts(t *testing.T) {
	var s Server
	login := &scenarios.Login{Accounts: []scenarios.Account{{Id: "a", Transactions: []scenarios.Transaction{{Date: "2026-01-02"}}}}}
	inst := &scenarios.Institution{Name: "FlinksCapital", ID: 14}
	one := s.renderDetail(&session{id: "r1", login: login, inst: inst}, dataOptions{transactions: true, days: 90})
	two := s.renderDetail(&session{id: "r2", login: login, inst: inst}, dataOptions{transactions: true, days: 90})
	if unsafe.SliceData(one.shared) != unsafe.SliceData(two.shared) {
		t.Error("two sessions of one login encoded their accounts twice")
	}
	if string(one.own) == string(two.own) {
		t.Error("the sessions' own parts should differ by RequestId")
	}
	other := s.renderDetail(&session{id: "r3", login: login, inst: inst}, dataOptions{transactions: false, days: 90})
	if string(other.shared) == string(one.shared) {
		t.Error("different options gave the same encoding")
	}
	filtered := s.renderDetail(&session{id: "r4", login: login, inst: inst}, dataOptions{transactions: true, days: 90, filter: "a"})
	if len(s.rendered.m) != 2 || filtered.empty() {
		t.Errorf("a filtered request should not be cached: %d cached", len(s.rendered.m))
	}
}
