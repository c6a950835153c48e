package contract

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/scenarios"
	"github.com/google/uuid"
)

// RunFunc is an integration under test: given a target, it fetches the
// login's accounts and reports the outcome. An error means the run failed
// in a way the outcome cannot say (the network, a crash).
type RunFunc func(ctx context.Context, t Target) (Outcome, error)

// ErrNoOutcome is returned by a RunFunc whose integration reported no
// outcome; the rules still judge the run, and the outcome is not checked.
var ErrNoOutcome = errors.New("the integration reported no outcome")

// ErrCrashed is wrapped by the error of a RunFunc whose integration ended
// abnormally (a non-zero exit, a panic): the harness adds the last Flinks
// answer it saw, which is most often what it could not handle.
var ErrCrashed = errors.New("it crashed")

// Harness runs integrations in scenarios against one mock and judges each
// run by the rules and by its outcome.
type Harness struct {
	Mock Mock
	// Library is the scenarios the mock serves: the harness reads the
	// logins, their MFA answers and their accounts from it.
	Library *scenarios.Library
	// Options are the thresholds of the rules.
	Options Options
	// Scale is real seconds per mock second (the mock's clock.Scaled):
	// the intervals a target gets are the guide's times Scale. Zero is 1.
	Scale float64
	// Sleep and Now, when set, are given to integrations as the target's
	// clock (a virtual clock in Go tests).
	Sleep func(ctx context.Context, d time.Duration) error
	Now   func() time.Time
	// CustomerID names the customer of a run; nil gives each run a fresh
	// UUID.
	CustomerID func(Scenario) string
	// MaxEntries bounds the journal the harness keeps of one run
	// (DefaultMaxRunEntries).
	MaxEntries int
	// MaxPollsWithoutWait, when Sleep is set (a virtual clock), is how
	// many polls of one RequestId in a row at the same instant stop the
	// run (DefaultMaxPollsWithoutWait; negative: never).
	MaxPollsWithoutWait int
}

// RunResult is one run of an integration in a scenario, judged.
type RunResult struct {
	Scenario Scenario
	Target   Target
	// Skipped says why the scenario did not run; nothing else is set.
	Skipped string
	// Err is why the integration failed outright; the rules still judge
	// what it did.
	Err error
	// Outcome is what the integration reported, when it did;
	// OutcomeProblem says how it differs from what the scenario calls for.
	Outcome        *Outcome
	OutcomeProblem string
	// Report is the verdict of the rules on the run's journal.
	Report  Report
	Journal []journal.Entry
	// Timing, when set, says that the integration ignored the scaled
	// timing it was given: the verdicts on its pace mislead until it reads
	// them.
	Timing string
	// Stopped says why the harness stopped the run before the
	// integration returned; the rules judge what it did until then.
	Stopped string
	// Exit and Output describe an integration run as a process (set by
	// flinks-mock verify): its exit status, and the end of its output.
	Exit   string
	Output string
	// Duration is how long the run took, in real time.
	Duration time.Duration
}

// Passed reports whether the run was not skipped, did not fail outright,
// broke no rule and reported the outcome wanted (or none).
func (r RunResult) Passed() bool {
	return r.Skipped == "" && r.Err == nil && r.Stopped == "" && r.OutcomeProblem == "" && r.Report.Passed()
}

// Run runs an integration in one scenario on a customer of its own, then
// judges what the journal recorded of it and the outcome it reported.
// Webhook attempts that started after the integration returned are not
// judged: nothing was listening any more.
func (h *Harness) Run(ctx context.Context, sc Scenario, run RunFunc) RunResult {
	res := RunResult{Scenario: sc}
	customer := uuid.NewString()
	if h.CustomerID != nil {
		customer = h.CustomerID(sc)
	}
	login, err := h.loginOf(ctx, sc, customer)
	if err != nil {
		res.Skipped = err.Error()
		return res
	}
	t := h.target(sc, login, customer)
	run = forScenario(sc, run)

	if res.Skipped, res.Err = h.Mock.shapesOf(ctx, customer, sc); res.Skipped != "" || res.Err != nil {
		return res
	}
	rj := h.Mock.follow(ctx, customer, h.MaxEntries)
	defer rj.stop()
	var hooks *webhookSends
	if sc.Webhook {
		if err := h.listenForWebhooks(ctx, &t, customer, sc.Signed); err != nil {
			if errors.Is(err, ErrNoWebhooks) {
				res.Skipped = err.Error()
			} else {
				res.Err = err
			}
			return res
		}
		hooks = h.Mock.sendWebhooks(ctx, rj, customer, login.LoginID, sc.Signed)
	}
	res.Target = t

	outcome, runErr := h.runWatched(ctx, &res, rj, run)
	opts := h.runOptions(sc, t)
	if hooks != nil {
		if ended, err := h.Mock.now(ctx); err == nil {
			opts.IntegrationEnded = ended
		}
		sent := hooks.wait()
		opts.Forged = sent.forged
		runErr = webhookVerdict(ctx, sent, runErr)
	}
	if err := h.judgeJournal(ctx, &res, rj, opts); err != nil {
		res.Err = err
		return res
	}
	judgeOutcome(&res, login, outcome, runErr)
	return res
}

// scale is Scale, with zero read as 1.
func (h *Harness) scale() float64 {
	if h.Scale <= 0 {
		return 1
	}
	return h.Scale
}

// target is the target of a run: the guide's intervals scaled, on the
// harness's clock.
func (h *Harness) target(sc Scenario, login *scenarios.Login, customer string) Target {
	t := NewTarget(sc, login, h.Mock.URL, customer)
	scale := h.scale()
	t.PollInterval = scaled(t.PollInterval, scale)
	t.Timeout = scaled(t.Timeout, scale)
	t.RetryBackoff = scaled(t.RetryBackoff, scale)
	t.MFAIdleTimeout = scaled(t.MFAIdleTimeout, scale)
	t.UserDelay = scaled(t.UserDelay, scale)
	t.RequestTimeout = h.requestTimeout()
	t.Sleep, t.Now = h.Sleep, h.Now
	if t.Sleep == nil {
		t.Sleep = sleepReal
	}
	if t.Now == nil {
		t.Now = time.Now
	}
	return t
}

// listenForWebhooks gives the target an address to receive webhooks on
// (and a secret to check them with, when signed), and has the mock send
// the customer's webhooks there.
func (h *Harness) listenForWebhooks(ctx context.Context, t *Target, customer string, signed bool) error {
	addr, err := FreeAddr()
	if err != nil {
		return err
	}
	t.WebhookAddr, t.WebhookURL = addr, "http://"+addr+"/flinks/webhook"
	if signed {
		t.WebhookSecret = "flinks-mock-" + uuid.NewString()
	}
	return h.Mock.setWebhookTarget(ctx, customer, t.WebhookURL, t.WebhookSecret)
}

// runWatched runs the integration on res.Target and sets res.Duration.
// On a virtual clock it stops an integration that polls without waiting,
// and says so in res.Stopped.
func (h *Harness) runWatched(ctx context.Context, res *RunResult, rj *runJournal, run RunFunc) (Outcome, error) {
	runCtx, stopRun := context.WithCancelCause(ctx)
	defer stopRun(nil)
	if limit := h.MaxPollsWithoutWait; h.Sleep != nil && limit >= 0 {
		if limit == 0 {
			limit = DefaultMaxPollsWithoutWait
		}
		go watchTightLoop(runCtx, rj, limit, stopRun)
	}
	start := time.Now()
	outcome, runErr := run(runCtx, res.Target)
	res.Duration = time.Since(start)
	var loop *tightLoop
	if errors.As(context.Cause(runCtx), &loop) {
		res.Stopped = loop.Error()
		runErr = ErrNoOutcome
	}
	return outcome, runErr
}

// judgeJournal sets res.Journal, what the mock recorded of the run, and
// the rules' verdict on it.
func (h *Harness) judgeJournal(ctx context.Context, res *RunResult, rj *runJournal, opts Options) error {
	// The run ends once the webhooks it was sent are answered: their
	// attempts are judged with it.
	end, err := h.Mock.now(ctx)
	if err != nil {
		return err
	}
	entries, lost, err := rj.result()
	if err != nil {
		return err
	}
	res.Journal = duringRun(entries, end)
	res.Report = CheckRun(res.Journal, lost, opts)
	res.Timing = unscaledTiming(res.Journal, opts, h.scale())
	return nil
}

// judgeOutcome sets res.Err from the run's error, or res.Outcome and
// res.OutcomeProblem from the outcome it reported.
func judgeOutcome(res *RunResult, login *scenarios.Login, outcome Outcome, runErr error) {
	switch {
	case errors.Is(runErr, ErrNoOutcome):
		// Judged by the rules only.
	case runErr != nil:
		res.Err = runErr
		if errors.Is(runErr, ErrCrashed) {
			res.Err = withLastAnswer(runErr, res.Journal)
		}
	default:
		res.Outcome = &outcome
		res.OutcomeProblem = res.Scenario.Want.judgeAll(outcome, login, res.Journal)
	}
}

// withLastAnswer adds to the error of a crashed run the last Flinks answer
// the integration got.
func withLastAnswer(err error, entries []journal.Entry) error {
	for i := len(entries) - 1; i >= 0; i-- {
		if e := entries[i]; e.Kind != journal.KindWebhook {
			return fmt.Errorf("%w; the last Flinks answer it got was %s", err, Quote(e))
		}
	}
	return fmt.Errorf("%w, before it sent any request to the mock", err)
}

// duringRun drops the webhook attempts that started after the run ended.
func duringRun(entries []journal.Entry, end time.Time) []journal.Entry {
	out := make([]journal.Entry, 0, len(entries))
	for _, e := range entries {
		if e.Kind == journal.KindWebhook && e.Time.After(end) {
			continue
		}
		out = append(out, e)
	}
	return out
}

func scaled(d time.Duration, scale float64) time.Duration {
	if scale == 1 {
		return d
	}
	return time.Duration(math.Ceil(float64(d) * scale))
}

func sleepReal(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// FreeAddr returns a 127.0.0.1 address with a port that was free a moment
// ago, for an integration to listen on.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port for the webhook receiver: %w", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr, nil
}
