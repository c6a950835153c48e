package scenarios

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
)

// Bounds and defaults of Generate.
const (
	// DefaultGenerateDays is the history generated when Days is zero: a
	// year, the most that DaysOfTransactions (Days365) asks for.
	DefaultGenerateDays = 365
	// MaxGenerateDays bounds Days, so that a typo cannot make loading slow.
	MaxGenerateDays = 730
	// MaxGeneratedAccounts bounds Chequing+Savings+CreditCards for the
	// same reason.
	MaxGeneratedAccounts = 20
	// DefaultCurrency is the Currency of generated accounts when Generate
	// sets none.
	DefaultCurrency = "CAD"
	// DefaultInstitutionNumber is the InstitutionNumber of generated
	// accounts when the institution has none (FlinksCapital's).
	DefaultInstitutionNumber = "777"
)

// The seeded streams are kept apart so that account numbers and Ids stay
// the same when only Days or EndDate change.
const (
	streamIdentity = 0x6964656e74697479 // account numbers
	streamActivity = 0x6163746976697479 // profiles and transactions
	streamTxIDs    = 0x7478206964732121 // transaction Ids
)

// generateNamespace roots the name-based account Ids.
const generateNamespace = "flinks-mock:generate"

// Accounts generates the accounts g describes, for a login at inst held by
// holder (which may be nil; every account points to it). Everything else
// depends only on g and inst: the same values always give the same
// accounts, transactions and Ids. When g.EndDate is empty the newest
// transaction is dated now's day (UTC), so now matters only then.
//
// Accounts come in the order chequing, savings, credit cards. Each has a
// year (or g.Days) of transactions, newest first, whose balances add up to
// the cent: a payroll every other Friday covers rent, bills, everyday
// spending and the monthly payment of each card, the rest is swept to
// savings, and savings top up a chequing account that dips below zero.
func (g Generate) Accounts(inst Institution, holder *Holder, now time.Time) ([]Account, error) {
	end, days, currency, err := g.resolve(now)
	if err != nil {
		return nil, err
	}
	seed := uint64(g.Seed)
	s := &simulation{
		r:     rand.New(rand.NewPCG(seed, streamActivity)),
		start: end.AddDate(0, 0, -(days - 1)),
		days:  days,
	}
	s.open(g, rand.New(rand.NewPCG(seed, streamIdentity)))
	s.budget()
	s.run()

	instNumber := inst.InstitutionNumber
	if instNumber == "" {
		instNumber = DefaultInstitutionNumber
	}
	dates := make([]string, days)
	for d := range dates {
		dates[d] = s.start.AddDate(0, 0, d).Format(time.DateOnly)
	}
	ns := uuid.NewSHA1(uuid.NameSpaceURL, []byte(generateNamespace))
	ids := rand.New(rand.NewPCG(seed, streamTxIDs))
	all := s.accounts()
	out := make([]Account, len(all))
	for i, a := range all {
		out[i] = a.account(ns, g.Seed, instNumber, currency, holder, dates, ids)
	}
	return out, nil
}

// resolve checks g and fills its defaults.
func (g Generate) resolve(now time.Time) (end time.Time, days int, currency string, err error) {
	var errs []error
	for _, c := range []struct {
		key string
		n   int
	}{{"chequing", g.Chequing}, {"savings", g.Savings}, {"creditCards", g.CreditCards}} {
		if c.n < 0 {
			errs = append(errs, fmt.Errorf("%s is %d; a count of accounts cannot be negative", c.key, c.n))
		}
	}
	switch total := g.Chequing + g.Savings + g.CreditCards; {
	case len(errs) > 0:
		// A negative count makes the total meaningless.
	case total == 0:
		errs = append(errs, errors.New("no accounts requested: set chequing, savings or creditCards to 1 or more"))
	case total > MaxGeneratedAccounts:
		errs = append(errs, fmt.Errorf("%d accounts requested; at most %d can be generated per login", total, MaxGeneratedAccounts))
	}
	days = g.Days
	if days == 0 {
		days = DefaultGenerateDays
	}
	if days < 1 || days > MaxGenerateDays {
		errs = append(errs, fmt.Errorf("days is %d; use 1 to %d (default %d)", g.Days, MaxGenerateDays, DefaultGenerateDays))
	}
	if g.EndDate == "" {
		y, m, d := now.UTC().Date()
		end = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	} else if end, err = time.Parse(time.DateOnly, g.EndDate); err != nil {
		errs = append(errs, fmt.Errorf("endDate %q is not a date written YYYY-MM-DD (leave it empty for the day the library loads)", g.EndDate))
	} else if msg := badEndDate(g.EndDate); msg != "" {
		errs = append(errs, fmt.Errorf("endDate %s", msg))
	}
	currency = g.Currency
	switch currency {
	case "":
		currency = DefaultCurrency
	case "CAD", "USD":
	default:
		errs = append(errs, fmt.Errorf("currency %q is not supported; use CAD or USD", g.Currency))
	}
	if len(errs) > 0 {
		return time.Time{}, 0, "", errors.Join(errs...)
	}
	return end, days, currency, nil
}
