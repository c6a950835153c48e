package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

// Outcome is what an integration reports at the end of a run: the
// accounts it fetched, or why it has none. Integrations run by flinks-mock
// verify print it as one line of JSON on stdout:
//
//	{"accounts":[{"id":"…","accountNumber":"1230914","balance":4689.68}]}
//	{"error":{"kind":"timeout"}}
//	{"error":{"kind":"flinks","flinksCode":"DISABLED_LOGIN"}}
type Outcome struct {
	Accounts []Account     `json:"accounts,omitempty"`
	Error    *OutcomeError `json:"error,omitempty"`
	// Statements and DeletedCard are reported in the scenarios that ask
	// for them (Target.Statements, Target.DeleteCard).
	Statements  []Statement `json:"statements,omitempty"`
	DeletedCard string      `json:"deletedCard,omitempty"`
}

// Account is what the outcome says of one account. AccountNumber and
// Balance are compared when given.
type Account struct {
	ID            string   `json:"id"`
	AccountNumber string   `json:"accountNumber,omitempty"`
	Balance       *float64 `json:"balance,omitempty"` // Balance.Current
}

// OutcomeError is why a run ended without accounts.
type OutcomeError struct {
	// Kind is one of the Error* constants.
	Kind string `json:"kind"`
	// FlinksCode is the code of the Flinks answer, for ErrorFlinks.
	FlinksCode string `json:"flinksCode,omitempty"`
	Message    string `json:"message,omitempty"`
}

// OutcomeError kinds.
const (
	// ErrorTimeout: the data was not ready by the integration's deadline.
	ErrorTimeout = "timeout"
	// ErrorFlinks: Flinks answered an error; FlinksCode says which.
	ErrorFlinks = "flinks"
	// ErrorMFA: MFA was asked and the integration could not answer it.
	ErrorMFA = "mfa"
	// ErrorOther: anything else.
	ErrorOther = "other"
)

// String says the outcome in a few words.
func (o Outcome) String() string {
	if o.Error == nil {
		return plural(len(o.Accounts), "account") + o.extras()
	}
	switch o.Error.Kind {
	case ErrorFlinks:
		return "Flinks error " + o.Error.FlinksCode
	case ErrorTimeout:
		return "timeout"
	case ErrorMFA:
		return "MFA not answered"
	}
	if o.Error.Message != "" {
		return o.Error.Kind + " error: " + o.Error.Message
	}
	return o.Error.Kind + " error"
}

// ParseOutcome finds the outcome an integration printed: the last line of
// out that is a JSON object with "accounts" or "error".
func ParseOutcome(out []byte) (Outcome, bool) {
	lines := bytes.Split(out, []byte("\n"))
	for i := len(lines) - 1; i >= 0; i-- {
		line := bytes.TrimSpace(lines[i])
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var keys map[string]json.RawMessage
		if json.Unmarshal(line, &keys) != nil {
			continue
		}
		_, hasAccounts := keys["accounts"]
		_, hasError := keys["error"]
		if !hasAccounts && !hasError {
			continue
		}
		var o Outcome
		if json.Unmarshal(line, &o) != nil {
			continue
		}
		if hasError && o.Error == nil {
			continue // "error": null is no error outcome
		}
		return o, true
	}
	return Outcome{}, false
}

// ExpectedAccounts returns the accounts a login serves, as an outcome
// lists them.
func ExpectedAccounts(login *scenarios.Login) []Account {
	all := login.AllAccounts()
	out := make([]Account, 0, len(all))
	for _, a := range all {
		bal := a.Balance.Current
		out = append(out, Account{ID: a.Id, AccountNumber: a.AccountNumber, Balance: &bal})
	}
	return out
}

// Want is the outcome a scenario calls for; any of the fields set is
// acceptable.
type Want struct {
	// Accounts: the login's accounts.
	Accounts bool
	// Timeout: a timeout error.
	Timeout bool
	// FlinksCodes: a Flinks error with one of these codes.
	FlinksCodes []string
	// AnyBalance: the balances reported are not compared (the varied
	// shape draws them: null, zero or below zero).
	AnyBalance bool
	// Statements, with Accounts: this many PDF statements of each of the
	// login's accounts, read right.
	Statements int
	// CardDeleted, with Accounts: the integration deleted the card.
	CardDeleted bool
}

// String says what is wanted, e.g. "the login's accounts, or Flinks error
// RETRY_LATER".
func (w Want) String() string {
	var parts []string
	if w.Accounts {
		parts = append(parts, "the login's accounts"+w.extras())
	}
	if w.Timeout {
		parts = append(parts, "a timeout")
	}
	if len(w.FlinksCodes) > 0 {
		parts = append(parts, "Flinks error "+strings.Join(w.FlinksCodes, " or "))
	}
	return strings.Join(parts, ", or ")
}

// Judge compares an outcome with what is wanted. expected are the login's
// accounts; nil skips the comparison of accounts. It returns nil when the
// outcome is one of those wanted, else what is wrong.
func (w Want) Judge(o Outcome, expected []Account) error {
	if o.Error == nil {
		if !w.Accounts {
			return fmt.Errorf("the integration reported %s; the scenario calls for %s", o, w)
		}
		if expected == nil {
			return nil
		}
		if w.AnyBalance {
			expected = withoutBalances(expected)
		}
		return compareAccounts(o.Accounts, expected)
	}
	switch o.Error.Kind {
	case ErrorTimeout:
		if w.Timeout {
			return nil
		}
	case ErrorFlinks:
		if slices.Contains(w.FlinksCodes, o.Error.FlinksCode) {
			return nil
		}
	}
	return fmt.Errorf("the integration reported %s; the scenario calls for %s", o, w)
}

func compareAccounts(got, want []Account) error {
	byID := map[string]Account{}
	for _, a := range got {
		byID[a.ID] = a
	}
	var problems []string
	for _, w := range want {
		g, ok := byID[w.ID]
		if !ok {
			problems = append(problems, fmt.Sprintf("account %s (%s) is missing", w.ID, w.AccountNumber))
			continue
		}
		delete(byID, w.ID)
		if g.AccountNumber != "" && g.AccountNumber != w.AccountNumber {
			problems = append(problems, fmt.Sprintf("account %s has AccountNumber %q, want %q", w.ID, g.AccountNumber, w.AccountNumber))
		}
		if g.Balance != nil && w.Balance != nil && math.Abs(*g.Balance-*w.Balance) > 0.005 {
			problems = append(problems, fmt.Sprintf("account %s has balance %.2f, want %.2f", w.ID, *g.Balance, *w.Balance))
		}
	}
	for _, a := range got {
		if _, extra := byID[a.ID]; extra {
			problems = append(problems, fmt.Sprintf("account %s is not one of the login's", a.ID))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("the accounts reported are not the login's: %s", strings.Join(problems, "; "))
	}
	return nil
}
