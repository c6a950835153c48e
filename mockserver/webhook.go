package mockserver

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/scenarios"
	"github.com/google/uuid"
)

// The headers that carry a webhook's signature. Flinks' reference page and
// every public client read SignatureHeader; its newer guide reads
// SignatureHeaderAlt. Both carry the same value.
const (
	SignatureHeader    = "flinks-authenticity-key"
	SignatureHeaderAlt = "X-Flinks-Signature"
)

// webhookReadLimit caps what is read of a receiver's answer: only its
// status matters.
const webhookReadLimit = 64 << 10

// Delivery states.
const (
	deliveryPending   = "pending"
	deliveryDelivered = "delivered"
	deliveryFailed    = "failed"
	deliveryDropped   = "dropped"
)

// Where a target comes from, as GET /__admin/webhooks/targets shows it.
const (
	sourceFlag     = "flag"
	sourceScenario = "scenario"
	sourceRuntime  = "runtime"
	sourceFire     = "fire"
)

// Sign returns the signature of a webhook body as Flinks computes it:
// Base64(HMAC-SHA256(key = secret, message = the raw body bytes)).
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// checkWebhookURL refuses what is not an absolute http or https URL.
func checkWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("webhook URL %q: give an absolute http or https URL such as http://127.0.0.1:9000/webhook", raw)
	}
	return nil
}

// target is one URL the webhooks of a tenant go to. Zero retry fields
// take the scenario's or the server's values.
type target struct {
	URL      string
	Secret   string
	Source   string
	Attempts int
	Interval time.Duration
	Timeout  time.Duration
}

// retryPolicy is how a delivery is tried.
type retryPolicy struct {
	attempts int
	interval time.Duration
	timeout  time.Duration
}

// policy is the retry policy of a target: its own values, else the
// library's settings, else the server's.
func (s *Server) policy(lib *scenarios.Library, tg target) retryPolicy {
	p := retryPolicy{s.cfg.WebhookAttempts, s.cfg.WebhookInterval, s.cfg.WebhookTimeout}
	if ws := lib.Settings.Webhooks; ws != nil {
		if ws.Attempts > 0 {
			p.attempts = ws.Attempts
		}
		if ws.Interval > 0 {
			p.interval = ws.Interval.D()
		}
		if ws.Timeout > 0 {
			p.timeout = ws.Timeout.D()
		}
	}
	if tg.Attempts > 0 {
		p.attempts = tg.Attempts
	}
	if tg.Interval > 0 {
		p.interval = tg.Interval
	}
	if tg.Timeout > 0 {
		p.timeout = tg.Timeout
	}
	return p
}

// configuredTargets are the targets of the server's flags, then those of
// the library's settings; a URL named twice keeps its first entry.
func (s *Server) configuredTargets(lib *scenarios.Library) []target {
	var out []target
	add := func(raw, secret, source string) {
		if !slices.ContainsFunc(out, func(tg target) bool { return tg.URL == raw }) {
			out = append(out, target{URL: raw, Secret: secret, Source: source})
		}
	}
	for _, u := range s.cfg.WebhookURLs {
		add(u, s.cfg.WebhookSecret, sourceFlag)
	}
	if ws := lib.Settings.Webhooks; ws != nil {
		for _, u := range ws.URLs {
			add(u, ws.Secret, sourceScenario)
		}
	}
	return out
}

// webhookTargets are where the webhooks of a tenant go: the list set at
// run time when there is one, else the configured targets. t may be nil
// for a customer the server has not seen yet.
func (s *Server) webhookTargets(t *tenant, lib *scenarios.Library) []target {
	if t != nil {
		w := s.hooks
		w.mu.Lock()
		st := w.states[t.id]
		if st != nil && st.owner == t && st.set {
			out := slices.Clone(st.targets)
			w.mu.Unlock()
			return out
		}
		w.mu.Unlock()
	}
	return s.configuredTargets(lib)
}

// outgoing is a webhook to send to every target of a tenant, with what
// the login's scenario scripts for it.
type outgoing struct {
	responseType string
	requestID    string
	loginID      string
	body         []byte
	script       scenarios.LoginWebhooks
}

// delivery is one webhook to one URL, with every attempt made. Its fields
// after the first group are guarded by webhooks.mu.
type delivery struct {
	seq          uint64
	id           string
	owner        *tenant
	url          string
	path         string
	responseType string
	requestID    string
	loginID      string
	signature    string
	policy       retryPolicy
	duplicateOf  string

	body      []byte // nil once the delivery ended
	state     string
	due       time.Time // when the next attempt is due; zero in flight or once ended
	attempts  []admin.DeliveryAttempt
	timer     clock.Timer
	inFlight  bool
	waiting   bool        // until the delivery it follows has made its first attempt
	followers []*delivery // to start once this one made its first attempt or ended
}

// hookState is the webhook state of one tenant: the targets set at run
// time and the deliveries, oldest first. owner tells the tenant it belongs
// to: a reset replaces the tenant of a customerId, which ends its state.
type hookState struct {
	owner      *tenant
	targets    []target
	set        bool
	deliveries []*delivery
}

// webhooks is the server's webhook dispatcher: the state of every tenant,
// the HTTP client of the attempts, and what Shutdown waits for.
type webhooks struct {
	client   *http.Client
	ctx      context.Context // cancelled when Shutdown gives up on attempts in flight
	cancel   context.CancelFunc
	inflight sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	seq     uint64
	states  map[string]*hookState // by customerId
	held    int                   // deliveries held by every state
	sweepAt int                   // state count at which stale states are swept
}

func newWebhooks() *webhooks {
	ctx, cancel := context.WithCancel(context.Background())
	return &webhooks{
		// Targets are only what the user configured: no proxy from the
		// environment, and no redirect is followed (a 3xx is a failure, as
		// for Flinks, which wants a 200).
		client: &http.Client{
			Transport: &http.Transport{
				Proxy:               nil,
				MaxIdleConnsPerHost: 4,
				IdleConnTimeout:     30 * time.Second,
			},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		ctx:     ctx,
		cancel:  cancel,
		states:  map[string]*hookState{},
		sweepAt: 64,
	}
}

// current reports whether t is still the tenant of its customerId (a
// reset replaces it).
func (s *Server) current(t *tenant) bool { return s.lookupTenant(t.id) == t }

// stateLocked returns the state of a tenant, creating it when asked, or
// nil for a tenant that a reset replaced (a request still running). A
// state left by such a tenant is ended first.
func (s *Server) stateLocked(t *tenant, create bool) *hookState {
	if !s.current(t) {
		return nil
	}
	w := s.hooks
	st := w.states[t.id]
	if st != nil && st.owner != t {
		w.discardLocked(st)
		st = nil
	}
	if st == nil && create {
		if len(w.states) >= w.sweepAt {
			for _, o := range w.states {
				if !s.current(o.owner) {
					w.discardLocked(o)
				}
			}
			w.sweepAt = max(64, 2*len(w.states))
		}
		st = &hookState{owner: t}
		w.states[t.id] = st
	}
	return st
}

// discardLocked forgets the state of a tenant that was reset: its pending
// deliveries stop, unsent.
func (w *webhooks) discardLocked(st *hookState) {
	for _, d := range st.deliveries {
		if d.timer != nil {
			d.timer.Stop()
			d.timer = nil
		}
		if d.state == deliveryPending {
			d.state, d.due, d.followers, d.body = deliveryDropped, time.Time{}, nil, nil
		}
	}
	w.held -= len(st.deliveries)
	if w.states[st.owner.id] == st {
		delete(w.states, st.owner.id)
	}
}

// queueLocked creates the delivery of o to one target, and its scripted
// duplicates. A delivery with after waits for after's first attempt. It
// returns the delivery and those of the new deliveries due now, for the
// caller to run.
func (s *Server) queueLocked(t *tenant, tg target, p retryPolicy, o outgoing, after *delivery) (*delivery, []*delivery) {
	w := s.hooks
	st := s.stateLocked(t, true)
	if st == nil {
		return nil, nil
	}
	now := s.clock.Now()
	path := "/"
	if u, err := url.Parse(tg.URL); err == nil && u.Path != "" {
		path = u.Path
	}
	sig := ""
	switch {
	case o.script.WrongSignature:
		// A key no receiver holds: the header is there, and it is wrong.
		sig = Sign("flinks-mock-wrong-key:"+tg.Secret, o.body)
	case tg.Secret != "":
		sig = Sign(tg.Secret, o.body)
	}
	var due []*delivery
	var first *delivery
	for i := 0; i <= o.script.Duplicate; i++ {
		w.seq++
		d := &delivery{
			seq:          w.seq,
			id:           uuid.NewString(),
			owner:        t,
			url:          tg.URL,
			path:         path,
			responseType: o.responseType,
			requestID:    o.requestID,
			loginID:      o.loginID,
			body:         o.body,
			signature:    sig,
			policy:       p,
			state:        deliveryPending,
			due:          now.Add(o.script.Delay.D()),
		}
		pred := after
		if first != nil {
			d.duplicateOf, pred = first.id, first
		} else {
			first = d
		}
		st.deliveries = append(st.deliveries, d)
		w.held++
		switch {
		case o.script.Drop:
			d.state, d.due, d.body = deliveryDropped, time.Time{}, nil
			s.log.Info("webhook dropped as the scenario asks", "customerId", t.id, "deliveryId", d.id, "url", d.url, "responseType", d.responseType, "requestId", d.requestID)
		case pred != nil && pred.waitsForFirst():
			d.waiting = true
			pred.followers = append(pred.followers, d)
		case o.script.Delay > 0:
			s.scheduleLocked(d, o.script.Delay.D())
		default:
			due = append(due, d)
		}
	}
	s.boundLocked(st)
	return first, due
}

// waitsForFirst reports whether the first attempt of d is still to come,
// so that a delivery queued to follow it must wait.
func (d *delivery) waitsForFirst() bool {
	return d.state == deliveryPending && len(d.attempts) == 0
}

// scheduleLocked runs the next attempt of d after delay on the server
// clock. A virtual clock runs it during the Advance that gets there.
func (s *Server) scheduleLocked(d *delivery, delay time.Duration) {
	d.due = s.clock.Now().Add(delay)
	d.timer = s.clock.AfterFunc(delay, func() { s.run([]*delivery{d}) })
}

// releaseLocked starts the deliveries that waited for d: those due now are
// returned for the caller to run, in order; the others are scheduled.
func (s *Server) releaseLocked(d *delivery) []*delivery {
	var due []*delivery
	now := s.clock.Now()
	for _, f := range d.followers {
		f.waiting = false
		if f.state != deliveryPending {
			continue
		}
		if wait := f.due.Sub(now); wait > 0 {
			s.scheduleLocked(f, wait)
		} else {
			due = append(due, f)
		}
	}
	d.followers = nil
	return due
}

// send queues o to each target; after maps a target URL to the delivery o
// must follow there. It returns the new deliveries by URL and those due
// now, for the caller to run.
func (s *Server) send(t *tenant, lib *scenarios.Library, targets []target, o outgoing, after map[string]*delivery) (map[string]*delivery, []*delivery) {
	if len(targets) == 0 {
		return nil, nil
	}
	w := s.hooks
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil, nil
	}
	byURL := make(map[string]*delivery, len(targets))
	var due []*delivery
	for _, tg := range targets {
		d, now := s.queueLocked(t, tg, s.policy(lib, tg), o, after[tg.URL])
		byURL[tg.URL] = d
		due = append(due, now...)
	}
	return byURL, due
}

// run makes the attempts of ds, one after the other, then those of the
// deliveries they release. It runs on the goroutine that calls it: a timer
// of the virtual clock thus finishes its attempts before the clock moves on.
func (s *Server) run(ds []*delivery) {
	for len(ds) > 0 {
		d := ds[0]
		ds = append(ds[1:], s.attempt(d)...)
	}
}

// attempt makes one attempt of d, records it in the tenant's journal and
// schedules the next one, or ends the delivery. It returns the deliveries
// its first attempt releases that are due now.
func (s *Server) attempt(d *delivery) []*delivery {
	w := s.hooks
	w.mu.Lock()
	if w.closed || d.state != deliveryPending || d.inFlight || d.waiting {
		w.mu.Unlock()
		return nil
	}
	if !s.current(d.owner) {
		// The customer was reset: the delivery ends unsent.
		d.state, d.due, d.body = deliveryDropped, time.Time{}, nil
		released := s.releaseLocked(d)
		w.mu.Unlock()
		return released
	}
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	d.inFlight, d.due = true, time.Time{}
	n, body := len(d.attempts)+1, d.body
	w.inflight.Add(1)
	w.mu.Unlock()
	defer w.inflight.Done()

	at := s.clock.Now()
	status, took, err := w.post(d, body)
	a := admin.DeliveryAttempt{Attempt: n, Time: at, Status: status, Duration: took}
	entry := journal.Entry{
		Kind: journal.KindWebhook, Time: at, Tenant: d.owner.id, Method: http.MethodPost, Path: d.path,
		RequestID: d.requestID, LoginID: d.loginID, Status: status, Latency: took,
		URL: d.url, DeliveryID: d.id, Attempt: n, ResponseType: d.responseType,
	}
	switch {
	case err != nil:
		a.Error, entry.Error = err.Error(), err.Error()
	case status >= 300 && status < 400:
		a.Error = fmt.Sprintf("answered %d %s; redirects are not followed and only 200 counts as delivered", status, http.StatusText(status))
	case status != http.StatusOK:
		a.Error = fmt.Sprintf("answered %d %s; only 200 counts as delivered", status, http.StatusText(status))
	}

	w.mu.Lock()
	defer w.mu.Unlock()
	d.inFlight = false
	if d.state != deliveryPending {
		// Ended while in flight: its customer was reset.
		return nil
	}
	d.attempts = append(d.attempts, a)
	switch {
	case status == http.StatusOK:
		d.state = deliveryDelivered
	case n >= d.policy.attempts:
		d.state = deliveryFailed
	case w.closed:
		// Shutdown logs it with the attempt it would have made.
		d.due = s.clock.Now().Add(d.policy.interval)
	default:
		// Scheduled before the attempt becomes visible, so a test that
		// sees it and moves the clock always finds the retry in place.
		s.scheduleLocked(d, d.policy.interval)
	}
	var released []*delivery
	if n == 1 || d.state != deliveryPending {
		released = s.releaseLocked(d)
	}
	if d.state != deliveryPending {
		d.body = nil // a finished delivery keeps its record, not its payload
	}
	if s.current(d.owner) {
		s.record(d.owner, entry)
	}
	s.log.Debug("webhook attempt", "customerId", d.owner.id, "deliveryId", d.id, "url", d.url, "attempt", n, "status", status, "error", a.Error)
	switch d.state {
	case deliveryDelivered:
		s.log.Info("webhook delivered", "customerId", d.owner.id, "deliveryId", d.id, "url", d.url, "responseType", d.responseType, "requestId", d.requestID, "attempts", n)
	case deliveryFailed:
		s.log.Warn("webhook failed: no attempt got a 200", "customerId", d.owner.id, "deliveryId", d.id, "url", d.url, "responseType", d.responseType, "requestId", d.requestID, "attempts", n, "lastError", a.Error)
	}
	return released
}

// post sends the body of d once and returns the receiver's status, how
// long the attempt took, and why no answer came.
func (w *webhooks) post(d *delivery, body []byte) (int, time.Duration, error) {
	ctx, cancel := context.WithTimeout(w.ctx, d.policy.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "flinks-mock")
	if d.signature != "" {
		req.Header.Set(SignatureHeader, d.signature)
		req.Header.Set(SignatureHeaderAlt, d.signature)
	}
	start := time.Now()
	resp, err := w.client.Do(req)
	if err != nil {
		return 0, time.Since(start), attemptError(err, d.policy.timeout, w.ctx)
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

// boundLocked keeps the deliveries within the tenant's bound and the
// server's budget: the oldest finished deliveries go first, then, if every
// one is pending, the oldest pending ones, which are logged.
func (s *Server) boundLocked(st *hookState) {
	w := s.hooks
	if over := len(st.deliveries) - s.cfg.MaxDeliveries; over > 0 {
		s.forgetLocked(st.deliveries, over)
	}
	if w.held > s.cfg.DeliveryBudget {
		var all []*delivery
		for _, o := range w.states {
			all = append(all, o.deliveries...)
		}
		slices.SortFunc(all, func(a, b *delivery) int { return compareUint(a.seq, b.seq) })
		s.forgetLocked(all, w.held-s.cfg.DeliveryBudget*9/10)
	}
}

// forgetLocked forgets n of the deliveries (oldest first): finished ones
// first, then pending ones.
func (s *Server) forgetLocked(ds []*delivery, n int) {
	gone := map[*delivery]bool{}
	for _, finished := range []bool{true, false} {
		for _, d := range ds {
			if len(gone) == n {
				break
			}
			if (d.state != deliveryPending) == finished {
				gone[d] = true
			}
		}
	}
	var due []*delivery
	for d := range gone {
		if d.state == deliveryPending {
			s.log.Warn("webhook delivery forgotten to stay within the bound of deliveries kept", "customerId", d.owner.id, "deliveryId", d.id, "url", d.url)
			if d.timer != nil {
				d.timer.Stop()
				d.timer = nil
			}
			d.state, d.due, d.body = deliveryDropped, time.Time{}, nil
			due = append(due, s.releaseLocked(d)...)
		}
	}
	for _, st := range s.hooks.states {
		before := len(st.deliveries)
		st.deliveries = slices.DeleteFunc(st.deliveries, func(d *delivery) bool { return gone[d] })
		s.hooks.held -= before - len(st.deliveries)
	}
	if len(due) > 0 {
		go s.run(due)
	}
}

// shutdownWebhooks stops the dispatcher: no attempt starts any more, the attempts
// in flight finish (until ctx ends; then they are cancelled), and every
// delivery left undelivered is logged.
func (s *Server) shutdownWebhooks(ctx context.Context) {
	w := s.hooks
	w.mu.Lock()
	w.closed = true
	for _, st := range w.states {
		for _, d := range st.deliveries {
			if d.timer != nil {
				d.timer.Stop()
				d.timer = nil
			}
		}
	}
	w.mu.Unlock()
	done := make(chan struct{})
	go func() {
		w.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		w.cancel()
		<-done
	}
	w.cancel()
	w.client.CloseIdleConnections()

	w.mu.Lock()
	defer w.mu.Unlock()
	var left []*delivery
	for _, st := range w.states {
		if !s.current(st.owner) {
			continue
		}
		for _, d := range st.deliveries {
			if d.state == deliveryPending {
				left = append(left, d)
			}
		}
	}
	slices.SortFunc(left, func(a, b *delivery) int { return compareUint(a.seq, b.seq) })
	for _, d := range left {
		attrs := []any{"customerId", d.owner.id, "deliveryId", d.id, "url", d.url, "responseType", d.responseType,
			"requestId", d.requestID, "attempts", len(d.attempts)}
		if !d.due.IsZero() {
			attrs = append(attrs, "nextAttempt", d.due)
		}
		if n := len(d.attempts); n > 0 {
			attrs = append(attrs, "lastError", d.attempts[n-1].Error)
		}
		s.log.Warn("webhook not delivered before shutdown", attrs...)
	}
	if len(left) > 0 {
		s.log.Warn("webhooks left undelivered at shutdown", "count", len(left))
	}
}

// viewLocked snapshots d for the admin API.
func (d *delivery) viewLocked() admin.Delivery {
	v := admin.Delivery{
		ID:           d.id,
		CustomerID:   d.owner.id,
		URL:          d.url,
		ResponseType: d.responseType,
		RequestID:    d.requestID,
		LoginID:      d.loginID,
		State:        d.state,
		Attempts:     slices.Clone(d.attempts),
		MaxAttempts:  d.policy.attempts,
		DuplicateOf:  d.duplicateOf,
	}
	if v.Attempts == nil {
		v.Attempts = []admin.DeliveryAttempt{}
	}
	if d.state == deliveryPending && !d.due.IsZero() {
		due := d.due
		v.NextAttempt = &due
	}
	return v
}

// deliveries returns the deliveries of one customer (of every customer
// when id is empty) that keep selects, oldest first.
func (s *Server) deliveries(id string, keep func(*delivery) bool) []admin.Delivery {
	w := s.hooks
	w.mu.Lock()
	defer w.mu.Unlock()
	var list []*delivery
	for cid, st := range w.states {
		if (id != "" && cid != id) || !s.current(st.owner) {
			continue
		}
		for _, d := range st.deliveries {
			if keep == nil || keep(d) {
				list = append(list, d)
			}
		}
	}
	slices.SortFunc(list, func(a, b *delivery) int { return compareUint(a.seq, b.seq) })
	out := make([]admin.Delivery, len(list))
	for i, d := range list {
		out[i] = d.viewLocked()
	}
	return out
}
