package scenarios

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// open creates the accounts with their numbers and habits. The order of
// the steps is the order of the draws from the seeded randomness.
func (s *simulation) open(g Generate, ident *rand.Rand) {
	nums := &numbering{ident: ident, transit: fmt.Sprintf("%05d", 1+ident.IntN(99999)), used: map[string]bool{}}
	for i := range g.Chequing {
		s.chequing = append(s.chequing, s.openChequing(i, nums))
	}
	for i := range g.Savings {
		s.savings = append(s.savings, s.openSavings(i, nums))
	}
	for i := range g.CreditCards {
		s.cards = append(s.cards, s.openCard(i, nums))
	}
	s.toNames = make([]string, len(people))
	s.fromNames = make([]string, len(people))
	for i, p := range people {
		s.toNames[i] = "INTERAC E-TRANSFER TO " + p
		s.fromNames[i] = "INTERAC E-TRANSFER FROM " + p
	}
}

// numbering gives the accounts of one person their numbers: one transit,
// and account numbers that differ.
type numbering struct {
	ident   *rand.Rand
	transit string
	used    map[string]bool
}

func (n *numbering) next() string {
	for {
		num := strconv.Itoa(1000000 + n.ident.IntN(9000000))
		if !n.used[num] {
			n.used[num] = true
			return num
		}
	}
}

func (s *simulation) openChequing(i int, nums *numbering) *simAccount {
	r := s.r
	n := nums.next()
	a := &simAccount{
		kind: kindChequing, index: i, title: nth(chequingTitles, i), number: n, last4: n[len(n)-4:], transit: nums.transit,
		employer: "PAYROLL DEPOSIT " + nth(employers, i),
	}
	if r.IntN(2) == 0 {
		a.overdraft = 50000
	}
	toFriday := (int(time.Friday) - int(s.start.Weekday()) + 7) % 7
	a.firstPayday = toFriday + 7*r.IntN(2)
	if i == 0 {
		if r.IntN(5) < 3 {
			a.housing, a.housingAmt = "RENT PAYMENT", 120000+2500*r.Int64N(41)
		} else {
			a.housing, a.housingAmt = "MORTGAGE PAYMENT", 140000+r.Int64N(140000)
		}
		a.bills = []bill{
			{desc: "HYDRO-QUEBEC", day: 3 + r.IntN(23), cents: 6000 + r.Int64N(6000), seasonal: true},
			{desc: "BELL CANADA", day: 3 + r.IntN(23), cents: 8500 + r.Int64N(5000)},
			{desc: "ROGERS", day: 3 + r.IntN(23), cents: 6000 + r.Int64N(5000)},
		}
		if r.IntN(2) == 0 {
			a.fee = 1095
		}
	}
	// Enough to meet the first rent before the first payroll.
	a.balance = a.housingAmt + 50000 + r.Int64N(250000)
	return a
}

func (s *simulation) openSavings(i int, nums *numbering) *simAccount {
	r := s.r
	n := nums.next()
	a := &simAccount{
		kind: kindSavings, index: i, title: nth(savingsTitles, i), number: n, last4: n[len(n)-4:], transit: nums.transit,
		balance:     100000 + r.Int64N(1400000),
		rateBP:      100 + r.Int64N(251),
		transferDay: 2 + r.IntN(27),
		transferAmt: 10000 + 2500*r.Int64N(17),
	}
	if len(s.chequing) > 0 {
		a.from = s.chequing[i%len(s.chequing)]
	}
	return a
}

func (s *simulation) openCard(i int, nums *numbering) *simAccount {
	r := s.r
	c := cardKinds[i%len(cardKinds)]
	title := c.title
	if i >= len(cardKinds) {
		title += " " + strconv.Itoa(i+1)
	}
	last4 := fmt.Sprintf("%04d", nums.ident.IntN(10000))
	limit := cardLimits[r.IntN(len(cardLimits))]
	a := &simAccount{
		kind: kindCard, index: i, title: title,
		number: c.bin + " **** **** " + last4, last4: last4, transit: nums.transit,
		limit:       limit,
		balance:     r.Int64N(min(150000, limit/2)),
		dueDay:      1 + r.IntN(28),
		paymentDesc: "CREDIT CARD PAYMENT " + strings.ToUpper(title),
	}
	for j, sub := range subscriptions {
		if (i == 0 && j == 0) || r.IntN(2) == 0 {
			a.subs = append(a.subs, bill{desc: sub.desc, day: 1 + r.IntN(28), cents: sub.cents})
		}
	}
	if len(s.chequing) > 0 {
		a.from = s.chequing[i%len(s.chequing)]
	}
	return a
}
