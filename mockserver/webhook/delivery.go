package webhook

import (
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/scenarios"
	"github.com/google/uuid"
)

// Delivery states, as the admin API names them.
const (
	pending   = admin.DeliveryPending
	delivered = admin.DeliveryDelivered
	failed    = admin.DeliveryFailed
	dropped   = admin.DeliveryDropped
)

// Outgoing is a webhook to send to every target of a customer, with what
// the login's scenario scripts for it.
type Outgoing struct {
	ResponseType string
	RequestID    string
	LoginID      string
	Body         []byte
	Script       scenarios.LoginWebhooks
}

// Group is the first delivery of one Outgoing to each target URL: what a
// later Outgoing may be sent after.
type Group map[string]*delivery

// delivery is one webhook to one URL, with every attempt made. Its fields
// after the first group are guarded by the dispatcher's mu.
type delivery struct {
	seq          uint64
	id           string
	owner        Owner
	url          string
	receiver     string // scheme, host and port of url: what the limits count by
	path         string
	responseType string
	requestID    string
	loginID      string
	signature    string
	policy       Policy
	duplicateOf  string

	body      []byte // kept while the delivery is, for a re-send
	state     string
	resent    bool      // the next attempt is a re-send asked through the admin API
	reopened  string    // the state an ended delivery had before a re-send
	due       time.Time // when the next attempt is due; zero in flight or once ended
	attempts  []admin.DeliveryAttempt
	timer     clock.Timer
	inFlight  bool
	queued    bool        // waiting for a place among the attempts in flight
	waiting   bool        // until the delivery it follows has made its first attempt
	followers []*delivery // to start once this one made its first attempt or ended
}

// end moves a delivery to a final state. It keeps its payload, which
// its cost counts from the start, so that it can be sent again.
func (dl *delivery) end(state string) {
	dl.state, dl.due = state, time.Time{}
}

func (dl *delivery) stopTimer() {
	if dl.timer != nil {
		dl.timer.Stop()
		dl.timer = nil
	}
}

// waitsForFirst reports whether the first attempt of dl is still to come,
// so that a delivery queued to follow it must wait.
func (dl *delivery) waitsForFirst() bool {
	return dl.state == pending && len(dl.attempts) == 0
}

// Due is the attempts a call queued that are due now, for the caller to
// make once it holds no lock of its own.
type Due struct {
	d  *Dispatcher
	ds []*delivery
}

// Empty reports whether no attempt is due.
func (due Due) Empty() bool { return len(due.ds) == 0 }

// Run makes the attempts on the calling goroutine: a timer of the virtual
// clock thus finishes them before the clock moves on.
func (due Due) Run() {
	if len(due.ds) > 0 {
		due.d.run(due.ds)
	}
}

// Start makes the attempts on a goroutine of their own, so that the
// caller (a client's request) does not wait for them.
func (due Due) Start() {
	if len(due.ds) > 0 {
		go due.d.run(due.ds)
	}
}

// Send queues o to each target, each delivery after the one of after to
// the same URL. It returns the new deliveries by URL, and the attempts due
// now.
func (d *Dispatcher) Send(owner Owner, lib *scenarios.Library, targets []Target, o Outgoing, after Group) (Group, Due) {
	group, due := d.send(owner, lib, targets, o, after)
	return group, Due{d, due}
}

func (d *Dispatcher) send(owner Owner, lib *scenarios.Library, targets []Target, o Outgoing, after Group) (Group, []*delivery) {
	if len(targets) == 0 {
		return nil, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, nil
	}
	group := make(Group, len(targets))
	var due []*delivery
	for _, tg := range targets {
		first, now := d.queueLocked(owner, tg, d.policy(lib, tg), o, after[tg.URL])
		group[tg.URL] = first
		due = append(due, now...)
	}
	d.runReleasedLocked()
	return group, due
}

// queueLocked creates the delivery of o to one target, and its scripted
// duplicates. A delivery with after waits for after's first attempt. It
// returns the delivery and those of the new deliveries due now, for the
// caller to run.
func (d *Dispatcher) queueLocked(owner Owner, tg Target, p Policy, o Outgoing, after *delivery) (*delivery, []*delivery) {
	c := d.customerLocked(owner, true)
	if c == nil {
		return nil, nil
	}
	now := d.cfg.Clock.Now()
	path := "/"
	if u, err := url.Parse(tg.URL); err == nil && u.Path != "" {
		path = u.Path
	}
	sig := ""
	switch {
	case o.Script.WrongSignature:
		// A key no receiver holds: the header is there, and it is wrong.
		sig = Sign("flinks-mock-wrong-key:"+tg.Secret, o.Body)
	case tg.Secret != "":
		sig = Sign(tg.Secret, o.Body)
	}
	var due []*delivery
	var first *delivery
	for i := 0; i <= o.Script.Duplicate; i++ {
		d.seq++
		dl := &delivery{
			seq: d.seq, id: uuid.NewString(), owner: owner, url: tg.URL, receiver: receiverOf(tg.URL), path: path,
			responseType: o.ResponseType, requestID: o.RequestID, loginID: o.LoginID,
			body: o.Body, signature: sig, policy: p, state: pending, due: now.Add(o.Script.Delay.D()),
		}
		pred := after
		if first != nil {
			dl.duplicateOf, pred = first.id, first
		} else {
			first = dl
		}
		c.deliveries.Add(dl.id, dl)
		switch {
		case o.Script.Drop:
			dl.end(dropped)
			d.cfg.Log.Info("webhook dropped as the scenario asks", "customerId", owner.ID(), "deliveryId", dl.id, "url", dl.url, "responseType", dl.responseType, "requestId", dl.requestID)
		case pred != nil && pred.waitsForFirst():
			dl.waiting = true
			pred.followers = append(pred.followers, dl)
		case o.Script.Delay > 0:
			d.scheduleLocked(dl, o.Script.Delay.D())
		default:
			due = append(due, dl)
		}
	}
	return first, due
}

// scheduleLocked runs the next attempt of dl after delay on the server
// clock. A virtual clock runs it during the Advance that gets there.
func (d *Dispatcher) scheduleLocked(dl *delivery, delay time.Duration) {
	dl.due = d.cfg.Clock.Now().Add(delay)
	dl.timer = d.cfg.Clock.AfterFunc(delay, func() { d.run([]*delivery{dl}) })
}

// releaseLocked starts the deliveries that waited for dl: those due now
// are returned for the caller to run, in order; the others are scheduled.
func (d *Dispatcher) releaseLocked(dl *delivery) []*delivery {
	var due []*delivery
	now := d.cfg.Clock.Now()
	for _, f := range dl.followers {
		f.waiting = false
		if f.state != pending {
			continue
		}
		if wait := f.due.Sub(now); wait > 0 {
			d.scheduleLocked(f, wait)
		} else {
			due = append(due, f)
		}
	}
	dl.followers = nil
	return due
}

// run makes the attempts of ds, each on a goroutine of its own so that a
// receiver that hangs holds up no other, then those of the deliveries
// they release, and returns once all are made (or wait for a place, see
// limiter). It runs on the goroutine that calls it: a timer of the
// virtual clock thus finishes its attempts before the clock moves on.
func (d *Dispatcher) run(ds []*delivery) {
	if len(ds) == 1 {
		d.run(d.attempt(ds[0], false))
		return
	}
	var wg sync.WaitGroup
	for _, dl := range ds {
		wg.Go(func() { d.run(d.attempt(dl, false)) })
	}
	wg.Wait()
}

// runGiven makes the attempt of dl, which waited and was given a place
// in flight, then those of the deliveries it releases.
func (d *Dispatcher) runGiven(dl *delivery) {
	d.run(d.attempt(dl, true))
}

// view snapshots dl for the admin API. Callers hold d.mu.
func (dl *delivery) view() admin.Delivery {
	v := admin.Delivery{
		ID:           dl.id,
		CustomerID:   dl.owner.ID(),
		URL:          dl.url,
		ResponseType: dl.responseType,
		RequestID:    dl.requestID,
		LoginID:      dl.loginID,
		State:        dl.state,
		Attempts:     slices.Clone(dl.attempts),
		MaxAttempts:  dl.policy.Attempts,
		DuplicateOf:  dl.duplicateOf,
		Signature:    dl.signature,
	}
	if v.Attempts == nil {
		v.Attempts = []admin.DeliveryAttempt{}
	}
	if dl.state == pending && !dl.due.IsZero() {
		due := dl.due
		v.NextAttempt = &due
	}
	return v
}

// selectLocked returns the deliveries of one customer (of every customer
// when customerID is empty) that keep selects, oldest first. Callers hold
// d.mu.
func (d *Dispatcher) selectLocked(customerID string, keep func(*delivery) bool) []*delivery {
	var list []*delivery
	for id, c := range d.customers {
		if (customerID != "" && id != customerID) || !c.owner.Live() {
			continue
		}
		c.deliveries.Range(func(_ string, dl *delivery) bool {
			if keep == nil || keep(dl) {
				list = append(list, dl)
			}
			return true
		})
	}
	slices.SortFunc(list, func(a, b *delivery) int {
		switch {
		case a.seq < b.seq:
			return -1
		case a.seq > b.seq:
			return 1
		}
		return 0
	})
	return list
}

// Deliveries returns the deliveries of one customer (of every customer
// when customerID is empty) with this RequestId and state (empty: any),
// oldest first.
func (d *Dispatcher) Deliveries(customerID, requestID, state string) []admin.Delivery {
	d.mu.Lock()
	defer d.mu.Unlock()
	list := d.selectLocked(customerID, func(dl *delivery) bool {
		return (requestID == "" || dl.requestID == requestID) && (state == "" || dl.state == state)
	})
	out := make([]admin.Delivery, len(list))
	for i, dl := range list {
		out[i] = dl.view()
	}
	return out
}
