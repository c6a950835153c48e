package scenarios

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// The simulation below makes the generated accounts: a year of a person's
// money moving between a chequing account, savings and a card, day by day.

type accountKind int

const (
	kindChequing accountKind = iota
	kindSavings
	kindCard
)

func (k accountKind) String() string {
	return [...]string{"chequing", "savings", "creditcard"}[k]
}

// entry is one transaction during the simulation, in cents.
type entry struct {
	day     int
	desc    string
	cents   int64
	credit  bool
	balance int64
}

// bill is a monthly debit on a fixed day of the month.
type bill struct {
	desc     string
	day      int
	cents    int64
	seasonal bool // heating: half as much again from December to March
}

// simAccount is one account during the simulation. balance is in cents:
// money held for bank accounts, money owed for cards.
type simAccount struct {
	kind    accountKind
	index   int // within its kind
	title   string
	number  string
	last4   string
	transit string
	balance int64
	entries []entry

	overdraft int64 // chequing
	limit     int64 // cards

	// Chequing: income, housing and bills.
	employer    string
	pay         int64
	firstPayday int
	housing     string
	housingAmt  int64
	bills       []bill
	fee         int64

	// Savings: interest and the monthly transfer from chequing.
	rateBP      int64 // annual rate in basis points
	transferDay int
	transferAmt int64

	// Cards: the monthly payment and subscriptions.
	dueDay      int
	paymentDesc string
	subs        []bill

	// from is the chequing account that pays a card or feeds a savings
	// account; nil when the login has none.
	from *simAccount
}

// deposit records a Credit: money in for a bank account, a payment or
// refund for a card.
func (a *simAccount) deposit(day int, desc string, cents int64) {
	if a.kind == kindCard {
		a.balance -= cents
	} else {
		a.balance += cents
	}
	a.entries = append(a.entries, entry{day: day, desc: desc, cents: cents, credit: true, balance: a.balance})
}

// withdraw records a Debit: money out for a bank account, a purchase for
// a card.
func (a *simAccount) withdraw(day int, desc string, cents int64) {
	if a.kind == kindCard {
		a.balance += cents
	} else {
		a.balance -= cents
	}
	a.entries = append(a.entries, entry{day: day, desc: desc, cents: cents, balance: a.balance})
}

type simulation struct {
	r     *rand.Rand
	start time.Time
	days  int

	chequing, savings, cards []*simAccount
	toNames, fromNames       []string
}

// Spending rates the budget is sized for, in tenths of a transaction per
// day, and the average month in hundredths of a day.
const (
	chequingPurchasesPerDay10 = 25 // 1 + IntN(4)
	cardPurchasesPerDay10     = 15 // IntN(4)
	daysPerMonth100           = 3044
)

// budget sizes each payroll so that, on average, income is a little more
// than what goes out of the account: bills, everyday spending, the cards
// it pays and the savings it feeds. Sizing it from the spending keeps
// every seed plausible, whatever the number of accounts.
func (s *simulation) budget() {
	chequingMonthly := meanCents(chequingMerchants) * chequingPurchasesPerDay10 * daysPerMonth100 / 1000
	cardMonthly := meanCents(cardMerchants) * cardPurchasesPerDay10 * daysPerMonth100 / 1000
	for _, c := range s.chequing {
		out := c.housingAmt + c.fee + chequingMonthly
		for _, b := range c.bills {
			out += b.cents
			if b.seasonal {
				out += b.cents / 6 // half as much again, four months a year
			}
		}
		for _, k := range s.cards {
			if k.from == c {
				out += cardMonthly
				for _, sub := range k.subs {
					out += sub.cents
				}
			}
		}
		for _, v := range s.savings {
			if v.from == c {
				out += v.transferAmt
			}
		}
		biweekly := out * 12 * 100 / (26 * 96)
		c.pay = biweekly/100*100 + s.r.Int64N(100)
	}
}

// run plays every day from the oldest to the newest. The order of the
// steps is the order of the draws from the seeded randomness: changing it
// changes every generated account.
func (s *simulation) run() {
	for d := range s.days {
		t := s.start.AddDate(0, 0, d)
		day := simDay{
			n:           d,
			dom:         t.Day(),
			lastOfMonth: t.AddDate(0, 0, 1).Day() == 1,
			winter:      t.Month() <= time.March || t.Month() == time.December,
		}
		for _, c := range s.chequing {
			c.scheduled(day)
		}
		for _, k := range s.cards {
			k.cardDay(day, s.r)
		}
		for _, v := range s.savings {
			v.savingsDay(day, s.r, s.fromNames)
		}
		for _, c := range s.chequing {
			s.chequingDay(day, c)
		}
	}
}

// simDay is one day of the simulation.
type simDay struct {
	n           int // days since the start
	dom         int // day of the month
	lastOfMonth bool
	winter      bool
}

// scheduled makes the chequing account's pay, housing and bills of the day.
func (c *simAccount) scheduled(day simDay) {
	if day.n >= c.firstPayday && (day.n-c.firstPayday)%14 == 0 {
		c.deposit(day.n, c.employer, c.pay)
	}
	if day.dom == 1 && c.housingAmt > 0 {
		c.withdraw(day.n, c.housing, c.housingAmt)
	}
	for _, b := range c.bills {
		if day.dom == b.day {
			amt := b.cents
			if b.seasonal && day.winter {
				amt = amt * 3 / 2
			}
			c.withdraw(day.n, b.desc, amt)
		}
	}
}

// cardDay makes a card's payment, subscriptions, purchases and refunds of
// the day.
func (k *simAccount) cardDay(day simDay, r *rand.Rand) {
	if day.dom == k.dueDay && k.balance > 0 {
		k.payment(day.n)
	}
	for _, sub := range k.subs {
		if day.dom == sub.day {
			k.withdraw(day.n, sub.desc, sub.cents)
		}
	}
	for range r.IntN(4) {
		m := pick(r, cardMerchants)
		amt := m.amount(r)
		if k.balance+amt > k.limit {
			continue // declined
		}
		k.withdraw(day.n, m.desc, amt)
	}
	if r.IntN(60) == 0 {
		if amt := 1299 + r.Int64N(7700); k.balance >= amt {
			k.deposit(day.n, "AMAZON.CA REFUND", amt)
		}
	}
}

// savingsDay makes a savings account's transfer and interest of the day.
func (v *simAccount) savingsDay(day simDay, r *rand.Rand, fromNames []string) {
	if day.dom == v.transferDay {
		v.feed(day.n, r, fromNames)
	}
	if day.lastOfMonth && v.balance > 0 {
		if interest := (v.balance*v.rateBP + 60000) / 120000; interest > 0 {
			v.deposit(day.n, "INTEREST", interest)
		}
	}
}

// chequingDay makes a chequing account's purchases, transfers from
// people, fee and top-up of the day.
func (s *simulation) chequingDay(day simDay, c *simAccount) {
	r := s.r
	for range 1 + r.IntN(4) {
		m := pick(r, chequingMerchants)
		amt := m.amount(r)
		desc := m.desc
		floor := -c.overdraft
		if m.person {
			desc = s.toNames[r.IntN(len(s.toNames))]
			floor = 0
		}
		if c.balance-amt < floor {
			continue // declined: the mock's data has no NSF fees
		}
		c.withdraw(day.n, desc, amt)
	}
	if r.IntN(15) == 0 {
		c.deposit(day.n, s.fromNames[r.IntN(len(s.fromNames))], 2000+500*r.Int64N(47))
	}
	if day.lastOfMonth && c.fee > 0 {
		c.withdraw(day.n, "MONTHLY ACCOUNT FEE", c.fee)
	}
	if c.balance < 0 {
		s.topUp(day.n, c)
	}
}

// payment pays a card's balance from its chequing account, or only what
// the account can spare (at least the minimum payment) when it is short.
func (k *simAccount) payment(day int) {
	owed := k.balance
	amt := owed
	if f := k.from; f != nil {
		if spare := f.balance + f.overdraft - 10000; amt > spare {
			minimum := min(owed, max(1000, owed*3/100))
			amt = max(spare, minimum)
		}
		f.withdraw(day, k.paymentDesc, amt)
	}
	k.deposit(day, "PAYMENT - THANK YOU", amt)
}

// feed moves the monthly amount into a savings account, plus whatever its
// chequing account holds beyond two paycheques.
func (v *simAccount) feed(day int, r *rand.Rand, fromNames []string) {
	f := v.from
	if f == nil {
		v.deposit(day, fromNames[r.IntN(len(fromNames))], v.transferAmt)
		return
	}
	amt := v.transferAmt
	if extra := f.balance - amt - 2*f.pay; extra > 0 {
		amt += extra / 10000 * 10000
	}
	if f.balance-amt < 0 {
		return
	}
	f.withdraw(day, "TRANSFER TO "+strings.ToUpper(v.title), amt)
	v.deposit(day, "TRANSFER FROM "+strings.ToUpper(f.title), amt)
}

// topUp brings a chequing account below zero back above it from the
// first savings account it feeds, as a careful holder would.
func (s *simulation) topUp(day int, c *simAccount) {
	for _, v := range s.savings {
		if v.from != c {
			continue
		}
		amt := min((-c.balance+9999)/10000*10000+50000, v.balance/10000*10000)
		if amt <= 0 {
			return
		}
		v.withdraw(day, "TRANSFER TO "+strings.ToUpper(c.title), amt)
		c.deposit(day, "TRANSFER FROM "+strings.ToUpper(v.title), amt)
		return
	}
}

// accounts lists the accounts in output order.
func (s *simulation) accounts() []*simAccount {
	all := make([]*simAccount, 0, len(s.chequing)+len(s.savings)+len(s.cards))
	all = append(all, s.chequing...)
	all = append(all, s.savings...)
	return append(all, s.cards...)
}

// account converts a simulated account to the Flinks shape, transactions
// newest first.
func (a *simAccount) account(ns uuid.UUID, seed int64, instNumber, currency string, holder *Holder, dates []string, ids *rand.Rand) Account {
	n := len(a.entries)
	txs := make([]Transaction, n)
	amounts := make([]float64, n)
	for i, e := range a.entries {
		amounts[i] = fromCents(e.cents)
		t := &txs[n-1-i]
		t.Id = randomUUID(ids)
		t.Date = dates[e.day]
		t.Description = e.desc
		t.Balance = fromCents(e.balance)
		if e.credit {
			t.Credit = &amounts[i]
		} else {
			t.Debit = &amounts[i]
		}
	}
	personal := DefaultLoginType
	acc := Account{
		Id:            uuid.NewSHA1(ns, fmt.Appendf(nil, "%d/%s/%d", seed, a.kind, a.index)).String(),
		Title:         a.title,
		AccountNumber: a.number,
		// null, as in every account of Flinks' sandbox (a.last4 is in
		// the card number).
		LastFourDigits:    nil,
		TransitNumber:     a.transit,
		InstitutionNumber: instNumber,
		OverdraftLimit:    fromCents(a.overdraft),
		Currency:          currency,
		AccountType:       &personal,
		Holder:            holder,
		Transactions:      txs,
	}
	current := a.balance
	available := current + a.overdraft
	switch a.kind {
	case kindChequing:
		acc.Category, acc.Type = "Operations", "Chequing"
	case kindSavings:
		acc.Category, acc.Type = "Operations", "Savings"
	case kindCard:
		acc.Category, acc.Type = "Credits", "CreditCard"
		limit := fromCents(a.limit)
		acc.Balance.Limit = &limit
		available = a.limit - current
	}
	acc.Balance.Current = fromCents(current)
	av := fromCents(available)
	acc.Balance.Available = &av
	return acc
}

// fromCents converts cents to the float64 Flinks sends. Dividing an exact
// integer by 100 gives the double nearest the decimal, which JSON then
// prints with at most two decimals.
func fromCents(c int64) float64 { return float64(c) / 100 }

// randomUUID formats 16 seeded random bytes as a version 4 UUID.
func randomUUID(r *rand.Rand) string {
	var u uuid.UUID
	binary.LittleEndian.PutUint64(u[:8], r.Uint64())
	binary.LittleEndian.PutUint64(u[8:], r.Uint64())
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u.String()
}

// nth returns names[i], or the first name numbered when names run out.
func nth(names []string, i int) string {
	if i < len(names) {
		return names[i]
	}
	return names[0] + " " + strconv.Itoa(i+1)
}
