package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/admin"
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

// ErrNoWebhooks is returned when the mock serves no webhook admin API.
var ErrNoWebhooks = errors.New("this flinks-mock sends no webhooks")

// Mock is a running flinks-mock, driven through its admin API.
type Mock struct {
	// URL is the server's root, e.g. http://127.0.0.1:8080.
	URL string
	// AdminToken is the bearer token of the admin API, if it needs one.
	AdminToken string
	// HTTP sends the admin requests (http.DefaultClient when nil).
	HTTP *http.Client
	// Subscribe, for a mock in process, calls fn with every entry recorded
	// for a customer from now on, as it is recorded, until cancel is
	// called (mockserver.Server.Subscribe). Nil follows the journal through
	// the admin API, and counts exactly what it could not read.
	Subscribe func(customerID string, fn func(journal.Entry)) (cancel func())
	// Now reads the server clock; nil reads it through the admin API.
	Now func(ctx context.Context) (time.Time, error)
}

func (m Mock) admin() *admin.Client { return admin.New(m.URL, m.AdminToken, m.HTTP) }

func (m Mock) now(ctx context.Context) (time.Time, error) {
	if m.Now != nil {
		return m.Now(ctx)
	}
	st, err := m.admin().Clock(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("read the server clock: %w", err)
	}
	return st.Now, nil
}

// adminCall sends a JSON request to the admin API and returns the status.
func (m Mock) adminCall(ctx context.Context, method, path string, body any) (int, []byte, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, m.URL+"/__admin/"+path, bytes.NewReader(raw))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if m.AdminToken != "" {
		req.Header.Set("Authorization", "Bearer "+m.AdminToken)
	}
	hc := m.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, out, nil
}

// SetWebhookTarget sends the webhooks of a customer to url only. It
// returns ErrNoWebhooks when the server has no webhook admin API.
func (m Mock) SetWebhookTarget(ctx context.Context, customerID, target string) error {
	return m.setWebhookTarget(ctx, customerID, target, "")
}

// setWebhookTarget sends the webhooks of a customer to url only, signed
// with secret when it is set.
func (m Mock) setWebhookTarget(ctx context.Context, customerID, target, secret string) error {
	tg := map[string]string{"url": target}
	if secret != "" {
		tg["secret"] = secret
	}
	status, body, err := m.adminCall(ctx, http.MethodPut, "webhooks/targets?customerId="+url.QueryEscape(customerID),
		map[string]any{"targets": []map[string]string{tg}})
	switch {
	case err != nil:
		return fmt.Errorf("set the webhook target of customer %s: %w", customerID, err)
	case status == http.StatusNotFound:
		return ErrNoWebhooks
	case status != http.StatusOK:
		return fmt.Errorf("set the webhook target of customer %s: the admin API answered %d: %s", customerID, status, bytes.TrimSpace(body))
	}
	return nil
}

// FireWebhook has the mock send the GetAccountsDetail webhook of a
// RequestId now, to the customer's target; it returns after the first
// attempt.
func (m Mock) FireWebhook(ctx context.Context, customerID, requestID string) error {
	status, body, err := m.adminCall(ctx, http.MethodPost, "webhooks/fire",
		map[string]string{"customerId": customerID, "requestId": requestID})
	switch {
	case err != nil:
		return fmt.Errorf("fire the webhook of RequestId %s: %w", requestID, err)
	case status == http.StatusNotFound && !strings.Contains(string(body), "session"):
		return ErrNoWebhooks
	case status != http.StatusOK:
		return fmt.Errorf("fire the webhook of RequestId %s: the admin API answered %d: %s", requestID, status, bytes.TrimSpace(body))
	}
	return nil
}

// fireForged has the mock send, to the customer's target, a webhook that
// no Flinks would send: fields of the fire call (a wrong secret, or no
// signature). It returns the id of its delivery.
func (m Mock) fireForged(ctx context.Context, customerID string, fields map[string]any) (string, error) {
	fields["customerId"] = customerID
	status, body, err := m.adminCall(ctx, http.MethodPost, "webhooks/fire", fields)
	switch {
	case err != nil:
		return "", fmt.Errorf("send a forged webhook: %w", err)
	case status != http.StatusOK:
		return "", fmt.Errorf("send a forged webhook: the admin API answered %d: %s", status, bytes.TrimSpace(body))
	}
	var d struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &d); err != nil || d.ID == "" {
		return "", fmt.Errorf("send a forged webhook: the admin API answered no delivery id: %s", bytes.TrimSpace(body))
	}
	return d.ID, nil
}

// forgedAccountID is the account of the forged webhook: an integration
// that reports it took data no Flinks sent.
const forgedAccountID = "f0f0f0f0-f0f0-4f0f-8f0f-f0f0f0f0f0f0"

// sendForged sends, before the genuine webhooks of a RequestId, one signed
// with a wrong secret and carrying an account of its own, then the genuine
// payload with no signature; it returns their delivery ids.
func (m Mock) sendForged(ctx context.Context, customerID, requestID string) ([]string, error) {
	forged := map[string]any{
		"secret": "not-the-secret-flinks-holds",
		"body": map[string]any{
			"ResponseType": "GetAccountsDetail", "HttpStatusCode": 200, "RequestId": requestID,
			"Accounts": []map[string]any{{"Id": forgedAccountID, "Title": "Forged", "AccountNumber": "0000000",
				"Category": "Operations", "Type": "Chequing", "Currency": "CAD", "Balance": map[string]any{"Current": 1000000}}},
		},
	}
	unsigned := map[string]any{"requestId": requestID, "unsigned": true}
	var ids []string
	for _, fields := range []map[string]any{forged, unsigned} {
		id, err := m.fireForged(ctx, customerID, fields)
		if err != nil {
			return ids, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// pendingRequest watches the run's journal until a data request of the
// login is answered 202 and returns its RequestId, or "" once ctx ends
// without one.
func pendingRequest(ctx context.Context, rj *runJournal, loginID string) string {
	for i := 0; ; {
		// One last look after ctx ended: the 202 may have come between
		// two looks.
		done := ctx.Err() != nil
		entries, changed := rj.since(i)
		i += len(entries)
		for _, e := range entries {
			if e.Endpoint == "GetAccountsDetail" && e.Status == http.StatusAccepted && e.LoginID == loginID {
				return e.RequestID
			}
		}
		if done {
			return ""
		}
		select {
		case <-ctx.Done():
		case <-changed:
		}
	}
}

// fireCopies has the mock send the GetAccountsDetail webhook of a
// RequestId copies times at once (a duplicate send, which the receiver
// must answer 200 too), and returns once every first attempt is over.
func (m Mock) fireCopies(ctx context.Context, customerID, requestID string, copies int) error {
	errs := make([]error, copies)
	var wg sync.WaitGroup
	for i := range copies {
		wg.Go(func() { errs[i] = m.FireWebhook(ctx, customerID, requestID) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// webhookCopies is how many times the harness sends the data webhook of a
// run in webhook mode.
const webhookCopies = 2

// webhookSends is the harness's sending of the webhooks of one run.
type webhookSends struct {
	stopWatching context.CancelFunc
	done         chan webhookResult
}

// webhookResult is how the sending of a run's webhooks ended.
type webhookResult struct {
	requestID string   // "" when no data request was answered 202
	forged    []string // delivery ids of the forged webhooks sent
	err       error    // the harness could not send them
}

// sendWebhooks starts watching for the run's 202 and, once it comes,
// sends its webhooks. The watch ends with the integration; the sending,
// once started, runs to its end under ctx alone, so that an integration
// that returns after the first copy never cuts the second short.
func (m Mock) sendWebhooks(ctx context.Context, rj *runJournal, customerID, loginID string, signed bool) *webhookSends {
	watchCtx, stop := context.WithCancel(ctx)
	w := &webhookSends{stopWatching: stop, done: make(chan webhookResult, 1)}
	go func() {
		var err error
		var forged []string
		rid := pendingRequest(watchCtx, rj, loginID)
		switch {
		case rid != "" && watchCtx.Err() == nil:
			if signed {
				forged, err = m.sendForged(ctx, customerID, rid)
			}
			if err == nil {
				err = m.fireCopies(ctx, customerID, rid, webhookCopies)
			}
		case rid != "":
			rid, err = "", errIntegrationLeft
		}
		w.done <- webhookResult{requestID: rid, forged: forged, err: err}
	}()
	return w
}

// errIntegrationLeft says that the integration returned after its 202
// without waiting for the webhooks.
var errIntegrationLeft = errors.New("the integration returned after GetAccountsDetail answered 202, before its webhooks could be sent: in webhook mode it must wait for the GetAccountsDetail webhook")

// wait stops watching and waits for the sending to end.
func (w *webhookSends) wait() webhookResult {
	w.stopWatching()
	return <-w.done
}

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
	t := NewTarget(sc, login, h.Mock.URL, customer)
	scale := h.Scale
	if scale <= 0 {
		scale = 1
	}
	t.PollInterval = scaled(t.PollInterval, scale)
	t.Timeout = scaled(t.Timeout, scale)
	t.RetryBackoff = scaled(t.RetryBackoff, scale)
	t.MFAIdleTimeout = scaled(t.MFAIdleTimeout, scale)
	t.UserDelay = scaled(t.UserDelay, scale)
	t.RequestTimeout = h.requestTimeout()
	run = forScenario(sc, run)
	t.Sleep, t.Now = h.Sleep, h.Now
	if t.Sleep == nil {
		t.Sleep = sleepReal
	}
	if t.Now == nil {
		t.Now = time.Now
	}

	rj := h.Mock.follow(ctx, customer, h.MaxEntries)
	defer rj.stop()
	var hooks *webhookSends
	if sc.Webhook {
		addr, err := FreeAddr()
		if err != nil {
			res.Err = err
			return res
		}
		t.WebhookAddr, t.WebhookURL = addr, "http://"+addr+"/flinks/webhook"
		if sc.Signed {
			t.WebhookSecret = "flinks-mock-" + uuid.NewString()
		}
		if err := h.Mock.setWebhookTarget(ctx, customer, t.WebhookURL, t.WebhookSecret); err != nil {
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

	runCtx, stopRun := context.WithCancelCause(ctx)
	defer stopRun(nil)
	if limit := h.MaxPollsWithoutWait; h.Sleep != nil && limit >= 0 {
		if limit == 0 {
			limit = DefaultMaxPollsWithoutWait
		}
		go watchTightLoop(runCtx, rj, limit, stopRun)
	}
	start := time.Now()
	outcome, runErr := run(runCtx, t)
	res.Duration = time.Since(start)
	var loop *tightLoop
	if errors.As(context.Cause(runCtx), &loop) {
		res.Stopped = loop.Error()
		runErr = ErrNoOutcome
	}
	opts := h.runOptions(sc, t)
	if hooks != nil {
		sent := hooks.wait()
		opts.Forged = sent.forged
		runErr = webhookVerdict(ctx, sent, runErr)
	}
	// The run ends once the webhooks it was sent are answered: their
	// attempts are judged with it.
	end, err := h.Mock.now(ctx)
	if err != nil {
		res.Err = err
		return res
	}
	entries, lost, err := rj.result()
	if err != nil {
		res.Err = err
		return res
	}
	res.Journal = duringRun(entries, end)
	res.Report = CheckRun(res.Journal, lost, opts)
	res.Timing = unscaledTiming(res.Journal, opts, scale)
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
		if err := sc.Want.Judge(outcome, ExpectedAccounts(login)); err != nil {
			res.OutcomeProblem = err.Error()
		}
	}
	return res
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

// webhookVerdict folds how the sending of a run's webhooks ended into the
// run's error: a run whose webhooks were not all sent never passes, and
// says whose doing that was.
func webhookVerdict(ctx context.Context, r webhookResult, runErr error) error {
	switch {
	case r.err == nil || runErr != nil && !errors.Is(runErr, ErrNoOutcome):
		return runErr
	case errors.Is(r.err, errIntegrationLeft):
		return r.err
	case ctx.Err() != nil:
		return fmt.Errorf("the run was interrupted before the harness sent the webhooks: %w", ctx.Err())
	}
	return fmt.Errorf("the harness could not send the webhooks (a fault of the harness or the mock, not of the integration): %w", r.err)
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
