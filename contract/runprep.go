package contract

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

// MinRequestTimeout is the least Target.RequestTimeout the harness gives:
// a timeout fires in real time, and on a fast scale or a virtual clock the
// guide's figure scaled would be shorter than a busy machine's pauses.
const MinRequestTimeout = time.Second

// slowAnswersFactor is how many times Target.RequestTimeout the slow
// answers of the scenario slow-answers take: FM016 allows twice the
// timeout, so a client that waits them out is past the limit by one
// timeout, and one that gives up in time is below it by as much.
const slowAnswersFactor = 3

// requestTimeout is the Target.RequestTimeout of a run, in real time: the
// rule's option when set, else the guide's figure scaled, at least
// MinRequestTimeout; on a virtual clock (Sleep set), MinRequestTimeout.
func (h *Harness) requestTimeout() time.Duration {
	if h.Options.RequestTimeout > 0 {
		return h.Options.RequestTimeout
	}
	if h.Sleep != nil {
		return MinRequestTimeout
	}
	scale := h.Scale
	if scale <= 0 {
		scale = 1
	}
	return max(scaled(DefaultRequestTimeout, scale), MinRequestTimeout)
}

// loginOf returns the login a scenario runs on: one of the library's, or
// for slow-answers one the harness adds to the customer for the run.
func (h *Harness) loginOf(ctx context.Context, sc Scenario, customerID string) (*scenarios.Login, error) {
	if !sc.SlowAnswers {
		return sc.LoginOf(h.Library)
	}
	latency := slowAnswersFactor * h.requestTimeout()
	file := slowLogin(latency)
	src, err := scenarios.Parse(slowLoginName+".yaml", file)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	if _, err := h.Mock.admin().AddScenarios(ctx, customerID, file); err != nil {
		return nil, fmt.Errorf("scenario %s adds its login through the admin API, which refused it: %w", sc.Name, err)
	}
	login := src.File.Logins[0]
	return &login, nil
}

// slowLoginName is the login of the scenario slow-answers.
const slowLoginName = "slow_answers"

// slowLogin is the scenario file of the login of slow-answers: its first
// /Authorize and its first GetAccountsDetail answer after latency (real
// time), the calls after them at once: a client that waits out the first
// GetAccountsDetail gets a 202 and polls, one that gave up on it gets
// the data when it asks again.
func slowLogin(latency time.Duration) []byte {
	return fmt.Appendf(nil, `logins:
  - name: %s
    username: %s
    password: Everyday
    institution: FlinksCapital
    loginId: 5b0e3c1a-7d2f-4e8b-9a61-0c4d2e8f7a13
    description: the first answers of /Authorize and GetAccountsDetail take %s
    authorize:
      - respond: ok
        latency: %s
      - respond: ok
    accountsDetail:
      - respond: pending
        latency: %s
      - respond: ready
    accounts:
      - Id: 8c2d4e6f-1a3b-4c5d-8e7f-9a0b1c2d3e4f
        Title: Chequing CAD
        AccountNumber: "4417207"
        Category: Operations
        Type: Chequing
        Currency: CAD
        Balance: {Current: 2418.52}
`, slowLoginName, slowLoginName, latency, latency, latency)
}

// runOptions are the options of the rules for one run of a scenario:
// the harness's, with the target's request timeout and whether the run
// fetches a linked login again.
func (h *Harness) runOptions(sc Scenario, t Target) Options {
	o := h.Options
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = t.RequestTimeout
	}
	o.RepeatFetch = o.RepeatFetch || sc.Repeat
	return o
}

// forScenario returns the integration as the scenario runs it: for
// repeat-fetch, twice.
func forScenario(sc Scenario, run RunFunc) RunFunc {
	if !sc.Repeat {
		return run
	}
	return twoRuns(run)
}

// twoRuns runs an integration twice on a login it is given no LoginId
// for, with a login store it keeps between the runs: first a live link
// with the credentials, then a fetch of the cached data. The outcome is
// the second run's, unless the first failed.
func twoRuns(run RunFunc) RunFunc {
	return func(ctx context.Context, t Target) (Outcome, error) {
		dir, err := os.MkdirTemp("", "flinks-login-store-")
		if err != nil {
			return Outcome{}, fmt.Errorf("make the login store of the run: %w", err)
		}
		defer os.RemoveAll(dir)
		t.LoginID, t.LoginStore = "", filepath.Join(dir, "login")
		first := t
		first.MostRecentCached = false
		out, err := run(ctx, first)
		switch {
		case err != nil:
			return out, fmt.Errorf("the first run, which links the login: %w", err)
		case out.Error != nil:
			return out, nil
		}
		t.UserDelay, t.MostRecentCached = 0, true
		return run(ctx, t)
	}
}
