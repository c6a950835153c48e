package scenarios

import "math/rand/v2"

// What the generated accounts are spent on and paid by: merchants, bills,
// titles and names, picked with the simulation's seeded randomness.

// merchant is one kind of purchase: a description, how often it is picked
// relative to the others, and its range of amounts in cents (a multiple of
// step above lo when step is set).
type merchant struct {
	desc   string
	weight int
	lo, hi int64
	step   int64
	person bool // an e-transfer to someone; desc comes from people
}

func (m merchant) amount(r *rand.Rand) int64 {
	if m.step > 0 {
		return m.lo + m.step*r.Int64N((m.hi-m.lo)/m.step+1)
	}
	return m.lo + r.Int64N(m.hi-m.lo+1)
}

func pick(r *rand.Rand, ms []merchant) merchant {
	total := 0
	for _, m := range ms {
		total += m.weight
	}
	n := r.IntN(total)
	for _, m := range ms {
		if n < m.weight {
			return m
		}
		n -= m.weight
	}
	return ms[len(ms)-1]
}

func meanCents(ms []merchant) int64 {
	var sum, weights int64
	for _, m := range ms {
		sum += int64(m.weight) * (m.lo + m.hi) / 2
		weights += int64(m.weight)
	}
	return sum / weights
}

// The tables below are read-only.

var chequingTitles = []string{"Chequing", "Joint Chequing", "Everyday Chequing"}

var savingsTitles = []string{"Savings", "High Interest Savings", "TFSA Savings"}

type cardKind struct{ title, bin string }

var cardKinds = []cardKind{
	{"Visa Infinite", "4510"},
	{"Mastercard", "5191"},
	{"Visa Classic", "4520"},
	{"World Elite Mastercard", "5258"},
}

var cardLimits = []int64{500000, 500000, 750000, 1000000, 1500000}

var employers = []string{"ACME CORP", "NORTHWIND LTD", "MAPLE LOGISTICS INC"}

var people = []string{
	"MARIE TREMBLAY", "JEAN GAGNON", "PRIYA SINGH", "KEVIN NGUYEN",
	"SARAH WILSON", "OLIVIER ROY", "AMIT PATEL", "EMILY CHEN",
}

var subscriptions = []bill{
	{desc: "NETFLIX.COM", cents: 1899},
	{desc: "SPOTIFY P2A7C1F", cents: 1199},
	{desc: "APPLE.COM/BILL", cents: 399},
	{desc: "DISNEY PLUS", cents: 1199},
}

// chequingMerchants are debit-card and everyday payments: many small ones,
// groceries every few days.
var chequingMerchants = []merchant{
	{desc: "TIM HORTONS #0412", weight: 7, lo: 185, hi: 1450},
	{desc: "PRESTO FARE/TTC", weight: 5, lo: 330, hi: 330},
	{desc: "STARBUCKS #4527", weight: 2, lo: 450, hi: 1200},
	{desc: "LOBLAWS #1058", weight: 2, lo: 1500, hi: 12000},
	{desc: "METRO #312", weight: 2, lo: 1200, hi: 9500},
	{desc: "SHOPPERS DRUG MART #0871", weight: 2, lo: 650, hi: 4500},
	{desc: "PETRO-CANADA", weight: 1, lo: 3000, hi: 8000},
	{desc: "SAQ", weight: 1, lo: 1400, hi: 6000},
	{desc: "DOLLARAMA #1123", weight: 1, lo: 300, hi: 2500},
	{desc: "A&W #1290", weight: 1, lo: 900, hi: 2200},
	{desc: "ATM WITHDRAWAL", weight: 1, lo: 2000, hi: 6000, step: 2000},
	{desc: "INTERAC E-TRANSFER TO", weight: 1, lo: 2000, hi: 10000, step: 500, person: true},
}

// cardMerchants are the larger purchases people put on a card.
var cardMerchants = []merchant{
	{desc: "AMAZON.CA", weight: 3, lo: 1299, hi: 8999},
	{desc: "UBER CANADA/UBEREATS", weight: 2, lo: 1800, hi: 5500},
	{desc: "UBER CANADA/UBERTRIP", weight: 1, lo: 900, hi: 3500},
	{desc: "LOBLAWS #1058", weight: 2, lo: 3000, hi: 15000},
	{desc: "COSTCO WHOLESALE #0524", weight: 1, lo: 6000, hi: 22000},
	{desc: "PETRO-CANADA", weight: 2, lo: 3500, hi: 9500},
	{desc: "CANADIAN TIRE #0219", weight: 1, lo: 1500, hi: 10000},
	{desc: "SAQ", weight: 1, lo: 1400, hi: 7000},
	{desc: "ST-HUBERT", weight: 1, lo: 2500, hi: 9000},
	{desc: "CINEPLEX", weight: 1, lo: 1400, hi: 4500},
	{desc: "SHOPPERS DRUG MART #0871", weight: 1, lo: 650, hi: 6000},
	{desc: "TIM HORTONS #0412", weight: 2, lo: 185, hi: 1450},
	{desc: "STARBUCKS #4527", weight: 1, lo: 450, hi: 1200},
	{desc: "PRESTO AUTOLOAD", weight: 1, lo: 4000, hi: 4000},
}
