package record_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/flinks-mock/flinks-mock/scenarios"
	"github.com/flinks-mock/flinks-mock/scenarios/record"
)

func TestScrubberKeepsTheFormat(t *testing.T) {
	s := record.NewScrubber([]byte("a key"))
	tests := []struct {
		name   string
		scrub  func(string) string
		value  string
		format string // a regexp the fake must match
	}{
		{"phone", func(v string) string { return s.Digits("phone", v) }, "514-555-0142", `^\d{3}-\d{3}-\d{4}$`},
		{"account number", func(v string) string { return s.Digits("account", v) }, "1230914", `^\d{7}$`},
		{"masked card", func(v string) string { return s.Digits("account", v) }, "4510 **** **** 6003", `^\d{4} \*{4} \*{4} \d{4}$`},
		{"transit", func(v string) string { return s.Digits("transit", v) }, "97242", `^\d{5}$`},
		{"leading zero", func(v string) string { return s.Digits("transit", v) }, "0", `^[1-9]$`},
		{"postal code", func(v string) string { return s.Pattern("postal", v) }, "H3G 1P1", `^[A-Z]\d[A-Z] \d[A-Z]\d$`},
		{"zip", func(v string) string { return s.Pattern("postal", v) }, "90210-1234", `^\d{5}-\d{4}$`},
		{"name", s.Name, "Alex Tremblay", `^[A-Z][a-z]+ [A-Z][a-zé]+$`},
		{"email", s.Email, "alex.tremblay@example.com", `^[a-z]+\.[a-zé]+\d{0,2}@example\.com$`},
		{"civic address", s.CivicAddress, "1250 Rue Sainte-Catherine Ouest, App. 804", `^[1-9]\d{3} [A-Z][a-z]+ [A-Z][a-z]+$`},
		{"civic address without number", s.CivicAddress, "Rural Route", `^[1-9] [A-Z][a-z]+ [A-Z][a-z]+$`},
		{"city", s.City, "Montreal", `^[A-Z][a-z]+( [A-Z][a-z]+)?$`},
		{"description", s.Description, "LOBLAWS #1058", `^[A-Z -]+ #\d{4}$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := tt.scrub(tt.value)
			if fake == tt.value {
				t.Errorf("%q kept as is", tt.value)
			}
			if !regexp.MustCompile(tt.format).MatchString(fake) {
				t.Errorf("%q became %q, which does not match %s", tt.value, fake, tt.format)
			}
			if again := tt.scrub(tt.value); again != fake {
				t.Errorf("%q became %q, then %q", tt.value, fake, again)
			}
			if tt.scrub("") != "" {
				t.Errorf("an empty value became %q", tt.scrub(""))
			}
		})
	}
}

func TestScrubberDependsOnTheKeyAndTheField(t *testing.T) {
	a, b := record.NewScrubber([]byte("one recording")), record.NewScrubber([]byte("another"))
	differ := 0
	for i := range 20 {
		v := fmt.Sprintf("%07d", 1230914+i)
		if a.Digits("account", v) != b.Digits("account", v) {
			differ++
		}
		if a.Digits("account", v) == a.Digits("transit", v) {
			t.Errorf("%s is faked the same as an account and as a transit number", v)
		}
	}
	if differ < 18 {
		t.Errorf("only %d of 20 account numbers differ between two keys", differ)
	}
}

func TestScrubberAccount(t *testing.T) {
	s := record.NewScrubber([]byte("k"))
	box, last4 := "123", "0914"
	a := scenarios.Account{
		Id: "acc-1", Title: "Chequing 1230914", AccountNumber: "1230914", LastFourDigits: &last4, TransitNumber: "97242",
		Balance: scenarios.Balance{Current: 12.5},
		Holder: &scenarios.Holder{Name: "Alex Tremblay", Email: "a@b.c", PhoneNumber: "514-555-0142",
			Address: scenarios.Address{CivicAddress: "1 Main", City: "Montreal", Province: "QC", PostalCode: "H3G 1P1", POBox: &box, Country: "CA"}},
		Transactions: []scenarios.Transaction{{Id: "t1", Date: "2026-01-02", Description: "PAYROLL ACME", Balance: 12.5}},
	}
	out := s.Account(a)
	if a.AccountNumber != "1230914" || a.Holder.Name != "Alex Tremblay" || a.Transactions[0].Description != "PAYROLL ACME" || *a.Holder.Address.POBox != "123" {
		t.Fatal("Account changed its argument")
	}
	if out.Id != a.Id || out.Balance != a.Balance || out.Transactions[0].Id != "t1" || out.Holder.Address.Province != "QC" || out.Holder.Address.Country != "CA" {
		t.Errorf("kept fields changed: %+v", out)
	}
	if out.LastFourDigits == nil || !strings.HasSuffix(out.AccountNumber, *out.LastFourDigits) || *out.LastFourDigits == "0914" {
		t.Errorf("last four %v of %s", out.LastFourDigits, out.AccountNumber)
	}
	if out.Title != "Chequing "+out.AccountNumber {
		t.Errorf("title %q does not show the fake number %s", out.Title, out.AccountNumber)
	}
	if *out.Holder.Address.POBox == "123" || len(*out.Holder.Address.POBox) != 3 {
		t.Errorf("PO box %q", *out.Holder.Address.POBox)
	}
	if again := s.Account(a); again.Holder.Name != out.Holder.Name || again.Transactions[0].Description != out.Transactions[0].Description {
		t.Error("the same account was faked twice differently")
	}
}

func ExampleScrubber() {
	s := record.NewScrubber([]byte("the key of one recording"))
	fmt.Println(s.Digits("phone", "514-555-0142") == s.Digits("phone", "514-555-0142"))
	fmt.Println(len(s.Digits("account", "1230914")), s.Digits("account", "1230914") != "1230914")
	fmt.Println(strings.HasSuffix(s.Email("alex.tremblay@bank.ca"), "@example.com"))
	// Output:
	// true
	// 7 true
	// true
}
