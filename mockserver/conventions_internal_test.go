package mockserver

import (
	"fmt"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

func TestConventionLoginsAreBuiltOnce(t *testing.T) {
	lib, err := scenarios.Build(time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{}
	first, err := s.conventionByUsername(lib, "flinkscapital", "pending_2__accounts_1_days_3")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(first.AllAccounts()); n != 1 {
		t.Fatalf("%d accounts, want the 1 generated account of a built login", n)
	}
	again, _ := s.conventionByUsername(lib, "FlinksCapital", "Pending_02__Accounts_1_Days_3")
	byID := s.loginByID(lib, first.LoginID)
	if again != first || byID != first {
		t.Errorf("the login was built again: %p, %p, %p", first, again, byID)
	}
	if l, err := s.conventionByUsername(lib, "OtherBank", "pending_2"); l != nil || err != scenarios.ErrNotConvention {
		t.Errorf("at another institution: %v, %v; want ErrNotConvention", l, err)
	}
}

func TestConventionCacheIsBounded(t *testing.T) {
	var c conventionCache
	var kept []*scenarios.Login
	for i := 1; i <= conventionCacheSize+44; i++ {
		l, err := scenarios.ParseConvention(fmt.Sprintf("accounts_1_days_%d", i))
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, c.put(l))
	}
	if len(c.m) != conventionCacheSize || len(c.order) != conventionCacheSize {
		t.Fatalf("the cache holds %d logins (%d in order), want %d", len(c.m), len(c.order), conventionCacheSize)
	}
	if c.get(kept[0].LoginID) != nil {
		t.Error("the oldest login is still kept")
	}
	if last := kept[len(kept)-1]; c.get(last.LoginID) != last {
		t.Error("the newest login is not kept")
	}
}
