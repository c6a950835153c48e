package scenarios

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// streamRefresh keeps the transactions of nightly refreshes apart from the
// generated history.
const streamRefresh = 0x7265667265736821

// Refreshed returns the login as a nightly refresh on day finds it: each
// account has one or two new transactions dated day, newest first, before
// its others, and its balance moved by them. They depend only on the
// login's seed (Generate.Seed, or its LoginId when it has none), the
// account and the date: the same refresh always finds the same
// transactions. The login itself is not changed; the copy keeps its steps
// and settings, with its accounts written out in full.
func (l *Login) Refreshed(day time.Time) *Login {
	date := day.UTC().Format(time.DateOnly)
	all := l.AllAccounts()
	accounts := make([]Account, len(all))
	for i, acc := range all {
		accounts[i] = refreshAccount(acc, l.refreshSeed(), date)
	}
	out := *l
	out.Accounts, out.Generate, out.data = accounts, nil, nil
	return &out
}

// refreshSeed is the seed of the login's refreshes.
func (l *Login) refreshSeed() uint64 {
	if l.Generate != nil {
		return uint64(l.Generate.Seed)
	}
	h := fnv.New64a()
	h.Write([]byte(l.LoginID))
	return h.Sum64()
}

// refreshAccount adds the transactions of a refresh on date to an account:
// purchases on a chequing account or a card, interest on savings.
func refreshAccount(acc Account, seed uint64, date string) Account {
	h := fnv.New64a()
	h.Write([]byte(acc.Id + "/" + date))
	r := rand.New(rand.NewPCG(seed^h.Sum64(), streamRefresh))
	ids := rand.New(rand.NewPCG(seed^h.Sum64(), streamTxIDs))
	owed := acc.Category == "Credits" // a card's balance is what is owed
	n := 1 + r.IntN(2)
	added := make([]Transaction, n)
	balance := toCents(acc.Balance.Current)
	moved := int64(0)
	for i := range n {
		t := Transaction{Id: randomUUID(ids), Date: date}
		var cents int64
		credit := false
		switch {
		case acc.Type == "Savings":
			t.Description, cents, credit = "INTEREST", 1+r.Int64N(250), true
		case owed:
			m := pick(r, cardMerchants)
			t.Description, cents = m.desc, m.amount(r)
		default:
			m := pick(r, chequingMerchants)
			t.Description, cents = m.desc, m.amount(r)
		}
		amount := fromCents(cents)
		delta := cents // the change of the balance
		if credit {
			t.Credit = &amount
		} else {
			t.Debit = &amount
			delta = -cents
		}
		if owed {
			delta = -delta
		}
		balance += delta
		moved += delta
		t.Balance = fromCents(balance)
		added[n-1-i] = t // newest first
	}
	acc.Transactions = append(added, slices.Clone(acc.Transactions)...)
	acc.Balance.Current = fromCents(balance)
	if acc.Balance.Available != nil {
		// A card's available credit falls as its balance rises.
		av := toCents(*acc.Balance.Available)
		if owed {
			av -= moved
		} else {
			av += moved
		}
		v := fromCents(av)
		acc.Balance.Available = &v
	}
	return acc
}

func toCents(v float64) int64 { return int64(math.Round(v * 100)) }
