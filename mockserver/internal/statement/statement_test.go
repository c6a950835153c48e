package statement

import (
	"bytes"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

func f(v float64) *float64 { return &v }

func TestMonthsEndBeforeTheMonthOfTheNewestTransaction(t *testing.T) {
	got := Months(time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC), 3)
	want := []string{"2025-12-01..2025-12-31", "2026-01-01..2026-01-31", "2026-02-01..2026-02-28"}
	for i, p := range got {
		if s := p.From.Format(time.DateOnly) + ".." + p.To.Format(time.DateOnly); s != want[i] {
			t.Errorf("month %d = %s, want %s", i, s, want[i])
		}
	}
}

func TestCompute(t *testing.T) {
	feb := Period{From: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC)}
	txs := []scenarios.Transaction{ // newest first, Balance after each
		{Date: "2026-03-02", Debit: f(5), Balance: 115},
		{Date: "2026-02-20", Credit: f(100), Balance: 120},
		{Date: "2026-02-03", Debit: f(30.5), Balance: 20},
		{Date: "2026-01-31", Debit: f(1), Balance: 50.5},
	}
	for _, tc := range []struct {
		name     string
		acc      scenarios.Account
		want     Totals
		wantRows int
	}{
		{"chequing", scenarios.Account{Category: "Operations", Transactions: txs}, Totals{Opening: 50.5, Debits: 30.5, Credits: 100, Closing: 120}, 2},
		{"credit card: a debit raises what is owed", scenarios.Account{Category: "Credits", Transactions: []scenarios.Transaction{
			{Date: "2026-02-10", Debit: f(40), Balance: 140},
		}}, Totals{Opening: 100, Debits: 40, Closing: 140}, 1},
		{"no transaction in the month", scenarios.Account{Category: "Operations", Transactions: txs[3:]}, Totals{Opening: 50.5, Closing: 50.5}, 0},
		{"no transaction at all", scenarios.Account{Balance: scenarios.Balance{Current: 7}}, Totals{Opening: 7, Closing: 7}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Compute(tc.acc, feb)
			if len(got.Transactions) != tc.wantRows {
				t.Fatalf("%d transactions, want %d", len(got.Transactions), tc.wantRows)
			}
			if tc.wantRows > 1 && got.Transactions[0].Date > got.Transactions[1].Date {
				t.Errorf("transactions not oldest first: %v", got.Transactions)
			}
			type figures struct{ o, d, c, cl float64 }
			if g, w := (figures{got.Opening, got.Debits, got.Credits, got.Closing}), (figures{tc.want.Opening, tc.want.Debits, tc.want.Credits, tc.want.Closing}); g != w {
				t.Errorf("Compute = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestPDFIsDeterministic(t *testing.T) {
	d := Document{Institution: "Flinks Capital", Account: scenarios.Account{Id: "a", AccountNumber: "1", Transactions: []scenarios.Transaction{
		{Date: "2026-02-03", Description: "CAFÉ DÉPANNEUR", Debit: f(3), Balance: 10},
	}}, Period: Period{From: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC)}}
	a, err := PDF(d)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := PDF(d)
	if !bytes.Equal(a, b) || !bytes.HasPrefix(a, []byte("%PDF-")) {
		t.Errorf("two renders of the same statement differ, or are no PDF")
	}
	if id := UniqueID("l", "a", d.Period); len(id) != 32 || id != UniqueID("l", "a", d.Period) {
		t.Errorf("UniqueID %q is not 32 stable hex digits", id)
	}
}
