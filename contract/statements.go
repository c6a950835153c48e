package contract

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// Statement is what an integration read in one PDF statement of
// GetStatements: the account number and the period the file prints (not
// the fields of the JSON around it), and its UniqueId.
type Statement struct {
	AccountNumber string `json:"accountNumber"`
	// Period is as the statement prints it: "2026-08-01 to 2026-08-31".
	Period   string `json:"period"`
	UniqueID string `json:"uniqueId,omitempty"`
}

// StatementPeriod is how a statement prints the calendar month it covers.
func StatementPeriod(from time.Time) string {
	to := from.AddDate(0, 1, -1)
	return from.Format(time.DateOnly) + " to " + to.Format(time.DateOnly)
}

// ExpectedStatements returns the statements a login's GetStatements
// answers for n months: for each account, the n calendar months that end
// before the month of the login's newest transaction, as a bank has issued
// them by then.
func ExpectedStatements(login *scenarios.Login, n int) []Statement {
	all := login.AllAccounts()
	newest := ""
	for _, a := range all {
		if len(a.Transactions) > 0 && a.Transactions[0].Date > newest {
			newest = a.Transactions[0].Date
		}
	}
	day, err := time.Parse(time.DateOnly, newest)
	if err != nil {
		return nil // no transactions: the mock dates them from its clock
	}
	first := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	var out []Statement
	for _, a := range all {
		for i := range n {
			out = append(out, Statement{AccountNumber: a.AccountNumber, Period: StatementPeriod(first.AddDate(0, -(n - i), 0))})
		}
	}
	return out
}

// extras says in a few words what an outcome reports beside the accounts.
func (o Outcome) extras() string {
	var s string
	if len(o.Statements) > 0 {
		s += ", " + plural(len(o.Statements), "statement")
	}
	if o.DeletedCard != "" {
		s += ", card deleted"
	}
	return s
}

// extras says what a Want asks for beside the accounts.
func (w Want) extras() string {
	var s string
	if w.Statements > 0 {
		s += fmt.Sprintf(" with %s of each account", plural(w.Statements, "PDF statement"))
	}
	if w.CardDeleted {
		s += ", then the card deleted"
	}
	return s
}

// judgeAll judges an outcome as Judge does, then its statements and card
// deletion; it returns what is wrong, or "".
func (w Want) judgeAll(o Outcome, login *scenarios.Login, entries []journal.Entry) string {
	err := w.Judge(o, ExpectedAccounts(login))
	if err == nil && o.Error == nil {
		err = w.judgeExtras(o, login, entries)
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// judgeExtras compares the statements and the card deletion an outcome
// reports with what is wanted of the login; entries is the journal of the
// run, where the mock's answer to /DeleteCard must confirm the deletion.
func (w Want) judgeExtras(o Outcome, login *scenarios.Login, entries []journal.Entry) error {
	var problems []string
	if w.Statements > 0 {
		if err := compareStatements(o.Statements, ExpectedStatements(login, w.Statements)); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if w.CardDeleted {
		switch {
		case o.DeletedCard != login.LoginID:
			problems = append(problems, fmt.Sprintf("the integration reported deletedCard %q; the scenario calls for the card of LoginId %s deleted", o.DeletedCard, login.LoginID))
		case !slices.ContainsFunc(entries, func(e journal.Entry) bool {
			return e.Endpoint == endpointDeleteCard && e.Status == 200 && e.LoginID == login.LoginID
		}):
			problems = append(problems, fmt.Sprintf("the integration reported the card of LoginId %s deleted, but no /DeleteCard of it was answered 200", login.LoginID))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// compareStatements says how the statements reported differ from those
// wanted, or nil.
func compareStatements(got, want []Statement) error {
	key := func(s Statement) string { return s.AccountNumber + " for " + s.Period }
	left := map[string]int{}
	for _, s := range want {
		left[key(s)]++
	}
	var problems []string
	for _, s := range got {
		if left[key(s)] == 0 {
			problems = append(problems, fmt.Sprintf("a statement of %s is not one of the login's (or came twice)", key(s)))
			continue
		}
		left[key(s)]--
	}
	for _, s := range want {
		if left[key(s)] > 0 {
			problems = append(problems, fmt.Sprintf("the statement of %s is missing", key(s)))
			left[key(s)] = 0
		}
	}
	if len(problems) == 0 {
		return nil
	}
	if len(problems) > MaxViolationsShown {
		problems = append(problems[:MaxViolationsShown], fmt.Sprintf("and %d more", len(problems)-MaxViolationsShown))
	}
	return fmt.Errorf("the statements reported (account number and period, as each PDF prints them) are not the login's: %s", strings.Join(problems, "; "))
}
