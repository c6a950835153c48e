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
	}
}

// Run returns the integration with this flaw.
func Run(flaw Flaw) contract.RunFunc {
	return func(ctx context.Context, t contract.Target) (contract.Outcome, error) {
		if flaw == UnscaledTiming {
			t.PollInterval, t.Timeout, t.RetryBackoff = reference.DefaultPollInterval, reference.DefaultTimeout, reference.DefaultRetryBackoff
		}
		c := &client{flaw: flaw, t: t, conn: reference.Conn{BaseURL: t.BaseURL, SecretKey: t.SecretKey, APIKey: t.APIKey}}
		if flaw == NoAPIKey {
			c.conn.APIKey = ""
		}
		if t.WebhookAddr == "" {
			return reference.OutcomeOf(c.fetch(ctx, nil))
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
		defer stop(t.PollInterval)
		return reference.OutcomeOf(c.fetch(ctx, hooks))
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

// fetch is the reference flow with the client's flaw.
func (c *client) fetch(ctx context.Context, hooks *reference.Webhooks) (*reference.Accounts, error) {
	rid, err := c.authorize(ctx)
	if err != nil {
		return nil, err
	}
	deadline := c.now().Add(c.t.Timeout)
	a, err := c.conn.GetAccountsDetail(ctx, rid)
	if err != nil {
		return nil, err
	}
	if a.Status == http.StatusAccepted && c.flaw == StopAt202 {
		return &reference.Accounts{RequestID: rid}, nil
	}
	if a.Status == http.StatusAccepted && hooks != nil {
		wctx, cancel := context.WithTimeout(ctx, c.t.Timeout)
		defer cancel()
		accounts, err := hooks.Wait(wctx, rid)
		if err != nil {
			return nil, fmt.Errorf("no webhook: %w", reference.ErrTimeout)
		}
		return &reference.Accounts{RequestID: rid, Accounts: accounts}, nil
	}
	for polled := false; a.Status == http.StatusAccepted; polled = true {
		if c.flaw != NoTimeout && polled && !c.now().Add(c.t.PollInterval).Before(deadline) {
			return nil, reference.ErrTimeout
		}
		if c.flaw == NewRequestPerPoll {
			if !c.now().Add(c.t.PollInterval).Before(deadline) {
				return nil, reference.ErrTimeout
			}
			if err := c.sleep(ctx, c.t.PollInterval); err != nil {
				return nil, err
			}
			if rid, err = c.authorize(ctx); err != nil {
				return nil, err
			}
			if a, err = c.conn.GetAccountsDetail(ctx, rid); err != nil {
				return nil, err
			}
			continue
		}
		if polled {
			wait := c.t.PollInterval
			if c.flaw == PollFast {
				wait /= 10
			}
			if err := c.sleep(ctx, wait); err != nil {
				return nil, err
			}
		}
		if a, err = c.conn.GetAccountsDetailAsync(ctx, rid); err != nil {
			return nil, err
		}
	}
	return &reference.Accounts{RequestID: rid, Accounts: a.Accounts}, nil
}

// authorize is the reference's, with the flaws of /Authorize.
func (c *client) authorize(ctx context.Context) (string, error) {
	first, err := c.conn.GenerateAuthorizeToken(ctx)
	if err != nil {
		return "", err
	}
	cached := c.t.MostRecentCached
	req := reference.AuthorizeRequest{LoginId: c.t.LoginID, MostRecentCached: &cached}
	a, err := c.conn.Authorize(ctx, first, req)
	for retries := 0; retries < 2 && c.retry(err); retries++ {
		if c.flaw != NoBackoff {
			if err := c.sleep(ctx, c.t.RetryBackoff); err != nil {
				return "", err
			}
		}
		token, terr := c.conn.GenerateAuthorizeToken(ctx)
		if terr != nil {
			return "", terr
		}
		a, err = c.conn.Authorize(ctx, token, req)
	}
	user := reference.UserTakes(c.t.UserDelay, c.t.Sleep, reference.AnswersFrom(c.t.MFAAnswers))
	for restarted := false; err == nil && a.Status == http.StatusNonAuthoritativeInfo; {
		if c.flaw == DataBeforeMFA {
			if _, err := c.conn.GetAccountsDetail(ctx, a.RequestId); err != nil {
				return "", err
			}
		}
		asked := c.now()
		answers, aerr := user(ctx, a.SecurityChallenges)
		if aerr != nil {
			return "", aerr
		}
		if c.flaw != LateMFAAnswer && !restarted && c.now().Sub(asked) >= c.t.MFAIdleTimeout {
			restarted = true
			token, terr := c.conn.GenerateAuthorizeToken(ctx)
			if terr != nil {
				return "", terr
			}
			a, err = c.conn.Authorize(ctx, token, req)
			continue
		}
		if c.flaw == PartialMFA && len(a.SecurityChallenges) > 1 {
			answers = map[string][]string{a.SecurityChallenges[0].Prompt: answers[a.SecurityChallenges[0].Prompt]}
		}
		token := first
		if c.flaw != ReuseToken {
			if token, err = c.conn.GenerateAuthorizeToken(ctx); err != nil {
				return "", err
			}
		}
		body := reference.AuthorizeRequest{RequestId: a.RequestId, SecurityResponses: answers}
		a, err = c.conn.Authorize(ctx, token, body)
		var fe *reference.Error
		if c.flaw == ReanswerMFA && errors.As(err, &fe) && fe.FlinksCode == "INVALID_SECURITY_RESPONSE" {
			if token, err = c.conn.GenerateAuthorizeToken(ctx); err != nil {
				return "", err
			}
			a, err = c.conn.Authorize(ctx, token, body) // the same answers, again
		}
	}
	if err != nil {
		return "", err
	}
	return a.RequestId, nil
}

// retry says whether to send a failed /Authorize again.
func (c *client) retry(err error) bool {
	var fe *reference.Error
	if !errors.As(err, &fe) {
		return false
	}
	return reference.TryLater(fe.FlinksCode) || c.flaw == RetryFinalErrors
}
