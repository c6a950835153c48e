// Package scenarios holds the scenario format of flinks-mock: the typed
// model, the strict YAML decoder, the semantic checks, the seeded generator of
// account data, and the embedded default library that mirrors the Flinks
// toolbox sandbox.
//
// Keys that configure the mock are camelCase (loginId, accountsDetail, ...).
// Objects that Flinks itself returns (accounts, transactions, holders) keep
// Flinks' PascalCase field names, so a real response can be pasted into a
// scenario file unchanged.
package scenarios

import (
	"encoding/json"
	"fmt"
	"time"
)

// File is one scenario file as written.
type File struct {
	// Settings tune contract facts that Flinks' documentation leaves open or
	// that a test wants shorter. Later files override earlier ones key by key.
	Settings *Settings `json:"settings,omitempty"`
	// Institutions adds institutions to the built-in FlinksCapital.
	Institutions []Institution `json:"institutions,omitempty"`
	// Logins are the bank logins the mock knows.
	Logins []Login `json:"logins,omitempty"`
}

// Settings are the library-wide knobs. A zero field means "use the default".
type Settings struct {
	// TokenLifetime is how long an unused authorize token stays valid
	// (default 30m).
	TokenLifetime Duration `json:"tokenLifetime,omitempty"`
	// AuthorizeIdleTimeout ends a session that waits for MFA answers longer
	// than this (default 8m).
	AuthorizeIdleTimeout Duration `json:"authorizeIdleTimeout,omitempty"`
	// ProcessingTimeout ends a data request still processing after this long
	// (default 30m).
	ProcessingTimeout Duration `json:"processingTimeout,omitempty"`
	// SessionLifetime ends an authorized session unused for this long: its
	// RequestId then answers SESSION_NONEXISTENT (default 30m, counted from
	// the authorization or the last data call; Flinks documents 30 minutes
	// "during data processing" and no figure for a finished session).
	SessionLifetime Duration `json:"sessionLifetime,omitempty"`
	// Shapes is the shape of the answers: full (every field the mock
	// knows), minimal (the fields real bodies leave out are left out:
	// InstitutionName, InstitutionId, Login, the Summary's Links), or
	// varied(seed) (each answer drawn, from the seed, among the shapes
	// openapi/flinks.yaml allows), so a client that needs what Flinks may
	// leave out fails here as it would there. Left out, the server's
	// --shapes decides (default full).
	Shapes string `json:"shapes,omitempty"`
	// InvalidTokenCode is the FlinksCode of a 401 for a missing, reused or
	// expired authorize token, or a bad secret key (default ACCESS_DENIED;
	// the real code was not seen, UNAUTHORIZED is the other candidate).
	InvalidTokenCode string `json:"invalidTokenCode,omitempty"`
	// WrongPasswordCode is the FlinksCode for a legacy /Authorize with a
	// known username and a wrong password (default INVALID_LOGIN).
	WrongPasswordCode string `json:"wrongPasswordCode,omitempty"`
	// Statuses overrides the HTTP status of FlinksCodes, e.g.
	// {SESSION_EXPIRED: 400}. Most useful for the codes whose status was
	// inferred.
	Statuses map[string]int `json:"statuses,omitempty"`
	// Webhooks says where the mock posts webhooks and how it retries them.
	Webhooks *WebhookSettings `json:"webhooks,omitempty"`
}

// WebhookSettings configure the webhooks of every login of the library.
// A field left out keeps the server's value (its --webhook-* flags, else
// the contract's 10 attempts 30 minutes apart).
type WebhookSettings struct {
	// URLs receive the webhooks, after the server's --webhook-url ones.
	URLs []string `json:"urls,omitempty"`
	// Secret signs the deliveries to URLs (flinks-authenticity-key).
	Secret string `json:"secret,omitempty"`
	// Attempts is how many times a delivery is tried before it fails.
	Attempts int `json:"attempts,omitempty"`
	// Interval is the wait between two attempts, on the server clock.
	Interval Duration `json:"interval,omitempty"`
	// Timeout bounds one attempt, in real time.
	Timeout Duration `json:"timeout,omitempty"`
}

// LoginWebhooks scripts the webhooks of a login's data requests: a KYC
// webhook before the data, and the misbehaviour of a real sender that a
// receiver must survive.
type LoginWebhooks struct {
	// KYC sends a KYC webhook (the holders) when GetAccountsDetail is
	// first called, before the GetAccountsDetail webhook.
	KYC bool `json:"kyc,omitempty"`
	// OnAuthorize starts the data request when /Authorize answers 200, as
	// Flinks does once Connect finishes (the Connect page always does):
	// the GetAccountsDetail webhook comes with the default options and no
	// data call.
	OnAuthorize bool `json:"onAuthorize,omitempty"`
	// Delay holds back the first attempt of each webhook, on the server
	// clock.
	Delay Duration `json:"delay,omitempty"`
	// Duplicate sends each webhook this many extra times, with the same
	// body and signature.
	Duplicate int `json:"duplicate,omitempty"`
	// OutOfOrder sends the KYC webhook after the GetAccountsDetail one.
	OutOfOrder bool `json:"outOfOrder,omitempty"`
	// WrongSignature signs with a key other than the secret, so a receiver
	// that checks the signature must refuse the webhook.
	WrongSignature bool `json:"wrongSignature,omitempty"`
	// Body replaces the body of the GetAccountsDetail webhook, e.g. with
	// an error payload; it is sent as written.
	Body json.RawMessage `json:"body,omitempty"`
	// Drop records the webhooks as dropped and sends nothing.
	Drop bool `json:"drop,omitempty"`
}

// Institution is a financial institution logins belong to.
type Institution struct {
	// Name is the identifier Flinks uses in Institution and InstitutionName,
	// e.g. "FlinksCapital".
	Name string `json:"name"`
	// ID is the InstitutionId, e.g. 14.
	ID int `json:"id"`
	// DisplayName is what a person reads, e.g. "Flinks Capital".
	DisplayName string `json:"displayName,omitempty"`
	// InstitutionNumber is the three-digit Canadian institution number used
	// in generated accounts, e.g. "777".
	InstitutionNumber string `json:"institutionNumber,omitempty"`
}

// Login is one bank login and everything the mock does with it.
type Login struct {
	// Name is a short unique handle for the login, e.g. "greatday"; it
	// defaults to the username.
	Name string `json:"name"`
	// Description says what the login is for, in one sentence.
	Description string `json:"description,omitempty"`
	// Username and Password are the credentials of the legacy /Authorize
	// (and of the Connect page). Password defaults to "Everyday".
	Username string `json:"username"`
	Password string `json:"password,omitempty"`
	// Institution names one of the institutions (default "FlinksCapital").
	Institution string `json:"institution,omitempty"`
	// LoginID is the fixed LoginId (a UUID) Flinks Connect would hand out.
	LoginID string `json:"loginId"`
	// Type is Login.Type: "Personal" (default) or "Business".
	Type string `json:"type,omitempty"`
	// TokenRequired says whether /Authorize needs a fresh authorize token
	// in flinks-auth-key (default true, as for integrations since Oct 2024).
	TokenRequired *bool `json:"tokenRequired,omitempty"`
	// Authorize is the sequence of outcomes of /Authorize for this login:
	// steps with respond "ok" or "error". Default: always ok.
	Authorize []Step `json:"authorize,omitempty"`
	// MFA lists the security challenges asked before the session opens.
	MFA *MFA `json:"mfa,omitempty"`
	// Holder is the account holder, used for every account that has none.
	Holder *Holder `json:"holder,omitempty"`
	// Accounts are written out in full, as Flinks returns them.
	Accounts []Account `json:"accounts,omitempty"`
	// Generate asks for accounts generated from a seed, added after Accounts.
	Generate *Generate `json:"generate,omitempty"`
	// Nulls are field paths of an account, e.g. "Balance.Current" or
	// "Transactions.Description", that the answers send as null for every
	// account of the login; each must be a field openapi/flinks.yaml lets
	// be null.
	Nulls []string `json:"nulls,omitempty"`
	// AccountsDetail is the sequence of answers of /GetAccountsDetail and
	// its Async poll, per session: steps with respond "pending",
	// "dispatched", "ready" or "error". Default: ready at once.
	AccountsDetail []Step `json:"accountsDetail,omitempty"`
	// AccountsSummary is the same for /GetAccountsSummary. Default: ready.
	AccountsSummary []Step `json:"accountsSummary,omitempty"`
	// Statements is the same for /GetStatements and its Async poll.
	// Default: ready.
	Statements []Step `json:"statements,omitempty"`
	// Webhooks scripts the webhooks of the login's data requests.
	Webhooks *LoginWebhooks `json:"webhooks,omitempty"`

	// Origin is the name of the file the login was loaded from, set by
	// Build; it is not part of the format.
	Origin string `json:"-"`

	data *loginData // set by Build; see AllAccounts
}

// Step is one entry of a sequence of answers. A step lasts Calls calls, or
// For on the server clock from its first answer, or (if neither is set) one
// call; the last step of a sequence repeats for ever.
type Step struct {
	// Respond is what the endpoint answers: "ok" or "error" in authorize;
	// "pending" (202 OPERATION_PENDING), "dispatched" (202
	// OPERATION_DISPATCHED), "ready" (200) or "error" in accountsDetail and
	// accountsSummary.
	Respond string `json:"respond"`
	// Calls is how many calls the step answers.
	Calls int `json:"calls,omitempty"`
	// For is how long the step lasts, from the first call it answers.
	For Duration `json:"for,omitempty"`
	// Latency delays each answer of the step, in real time.
	Latency Duration `json:"latency,omitempty"`
	// FlinksCode is the code of an "error" step, e.g. "RETRY_LATER".
	FlinksCode string `json:"flinksCode,omitempty"`
	// Status overrides the HTTP status of an "error" step.
	Status int `json:"status,omitempty"`
	// Message overrides the Message of an "error" step.
	Message string `json:"message,omitempty"`
}

// Step.Respond values.
const (
	RespondOK         = "ok"
	RespondError      = "error"
	RespondPending    = "pending"
	RespondDispatched = "dispatched"
	RespondReady      = "ready"
)

// MFA lists the rounds of security challenges of a login.
type MFA struct {
	// When says which /Authorize calls get a 203: "live" (default: live
	// refresh with MostRecentCached false, and legacy username/password) or
	// "always" (cached calls with a LoginId too).
	When string `json:"when,omitempty"`
	// Rounds are answered one after the other; each is one 203.
	Rounds []Round `json:"rounds"`
}

// MFA.When values.
const (
	MFAWhenLive   = "live"
	MFAWhenAlways = "always"
)

// Round is one 203: the challenges asked together.
type Round struct {
	// Pick asks only this many of the challenges, chosen in turn for each
	// new session (like the sandbox, which asks one of its questions).
	// Zero asks them all.
	Pick int `json:"pick,omitempty"`
	// Challenges are the security challenges of the round.
	Challenges []Challenge `json:"challenges"`
}

// Challenge is one security challenge and the answers it accepts.
type Challenge struct {
	// Type is the SecurityChallenge Type: QuestionAndAnswer (default),
	// MultipleChoice, MultipleChoiceMultipleAnswers, ImageSelection or
	// TextOrCall.
	Type string `json:"type,omitempty"`
	// Prompt is the text sent in the 203; answers are keyed by it.
	Prompt string `json:"prompt"`
	// Iterables are the choices of the choice and image types.
	Iterables []string `json:"iterables,omitempty"`
	// Answers are the accepted answers. For MultipleChoiceMultipleAnswers
	// the client must send exactly this set; for the other types any one of
	// them is right. Matching ignores case and surrounding space.
	Answers []string `json:"answers"`
}

// Challenge.Type values.
const (
	ChallengeQuestionAndAnswer             = "QuestionAndAnswer"
	ChallengeMultipleChoice                = "MultipleChoice"
	ChallengeMultipleChoiceMultipleAnswers = "MultipleChoiceMultipleAnswers"
	ChallengeImageSelection                = "ImageSelection"
	ChallengeTextOrCall                    = "TextOrCall"
)

// Holder is the identity of an account holder, as Flinks returns it.
type Holder struct {
	Name        string  `json:"Name"`
	Address     Address `json:"Address"`
	Email       string  `json:"Email"`
	PhoneNumber string  `json:"PhoneNumber"`
}

// Address is a holder's address, as Flinks returns it.
type Address struct {
	CivicAddress string  `json:"CivicAddress"`
	City         string  `json:"City"`
	Province     string  `json:"Province"`
	PostalCode   string  `json:"PostalCode"`
	POBox        *string `json:"POBox"`
	Country      string  `json:"Country"`
}

// Account is one bank account, as Flinks returns it in GetAccountsDetail.
type Account struct {
	Id                string   `json:"Id"`
	Title             string   `json:"Title"`
	AccountNumber     string   `json:"AccountNumber"`
	LastFourDigits    *string  `json:"LastFourDigits"`
	TransitNumber     string   `json:"TransitNumber"`
	InstitutionNumber string   `json:"InstitutionNumber"`
	OverdraftLimit    float64  `json:"OverdraftLimit"`
	Balance           Balance  `json:"Balance"`
	Category          string   `json:"Category"`
	Type              string   `json:"Type"`
	Currency          string   `json:"Currency"`
	AccountType       *string  `json:"AccountType"`
	Holder            *Holder  `json:"Holder"`
	EftEligibleRatio  *float64 `json:"EftEligibleRatio,omitempty"`
	// ETransferEligibleRatio appears in GetAccountsSummary only.
	ETransferEligibleRatio *float64      `json:"ETransferEligibleRatio,omitempty"`
	Transactions           []Transaction `json:"Transactions"`
	// Nulls are field paths this account's answers send as null, as
	// Login.Nulls; not part of the answers.
	Nulls []string `json:"nulls,omitempty"`
}

// Balance is an account balance. Limit is null for accounts without one.
type Balance struct {
	Available *float64 `json:"Available"`
	Current   float64  `json:"Current"`
	Limit     *float64 `json:"Limit"`
}

// Transaction is one transaction, newest first in an account. Balance is
// the account balance after it.
type Transaction struct {
	Id          string   `json:"Id"`
	Date        string   `json:"Date"`
	Code        *string  `json:"Code"`
	Description string   `json:"Description"`
	Debit       *float64 `json:"Debit"`
	Credit      *float64 `json:"Credit"`
	Balance     float64  `json:"Balance"`
}

// Generate describes accounts generated deterministically from a seed: the
// same seed and end date always give the same accounts and transactions.
type Generate struct {
	// Seed picks the data; logins with different seeds differ.
	Seed int64 `json:"seed"`
	// Chequing, Savings and CreditCards count the accounts of each kind.
	Chequing    int `json:"chequing,omitempty"`
	Savings     int `json:"savings,omitempty"`
	CreditCards int `json:"creditCards,omitempty"`
	// Days is how many days of history to generate (default 365, the most
	// DaysOfTransactions can ask for).
	Days int `json:"days,omitempty"`
	// EndDate is the date of the newest transaction, "YYYY-MM-DD"
	// (default: the day the library is loaded).
	EndDate string `json:"endDate,omitempty"`
	// Currency is "CAD" (default) or "USD".
	Currency string `json:"currency,omitempty"`
}

// Duration is a time.Duration written as a Go duration string ("10s",
// "30m", "1h30m") in scenario files.
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String formats d like time.Duration does.
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON writes d as a duration string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads a duration string such as "10s".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration must be a string such as \"10s\" or \"30m\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration such as \"10s\" or \"30m\"", s)
	}
	if v < 0 {
		return fmt.Errorf("%q is negative", s)
	}
	*d = Duration(v)
	return nil
}
