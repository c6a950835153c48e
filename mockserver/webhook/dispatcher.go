// Package webhook delivers the webhooks of flinks-mock: a Dispatcher that
// owns the targets of every customer, the retry policy, the signing of
// bodies, and the deliveries with every attempt made, retried on the
// server clock. Like WireMock's webhooks, it is a listener on served
// events (DataStarted, DataReady), not part of the request path: the data
// endpoints tell it what they served, and it decides what to send.
package webhook

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/bounded"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// Owner is the customer a delivery belongs to: a tenant of the server.
// A reset retires a tenant and makes a new one for the same customerId;
// the deliveries of the retired one end unsent.
type Owner interface {
	// ID returns the customerId.
	ID() string
	// Live reports whether the server still holds the tenant.
	Live() bool
	// Record adds an attempt to the tenant's journal. It runs under the
	// dispatcher's lock, so that an attempt shows in the journal and in
	// the deliveries at once, its retry already scheduled; it must not
	// block and must not call the dispatcher.
	Record(journal.Entry)
}

// Config configures a Dispatcher.
type Config struct {
	Clock clock.Clock
	Log   *slog.Logger
	// URLs receive the webhooks of every customer, signed with Secret
	// when set (the server's flags).
	URLs   []string
	Secret string
	// Policy is the server's retry policy; a scenario's settings and a
	// target's own values override it.
	Policy Policy
	// MaxDeliveries bounds the deliveries each customer keeps, and
	// DeliveryBudget those of all customers.
	MaxDeliveries  int
	DeliveryBudget int
	// DeliveryBytes bounds in bytes the deliveries of all customers, as
	// deliveryBytes counts them (zero: no bound in bytes).
	DeliveryBytes int64
	// Limits cap the attempts in flight and bound those waiting (zero
	// caps: the Defaults; a zero QueueBytes: no attempt waits).
	Limits Limits
}

// webhookReadLimit caps what is read of a receiver's answer: only its
// status matters.
const webhookReadLimit = 64 << 10

// Dispatcher sends the webhooks of every customer. It owns its state and
// its lock: the targets set at run time, the deliveries and their timers.
type Dispatcher struct {
	cfg      Config
	client   *http.Client
	ctx      context.Context // cancelled when Shutdown gives up on attempts in flight
	cancel   context.CancelFunc
	inflight sync.WaitGroup
	limit    *limiter

	mu        sync.Mutex
	closed    bool
	seq       uint64
	customers map[string]*customer // by customerId
	budget    *bounded.Budget      // deliveries of every customer; trimmed under mu
	sweepAt   int                  // customer count at which stale states are swept
	released  []*delivery          // due now, released by deliveries the bounds forgot
}

// customer is the webhook state of one tenant: the targets set at run
// time and the deliveries. owner tells the tenant it belongs to: a reset
// replaces the tenant of a customerId, which ends its state.
type customer struct {
	owner      Owner
	targets    []Target
	set        bool
	deliveries *bounded.LRU[string, *delivery]
}

// New returns a dispatcher.
func New(cfg Config) *Dispatcher {
	if cfg.Limits.InFlight <= 0 {
		cfg.Limits.InFlight = DefaultMaxInFlight
	}
	if cfg.Limits.InFlightPerTarget <= 0 {
		cfg.Limits.InFlightPerTarget = DefaultMaxInFlightPerTarget
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &Dispatcher{
		cfg: cfg,
		// Targets are only what the user configured: no proxy from the
		// environment, and no redirect is followed (a 3xx is a failure, as
		// for Flinks, which wants a 200).
		client: &http.Client{
			Transport: &http.Transport{
				Proxy:               nil,
				MaxIdleConnsPerHost: cfg.Limits.InFlightPerTarget,
				IdleConnTimeout:     30 * time.Second,
			},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		ctx:       ctx,
		cancel:    cancel,
		customers: map[string]*customer{},
		sweepAt:   64,
	}
	d.limit = newLimiter(cfg.Limits, func(dl *delivery) { go d.runGiven(dl) })
	// The budget trims only from an add, which is made under d.mu.
	d.budget = bounded.NewBudget(cfg.DeliveryBudget, func(yield func(bounded.Dropper) bool) {
		for _, c := range d.customers {
			if !yield(c.deliveries) {
				return
			}
		}
	})
	if cfg.DeliveryBytes > 0 {
		d.budget.CapBytes(cfg.DeliveryBytes)
	}
	return d
}

// customerLocked returns the state of a customer, creating it when asked,
// or nil for a tenant that a reset retired (a request still running). A
// state left by such a tenant is ended first.
func (d *Dispatcher) customerLocked(owner Owner, create bool) *customer {
	if !owner.Live() {
		return nil
	}
	c := d.customers[owner.ID()]
	if c != nil && c.owner != owner {
		d.discardLocked(c)
		c = nil
	}
	if c == nil && create {
		if len(d.customers) >= d.sweepAt {
			for _, o := range d.customers {
				if !o.owner.Live() {
					d.discardLocked(o)
				}
			}
			d.sweepAt = max(64, 2*len(d.customers))
		}
		c = &customer{owner: owner, deliveries: bounded.New[string, *delivery](d.cfg.MaxDeliveries, bounded.Options[string, *delivery]{
			Budget:  d.budget,
			OnEvict: d.forgotLocked,
			// The bound forgets finished deliveries first.
			Keep: func(dl *delivery) bool { return dl.state == pending },
			Cost: deliveryBytes,
		})}
		d.customers[owner.ID()] = c
	}
	return c
}

// deliveryBytes estimates the memory a delivery holds: its body (kept as
// long as the delivery, for a re-send), its strings, and the records of
// as many attempts as its policy allows, counted when it is added, and
// again when a re-send makes more.
func deliveryBytes(id string, dl *delivery) int64 {
	const record, attempt = 512, 192
	strs := len(id) + len(dl.url) + len(dl.receiver) + len(dl.path) + len(dl.responseType) + len(dl.requestID) + len(dl.loginID) + len(dl.signature) + len(dl.duplicateOf)
	return int64(record+strs+len(dl.body)) + int64(max(dl.policy.Attempts, len(dl.attempts), 1))*attempt
}

// discardLocked forgets the state of a tenant that was reset: its pending
// deliveries stop, unsent.
func (d *Dispatcher) discardLocked(c *customer) {
	c.deliveries.Range(func(_ string, dl *delivery) bool {
		dl.stopTimer()
		if dl.state == pending {
			dl.end(dropped)
			dl.followers = nil
		}
		return true
	})
	c.deliveries.Close()
	if d.customers[c.owner.ID()] == c {
		delete(d.customers, c.owner.ID())
	}
}

// forgotLocked is told of each delivery the bounds forget: a pending one
// ends unsent, is logged, and releases the deliveries that waited for it.
func (d *Dispatcher) forgotLocked(_ string, dl *delivery) {
	if dl.state != pending {
		return
	}
	d.cfg.Log.Warn("webhook delivery forgotten to stay within the bound of deliveries kept", "customerId", dl.owner.ID(), "deliveryId", dl.id, "url", dl.url)
	dl.stopTimer()
	dl.end(dropped)
	d.released = append(d.released, d.releaseLocked(dl)...)
}

// runReleasedLocked starts the deliveries the bounds released, on a
// goroutine of their own.
func (d *Dispatcher) runReleasedLocked() {
	if len(d.released) > 0 {
		due := d.released
		d.released = nil
		go d.run(due)
	}
}

// Shutdown stops the dispatcher: no attempt starts any more, the attempts
// in flight finish (until ctx ends; then they are cancelled), and every
// delivery left undelivered is logged.
func (d *Dispatcher) Shutdown(ctx context.Context) {
	d.mu.Lock()
	d.closed = true
	for _, c := range d.customers {
		c.deliveries.Range(func(_ string, dl *delivery) bool {
			dl.stopTimer()
			return true
		})
	}
	d.mu.Unlock()
	done := make(chan struct{})
	go func() {
		d.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		d.cancel()
		<-done
	}
	d.cancel()
	d.client.CloseIdleConnections()
	d.logUndelivered()
}

// logUndelivered logs every delivery of a live customer left pending.
func (d *Dispatcher) logUndelivered() {
	d.mu.Lock()
	defer d.mu.Unlock()
	left := d.selectLocked("", func(dl *delivery) bool { return dl.state == pending })
	for _, dl := range left {
		attrs := []any{"customerId", dl.owner.ID(), "deliveryId", dl.id, "url", dl.url, "responseType", dl.responseType,
			"requestId", dl.requestID, "attempts", len(dl.attempts)}
		if !dl.due.IsZero() {
			attrs = append(attrs, "nextAttempt", dl.due)
		}
		if n := len(dl.attempts); n > 0 {
			attrs = append(attrs, "lastError", dl.attempts[n-1].Error)
		}
		d.cfg.Log.Warn("webhook not delivered before shutdown", attrs...)
	}
	if len(left) > 0 {
		d.cfg.Log.Warn("webhooks left undelivered at shutdown", "count", len(left))
	}
}
