// Package clock gives the mock server one source of time that tests can
// replace: the real clock, or a virtual one that moves only when told to.
package clock

import (
	"container/heap"
	"fmt"
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
// test of a 30-minute timeout takes milliseconds. Its pending timers are
// kept in a heap by due time. It is safe for concurrent use.
type Virtual struct {
	mu     sync.Mutex
	now    time.Time
	timers timerHeap // pending, the next due first
	seq    uint64    // orders timers due at the same instant
}

type virtualTimer struct {
	v     *Virtual
	due   time.Time
	seq   uint64
	f     func()
	index int // in v.timers; -1 once fired or stopped
}

// Stop cancels the timer.
func (t *virtualTimer) Stop() bool {
	t.v.mu.Lock()
	defer t.v.mu.Unlock()
	if t.index < 0 {
		return false
	}
	heap.Remove(&t.v.timers, t.index)
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
	t := &virtualTimer{v: v, due: v.now.Add(d), seq: v.seq, f: f, index: -1}
	if d <= 0 {
		go f()
		return t
	}
	heap.Push(&v.timers, t)
	return t
}

// moveTo moves the clock to target, stopping at each timer due on the way:
// the clock shows the timer's time while its function runs, so functions
// that schedule more (a retry 30 minutes later) see the right time, and
// those new timers fire too if they are due by target.
func (v *Virtual) moveTo(target time.Time) {
	for {
		v.mu.Lock()
		if len(v.timers) == 0 || v.timers[0].due.After(target) {
			v.now = target
			v.mu.Unlock()
			return
		}
		next := heap.Pop(&v.timers).(*virtualTimer)
		if next.due.After(v.now) {
			v.now = next.due
		}
		v.mu.Unlock()
		next.f()
	}
}

// timerHeap orders pending timers by due time, then by creation.
type timerHeap []*virtualTimer

// Len, Less, Swap, Push and Pop make timerHeap a container/heap.
func (h timerHeap) Len() int { return len(h) }

// Less orders timers by due time, then by creation.
func (h timerHeap) Less(i, j int) bool {
	if h[i].due.Equal(h[j].due) {
		return h[i].seq < h[j].seq
	}
	return h[i].due.Before(h[j].due)
}

// Swap swaps two timers, keeping their indexes.
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}

// Push adds a timer.
func (h *timerHeap) Push(x any) {
	t := x.(*virtualTimer)
	t.index = len(*h)
	*h = append(*h, t)
}

// Pop removes the last timer, marking it no longer pending.
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.index = -1
	return t
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
