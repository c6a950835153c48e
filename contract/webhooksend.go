package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
)

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
