package scenarios_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

// genEndDate is the EndDate of most cases, so that they do not depend on the
// day the tests run.
const genEndDate = "2025-06-30"

// genNow is the "today" every case generates at: never the machine's date.
var genNow = time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC)

func mustGenerate(t testing.TB, g scenarios.Generate) []scenarios.Account {
	t.Helper()
	accounts, err := g.Accounts(scenarios.FlinksCapital, nil, genNow)
	if err != nil {
		t.Fatalf("Accounts(%+v): %v", g, err)
	}
	return accounts
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// exactCents converts an amount to cents and fails unless it is an exact cent
// value, i.e. the float64 nearest to a decimal with two places.
func exactCents(t testing.TB, what string, x float64) int64 {
	t.Helper()
	c := int64(math.Round(x * 100))
	if float64(c)/100 != x {
		t.Errorf("%s = %v is not rounded to the cent", what, x)
	}
	return c
}

func TestGenerateIsDeterministic(t *testing.T) {
	cases := []scenarios.Generate{
		{Seed: 1, Chequing: 1, Savings: 1, CreditCards: 1, EndDate: genEndDate},
		{Seed: -7, Chequing: 2, CreditCards: 2, Days: 90, EndDate: "2024-02-29"},
		{Seed: 42, Savings: 1, Days: 730, EndDate: genEndDate, Currency: "USD"},
	}
	for _, g := range cases {
		t.Run(fmt.Sprint(g.Seed), func(t *testing.T) {
			first, err := g.Accounts(scenarios.FlinksCapital, nil, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			again, err := g.Accounts(scenarios.FlinksCapital, nil, time.Date(2031, 7, 9, 12, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(mustJSON(t, first), mustJSON(t, again)) {
				t.Error("the same Generate gave different accounts at two different times")
			}
			other := g
			other.Seed++
			if bytes.Equal(mustJSON(t, first), mustJSON(t, mustGenerate(t, other))) {
				t.Errorf("seeds %d and %d gave the same accounts", g.Seed, other.Seed)
			}
		})
	}
}

func TestGenerateEndsOnNowsDateInUTC(t *testing.T) {
	g := scenarios.Generate{Seed: 3, Chequing: 1, Savings: 1, CreditCards: 1}
	// 23:30 in Montreal is already the next day in UTC.
	now := time.Date(2025, 3, 10, 23, 30, 0, 0, time.FixedZone("EDT", -4*3600))
	accounts, err := g.Accounts(scenarios.FlinksCapital, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	newest := ""
	for _, a := range accounts {
		if len(a.Transactions) > 0 && a.Transactions[0].Date > newest {
			newest = a.Transactions[0].Date
		}
	}
	if newest != "2025-03-11" {
		t.Errorf("newest transaction dated %s, want 2025-03-11", newest)
	}
	later, err := g.Accounts(scenarios.FlinksCapital, nil, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(mustJSON(t, accounts), mustJSON(t, later)) {
		t.Error("two times on the same UTC day gave different accounts")
	}
	explicit := g
	explicit.EndDate = "2025-03-11"
	if !bytes.Equal(mustJSON(t, accounts), mustJSON(t, mustGenerate(t, explicit))) {
		t.Error("an empty endDate differs from endDate set to now's date")
	}
}

// checkAccounts asserts the invariants every generated set must keep.
func checkAccounts(t *testing.T, g scenarios.Generate, accounts []scenarios.Account) {
	t.Helper()
	wantTypes := make([]string, 0, len(accounts))
	for range g.Chequing {
		wantTypes = append(wantTypes, "Chequing")
	}
	for range g.Savings {
		wantTypes = append(wantTypes, "Savings")
	}
	for range g.CreditCards {
		wantTypes = append(wantTypes, "CreditCard")
	}
	if len(accounts) != len(wantTypes) {
		t.Fatalf("got %d accounts, want %d", len(accounts), len(wantTypes))
	}
	end, err := time.Parse(time.DateOnly, g.EndDate)
	if err != nil {
		t.Fatal(err)
	}
	days := g.Days
	if days == 0 {
		days = scenarios.DefaultGenerateDays
	}
	oldest := end.AddDate(0, 0, -(days - 1)).Format(time.DateOnly)
	newest := end.Format(time.DateOnly)
	seen := map[string]string{}
	unique := func(id, what string, version uuid.Version) {
		if u, err := uuid.Parse(id); err != nil || u.Version() != version || u.Variant() != uuid.RFC4122 {
			t.Errorf("%s Id %q is not a version %d UUID", what, id, version)
		}
		if other, dup := seen[id]; dup {
			t.Errorf("%s has the same Id %s as %s", what, id, other)
		}
		seen[id] = what
	}
	for i, a := range accounts {
		name := fmt.Sprintf("account %d (%s)", i, a.Title)
		if a.Type != wantTypes[i] {
			t.Errorf("%s: Type %q, want %q", name, a.Type, wantTypes[i])
		}
		unique(a.Id, name, 5)
		checkAccountFields(t, name, a)
		owes := a.Type == "CreditCard"
		// Walk from the oldest transaction: each balance is the previous
		// one moved by exactly this transaction's amount.
		var balance int64
		for j := len(a.Transactions) - 1; j >= 0; j-- {
			tx := a.Transactions[j]
			what := fmt.Sprintf("%s transaction %d", name, j)
			unique(tx.Id, what, 4)
			if tx.Date < oldest || tx.Date > newest {
				t.Errorf("%s dated %s, outside %s..%s", what, tx.Date, oldest, newest)
			}
			if j > 0 && a.Transactions[j-1].Date < tx.Date {
				t.Errorf("%s: %s comes before the older %s", name, a.Transactions[j-1].Date, tx.Date)
			}
			if tx.Code != nil || tx.Description == "" {
				t.Errorf("%s: Code %v, Description %q", what, tx.Code, tx.Description)
			}
			if (tx.Debit == nil) == (tx.Credit == nil) {
				t.Fatalf("%s: want exactly one of Debit and Credit, got %v and %v", what, tx.Debit, tx.Credit)
			}
			var move int64
			if tx.Debit != nil {
				move = -exactCents(t, what+" Debit", *tx.Debit)
			} else {
				move = exactCents(t, what+" Credit", *tx.Credit)
			}
			if move == 0 || (tx.Debit != nil && *tx.Debit < 0) || (tx.Credit != nil && *tx.Credit < 0) {
				t.Errorf("%s: amount must be positive", what)
			}
			if owes {
				move = -move
			}
			got := exactCents(t, what+" Balance", tx.Balance)
			if j < len(a.Transactions)-1 && got != balance+move {
				t.Fatalf("%s: Balance %d¢, want %d¢ + %d¢", what, got, balance, move)
			}
			balance = got
		}
		if len(a.Transactions) > 0 && exactCents(t, name+" Current", a.Balance.Current) != balance {
			t.Errorf("%s: Current %v is not the newest transaction's Balance %v", name, a.Balance.Current, a.Transactions[0].Balance)
		}
	}
}

func checkAccountFields(t *testing.T, name string, a scenarios.Account) {
	t.Helper()
	digits := regexp.MustCompile(`^[0-9]{7,12}$`)
	card := regexp.MustCompile(`^[0-9]{4} \*{4} \*{4} [0-9]{4}$`)
	current := exactCents(t, name+" Current", a.Balance.Current)
	if a.Balance.Available == nil {
		t.Fatalf("%s: Available is null", name)
	}
	available := exactCents(t, name+" Available", *a.Balance.Available)
	switch a.Type {
	case "Chequing", "Savings":
		if a.Category != "Operations" || !digits.MatchString(a.AccountNumber) {
			t.Errorf("%s: Category %q, AccountNumber %q", name, a.Category, a.AccountNumber)
		}
		if a.Balance.Limit != nil {
			t.Errorf("%s: a bank account has Limit %v, want null", name, *a.Balance.Limit)
		}
		if overdraft := exactCents(t, name+" OverdraftLimit", a.OverdraftLimit); available != current+overdraft {
			t.Errorf("%s: Available %d¢, want Current %d¢ + OverdraftLimit %d¢", name, available, current, overdraft)
		}
		if a.Type == "Savings" && a.OverdraftLimit != 0 {
			t.Errorf("%s: savings with OverdraftLimit %v", name, a.OverdraftLimit)
		}
	case "CreditCard":
		if a.Category != "Credits" || !card.MatchString(a.AccountNumber) {
			t.Errorf("%s: Category %q, AccountNumber %q", name, a.Category, a.AccountNumber)
		}
		if a.Balance.Limit == nil {
			t.Fatalf("%s: a card has no Limit", name)
		}
		if limit := exactCents(t, name+" Limit", *a.Balance.Limit); limit <= 0 || available != limit-current {
			t.Errorf("%s: Available %d¢, want Limit %d¢ - Current %d¢", name, available, limit, current)
		}
	default:
		t.Errorf("%s: unexpected Type %q", name, a.Type)
	}
	if a.LastFourDigits != nil {
		t.Errorf("%s: LastFourDigits %q, want null as in every account of Flinks' sandbox", name, *a.LastFourDigits)
	}
	if !regexp.MustCompile(`^[0-9]{5}$`).MatchString(a.TransitNumber) {
		t.Errorf("%s: TransitNumber %q is not 5 digits", name, a.TransitNumber)
	}
	if a.AccountType == nil || *a.AccountType != "Personal" {
		t.Errorf("%s: AccountType %v, want Personal", name, a.AccountType)
	}
	if a.Transactions == nil {
		t.Errorf("%s: Transactions is null, want a list", name)
	}
}

func TestGenerateKeepsInvariants(t *testing.T) {
	cases := []struct {
		name string
		g    scenarios.Generate
	}{
		{"default set", scenarios.Generate{Chequing: 1, Savings: 1, CreditCards: 1}},
		{"two of each", scenarios.Generate{Chequing: 2, Savings: 2, CreditCards: 2}},
		{"cards only", scenarios.Generate{CreditCards: 3}},
		{"savings only", scenarios.Generate{Savings: 2}},
		{"one day", scenarios.Generate{Chequing: 1, CreditCards: 1, Days: 1}},
		{"two years", scenarios.Generate{Chequing: 1, Savings: 1, Days: 730}},
		{"more than the named titles", scenarios.Generate{Chequing: 4, Savings: 4, CreditCards: 5, Days: 60}},
	}
	for _, c := range cases {
		for seed := int64(1); seed <= 3; seed++ {
			t.Run(fmt.Sprintf("%s/seed %d", c.name, seed), func(t *testing.T) {
				g := c.g
				g.Seed = seed
				g.EndDate = genEndDate
				checkAccounts(t, g, mustGenerate(t, g))
			})
		}
	}
}

func FuzzGenerate(f *testing.F) {
	f.Add(int64(0), uint8(1), uint8(1), uint8(1), uint16(365))
	f.Add(int64(-1), uint8(3), uint8(0), uint8(2), uint16(1))
	f.Add(int64(1<<62), uint8(0), uint8(0), uint8(1), uint16(730))
	f.Fuzz(func(t *testing.T, seed int64, chequing, savings, cards uint8, days uint16) {
		g := scenarios.Generate{
			Seed: seed, Chequing: int(chequing % 4), Savings: int(savings % 4), CreditCards: int(cards % 4),
			Days: 1 + int(days)%scenarios.MaxGenerateDays, EndDate: genEndDate,
		}
		if g.Chequing+g.Savings+g.CreditCards == 0 {
			g.Chequing = 1
		}
		checkAccounts(t, g, mustGenerate(t, g))
	})
}

func TestGenerateBalancesStayPlausible(t *testing.T) {
	for seed := int64(0); seed < 40; seed++ {
		g := scenarios.Generate{Seed: seed, Chequing: 1, Savings: int(seed % 2), CreditCards: 1 + int(seed%3), EndDate: genEndDate}
		for _, a := range mustGenerate(t, g) {
			payments := 0
			for _, tx := range a.Transactions {
				switch a.Type {
				case "Chequing":
					if tx.Balance < -a.OverdraftLimit-2000 || tx.Balance > 40000 {
						t.Errorf("seed %d: %s balance %v on %s", seed, a.Title, tx.Balance, tx.Date)
					}
				case "Savings":
					if tx.Balance < 0 {
						t.Errorf("seed %d: %s balance %v on %s", seed, a.Title, tx.Balance, tx.Date)
					}
				case "CreditCard":
					if tx.Balance < 0 || tx.Balance > *a.Balance.Limit {
						t.Errorf("seed %d: %s owes %v on %s, limit %v", seed, a.Title, tx.Balance, tx.Date, *a.Balance.Limit)
					}
					if tx.Credit != nil && tx.Description == "PAYMENT - THANK YOU" {
						payments++
					}
				}
			}
			if a.Type == "CreditCard" && payments < 11 {
				t.Errorf("seed %d: %s paid %d times in a year, want monthly", seed, a.Title, payments)
			}
		}
	}
}

func TestGenerateDays90WindowIsEnough(t *testing.T) {
	// Flinks' attributes need at least 25 transactions; Days90 must give
	// them on the default chequing account.
	cutoff := time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -89).Format(time.DateOnly)
	for seed := int64(0); seed < 20; seed++ {
		a := mustGenerate(t, scenarios.Generate{Seed: seed, Chequing: 1, Savings: 1, CreditCards: 1, EndDate: genEndDate})[0]
		n := 0
		for _, tx := range a.Transactions {
			if tx.Date >= cutoff {
				n++
			}
		}
		if n < 25 {
			t.Errorf("seed %d: %d chequing transactions in 90 days, want at least 25", seed, n)
		}
	}
}

func TestGenerateIdentityIgnoresHistoryLength(t *testing.T) {
	// AccountsFilter holds account Ids, so changing days or endDate must
	// not change which Id an account has.
	year := mustGenerate(t, scenarios.Generate{Seed: 9, Chequing: 1, Savings: 1, CreditCards: 1, EndDate: genEndDate})
	month := mustGenerate(t, scenarios.Generate{Seed: 9, Chequing: 1, Savings: 1, CreditCards: 1, Days: 30, EndDate: "2024-01-15"})
	for i := range year {
		if year[i].Id != month[i].Id || year[i].AccountNumber != month[i].AccountNumber {
			t.Errorf("account %d: Id %s / number %s became %s / %s", i, year[i].Id, year[i].AccountNumber, month[i].Id, month[i].AccountNumber)
		}
	}
}

func TestGenerateAccountSettings(t *testing.T) {
	holder := &scenarios.Holder{Name: "Marie Tremblay"}
	cases := []struct {
		name       string
		inst       scenarios.Institution
		holder     *scenarios.Holder
		currency   string
		wantInst   string
		wantCurr   string
		wantHolder *scenarios.Holder
	}{
		{"defaults", scenarios.Institution{Name: "Other"}, nil, "", "777", "CAD", nil},
		{"institution number and holder", scenarios.Institution{Name: "RBC", InstitutionNumber: "003"}, holder, "", "003", "CAD", holder},
		{"US dollars", scenarios.FlinksCapital, nil, "USD", "777", "USD", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := scenarios.Generate{Seed: 5, Chequing: 1, CreditCards: 1, EndDate: genEndDate, Currency: c.currency}
			accounts, err := g.Accounts(c.inst, c.holder, genNow)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range accounts {
				if a.InstitutionNumber != c.wantInst || a.Currency != c.wantCurr || a.Holder != c.wantHolder {
					t.Errorf("%s: InstitutionNumber %q, Currency %q, Holder %v; want %q, %q, %v",
						a.Title, a.InstitutionNumber, a.Currency, a.Holder, c.wantInst, c.wantCurr, c.wantHolder)
				}
			}
		})
	}
}

func TestGenerateRejectsBadInput(t *testing.T) {
	cases := []struct {
		name string
		g    scenarios.Generate
		want string
	}{
		{"no accounts", scenarios.Generate{Seed: 1}, "no accounts requested"},
		{"negative count", scenarios.Generate{Chequing: 1, Savings: -1}, "savings is -1"},
		{"too many accounts", scenarios.Generate{Chequing: 15, CreditCards: 15}, "at most 20"},
		{"days too many", scenarios.Generate{Chequing: 1, Days: 731}, "days is 731; use 1 to 730"},
		{"days negative", scenarios.Generate{Chequing: 1, Days: -5}, "days is -5"},
		{"end date not a date", scenarios.Generate{Chequing: 1, EndDate: "2025-02-30"}, `endDate "2025-02-30"`},
		{"end date other layout", scenarios.Generate{Chequing: 1, EndDate: "30/06/2025"}, "YYYY-MM-DD"},
		{"end date in year 1", scenarios.Generate{Chequing: 1, EndDate: "0001-01-01"}, `endDate "0001-01-01" is out of range; use a date from 1900-01-01 to 9999-12-31`},
		{"currency", scenarios.Generate{Chequing: 1, Currency: "EUR"}, `currency "EUR"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			accounts, err := c.g.Accounts(scenarios.FlinksCapital, nil, genNow)
			if err == nil {
				t.Fatalf("no error; got %d accounts", len(accounts))
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not say %q", err, c.want)
			}
		})
	}
}

func ExampleGenerate_Accounts() {
	g := scenarios.Generate{Seed: 7, Chequing: 1, Savings: 1, CreditCards: 2, EndDate: "2025-06-30"}
	accounts, err := g.Accounts(scenarios.FlinksCapital, nil, genNow)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(accounts), "accounts")
	for _, a := range accounts {
		fmt.Printf("%s: %s, %s, %s, %d transactions\n", a.Title, a.Type, a.Category, a.Currency, len(a.Transactions))
	}
	// Output:
	// 4 accounts
	// Chequing: Chequing, Operations, CAD, 1053 transactions
	// Savings: Savings, Operations, CAD, 25 transactions
	// Visa Infinite: CreditCard, Credits, CAD, 634 transactions
	// Mastercard: CreditCard, Credits, CAD, 579 transactions

}

func BenchmarkGenerate(b *testing.B) {
	g := scenarios.Generate{Seed: 1, Chequing: 1, Savings: 1, CreditCards: 1, EndDate: genEndDate}
	for b.Loop() {
		if _, err := g.Accounts(scenarios.FlinksCapital, nil, time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
}
