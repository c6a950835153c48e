package webhook

import (
	"errors"

	"github.com/flinks-mock/flinks-mock/mockserver/admin"
)

// Errors of Resend.
var (
	// ErrNoDelivery: no live customer holds a delivery of this id (never
	// made, forgotten by the bounds, or its customer reset).
	ErrNoDelivery = errors.New("no delivery with this id")
	// ErrBusy: an attempt of the delivery is in flight or waits for its
	// place or for the delivery it follows.
	ErrBusy = errors.New("an attempt of the delivery is in flight or waiting")
)

// Resend makes a new attempt of a delivery now: the same body and
// signature to the same URL, recorded as the delivery's next attempt and
// journalled like the others, and returns the delivery after it. A
// delivery still pending makes its next attempt now, and its retries
// follow as before. An ended one (delivered, failed, dropped) makes this
// one attempt and no retry: a 200 delivers it; otherwise a delivered one
// stays delivered and the others fail.
func (d *Dispatcher) Resend(id string) (admin.Delivery, error) {
	dl, err := d.reopen(id)
	if err != nil {
		return admin.Delivery{}, err
	}
	d.run([]*delivery{dl})
	d.mu.Lock()
	defer d.mu.Unlock()
	return dl.view(), nil
}

// reopen finds the delivery of id and readies it for an attempt now.
func (d *Dispatcher) reopen(id string) (*delivery, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, ErrClosed
	}
	dl := d.findLocked(id)
	switch {
	case dl == nil:
		return nil, ErrNoDelivery
	case dl.inFlight || dl.queued || dl.waiting:
		return nil, ErrBusy
	}
	if dl.state != pending {
		dl.reopened, dl.state = dl.state, pending
	}
	dl.resent = true
	return dl, nil
}

// findLocked returns the delivery of id of a live customer, counting the
// look-up as a use, or nil. Callers hold d.mu.
func (d *Dispatcher) findLocked(id string) *delivery {
	for _, c := range d.customers {
		if !c.owner.Live() {
			continue
		}
		if dl, ok := c.deliveries.Get(id); ok {
			return dl
		}
	}
	return nil
}

// afterResend is the state of a reopened delivery whose re-sent attempt
// got no 200: a delivered one stays delivered, any other fails.
func afterResend(before string) string {
	if before == delivered {
		return delivered
	}
	return failed
}

// Payload returns the body a delivery of a customer sends (with its
// signature, as its attempts carry it), as long as the delivery is kept;
// the caller must not change it. Looking is no use of the delivery.
func (d *Dispatcher) Payload(customerID, id string) (body []byte, signature string, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	c := d.customers[customerID]
	if c == nil || !c.owner.Live() {
		return nil, "", false
	}
	dl, ok := c.deliveries.Peek(id)
	if !ok {
		return nil, "", false
	}
	return dl.body, dl.signature, true
}
