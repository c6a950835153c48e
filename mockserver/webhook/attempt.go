package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// attempt makes one attempt of dl, records it in the customer's journal
// and schedules the next one, or ends the delivery. It returns the
// deliveries its first attempt releases that are due now. given is set
// when dl waited and was given its place in flight.
func (d *Dispatcher) attempt(dl *delivery, given bool) []*delivery {
	start := d.startAttempt(dl, given)
	switch {
	case start.deferred != "":
		a, entry := d.deferredAttempt(dl, start.n, start.deferred)
		return d.finishAttempt(dl, a, entry)
	case !start.ok:
		return start.released
	}
	defer d.limit.release(dl.receiver)
	defer d.inflight.Done()
	at := d.cfg.Clock.Now()
	status, took, err := d.post(dl, start.body)
	a := admin.DeliveryAttempt{Attempt: start.n, Time: at, Status: status, Duration: took}
	entry := d.attemptEntry(dl, a)
	switch {
	case err != nil:
		a.Error, entry.Error = err.Error(), err.Error()
	case status >= 300 && status < 400:
		a.Error = fmt.Sprintf("answered %d %s; redirects are not followed and only 200 counts as delivered", status, http.StatusText(status))
	case status != http.StatusOK:
		a.Error = fmt.Sprintf("answered %d %s; only 200 counts as delivered", status, http.StatusText(status))
	}
	return d.finishAttempt(dl, a, entry)
}

// attemptEntry is the journal entry of attempt a of dl.
func (d *Dispatcher) attemptEntry(dl *delivery, a admin.DeliveryAttempt) journal.Entry {
	return journal.Entry{
		Kind: journal.KindWebhook, Time: a.Time, Tenant: dl.owner.ID(), Method: http.MethodPost, Path: dl.path,
		RequestID: dl.requestID, LoginID: dl.loginID, Status: a.Status, Latency: a.Duration,
		URL: dl.url, DeliveryID: dl.id, Attempt: a.Attempt, ResponseType: dl.responseType, Error: a.Error,
	}
}

// deferredAttempt is attempt n of dl, not made because the queue of
// attempts waiting for a place was full: it counts as a failed attempt,
// in the deliveries and the journal, and the next retry follows.
func (d *Dispatcher) deferredAttempt(dl *delivery, n int, why string) (admin.DeliveryAttempt, journal.Entry) {
	a := admin.DeliveryAttempt{Attempt: n, Time: d.cfg.Clock.Now(), Error: why}
	d.cfg.Log.Warn("webhook attempt deferred: too many attempts in flight and waiting", "customerId", dl.owner.ID(), "deliveryId", dl.id, "url", dl.url, "attempt", n)
	return a, d.attemptEntry(dl, a)
}

// started is what startAttempt decided: make attempt n with body (ok),
// record it as deferred (deferred says why), or make none (released lists
// the deliveries a delivery ended by a reset releases).
type started struct {
	ok       bool
	n        int
	body     []byte
	deferred string
	released []*delivery
}

// startAttempt marks dl in flight, once it has a place among the attempts
// in flight; without one it queues dl, or defers its attempt when the
// queue is full.
func (d *Dispatcher) startAttempt(dl *delivery, given bool) started {
	d.mu.Lock()
	defer d.mu.Unlock()
	if given {
		dl.queued = false
	}
	if d.closed && dl.reopened != "" {
		// A re-send the shutdown came before: the delivery stays ended.
		dl.state, dl.reopened, dl.resent = dl.reopened, "", false
	}
	if d.closed || dl.state != pending || dl.inFlight || dl.waiting || dl.queued {
		if given {
			d.limit.release(dl.receiver)
		}
		return started{}
	}
	if !dl.owner.Live() {
		// The customer was reset: the delivery ends unsent.
		if given {
			d.limit.release(dl.receiver)
		}
		dl.end(dropped)
		return started{released: d.releaseLocked(dl)}
	}
	n := len(dl.attempts) + 1
	if !given {
		switch how, why := d.limit.admit(dl.receiver, dl); how {
		case queued:
			dl.stopTimer()
			dl.queued, dl.due = true, time.Time{}
			return started{}
		case refused:
			dl.stopTimer()
			dl.inFlight, dl.due = true, time.Time{}
			return started{n: n, deferred: why}
		}
	}
	dl.stopTimer()
	dl.inFlight, dl.due = true, time.Time{}
	d.inflight.Add(1)
	return started{ok: true, n: n, body: dl.body}
}

// finishAttempt records attempt a of dl and moves the delivery on. The
// retry is scheduled before the attempt becomes visible, so a test that
// sees it and moves the clock always finds the retry in place.
func (d *Dispatcher) finishAttempt(dl *delivery, a admin.DeliveryAttempt, entry journal.Entry) []*delivery {
	d.mu.Lock()
	defer d.mu.Unlock()
	dl.inFlight = false
	if dl.state != pending {
		return nil // ended while in flight: its customer was reset
	}
	n := a.Attempt
	a.Resent, dl.resent = dl.resent, false
	dl.attempts = append(dl.attempts, a)
	reopened := dl.reopened
	dl.reopened = ""
	switch {
	case a.Status == http.StatusOK:
		dl.state = delivered
	case reopened != "":
		dl.state = afterResend(reopened)
	case n >= dl.policy.Attempts:
		dl.state = failed
	case d.closed:
		// Shutdown logs it with the attempt it would have made.
		dl.due = d.cfg.Clock.Now().Add(dl.policy.Interval)
	default:
		d.scheduleLocked(dl, dl.policy.Interval)
	}
	var released []*delivery
	if n == 1 || dl.state != pending {
		released = d.releaseLocked(dl)
	}
	if dl.state != pending {
		dl.end(dl.state)
	}
	if c := d.customers[dl.owner.ID()]; c != nil && c.owner == dl.owner {
		c.deliveries.Get(dl.id) // an attempt is a use
		if n > dl.policy.Attempts {
			// A re-send past the policy's attempts: its record counts.
			c.deliveries.Update(dl.id)
			d.runReleasedLocked()
		}
	}
	if dl.owner.Live() {
		dl.owner.Record(entry)
	}
	d.logAttempt(dl, a)
	return released
}

func (d *Dispatcher) logAttempt(dl *delivery, a admin.DeliveryAttempt) {
	log := d.cfg.Log
	log.Debug("webhook attempt", "customerId", dl.owner.ID(), "deliveryId", dl.id, "url", dl.url, "attempt", a.Attempt, "status", a.Status, "error", a.Error)
	switch dl.state {
	case delivered:
		log.Info("webhook delivered", "customerId", dl.owner.ID(), "deliveryId", dl.id, "url", dl.url, "responseType", dl.responseType, "requestId", dl.requestID, "attempts", a.Attempt)
	case failed:
		log.Warn("webhook failed: no attempt got a 200", "customerId", dl.owner.ID(), "deliveryId", dl.id, "url", dl.url, "responseType", dl.responseType, "requestId", dl.requestID, "attempts", a.Attempt, "lastError", a.Error)
	}
}

// post sends the body of dl once and returns the receiver's status, how
// long the attempt took, and why no answer came.
func (d *Dispatcher) post(dl *delivery, body []byte) (int, time.Duration, error) {
	ctx, cancel := context.WithTimeout(d.ctx, dl.policy.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, dl.url, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "flinks-mock")
	if dl.signature != "" {
		req.Header.Set(SignatureHeader, dl.signature)
		req.Header.Set(SignatureHeaderAlt, dl.signature)
	}
	start := time.Now()
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, time.Since(start), attemptError(err, dl.policy.Timeout, d.ctx)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, webhookReadLimit))
	_ = resp.Body.Close()
	return resp.StatusCode, time.Since(start), nil
}

// attemptError words why an attempt got no answer.
func attemptError(err error, timeout time.Duration, server context.Context) error {
	if server.Err() != nil {
		return errors.New("cancelled: the mock shut down during the attempt")
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		if urlErr.Timeout() {
			return fmt.Errorf("no answer within %s", timeout)
		}
		return urlErr.Err
	}
	return err
}

// Errors of Fire.
var (
	// ErrClosed: the dispatcher is shutting down and sends no more.
	ErrClosed = errors.New("the mock is shutting down and sends no more webhooks")
	// ErrReset: the customer was reset while the webhook was queued.
	ErrReset = errors.New("the customer was reset while the webhook was queued")
)

// Fire sends o to one target now and returns its delivery after the first
// attempt; the retries follow as for any delivery.
func (d *Dispatcher) Fire(owner Owner, lib *scenarios.Library, tg Target, o Outgoing) (admin.Delivery, error) {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return admin.Delivery{}, ErrClosed
	}
	dl, _ := d.queueLocked(owner, tg, d.policy(lib, tg), o, nil)
	d.runReleasedLocked()
	d.mu.Unlock()
	if dl == nil {
		return admin.Delivery{}, ErrReset
	}
	d.run([]*delivery{dl})
	d.mu.Lock()
	defer d.mu.Unlock()
	return dl.view(), nil
}
