package session

import (
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

var (
	t0   = time.Date(2026, 11, 2, 15, 4, 5, 0, time.UTC)
	idle = 10 * time.Minute
	life = 30 * time.Minute
	lim  = Limits{Idle: idle, Lifetime: life}

	question = scenarios.Challenge{Type: scenarios.ChallengeQuestionAndAnswer, Prompt: "City?", Answers: []string{"Montreal"}}
	second   = scenarios.Challenge{Type: scenarios.ChallengeQuestionAndAnswer, Prompt: "Pet?", Answers: []string{"Cat"}}
	twoRound = &scenarios.MFA{Rounds: []scenarios.Round{{Challenges: []scenarios.Challenge{question}}, {Challenges: []scenarios.Challenge{second}}}}
)

// TestTransitions plays every event on every state a session can be in.
func TestTransitions(t *testing.T) {
	states := map[string]State{
		"waiting":            Open(twoRound, 0, t0),
		"waiting, idle":      Open(twoRound, 0, t0.Add(-idle)),
		"waiting, round 2":   {Phase: WaitingMFA, Round: 1, Asked: []scenarios.Challenge{second}, LastSeen: t0},
		"authorized":         Open(nil, 0, t0),
		"authorized, unused": Open(nil, 0, t0.Add(-life)),
		"expired":            {Phase: Expired, LastSeen: t0},
		"ended":              {Phase: Ended, LastSeen: t0},
	}
	right := map[string][]string{"City?": {"montreal"}}
	type want struct {
		phase Phase
		code  string
		round int
	}
	events := map[string]func(State) (State, *Failure){
		"right answer": func(s State) (State, *Failure) { return Answer(s, twoRound, right, t0, lim) },
		"wrong answer": func(s State) (State, *Failure) {
			return Answer(s, twoRound, map[string][]string{"City?": {"Paris"}}, t0, lim)
		},
		"unknown key": func(s State) (State, *Failure) {
			return Answer(s, twoRound, map[string][]string{"Town?": {"x"}}, t0, lim)
		},
		"no answer": func(s State) (State, *Failure) { return Answer(s, twoRound, map[string][]string{}, t0, lim) },
		"last answer": func(s State) (State, *Failure) {
			return Answer(s, twoRound, map[string][]string{"Pet?": {"cat"}}, t0, lim)
		},
		"data call":     func(s State) (State, *Failure) { return Data(s, t0, lim) },
		"Connect visit": func(s State) (State, *Failure) { return Resume(s, t0, lim) },
		"time out":      func(s State) (State, *Failure) { return TimeOut(s), nil },
	}
	table := map[string]map[string]want{
		"waiting": {
			"right answer":  {WaitingMFA, "", 1},
			"wrong answer":  {WaitingMFA, CodeWrongAnswer, 0},
			"unknown key":   {WaitingMFA, CodeUnknownKey, 0},
			"no answer":     {WaitingMFA, CodeIncomplete, 0},
			"last answer":   {WaitingMFA, CodeUnknownKey, 0},
			"data call":     {WaitingMFA, CodeUnauthorized, 0},
			"Connect visit": {WaitingMFA, "", 0},
			"time out":      {Expired, "", 0},
		},
		"waiting, idle": {
			"right answer":  {Expired, CodeExpired, 0},
			"wrong answer":  {Expired, CodeExpired, 0},
			"unknown key":   {Expired, CodeExpired, 0},
			"no answer":     {Expired, CodeExpired, 0},
			"last answer":   {Expired, CodeExpired, 0},
			"data call":     {Expired, CodeExpired, 0},
			"Connect visit": {Expired, CodeExpired, 0},
			"time out":      {Expired, "", 0},
		},
		"waiting, round 2": {
			"right answer":  {WaitingMFA, CodeUnknownKey, 1},
			"wrong answer":  {WaitingMFA, CodeUnknownKey, 1},
			"unknown key":   {WaitingMFA, CodeUnknownKey, 1},
			"no answer":     {WaitingMFA, CodeIncomplete, 1},
			"last answer":   {Authorized, "", 2},
			"data call":     {WaitingMFA, CodeUnauthorized, 1},
			"Connect visit": {WaitingMFA, "", 1},
			"time out":      {Expired, "", 1},
		},
		"authorized": {
			"right answer":  {Authorized, CodeAlreadyAuthorized, 0},
			"wrong answer":  {Authorized, CodeAlreadyAuthorized, 0},
			"unknown key":   {Authorized, CodeAlreadyAuthorized, 0},
			"no answer":     {Authorized, CodeAlreadyAuthorized, 0},
			"last answer":   {Authorized, CodeAlreadyAuthorized, 0},
			"data call":     {Authorized, "", 0},
			"Connect visit": {Authorized, CodeAlreadyAuthorized, 0},
			"time out":      {Expired, "", 0},
		},
		"authorized, unused": {
			"right answer":  {Ended, CodeNonexistent, 0},
			"wrong answer":  {Ended, CodeNonexistent, 0},
			"unknown key":   {Ended, CodeNonexistent, 0},
			"no answer":     {Ended, CodeNonexistent, 0},
			"last answer":   {Ended, CodeNonexistent, 0},
			"data call":     {Ended, CodeNonexistent, 0},
			"Connect visit": {Ended, CodeNonexistent, 0},
			"time out":      {Expired, "", 0},
		},
		"ended": {
			"right answer":  {Ended, CodeNonexistent, 0},
			"wrong answer":  {Ended, CodeNonexistent, 0},
			"unknown key":   {Ended, CodeNonexistent, 0},
			"no answer":     {Ended, CodeNonexistent, 0},
			"last answer":   {Ended, CodeNonexistent, 0},
			"data call":     {Ended, CodeNonexistent, 0},
			"Connect visit": {Ended, CodeNonexistent, 0},
			"time out":      {Ended, "", 0},
		},
		"expired": {
			"right answer":  {Expired, CodeExpired, 0},
			"wrong answer":  {Expired, CodeExpired, 0},
			"unknown key":   {Expired, CodeExpired, 0},
			"no answer":     {Expired, CodeExpired, 0},
			"last answer":   {Expired, CodeExpired, 0},
			"data call":     {Expired, CodeExpired, 0},
			"Connect visit": {Expired, CodeExpired, 0},
			"time out":      {Expired, "", 0},
		},
	}
	for stateName, st := range states {
		if len(table[stateName]) != len(events) {
			t.Fatalf("state %q: %d events in the table, want all %d", stateName, len(table[stateName]), len(events))
		}
		for eventName, event := range events {
			w := table[stateName][eventName]
			t.Run(stateName+"/"+eventName, func(t *testing.T) {
				got, f := event(st)
				code := ""
				if f != nil {
					code = f.Code
				}
				if got.Phase != w.phase || code != w.code || got.Round != w.round {
					t.Errorf("phase %d, code %q, round %d; want phase %d, code %q, round %d", got.Phase, code, got.Round, w.phase, w.code, w.round)
				}
				if got.Phase == WaitingMFA && w.round == 1 && (len(got.Asked) != 1 || got.Asked[0].Prompt != "Pet?") {
					t.Errorf("round 2 asks %v, want the second round's challenge", got.Asked)
				}
				if got.Phase == Authorized && got.Asked != nil {
					t.Errorf("an authorized session still asks %v", got.Asked)
				}
			})
		}
	}
}

// TestAnswersRefreshTheIdleTimeout: an answer, right or wrong, counts as
// activity; a data call or a Connect visit does not.
func TestAnswersRefreshTheIdleTimeout(t *testing.T) {
	st := Open(twoRound, 0, t0)
	later := t0.Add(idle - time.Second)
	st, _ = Answer(st, twoRound, map[string][]string{"City?": {"Paris"}}, later, lim)
	if !st.LastSeen.Equal(later) {
		t.Errorf("a wrong answer left LastSeen at %s", st.LastSeen)
	}
	st, _ = Data(st, later.Add(time.Second), lim)
	st, _ = Resume(st, later.Add(2*time.Second), lim)
	if !st.LastSeen.Equal(later) || st.Phase != WaitingMFA {
		t.Errorf("data and Connect moved LastSeen to %s (phase %d)", st.LastSeen, st.Phase)
	}
}

// TestDataCallsKeepAnAuthorizedSessionAlive: the lifetime of an
// authorized session counts from its last use, so a client that keeps
// calling keeps its RequestId, and one that caches it loses it.
func TestDataCallsKeepAnAuthorizedSessionAlive(t *testing.T) {
	st := Open(nil, 0, t0)
	at := t0
	for range 3 {
		at = at.Add(life - time.Second)
		var f *Failure
		if st, f = Data(st, at, lim); f != nil {
			t.Fatalf("a data call %s after the last one: %s", life-time.Second, f.Code)
		}
	}
	if _, f := Data(st, at.Add(life), lim); f == nil || f.Code != CodeNonexistent {
		t.Errorf("a data call %s after the last one: %v, want %s", life, f, CodeNonexistent)
	}
}

func TestPickChallenges(t *testing.T) {
	a, b, c := scenarios.Challenge{Prompt: "a"}, scenarios.Challenge{Prompt: "b"}, scenarios.Challenge{Prompt: "c"}
	round := scenarios.Round{Pick: 1, Challenges: []scenarios.Challenge{a, b, c}}
	for n, want := range []string{"a", "b", "c", "a"} {
		if got := PickChallenges(round, n); len(got) != 1 || got[0].Prompt != want {
			t.Errorf("session %d is asked %v, want %s", n, got, want)
		}
	}
	if got := PickChallenges(scenarios.Round{Challenges: []scenarios.Challenge{a, b}}, 3); len(got) != 2 {
		t.Errorf("a round without Pick asks %v, want both", got)
	}
}

func TestCursor(t *testing.T) {
	steps := []scenarios.Step{
		{Respond: scenarios.RespondPending, Calls: 2},
		{Respond: scenarios.RespondDispatched, For: scenarios.Duration(time.Minute)},
		{Respond: scenarios.RespondReady},
	}
	var c Cursor
	at := func(d time.Duration) string { return c.Next(steps, t0.Add(d)).Respond }
	for i, want := range []struct {
		d       time.Duration
		respond string
	}{
		{0, "pending"}, {time.Second, "pending"}, {2 * time.Second, "dispatched"},
		{50 * time.Second, "dispatched"}, {62 * time.Second, "ready"}, {time.Hour, "ready"},
	} {
		if got := at(want.d); got != want.respond {
			t.Errorf("call %d at +%s answered %s, want %s", i+1, want.d, got, want.respond)
		}
	}
}
