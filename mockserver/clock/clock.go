// Package clock gives the mock server one source of time that tests can
// replace: the real clock, or a virtual one that moves only when told to.
package clock

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// Clock tells the time and runs functions later. Token expiry, session
// expiry, timed 202 steps and webhook schedules all read the server's Clock.
type Clock interface {
	Now() time.Time
	// AfterFunc runs f once d has passed on this clock (at once when d <= 0).
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a function scheduled by AfterFunc.
type Timer interface {
	// Stop cancels the call; it reports false when f already ran or was
	// stopped.
	Stop() bool
}

// Real is the wall clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// AfterFunc runs f in its own goroutine after d of real time.
func (Real) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// Virtual is a clock that stands still until Advance or Set moves it, so a
// test of a 30-minute timeout takes milliseconds. It is safe for concurrent
// use.
type Virtual struct {
	mu     sync.Mutex
	now    time.Time
	timers []*virtualTimer // pending, in no particular order
	seq    uint64          // orders timers due at the same instant
}

type virtualTimer struct {
	v    *Virtual
	due  time.Time
	seq  uint64
	f    func()
	done bool
}

// Stop cancels the timer.
func (t *virtualTimer) Stop() bool {
	t.v.mu.Lock()
	defer t.v.mu.Unlock()
	if t.done {
		return false
	}
	t.done = true
	t.v.timers = slices.DeleteFunc(t.v.timers, func(o *virtualTimer) bool { return o == t })
	return true
}

// AfterFunc runs f when the clock reaches now+d: at once (in its own
// goroutine) when d <= 0, otherwise during the Advance or Set that gets
// there, before that call returns, in the order the functions are due. f
// should be quick: it runs on the goroutine that moves the clock.
func (v *Virtual) AfterFunc(d time.Duration, f func()) Timer {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.seq++
	t := &virtualTimer{v: v, due: v.now.Add(d), seq: v.seq, f: f}
	if d <= 0 {
		t.done = true
		go f()
		return t
	}
	v.timers = append(v.timers, t)
	return t
}

// moveTo moves the clock to target, stopping at each timer due on the way:
// the clock shows the timer's time while its function runs, so functions
// that schedule more (a retry 30 minutes later) see the right time, and
// those new timers fire too if they are due by target.
func (v *Virtual) moveTo(target time.Time) {
	for {
		v.mu.Lock()
		var next *virtualTimer
		for _, t := range v.timers {
			if !t.due.After(target) && (next == nil || t.due.Before(next.due) || (t.due.Equal(next.due) && t.seq < next.seq)) {
				next = t
			}
		}
		if next == nil {
			v.now = target
			v.mu.Unlock()
			return
		}
		if next.due.After(v.now) {
			v.now = next.due
		}
		next.done = true
		v.timers = slices.DeleteFunc(v.timers, func(o *virtualTimer) bool { return o == next })
		v.mu.Unlock()
		next.f()
	}
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

// Advance moves the clock forward by d, running the functions due on the
// way, and returns the new time.
func (v *Virtual) Advance(d time.Duration) (time.Time, error) {
	if d < 0 {
		return time.Time{}, fmt.Errorf("advance by %s: a virtual clock only moves forward", d)
	}
	v.mu.Lock()
	target := v.now.Add(d)
	v.mu.Unlock()
	v.moveTo(target)
	return target, nil
}

// Set moves the clock to t, which must not be before the current time,
// running the functions due on the way.
func (v *Virtual) Set(t time.Time) error {
	v.mu.Lock()
	if t.Before(v.now) {
		now := v.now
		v.mu.Unlock()
		return fmt.Errorf("set clock to %s: it already shows %s and a virtual clock only moves forward", t.Format(time.RFC3339), now.Format(time.RFC3339))
	}
	v.mu.Unlock()
	v.moveTo(t)
	return nil
}
