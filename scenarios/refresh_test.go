package scenarios_test

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

func TestRefreshedAddsTransactionsOfTheDay(t *testing.T) {
	lib := buildDefaultLibrary(t)
	login := lib.LoginByUsername(scenarios.DefaultInstitution, "greatday_nomfa")
	day := time.Date(2026, 11, 3, 3, 0, 0, 0, time.UTC)
	before := login.AllAccounts()
	after := login.Refreshed(day).AllAccounts()
	if len(after) != len(before) {
		t.Fatalf("%d accounts after the refresh, %d before", len(after), len(before))
	}
	for i, acc := range after {
		old := before[i]
		added := len(acc.Transactions) - len(old.Transactions)
		if added < 1 || added > 2 {
			t.Fatalf("account %s: %d transactions added, want 1 or 2", acc.Id, added)
		}
		if !reflect.DeepEqual(acc.Transactions[added:], old.Transactions) {
			t.Errorf("account %s: the earlier transactions changed", acc.Id)
		}
		balance := old.Balance.Current
		for j := added - 1; j >= 0; j-- {
			tx := acc.Transactions[j]
			if tx.Date != "2026-11-03" || tx.Id == "" || tx.Description == "" {
				t.Errorf("account %s: transaction %+v", acc.Id, tx)
			}
			move := value(tx.Credit) - value(tx.Debit)
			if acc.Category == "Credits" {
				move = -move
			}
			balance += move
			if math.Abs(tx.Balance-balance) > 0.001 {
				t.Errorf("account %s: transaction %s has balance %.2f, want %.2f", acc.Id, tx.Id, tx.Balance, balance)
			}
		}
		if math.Abs(acc.Balance.Current-balance) > 0.001 {
			t.Errorf("account %s: balance %.2f, want %.2f", acc.Id, acc.Balance.Current, balance)
		}
	}
	if len(login.AllAccounts()[0].Transactions) != len(before[0].Transactions) {
		t.Error("Refreshed changed the library's login")
	}
}

func TestRefreshedIsDeterministic(t *testing.T) {
	lib := buildDefaultLibrary(t)
	login := lib.LoginByUsername(scenarios.DefaultInstitution, "greatday_nomfa")
	night := time.Date(2026, 11, 3, 3, 0, 0, 0, time.UTC)
	a := login.Refreshed(night).AllAccounts()
	b := login.Refreshed(night).AllAccounts()
	if !reflect.DeepEqual(a, b) {
		t.Error("two refreshes of the same night differ")
	}
	c := login.Refreshed(night.AddDate(0, 0, 1)).AllAccounts()
	if reflect.DeepEqual(a[0].Transactions[0], c[0].Transactions[0]) {
		t.Error("refreshes of two nights found the same transaction")
	}
	other := lib.LoginByUsername(scenarios.DefaultInstitution, "Greatday").Refreshed(night).AllAccounts()
	if reflect.DeepEqual(a[0].Transactions[0].Id, other[0].Transactions[0].Id) {
		t.Error("two logins found the same transaction")
	}
	twice := login.Refreshed(night).Refreshed(night.AddDate(0, 0, 1)).AllAccounts()
	if got, want := len(twice[0].Transactions), len(c[0].Transactions)+len(a[0].Transactions)-len(login.AllAccounts()[0].Transactions); got != want {
		t.Errorf("two nights: %d transactions, want %d", got, want)
	}
}

func value(v *float64) float64 {
	if v == nil {
		return 0
	}
	return *v
}
