// Package session is the flow of one Flinks session (a RequestId) as pure
// transitions: a State and the events that move it (Open, Answer, Data,
// Resume, TimeOut), with no HTTP, no clock and no lock. The /Authorize
// handler, the data endpoints and the Connect page all move a session
// through these functions, so a rule such as the idle timeout of a session
// waiting for MFA answers is written once.
//
// The package also holds the session record the server keeps (Session,
// with its data Operations) and the step walker of the data endpoints.
package session

import (
	"time"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

// Phase is where a session stands.
type Phase int

const (
	// WaitingMFA: /Authorize answered 203 and waits for SecurityResponses.
	WaitingMFA Phase = iota
	// Authorized: /Authorize answered 200; data may be requested.
	Authorized
	// Expired: idle too long during MFA, or processing took too long.
	Expired
)

// FlinksCodes the transitions answer with.
const (
	CodeExpired           = "SESSION_EXPIRED"
	CodeAlreadyAuthorized = "ALREADY_AUTHORIZED"
	CodeUnauthorized      = "UNAUTHORIZED"
	CodeNonexistent       = "SESSION_NONEXISTENT"
	CodeUnknownKey        = "UNKNOWN_CHALLENGE_KEY"
	CodeIncomplete        = "SECURITYRESPONSES_INCOMPLETE"
	CodeWrongAnswer       = "INVALID_SECURITY_RESPONSE"
)

// State is what a session knows of its authorization. Only the functions
// of this package change it.
type State struct {
	Phase Phase
	// Round is the MFA round being asked, Pick which group of challenges
	// rounds with Pick ask, and Asked the challenges of that round.
	Round int
	Pick  int
	Asked []scenarios.Challenge
	// LastSeen is the last /Authorize activity, for the idle timeout.
	LastSeen time.Time
}

// Failure is an event a session refuses: a FlinksCode and, when the
// code's default will not do, a message for the person reading it.
type Failure struct {
	Code    string
	Message string
}

// Open is the state of a session an authorize step opens at now: waiting
// for the answers to the first round of mfa, the pick-th group of its
// challenges, or authorized when mfa is nil (not asked).
func Open(mfa *scenarios.MFA, pick int, now time.Time) State {
	if mfa == nil {
		return State{Phase: Authorized, LastSeen: now}
	}
	return State{Phase: WaitingMFA, Pick: pick, Asked: PickChallenges(mfa.Rounds[0], pick), LastSeen: now}
}

// idle is the rule every event applies first: a session that has waited
// for its MFA answers for idle or longer has expired.
func (s State) idle(now time.Time, idle time.Duration) State {
	if s.Phase == WaitingMFA && now.Sub(s.LastSeen) >= idle {
		s.Phase = Expired
	}
	return s
}

// Answer is the event "the SecurityResponses of the round asked arrive".
// Right answers move the session to its next round of mfa, or authorize
// it after the last one; wrong ones leave it waiting, with the failure.
func Answer(s State, mfa *scenarios.MFA, responses map[string][]string, now time.Time, idle time.Duration) (State, *Failure) {
	s = s.idle(now, idle)
	switch s.Phase {
	case Expired:
		return s, &Failure{Code: CodeExpired}
	case Authorized:
		return s, &Failure{Code: CodeAlreadyAuthorized}
	}
	s.LastSeen = now
	if f := checkAnswers(s.Asked, responses); f != nil {
		return s, f
	}
	s.Round++
	if s.Round < len(mfa.Rounds) {
		s.Asked = PickChallenges(mfa.Rounds[s.Round], s.Pick)
		return s, nil
	}
	s.Phase, s.Asked = Authorized, nil
	return s, nil
}

// Data is the event "a data endpoint is called for the session": only an
// authorized session has data.
func Data(s State, now time.Time, idle time.Duration) (State, *Failure) {
	s = s.idle(now, idle)
	switch s.Phase {
	case Expired:
		return s, &Failure{Code: CodeExpired}
	case WaitingMFA:
		return s, &Failure{Code: CodeUnauthorized}
	}
	return s, nil
}

// Resume is the event "the Connect page asks again for the challenges the
// session waits on" (its requestId parameter, or a wrong answer to retry):
// they are s.Asked when it returns no failure.
func Resume(s State, now time.Time, idle time.Duration) (State, *Failure) {
	s = s.idle(now, idle)
	switch s.Phase {
	case Authorized:
		return s, &Failure{Code: CodeAlreadyAuthorized}
	case Expired:
		return s, &Failure{Code: CodeExpired}
	}
	return s, nil
}

// TimeOut is the event "a data request was still processing when its
// processing timeout passed": the session expires.
func TimeOut(s State) State {
	s.Phase = Expired
	return s
}
