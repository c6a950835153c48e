// Package clock gives the mock server one source of time that tests can
// replace: the real clock, or a virtual one that moves only when told to.
package clock

import (
	"fmt"
	"sync"
	"time"
)

// Clock tells the time. Token expiry, session expiry, timed 202 steps and
// webhook schedules all read the server's Clock.
type Clock interface {
	Now() time.Time
}

// Real is the wall clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// Virtual is a clock that stands still until Advance or Set moves it, so a
// test of a 30-minute timeout takes milliseconds. It is safe for concurrent
// use.
type Virtual struct {
	mu  sync.Mutex
	now time.Time
}

// NewVirtual returns a virtual clock showing start.
func NewVirtual(start time.Time) *Virtual {
	return &Virtual{now: start}
}

// Now returns the clock's current time.
func (v *Virtual) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.now
}

// Advance moves the clock forward by d and returns the new time.
func (v *Virtual) Advance(d time.Duration) (time.Time, error) {
	if d < 0 {
		return time.Time{}, fmt.Errorf("advance by %s: a virtual clock only moves forward", d)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.now = v.now.Add(d)
	return v.now, nil
}

// Set moves the clock to t, which must not be before the current time.
func (v *Virtual) Set(t time.Time) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if t.Before(v.now) {
		return fmt.Errorf("set clock to %s: it already shows %s and a virtual clock only moves forward", t.Format(time.RFC3339), v.now.Format(time.RFC3339))
	}
	v.now = t
	return nil
}
