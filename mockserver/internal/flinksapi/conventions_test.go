package flinksapi

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

func TestConventionLoginsAreBuiltOnce(t *testing.T) {
	lib, err := scenarios.Build(time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{Log: slog.New(slog.DiscardHandler)})
	first, err := s.conventionByUsername(lib, "flinkscapital", "pending_2__accounts_1_days_3")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(first.AllAccounts()); n != 1 {
		t.Fatalf("%d accounts, want the 1 generated account of a built login", n)
	}
	again, _ := s.conventionByUsername(lib, "FlinksCapital", "Pending_02__Accounts_1_Days_3")
	byID := s.LoginByID(lib, first.LoginID)
	if again != first || byID != first {
		t.Errorf("the login was built again: %p, %p, %p", first, again, byID)
	}
	if l, err := s.conventionByUsername(lib, "OtherBank", "pending_2"); l != nil || err != scenarios.ErrNotConvention {
		t.Errorf("at another institution: %v, %v; want ErrNotConvention", l, err)
	}
}

func TestConventionCacheIsBounded(t *testing.T) {
	lib, err := scenarios.Build(time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{Log: slog.New(slog.DiscardHandler)})
	var kept []*scenarios.Login
	for i := 1; i <= conventionCacheSize+44; i++ {
		l, err := s.conventionByUsername(lib, "FlinksCapital", fmt.Sprintf("accounts_1_days_%d", i))
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, l)
	}
	if n := s.conventions.Len(); n != conventionCacheSize {
		t.Fatalf("the cache holds %d logins, want %d", n, conventionCacheSize)
	}
	if _, ok := s.conventions.Peek(strings.ToLower(kept[0].LoginID)); ok {
		t.Error("the oldest login is still kept")
	}
	if last := kept[len(kept)-1]; s.LoginByID(lib, last.LoginID) != last {
		t.Error("the newest login is not kept")
	}
}
