package session

import (
	"time"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

// PollInterval is the pace of Async polls the Flinks guide asks for. When
// the mock works out when a data request is ready for a client that never
// polls, each call of a call-counted step counts as one poll this long.
const PollInterval = 10 * time.Second

// Cursor walks a sequence of steps. A step lasts Calls calls, or For from
// the first call it answers, or one call; the last step repeats for ever.
type Cursor struct {
	index int
	calls int       // calls the current step has answered
	since time.Time // when the current step first answered
}

// At returns a cursor on the index-th step, which has answered no call.
func At(index int) Cursor { return Cursor{index: index} }

// Next returns the step that answers a call made at now, and moves on.
func (c *Cursor) Next(steps []scenarios.Step, now time.Time) scenarios.Step {
	for {
		st := steps[c.index]
		if c.index == len(steps)-1 {
			return st
		}
		if st.For > 0 {
			if c.since.IsZero() {
				c.since = now
			}
			if now.Sub(c.since) < st.For.D() {
				return st
			}
		} else {
			limit := max(st.Calls, 1)
			if c.calls < limit {
				c.calls++
				return st
			}
		}
		c.index++
		c.calls = 0
		c.since = time.Time{}
	}
}

// ReadyAfter says how long after the first call a sequence of data steps
// is ready without polls, and which step is the ready one: a for step
// counts its duration, each call of a call-counted step one PollInterval.
// It reports false when the sequence ends in an error, which sends no data.
func ReadyAfter(steps []scenarios.Step) (time.Duration, int, bool) {
	var d time.Duration
	for i, st := range steps {
		switch {
		case st.Respond == scenarios.RespondReady:
			return d, i, true
		case i == len(steps)-1:
			return 0, 0, false
		case st.For > 0:
			d += st.For.D()
		default:
			d += time.Duration(max(st.Calls, 1)) * PollInterval
		}
	}
	return 0, 0, false
}
