package mockserver

import (
	"sync"
	"time"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

// phase is where a Flinks session (a RequestId) stands.
type phase int

const (
	// phaseMFA: /Authorize answered 203 and waits for SecurityResponses.
	phaseMFA phase = iota
	// phaseAuthorized: /Authorize answered 200; data may be requested.
	phaseAuthorized
	// phaseExpired: idle too long during MFA, or processing took too long.
	phaseExpired
)

// session is one RequestId and what happened to it.
type session struct {
	id    string
	login *scenarios.Login
	inst  *scenarios.Institution
	tag   string
	// lastRefresh is Login.LastRefresh as Flinks writes it (UTC, no Z).
	lastRefresh string

	mu       sync.Mutex
	phase    phase
	round    int                   // MFA round being asked
	pick     int                   // which group of challenges rounds with Pick ask
	seq      uint64                // number in the session budget, guarded by the tenant's mu
	asked    []scenarios.Challenge // challenges of that round
	lastSeen time.Time             // last /Authorize activity, for the idle timeout
	detail   operation             // GetAccountsDetail and its Async
	summary  operation             // GetAccountsSummary and its Async
}

// operation is one data request of a session: where it is in its steps and,
// once ready, its encoded 200 body, built once and reused for every poll.
type operation struct {
	started time.Time // zero until the first call
	cursor  cursor
	opts    dataOptions
	body    payload
	last    string    // Respond of the last step answered
	webhook opWebhook // the webhook sent when the data is ready
}

// cursor walks a sequence of steps. A step lasts Calls calls, or For from
// the first call it answers, or one call; the last step repeats for ever.
type cursor struct {
	index int
	calls int       // calls the current step has answered
	since time.Time // when the current step first answered
}

// next returns the step that answers a call made at now, and moves on.
func (c *cursor) next(steps []scenarios.Step, now time.Time) scenarios.Step {
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
