package inspector

import (
	"math"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// The places of a session in the flow, as the state diagram draws them.
const (
	stateWaiting    = "waiting-mfa"
	stateAuthorized = "authorized"
	stateProcessing = "processing"
	stateReady      = "ready"
	stateExpired    = "expired"
)

// flowStates are the states of the diagram, in the order of the flow.
var flowStates = []string{stateWaiting, stateAuthorized, stateProcessing, stateReady, stateExpired}

// place is where a session stands: its state and, while processing, how
// many polls were answered 202 out of how many its steps take (Of 0 when
// the steps never become ready).
type place struct {
	State string
	Polls int
	Of    int
}

// placeOf reads where a locked session stands at now: its state aged as
// the next request would see it, and, while a data request processes,
// its progress from the tenant's journal.
func placeOf(s *session.Session, now time.Time, limits session.Limits, entries []journal.Entry) place {
	st, f := session.Data(s.State, now, limits)
	switch {
	case f != nil && (st.Phase == session.Expired || st.Phase == session.Ended):
		return place{State: stateExpired}
	case st.Phase == session.WaitingMFA:
		return place{State: stateWaiting}
	case s.Detail.Ready() || s.Summary.Ready() || s.Statements.Ready():
		return place{State: stateReady}
	}
	steps := startedSteps(s)
	if steps == nil {
		return place{State: stateAuthorized}
	}
	polls := 0
	for i := range entries {
		if entries[i].RequestID == s.ID && entries[i].Kind == journal.KindRequest && entries[i].Status == 202 {
			polls++
		}
	}
	return place{State: stateProcessing, Polls: polls, Of: pollsUntilReady(steps)}
}

// startedSteps returns the steps of the data request the session started
// (GetAccountsDetail first), nil when none started.
func startedSteps(s *session.Session) []scenarios.Step {
	switch {
	case !s.Detail.Started.IsZero():
		return s.Login.AccountsDetail
	case !s.Summary.Started.IsZero():
		return s.Login.AccountsSummary
	case !s.Statements.Started.IsZero():
		return s.Login.Statements
	}
	return nil
}

// pollsUntilReady is how many calls steps answer 202 before the ready
// one: each call of a call-counted step, and one per poll interval of a
// timed one; 0 when the steps end in an error.
func pollsUntilReady(steps []scenarios.Step) int {
	n := 0
	for i, st := range steps {
		switch {
		case st.Respond == scenarios.RespondReady:
			return n
		case i == len(steps)-1:
			return 0
		case st.For > 0:
			n += int(math.Ceil(float64(st.For.D()) / float64(session.PollInterval)))
		default:
			n += max(st.Calls, 1)
		}
	}
	return 0
}
