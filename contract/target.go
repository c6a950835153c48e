package contract

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/flinks-mock/flinks-mock/openapi/toolbox"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// ToolboxSecretKey is the public secret key of the Flinks toolbox sandbox,
// which every mock accepts.
//
// Deprecated: use toolbox.SecretKey.
const ToolboxSecretKey = toolbox.SecretKey

// ToolboxAPIKey is the public x-api-key of the Flinks toolbox sandbox. The
// harness configures the mock to require it on the data endpoints, as
// Flinks does.
//
// Deprecated: use toolbox.APIKey.
const ToolboxAPIKey = toolbox.APIKey

// Target is what an integration under test is given for one run: where
// the mock is, which login to fetch and how, and the guide's intervals in
// the units of the run (scaled when the mock runs on a scaled clock).
type Target struct {
	// Scenario names the scenario being run.
	Scenario string
	// BaseURL is what replaces https://{instance}-api.private.fin.ag/v3/{customerId}:
	// http://127.0.0.1:port/v3/{customerId}.
	BaseURL    string
	CustomerID string
	// SecretKey goes in flinks-auth-key of /GenerateAuthorizeToken;
	// APIKey in x-api-key of the data endpoints.
	SecretKey string
	APIKey    string
	// LoginID is the login to fetch; Username, Password and Institution
	// are its credentials, for integrations that use them.
	LoginID     string
	Username    string
	Password    string
	Institution string
	// MostRecentCached says how to call /Authorize: true for cached data,
	// false for a live refresh (which is when most logins ask for MFA).
	MostRecentCached bool
	// MFAAnswers maps every prompt the login may ask to the answers to
	// send, for integrations that answer MFA themselves.
	MFAAnswers map[string][]string
	// PollInterval, Timeout and RetryBackoff are the guide's 10 s between
	// Async polls, its 30-minute polling timeout and the back-off after
	// RETRY_LATER, in the units of the run.
	PollInterval time.Duration
	Timeout      time.Duration
	RetryBackoff time.Duration
	// MFAIdleTimeout is the 8 minutes a RequestId waits for the answer to
	// its 203, in the units of the run: an answer the user gave later must
	// not be sent with that RequestId.
	MFAIdleTimeout time.Duration
	// UserDelay, when set, is how long the user takes over the first
	// security challenge of the run: the integration waits it (with
	// Sleep) before it answers, as it would wait for a person.
	UserDelay time.Duration
	// RequestTimeout is how long to wait for one answer of Flinks before
	// giving up on it (then retry, with a fresh token for /Authorize, or
	// report the error), in real time: the guide's figure scaled, but
	// never under a second. Set it on every request: an answer may never
	// come.
	RequestTimeout time.Duration
	// LoginStore, when set (the scenario repeat-fetch), is a file where
	// the integration keeps the LoginId of the login it linked, as it
	// would in its database: the harness keeps it between the two runs of
	// the scenario. LoginID is empty then: the first run links the login
	// with Username, Password and Institution, the second finds the
	// LoginId in the store.
	LoginStore string
	// WebhookAddr, when set, is the host:port where the integration must
	// listen for webhooks, and WebhookURL the URL the mock posts them to;
	// the integration then waits for the GetAccountsDetail webhook instead
	// of polling.
	WebhookAddr string
	WebhookURL  string
	// WebhookSecret, when set, is the secret the mock signs webhooks with
	// (Base64 of HMAC-SHA256 of the raw body, in flinks-authenticity-key):
	// the integration must reject a webhook whose signature is wrong or
	// missing.
	WebhookSecret string
	// Statements, when set, is the NumberOfStatements (MostRecent, Months3
	// or Months12) of the PDF statements the integration fetches once it
	// has the accounts; it reports what each PDF says (Outcome.Statements).
	Statements string
	// DeleteCard asks the integration to delete the card (/DeleteCard of
	// the LoginId) once it has the data, and to report it
	// (Outcome.DeletedCard).
	DeleteCard bool
	// Sleep waits d (it moves a virtual clock in tests), and Now reads
	// the same clock. Integrations that take neither sleep in real time.
	Sleep func(ctx context.Context, d time.Duration) error
	Now   func() time.Time
}

// Environment variables an integration run by flinks-mock verify reads;
// Target.Env sets them.
const (
	EnvBaseURL          = "FLINKS_BASE_URL"
	EnvCustomerID       = "FLINKS_CUSTOMER_ID"
	EnvSecretKey        = "FLINKS_SECRET_KEY"
	EnvAPIKey           = "FLINKS_API_KEY"
	EnvLoginID          = "FLINKS_LOGIN_ID"
	EnvUsername         = "FLINKS_USERNAME"
	EnvPassword         = "FLINKS_PASSWORD"
	EnvInstitution      = "FLINKS_INSTITUTION"
	EnvMostRecentCached = "FLINKS_MOST_RECENT_CACHED"
	EnvMFAAnswers       = "FLINKS_MFA_ANSWERS"
	EnvScenario         = "FLINKS_SCENARIO"
	EnvPollInterval     = "FLINKS_POLL_INTERVAL"
	EnvTimeout          = "FLINKS_TIMEOUT"
	EnvRetryBackoff     = "FLINKS_RETRY_BACKOFF"
	EnvMFAIdleTimeout   = "FLINKS_MFA_IDLE_TIMEOUT"
	EnvUserDelay        = "FLINKS_USER_DELAY"
	EnvRequestTimeout   = "FLINKS_REQUEST_TIMEOUT"
	EnvLoginStore       = "FLINKS_LOGIN_STORE"
	EnvWebhookAddr      = "FLINKS_WEBHOOK_ADDR"
	EnvWebhookURL       = "FLINKS_WEBHOOK_URL"
	EnvWebhookSecret    = "FLINKS_WEBHOOK_SECRET"
	EnvStatements       = "FLINKS_STATEMENTS"
	EnvDeleteCard       = "FLINKS_DELETE_CARD"
)

// Env returns the target as NAME=value environment variables. Durations
// are written as a whole number of seconds ("18s") or else of
// milliseconds ("100ms"), so any language can read them; FLINKS_MFA_ANSWERS
// is a JSON object of prompt → list of answers. The webhook variables are
// set only when the run uses webhooks, FLINKS_STATEMENTS and
// FLINKS_DELETE_CARD only when the scenario asks for them.
func (t Target) Env() []string {
	answers, _ := json.Marshal(t.MFAAnswers)
	if t.MFAAnswers == nil {
		answers = []byte("{}")
	}
	env := []string{
		EnvBaseURL + "=" + t.BaseURL,
		EnvCustomerID + "=" + t.CustomerID,
		EnvSecretKey + "=" + t.SecretKey,
		EnvAPIKey + "=" + t.APIKey,
		EnvLoginID + "=" + t.LoginID,
		EnvUsername + "=" + t.Username,
		EnvPassword + "=" + t.Password,
		EnvInstitution + "=" + t.Institution,
		EnvMostRecentCached + "=" + strconv.FormatBool(t.MostRecentCached),
		EnvMFAAnswers + "=" + string(answers),
		EnvScenario + "=" + t.Scenario,
		EnvPollInterval + "=" + FormatDuration(t.PollInterval),
		EnvTimeout + "=" + FormatDuration(t.Timeout),
		EnvRetryBackoff + "=" + FormatDuration(t.RetryBackoff),
		EnvMFAIdleTimeout + "=" + FormatDuration(t.MFAIdleTimeout),
		EnvRequestTimeout + "=" + FormatDuration(t.RequestTimeout),
	}
	if t.LoginStore != "" {
		env = append(env, EnvLoginStore+"="+t.LoginStore)
	}
	if t.UserDelay > 0 {
		env = append(env, EnvUserDelay+"="+FormatDuration(t.UserDelay))
	}
	if t.WebhookAddr != "" {
		env = append(env, EnvWebhookAddr+"="+t.WebhookAddr, EnvWebhookURL+"="+t.WebhookURL)
	}
	if t.WebhookSecret != "" {
		env = append(env, EnvWebhookSecret+"="+t.WebhookSecret)
	}
	if t.Statements != "" {
		env = append(env, EnvStatements+"="+t.Statements)
	}
	if t.DeleteCard {
		env = append(env, EnvDeleteCard+"=true")
	}
	return env
}

// FormatDuration writes d as a whole number of seconds ("18s") when it is
// one, else as a whole number of milliseconds, rounded up and at least 1
// ("100ms"): a form any language parses with a regular expression, and
// never shorter than d.
func FormatDuration(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", d/time.Second)
	}
	ms := (d + time.Millisecond - 1) / time.Millisecond
	return fmt.Sprintf("%dms", max(ms, 1))
}

// NewTarget returns the target of a scenario for one customer of the mock
// at serverURL (its root, e.g. http://127.0.0.1:8080): the toolbox keys,
// the login's credentials and MFA answers, and the guide's intervals in
// real time.
func NewTarget(sc Scenario, login *scenarios.Login, serverURL, customerID string) Target {
	return Target{
		Scenario:         sc.Name,
		BaseURL:          serverURL + "/v3/" + customerID,
		CustomerID:       customerID,
		SecretKey:        toolbox.SecretKey,
		APIKey:           toolbox.APIKey,
		LoginID:          login.LoginID,
		Username:         login.Username,
		Password:         login.Password,
		Institution:      login.Institution,
		MostRecentCached: sc.MostRecentCached,
		MFAAnswers:       answersOf(sc, login),
		PollInterval:     DefaultMinPollInterval,
		Timeout:          DefaultDeadline,
		RetryBackoff:     DefaultRetryBackoff,
		MFAIdleTimeout:   DefaultMFAIdleTimeout,
		RequestTimeout:   DefaultRequestTimeout,
		UserDelay:        sc.UserDelay,
		Statements:       sc.Statements,
		DeleteCard:       sc.DeleteCard,
	}
}

// answersOf returns the MFA answers a scenario gives the integration: the
// login's, or wrong ones.
func answersOf(sc Scenario, login *scenarios.Login) map[string][]string {
	answers := MFAAnswers(login)
	if sc.WrongAnswers {
		for prompt := range answers {
			answers[prompt] = []string{"not the answer"}
		}
	}
	return answers
}

// MFAAnswers returns the answers to every prompt a login may ask, keyed by
// the prompt exactly as the 203 sends it: every accepted answer for a
// MultipleChoiceMultipleAnswers challenge, the first for the others.
func MFAAnswers(login *scenarios.Login) map[string][]string {
	out := map[string][]string{}
	if login.MFA == nil {
		return out
	}
	for _, round := range login.MFA.Rounds {
		for _, c := range round.Challenges {
			if len(c.Answers) == 0 {
				continue
			}
			if c.Type == scenarios.ChallengeMultipleChoiceMultipleAnswers {
				out[c.Prompt] = append([]string(nil), c.Answers...)
			} else {
				out[c.Prompt] = []string{c.Answers[0]}
			}
		}
	}
	return out
}
