// Package broken holds Flinks clients that each break one contract rule on
// purpose, and follow the guide in everything else: they prove that every
// rule can fail, and show what each mistake looks like in a report. They
// are the reference client's flow with one flaw each.
package broken

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/flinks-mock/flinks-mock/contract"
	"github.com/flinks-mock/flinks-mock/contract/reference"
)

// Flaw is the one thing a broken client does wrong.
type Flaw string

// The flaws, one per rule.
const (
	// ReuseToken sends the token of the first /Authorize again with the MFA
	// answer call (breaks FM001).
	ReuseToken Flaw = "reuse-token"
	// PartialMFA answers only the first prompt of a 203 (FM002).
	PartialMFA Flaw = "partial-mfa"
	// DataBeforeMFA asks for the data with the RequestId of a 203 before
	// answering it (FM003).
	DataBeforeMFA Flaw = "data-before-mfa"
	// NewRequestPerPoll answers a 202 by authorizing again and asking
	// /GetAccountsDetail with the new RequestId (FM004).
	NewRequestPerPoll Flaw = "new-request-per-poll"
	// PollFast polls every tenth of the poll interval (FM005).
	PollFast Flaw = "poll-fast"
	// NoTimeout polls until the data comes or Flinks answers an error
	// (FM006).
	NoTimeout Flaw = "no-timeout"
	// RetryFinalErrors retries a failed /Authorize whatever the code,
	// DISABLED_LOGIN included (FM007).
	RetryFinalErrors Flaw = "retry-final-errors"
	// NoBackoff retries RETRY_LATER at once (FM008).
	NoBackoff Flaw = "no-backoff"
	// NoAPIKey sends no x-api-key to the data endpoints (FM009).
	NoAPIKey Flaw = "no-api-key"
	// WebhookNot200 takes the data of webhooks but answers them 204 No
	// Content (FM010).
	WebhookNot200 Flaw = "webhook-not-200"
	// StopAt202 takes a 202 of /GetAccountsDetail for "no accounts"
	// (FM011).
	StopAt202 Flaw = "stop-at-202"
	// ReanswerMFA sends the MFA answers again on its own after
	// INVALID_SECURITY_RESPONSE (FM012).
	ReanswerMFA Flaw = "reanswer-mfa"
	// NoSignatureCheck takes every webhook, whatever its signature
	// (FM013).
	NoSignatureCheck Flaw = "no-signature-check"
	// LateMFAAnswer sends the user's answer with the RequestId of the 203
	// however long the user took (FM014).
	LateMFAAnswer Flaw = "late-mfa-answer"
	// NoRequestTimeout waits for every answer as long as it takes (FM016).
	NoRequestTimeout Flaw = "no-request-timeout"
	// CredentialsAgain never keeps the LoginId: every fetch authorizes with
	// the username and password (FM017).
	CredentialsAgain Flaw = "credentials-again"
	// DeleteCardInUse deletes the card right after /Authorize, while its
	// session waits for its data (CARD_IN_USE), and again once it has the
	// data (FM015).
	DeleteCardInUse Flaw = "delete-card-in-use"
)

// UnscaledTiming waits the guide's 10 s and 30 minutes as written, not
// the scaled intervals of its Target: a client right in every other way,
// which fails FM006 on a scaled clock, and which the harness names.
const UnscaledTiming Flaw = "unscaled-timing"

// Case is a flaw, the scenario that shows it, and the one rule it must
// fail.
type Case struct {
	Flaw     Flaw
	Scenario string
	Rule     string
}

// Cases returns every flaw with its scenario and rule, in rule order.
func Cases() []Case {
	return []Case{
		{ReuseToken, "mfa", contract.IDSingleUseToken},
		{PartialMFA, "triple-mfa", contract.IDMFAAnsweredInFull},
		{DataBeforeMFA, "mfa", contract.IDDataAfterAuthorize},
		{NewRequestPerPoll, "pending", contract.IDPollSameRequest},
		{PollFast, "pending", contract.IDPollInterval},
		{NoTimeout, "timeout", contract.IDPollDeadline},
		{RetryFinalErrors, "disabled", contract.IDNoRetryOfFinalErrors},
		{NoBackoff, "retry-then-ok", contract.IDBackOffOnRetryLater},
		{NoAPIKey, "happy", contract.IDKeysInTheirPlace},
		{WebhookNot200, "webhook", contract.IDWebhooksAcknowledged},
		{StopAt202, "pending", contract.IDFollowUpA202},
		{ReanswerMFA, "wrong-mfa-answer", contract.IDNoMFAReanswer},
		{NoSignatureCheck, "webhook-signed", contract.IDWebhookSignature},
		{LateMFAAnswer, "slow-mfa-user", contract.IDMFAAnswerInTime},
		{DeleteCardInUse, "delete-card", contract.IDDeleteCardWhenIdle},
		{NoRequestTimeout, "slow-answers", contract.IDRequestTimeout},
		{CredentialsAgain, "repeat-fetch", contract.IDRepeatFetchCached},
	}
}

// Run returns the integration with this flaw.
func Run(flaw Flaw) contract.RunFunc {
	return func(ctx context.Context, t contract.Target) (contract.Outcome, error) {
		if flaw == UnscaledTiming {
			t.PollInterval, t.Timeout, t.RetryBackoff = reference.DefaultPollInterval, reference.DefaultTimeout, reference.DefaultRetryBackoff
		}
		c := &client{flaw: flaw, t: t, conn: reference.Conn{BaseURL: t.BaseURL, SecretKey: t.SecretKey, APIKey: t.APIKey, Timeout: t.RequestTimeout}}
		switch flaw {
		case NoAPIKey:
			c.conn.APIKey = ""
		case NoRequestTimeout:
			c.conn.Timeout = -1
		case CredentialsAgain:
			c.t.LoginStore = "" // the LoginId is never kept
		}
		req, err := reference.RequestOf(c.t)
		if err != nil {
			return contract.Outcome{}, err
		}
		if flaw == TrustOptionalFields {
			c.conn.HTTP = trustingClient()
		}
		if t.WebhookAddr == "" {
			return c.outcome(ctx)(c.fetch(ctx, req, nil))
		}
		hooks := reference.NewWebhooks()
		if flaw != NoSignatureCheck {
			hooks.Secret = t.WebhookSecret
		}
		var h http.Handler = hooks
		if flaw == WebhookNot200 {
			h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hooks.ServeHTTP(&statusRewriter{ResponseWriter: w, status: http.StatusNoContent}, r)
			})
		}
		stop, err := reference.Listen(t.WebhookAddr, h)
		if err != nil {
			return contract.Outcome{}, err
		}
		defer stop(reference.Linger(t.PollInterval))
		return c.outcome(ctx)(c.fetch(ctx, req, hooks))
	}
}

// outcome turns a fetch into the run's outcome, and deletes the card
// afterwards when the target asks for it, as the reference client does.
func (c *client) outcome(ctx context.Context) func(*reference.Accounts, error) (contract.Outcome, error) {
	return func(res *reference.Accounts, err error) (contract.Outcome, error) {
		out, err := c.keep(res, err)
		if err != nil || out.Error != nil || !c.t.DeleteCard {
			return out, err
		}
		if err := c.conn.DeleteCard(ctx, c.t.LoginID); err != nil {
			return reference.OutcomeOf(nil, err)
		}
		out.DeletedCard = c.t.LoginID
		return out, nil
	}
}

// statusRewriter answers another status than the handler chose.
type statusRewriter struct {
	http.ResponseWriter
	status int
}

// WriteHeader sends the rewriter's status instead.
func (w *statusRewriter) WriteHeader(int) { w.ResponseWriter.WriteHeader(w.status) }

type client struct {
	flaw Flaw
	t    contract.Target
	conn reference.Conn
}

func (c *client) sleep(ctx context.Context, d time.Duration) error {
	if c.t.Sleep != nil {
		return c.t.Sleep(ctx, d)
	}
	return reference.SleepReal(ctx, d)
}

func (c *client) now() time.Time {
	if c.t.Now != nil {
		return c.t.Now()
	}
	return time.Now()
}

// keep writes the LoginId of a fetch to the login store, when the target
// has one, and returns the outcome of the fetch.
func (c *client) keep(res *reference.Accounts, err error) (contract.Outcome, error) {
	if err == nil && c.t.LoginStore != "" && res.LoginID != "" {
		if err := os.WriteFile(c.t.LoginStore, []byte(res.LoginID), 0o600); err != nil {
			return contract.Outcome{}, fmt.Errorf("keep the LoginId: %w", err)
		}
	}
	return reference.OutcomeOf(res, err)
}

// fetch is the reference flow with the client's flaw.
func (c *client) fetch(ctx context.Context, req reference.Request, hooks *reference.Webhooks) (*reference.Accounts, error) {
	authorized, err := c.authorize(ctx, req)
	if err != nil {
		return nil, err
	}
	rid := authorized.RequestId
	if c.flaw == DeleteCardInUse {
		// Before the data: Flinks answers CARD_IN_USE.
		var fe *reference.Error
		if err := c.conn.DeleteCard(ctx, c.t.LoginID); !errors.As(err, &fe) {
			return nil, fmt.Errorf("DeleteCard before the data answered %v, not CARD_IN_USE", err)
		}
	}
	deadline := c.now().Add(c.t.Timeout)
	a, err := c.data(ctx, func() (*reference.Answer, error) { return c.conn.GetAccountsDetail(ctx, rid) })
	switch {
	case err != nil:
		return nil, err
	case a.Status == http.StatusAccepted && c.flaw == StopAt202:
		return &reference.Accounts{RequestID: rid}, nil
	case a.Status == http.StatusAccepted && hooks != nil:
		wctx, cancel := context.WithTimeout(ctx, c.t.Timeout)
		defer cancel()
		accounts, err := hooks.Wait(wctx, rid)
		if err != nil {
			return nil, fmt.Errorf("no webhook: %w", reference.ErrTimeout)
		}
		return &reference.Accounts{RequestID: rid, Accounts: accounts}, nil
	case a.Status == http.StatusAccepted:
		if rid, a, err = c.poll(ctx, req, rid, deadline); err != nil {
			return nil, err
		}
	}
	return &reference.Accounts{RequestID: rid, LoginID: loginOf(authorized, a), Accounts: a.Accounts}, nil
}

// poll polls a RequestId answered 202 until its 200 (or, with
// NewRequestPerPoll, authorizes again instead), and returns the
// RequestId of the 200 and its answer.
func (c *client) poll(ctx context.Context, req reference.Request, rid string, deadline time.Time) (string, *reference.Answer, error) {
	a := &reference.Answer{Status: http.StatusAccepted} // the 202 of GetAccountsDetail
	for polled := false; a.Status == http.StatusAccepted; polled = true {
		late := !c.now().Add(c.t.PollInterval).Before(deadline)
		if c.flaw == NewRequestPerPoll {
			if late {
				return "", nil, reference.ErrTimeout
			}
			if err := c.sleep(ctx, c.t.PollInterval); err != nil {
				return "", nil, err
			}
			authorized, err := c.authorize(ctx, req)
			if err != nil {
				return "", nil, err
			}
			rid = authorized.RequestId
			if a, err = c.conn.GetAccountsDetail(ctx, rid); err != nil {
				return "", nil, err
			}
			continue
		}
		if c.flaw != NoTimeout && polled && late {
			return "", nil, reference.ErrTimeout
		}
		if polled {
			if err := c.sleep(ctx, c.pollWait()); err != nil {
				return "", nil, err
			}
		}
		var err error
		if a, err = c.data(ctx, func() (*reference.Answer, error) { return c.conn.GetAccountsDetailAsync(ctx, rid) }); err != nil {
			return "", nil, err
		}
	}
	return rid, a, nil
}

// pollWait is the wait between two polls.
func (c *client) pollWait() time.Duration {
	if c.flaw == PollFast {
		return c.t.PollInterval / 10
	}
	return c.t.PollInterval
}

// data makes a data call, and retries it after the back-off when no
// answer came within the request timeout, twice at most.
func (c *client) data(ctx context.Context, call func() (*reference.Answer, error)) (*reference.Answer, error) {
	a, err := call()
	for retries := 0; retries < 2 && errors.Is(err, reference.ErrRequestTimeout); retries++ {
		if err := c.sleep(ctx, c.t.RetryBackoff); err != nil {
			return nil, err
		}
		a, err = call()
	}
	return a, err
}

// loginOf returns the LoginId of the first answer that names one.
func loginOf(answers ...*reference.Answer) string {
	for _, a := range answers {
		if a != nil && a.Login != nil && a.Login.Id != "" {
			return a.Login.Id
		}
	}
	return ""
}

// startBody is the first /Authorize call of a request: its LoginId, or the
// credentials of a login not linked yet.
func startBody(req reference.Request) reference.AuthorizeRequest {
	if req.LoginID == "" {
		return reference.AuthorizeRequest{Username: req.Username, Password: req.Password, Institution: req.Institution, Save: true}
	}
	cached := req.MostRecentCached
	return reference.AuthorizeRequest{LoginId: req.LoginID, MostRecentCached: &cached}
}

// authorize is the reference's, with the flaws of /Authorize: it returns
// the 200 of the session, after the MFA rounds.
func (c *client) authorize(ctx context.Context, req reference.Request) (*reference.Answer, error) {
	first, err := c.conn.GenerateAuthorizeToken(ctx)
	if err != nil {
		return nil, err
	}
	start := startBody(req)
	a, err := c.start(ctx, first, start)
	user := reference.UserTakes(c.t.UserDelay, c.t.Sleep, reference.AnswersFrom(c.t.MFAAnswers))
	for restarted := false; err == nil && a.Status == http.StatusNonAuthoritativeInfo; {
		a, restarted, err = c.mfaRound(ctx, first, start, a, user, restarted)
	}
	return a, err
}

// start sends the first /Authorize with the token first, and retries it
// with fresh tokens while Flinks asks to try later or gives no answer in
// time (with RetryFinalErrors, whatever it answered).
func (c *client) start(ctx context.Context, first string, body reference.AuthorizeRequest) (*reference.Answer, error) {
	a, err := c.conn.Authorize(ctx, first, body)
	for retries := 0; retries < 2 && c.retry(err); retries++ {
		if c.flaw != NoBackoff {
			if err := c.sleep(ctx, c.t.RetryBackoff); err != nil {
				return nil, err
			}
		}
		token, terr := c.conn.GenerateAuthorizeToken(ctx)
		if terr != nil {
			return nil, terr
		}
		a, err = c.conn.Authorize(ctx, token, body)
	}
	return a, err
}

// mfaRound has the user answer the 203 a and sends the answers; when the
// user took longer than the RequestId waits, it starts over once with a
// new /Authorize instead. It returns the next answer of /Authorize and
// whether the flow has started over.
func (c *client) mfaRound(ctx context.Context, first string, start reference.AuthorizeRequest, a *reference.Answer,
	user func(context.Context, []reference.Challenge) (map[string][]string, error), restarted bool) (*reference.Answer, bool, error) {
	if c.flaw == DataBeforeMFA {
		if _, err := c.conn.GetAccountsDetail(ctx, a.RequestId); err != nil {
			return nil, restarted, err
		}
	}
	asked := c.now()
	answers, err := user(ctx, a.SecurityChallenges)
	if err != nil {
		return nil, restarted, err
	}
	if c.flaw != LateMFAAnswer && !restarted && c.now().Sub(asked) >= c.t.MFAIdleTimeout {
		token, err := c.conn.GenerateAuthorizeToken(ctx)
		if err != nil {
			return nil, true, err
		}
		a, err = c.conn.Authorize(ctx, token, start)
		return a, true, err
	}
	if c.flaw == PartialMFA && len(a.SecurityChallenges) > 1 {
		prompt := a.SecurityChallenges[0].Prompt
		answers = map[string][]string{prompt: answers[prompt]}
	}
	a, err = c.answer(ctx, first, a.RequestId, answers)
	return a, restarted, err
}

// answer sends the answers to the 203 of a RequestId: with a fresh token
// (or, with ReuseToken, the first one again), and with ReanswerMFA the
// same answers once more after INVALID_SECURITY_RESPONSE.
func (c *client) answer(ctx context.Context, first, requestID string, answers map[string][]string) (*reference.Answer, error) {
	token := first
	if c.flaw != ReuseToken {
		var err error
		if token, err = c.conn.GenerateAuthorizeToken(ctx); err != nil {
			return nil, err
		}
	}
	body := reference.AuthorizeRequest{RequestId: requestID, SecurityResponses: answers}
	a, err := c.conn.Authorize(ctx, token, body)
	var fe *reference.Error
	if c.flaw == ReanswerMFA && errors.As(err, &fe) && fe.FlinksCode == "INVALID_SECURITY_RESPONSE" {
		if token, err = c.conn.GenerateAuthorizeToken(ctx); err != nil {
			return nil, err
		}
		return c.conn.Authorize(ctx, token, body) // the same answers, again
	}
	return a, err
}

// retry says whether to send a failed /Authorize again.
func (c *client) retry(err error) bool {
	if errors.Is(err, reference.ErrRequestTimeout) {
		return true
	}
	var fe *reference.Error
	if !errors.As(err, &fe) {
		return false
	}
	return reference.TryLater(fe.FlinksCode) || c.flaw == RetryFinalErrors
}
