package reference

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/flinks-mock/flinks-mock/contract"
)

// Run is the reference client as an integration of the contract harness:
// it fetches the target's login and reports the outcome. In webhook mode it
// serves Webhooks on Target.WebhookAddr for the whole run.
func Run(ctx context.Context, t contract.Target) (contract.Outcome, error) {
	c := NewClient(t)
	req, err := RequestOf(t)
	if err != nil {
		return contract.Outcome{}, err
	}
	if t.WebhookAddr == "" {
		res, err := c.FetchAccounts(ctx, req)
		if err == nil && t.LoginStore != "" && res.LoginID != "" {
			if err := os.WriteFile(t.LoginStore, []byte(res.LoginID), 0o600); err != nil {
				return contract.Outcome{}, fmt.Errorf("keep the LoginId: %w", err)
			}
		}
		return c.outcome(ctx, t)(res, err)
	}
	hooks := NewWebhooks()
	hooks.Secret = t.WebhookSecret
	stop, err := Listen(t.WebhookAddr, hooks)
	if err != nil {
		return contract.Outcome{}, err
	}
	defer stop(Linger(t.PollInterval))
	return c.outcome(ctx, t)(c.FetchAccountsByWebhook(ctx, req, hooks))
}

// outcome returns what turns a fetch into the run's outcome: OutcomeOf,
// then the statements and the card deletion the target asks for.
func (c *Client) outcome(ctx context.Context, t contract.Target) func(*Accounts, error) (contract.Outcome, error) {
	return func(res *Accounts, err error) (contract.Outcome, error) {
		out, err := OutcomeOf(res, err)
		if err != nil || out.Error != nil {
			return out, err
		}
		return c.afterData(ctx, t, res.RequestID, out)
	}
}

// RequestOf returns the request of a target: its LoginID, else the
// LoginId kept in its login store, else (the first fetch of a login, not
// linked yet) its credentials.
func RequestOf(t contract.Target) (Request, error) {
	req := Request{LoginID: t.LoginID, MostRecentCached: t.MostRecentCached}
	if req.LoginID == "" && t.LoginStore != "" {
		kept, err := os.ReadFile(t.LoginStore)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return req, fmt.Errorf("read the LoginId kept: %w", err)
		}
		req.LoginID = strings.TrimSpace(string(kept))
	}
	if req.LoginID == "" {
		req.Username, req.Password, req.Institution = t.Username, t.Password, t.Institution
	}
	return req, nil
}

// NewClient returns a reference client for a target: its keys, intervals,
// clock and MFA answers.
func NewClient(t contract.Target) *Client {
	return &Client{
		Conn:           Conn{BaseURL: t.BaseURL, SecretKey: t.SecretKey, APIKey: t.APIKey, Timeout: t.RequestTimeout},
		PollInterval:   t.PollInterval,
		Timeout:        t.Timeout,
		RetryBackoff:   t.RetryBackoff,
		MFAIdleTimeout: t.MFAIdleTimeout,
		Sleep:          t.Sleep,
		Now:            t.Now,
		AnswerMFA:      UserTakes(t.UserDelay, t.Sleep, AnswersFrom(t.MFAAnswers)),
	}
}

// UserTakes returns an AnswerMFA that waits delay (with sleep, or in real
// time) before the first answer, as a person who is slow to answer would.
func UserTakes(delay time.Duration, sleep func(context.Context, time.Duration) error, answer func(context.Context, []Challenge) (map[string][]string, error)) func(context.Context, []Challenge) (map[string][]string, error) {
	if delay <= 0 {
		return answer
	}
	if sleep == nil {
		sleep = SleepReal
	}
	var once sync.Once
	return func(ctx context.Context, challenges []Challenge) (map[string][]string, error) {
		var err error
		once.Do(func() { err = sleep(ctx, delay) })
		if err != nil {
			return nil, err
		}
		return answer(ctx, challenges)
	}
}

// Linger is how long a webhook receiver keeps answering after its data
// came: a poll interval, and at least 2 s, for a duplicate send that a
// busy machine delays must get its 200 too.
func Linger(pollInterval time.Duration) time.Duration { return max(pollInterval, 2*time.Second) }

// Listen serves a webhook handler on addr until stop is called. stop keeps
// answering for linger first, so that a duplicate send that is on its way
// is answered 200 too.
func Listen(addr string, h http.Handler) (stop func(linger time.Duration), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for webhooks on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return func(linger time.Duration) {
		time.Sleep(linger)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// AnswersFrom returns an AnswerMFA that answers from a sheet of prompt →
// answers. A prompt the sheet does not hold is an error: the client must
// not make up an answer.
func AnswersFrom(sheet map[string][]string) func(context.Context, []Challenge) (map[string][]string, error) {
	return func(_ context.Context, challenges []Challenge) (map[string][]string, error) {
		out := make(map[string][]string, len(challenges))
		for _, c := range challenges {
			a, ok := sheet[c.Prompt]
			if !ok {
				return nil, fmt.Errorf("no answer for the security challenge %q", c.Prompt)
			}
			out[c.Prompt] = a
		}
		return out, nil
	}
}

// OutcomeOf turns the result of a fetch into the outcome the harness
// judges: the accounts, or the kind of error. Errors that are none of the
// guide's (the network, a bug) are returned as errors.
func OutcomeOf(res *Accounts, err error) (contract.Outcome, error) {
	var fe *Error
	switch {
	case err == nil:
		out := contract.Outcome{Accounts: []contract.Account{}}
		for _, a := range res.Accounts {
			bal := a.Balance.Current
			out.Accounts = append(out.Accounts, contract.Account{ID: a.Id, AccountNumber: a.AccountNumber, Balance: &bal})
		}
		return out, nil
	case errors.As(err, &fe):
		return contract.Outcome{Error: &contract.OutcomeError{Kind: contract.ErrorFlinks, FlinksCode: fe.FlinksCode, Message: fe.Message}}, nil
	case errors.Is(err, ErrTimeout):
		return contract.Outcome{Error: &contract.OutcomeError{Kind: contract.ErrorTimeout, Message: err.Error()}}, nil
	case errors.Is(err, ErrMFARequired):
		return contract.Outcome{Error: &contract.OutcomeError{Kind: contract.ErrorMFA, Message: err.Error()}}, nil
	}
	return contract.Outcome{}, err
}
