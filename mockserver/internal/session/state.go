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
	// Ended: an authorized session unused for its lifetime; Flinks no
	// longer knows its RequestId.
	Ended
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
	// LastSeen is the last /Authorize activity while waiting for MFA, for
	// the idle timeout; once authorized, the last use of the session (its
	// authorization or a data call), for its lifetime.
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

// Limits are how long a session lasts: Idle while it waits for MFA
// answers, Lifetime once authorized, counted from its last use.
type Limits struct {
	Idle     time.Duration
	Lifetime time.Duration
}

// age is the rule every event applies first: a session that has waited
// for its MFA answers for Idle or longer has expired, and an authorized
// one unused for Lifetime or longer has ended.
func (s State) age(now time.Time, l Limits) State {
	switch {
	case s.Phase == WaitingMFA && now.Sub(s.LastSeen) >= l.Idle:
		s.Phase = Expired
	case s.Phase == Authorized && l.Lifetime > 0 && now.Sub(s.LastSeen) >= l.Lifetime:
		s.Phase = Ended
	}
	return s
}

// Answer is the event "the SecurityResponses of the round asked arrive".
// Right answers move the session to its next round of mfa, or authorize
// it after the last one; wrong ones leave it waiting, with the failure.
func Answer(s State, mfa *scenarios.MFA, responses map[string][]string, now time.Time, l Limits) (State, *Failure) {
	s = s.age(now, l)
	switch s.Phase {
	case Ended:
		return s, &Failure{Code: CodeNonexistent}
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
// authorized session has data, and the call is a use that restarts its
// lifetime.
func Data(s State, now time.Time, l Limits) (State, *Failure) {
	s = s.age(now, l)
	switch s.Phase {
	case Ended:
		return s, &Failure{Code: CodeNonexistent}
	case Expired:
		return s, &Failure{Code: CodeExpired}
	case WaitingMFA:
		return s, &Failure{Code: CodeUnauthorized}
	}
	s.LastSeen = now
	return s, nil
}

// Resume is the event "the Connect page asks again for the challenges the
// session waits on" (its requestId parameter, or a wrong answer to retry):
// they are s.Asked when it returns no failure.
func Resume(s State, now time.Time, l Limits) (State, *Failure) {
	s = s.age(now, l)
	switch s.Phase {
	case Ended:
		return s, &Failure{Code: CodeNonexistent}
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
	if s.Phase != Ended {
		s.Phase = Expired
	}
	return s
}

// LimitsOf returns the limits a library's settings give its sessions.
func LimitsOf(s scenarios.Settings) Limits {
	return Limits{Idle: s.AuthorizeIdleTimeout.D(), Lifetime: s.SessionLifetime.D()}
}
