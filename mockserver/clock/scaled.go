package clock

import (
	"fmt"
	"math"
	"time"
)

// Scaled is a clock that runs faster (or slower) than the wall clock by a
// fixed factor: with scale 0.01 one real second is 100 seconds on the
// clock. Everything the mock times in the guide's units (a 30-minute
// token lifetime, a 2-minute run of 202s, a 30-minute webhook retry) then
// takes scale times as long in real time, while journal times stay in the
// guide's units, so rules such as "poll no more often than every 10 s"
// still read 10 s. It is safe for concurrent use.
type Scaled struct {
	start  time.Time // the clock's reading at origin
	origin time.Time // wall time (with its monotonic reading) at creation
	scale  float64
}

// NewScaled returns a clock that shows start now and then moves 1/scale
// seconds per real second. scale must be positive and finite.
func NewScaled(start time.Time, scale float64) (*Scaled, error) {
	if !(scale > 0) || math.IsInf(scale, 0) {
		return nil, fmt.Errorf("time scale %v: use a positive number such as 0.01 (one real second is 100 seconds of mock time) or 1 (real time)", scale)
	}
	return &Scaled{start: start, origin: time.Now(), scale: scale}, nil
}

// Scale returns real seconds per clock second.
func (s *Scaled) Scale() float64 { return s.scale }

// Now returns the clock's time. It never goes backwards: it is derived
// from the monotonic reading of the wall clock.
func (s *Scaled) Now() time.Time {
	return s.start.Add(s.ToClock(time.Since(s.origin)))
}

// AfterFunc runs f in its own goroutine once d has passed on this clock,
// that is after d*scale of real time.
func (s *Scaled) AfterFunc(d time.Duration, f func()) Timer {
	return time.AfterFunc(s.ToReal(d), f)
}

// ToReal converts a duration on this clock to real time, rounding up so
// that a client sleeping the result never wakes before d has passed on the
// clock.
func (s *Scaled) ToReal(d time.Duration) time.Duration {
	return time.Duration(math.Ceil(float64(d) * s.scale))
}

// ToClock converts a real duration to a duration on this clock.
func (s *Scaled) ToClock(real time.Duration) time.Duration {
	return time.Duration(float64(real) / s.scale)
}
