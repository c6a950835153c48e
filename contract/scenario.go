package contract

import (
	"fmt"
	"strings"
	"time"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

// Scenario is one situation an integration is run in: a login of the
// default library, how to call /Authorize for it, and the outcome it
// calls for.
type Scenario struct {
	// Name is how --scenario and reports name it, e.g. "mfa".
	Name string
	// Login is the name of a login of the default library.
	Login string
	// MostRecentCached is how the integration is asked to call
	// /Authorize (Target.MostRecentCached).
	MostRecentCached bool
	// Webhook runs the integration in webhook mode: it listens on
	// Target.WebhookAddr and gets its data from the webhook instead of
	// polling; the harness has the mock send the webhook twice.
	Webhook bool
	// Signed, in webhook mode, has the mock sign its webhooks with a secret
	// the integration is given, and the harness send a forged and an
	// unsigned webhook before the genuine ones.
	Signed bool
	// WrongAnswers gives the integration wrong MFA answers, as a user who
	// mistyped them would.
	WrongAnswers bool
	// UserDelay is how long the user takes over the first security
	// challenge (Target.UserDelay).
	UserDelay time.Duration
	// SlowAnswers has the mock hold the first answer of /Authorize and of
	// GetAccountsDetail three times Target.RequestTimeout: the login is
	// one the harness adds for the run (see slowLogin).
	SlowAnswers bool
	// Repeat runs the integration twice on the login, with no LoginID:
	// first to link it with its username and password, then to fetch it
	// again with the LoginId it kept in Target.LoginStore.
	Repeat bool
	// Statements, when set, has the integration fetch the login's PDF
	// statements too once it has the accounts, with this
	// NumberOfStatements (Target.Statements).
	Statements string
	// DeleteCard has the integration delete the card once it has the data
	// (Target.DeleteCard).
	DeleteCard bool
	// Shapes is the shape of the mock's answers during the run
	// (settings.shapes, e.g. varied(16)); empty: the server's.
	Shapes string
	// What says what the scenario exercises.
	What string
	// Want is the outcome the integration must report.
	Want Want
}

// Scenarios returns the catalogue of scenarios, in the order they run.
func Scenarios() []Scenario {
	accounts := Want{Accounts: true}
	return []Scenario{
		{Name: "happy", Login: "greatday_nomfa", MostRecentCached: true, Want: accounts,
			What: "cached /Authorize answers 200 and GetAccountsDetail 200 at once"},
		{Name: "mfa", Login: "greatday", Want: accounts,
			What: "a live refresh asks one security question (a 203), then GetAccountsDetail answers 202 once"},
		{Name: "triple-mfa", Login: "mock_triple_mfa", Want: accounts,
			What: "three security questions in one 203, to be answered in one call"},
		{Name: "two-rounds", Login: "mock_two_rounds", Want: accounts,
			What: "two 203s in a row: a multiple choice, then a code"},
		{Name: "pending", Login: "test_pending", MostRecentCached: true, Want: accounts,
			What: "GetAccountsDetail answers 202 three times before the 200"},
		{Name: "dispatched", Login: "test_dispatched", MostRecentCached: true, Want: accounts,
			What: "GetAccountsDetail answers 202 OPERATION_DISPATCHED, then 200"},
		{Name: "long-pending", Login: "mock_pending_2m", MostRecentCached: true, Want: accounts,
			What: "202s for 2 minutes of polling"},
		{Name: "timeout", Login: "mock_pending_45m", MostRecentCached: true, Want: Want{Timeout: true},
			What: "202s for 45 minutes: the integration must give up after 30 and report a timeout"},
		{Name: "disabled", Login: "test_disabled_account", MostRecentCached: true, Want: Want{FlinksCodes: []string{"DISABLED_LOGIN"}},
			What: "/Authorize answers DISABLED_LOGIN, which must not be retried"},
		{Name: "retry-later", Login: "test_service_unavailable", MostRecentCached: true, Want: Want{FlinksCodes: []string{"RETRY_LATER"}},
			What: "/Authorize always answers RETRY_LATER: retry after a back-off, or report it"},
		{Name: "retry-then-ok", Login: "mock_retry_then_ok", MostRecentCached: true, Want: Want{Accounts: true, FlinksCodes: []string{"RETRY_LATER"}},
			What: "/Authorize answers RETRY_LATER twice, then 200: retrying after a back-off gets the data"},
		{Name: "aggregation-error", Login: "mock_aggregation_error", MostRecentCached: true, Want: Want{FlinksCodes: []string{"AGGREGATION_ERROR"}},
			What: "GetAccountsDetail answers 500 AGGREGATION_ERROR"},
		{Name: "slow-mfa-user", Login: "greatday", UserDelay: 9 * time.Minute, Want: accounts,
			What: "the user takes 9 minutes over the security question, past the 8 minutes a RequestId waits for its answer: start over with a new /Authorize, never answer the expired RequestId"},
		{Name: "wrong-mfa-answer", Login: "greatday", WrongAnswers: true, Want: Want{FlinksCodes: []string{"INVALID_SECURITY_RESPONSE"}},
			What: "the user's answer to the security question is wrong (401 INVALID_SECURITY_RESPONSE): report it and send the user back, never answer again on your own"},
		{Name: "slow-answers", Login: slowLoginName, MostRecentCached: true, SlowAnswers: true, Want: accounts,
			What: "the first answers of /Authorize and GetAccountsDetail take three times FLINKS_REQUEST_TIMEOUT: give up on each when the timeout fires, then retry (a fresh token for /Authorize)"},
		{Name: "repeat-fetch", Login: "greatday", Repeat: true, Want: accounts,
			What: "two runs: the first links the login with its username and password (no LoginId yet) and keeps the LoginId in FLINKS_LOGIN_STORE; the second fetches it again with that LoginId and MostRecentCached true, never the credentials"},
		statementsScenario(),
		deleteCardScenario(),
		{Name: "webhook", Login: "mock_pending_45m", MostRecentCached: true, Webhook: true, Want: accounts,
			What: "webhook mode: GetAccountsDetail answers 202 and the data comes only by webhook, sent twice; both sends must be answered 200"},
		{Name: "webhook-signed", Login: "mock_pending_45m", MostRecentCached: true, Webhook: true, Signed: true, Want: accounts,
			What: "webhook mode with signatures: a webhook signed with a wrong secret (carrying an account of its own) and an unsigned one come first, and must be rejected; then the genuine one, twice"},
		VariedShapes(),
	}
}

// statementsScenario asks for three months of PDF statements, which the
// bank takes two polls to prepare.
func statementsScenario() Scenario {
	return Scenario{Name: "statements", Login: "mock_statements", MostRecentCached: true, Statements: "Months3",
		Want: Want{Accounts: true, Statements: 3},
		What: "after the accounts, GetStatements for Months3 answers 202 twice before the 200: poll GetStatementsAsync, then read each PDF's account number and period"}
}

// deleteCardScenario asks for the card to be deleted once the data is in.
func deleteCardScenario() Scenario {
	return Scenario{Name: "delete-card", Login: "greatday_nomfa", MostRecentCached: true, DeleteCard: true,
		Want: Want{Accounts: true, CardDeleted: true},
		What: "after the accounts, delete the card with /DeleteCard, once no session of the login is being processed"}
}

// AfterData reports whether a scenario asks the integration for more than
// the accounts: its statements, or the deletion of the card.
func (sc Scenario) AfterData() bool { return sc.Statements != "" || sc.DeleteCard }

// DefaultScenarios returns the scenarios run when none is named: every
// scenario but the webhook ones, which need an integration that receives
// webhooks, and those that ask for more than the accounts (AfterData),
// which need an integration that fetches statements or deletes cards.
func DefaultScenarios() []Scenario {
	var out []Scenario
	for _, sc := range Scenarios() {
		if !sc.Webhook && !sc.AfterData() {
			out = append(out, sc)
		}
	}
	return out
}

// ScenarioByName returns the scenario with this name.
func ScenarioByName(name string) (Scenario, error) {
	var names []string
	for _, sc := range Scenarios() {
		if sc.Name == name {
			return sc, nil
		}
		names = append(names, sc.Name)
	}
	return Scenario{}, fmt.Errorf("no scenario %q; the scenarios are %s", name, strings.Join(names, ", "))
}

// LoginOf returns the login of a scenario in a library.
func (sc Scenario) LoginOf(lib *scenarios.Library) (*scenarios.Login, error) {
	for _, l := range lib.Logins {
		if l.Name == sc.Login {
			return l, nil
		}
	}
	return nil, fmt.Errorf("scenario %s needs the login %q of the default library, and the mock does not serve it", sc.Name, sc.Login)
}
