package tenancy

import (
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// refreshState is the scheduled (nightly) refresh of a login.
type refreshState struct {
	on    bool
	timer clock.Timer
	// last is the time of the last refresh attempt, lastError its
	// FlinksCode when it failed.
	last      time.Time
	lastError string
	// data is the login as its last successful refresh left it: its
	// accounts with the transactions each night added (nil: none yet).
	data *scenarios.Login
}

// Scheduled reports whether the login is under scheduled refresh.
func (ls *LoginState) Scheduled() bool {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.refresh.on
}

// Schedule turns the scheduled refresh of the login on or off. Turning it
// on calls arm, which returns the timer of the next refresh; turning it off
// stops that timer.
func (ls *LoginState) Schedule(on bool, arm func() clock.Timer) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.refresh.on == on {
		return
	}
	ls.refresh.on = on
	if ls.refresh.timer != nil {
		ls.refresh.timer.Stop()
		ls.refresh.timer = nil
	}
	if on {
		ls.refresh.timer = arm()
	}
}

// Refreshed records a refresh attempt of login at now (errCode empty: it
// succeeded, and the login's accounts gain the transactions of the day)
// and, when the refresh is still scheduled, arms the next one. It returns
// the login's data after the attempt.
func (ls *LoginState) Refreshed(now time.Time, errCode string, login *scenarios.Login, arm func() clock.Timer) *scenarios.Login {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	ls.refresh.last, ls.refresh.lastError = now, errCode
	if ls.refresh.data == nil {
		ls.refresh.data = login
	}
	if errCode == "" {
		ls.refreshed = now // a nightly refresh is an aggregation
		ls.refresh.data = ls.refresh.data.Refreshed(now)
	}
	if ls.refresh.on {
		ls.refresh.timer = arm()
	}
	return ls.refresh.data
}

// Data returns the login's data as this tenant holds it: as its last
// nightly refresh left it, or login itself when none has run.
func (ls *LoginState) Data(login *scenarios.Login) *scenarios.Login {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.refresh.data != nil {
		return ls.refresh.data
	}
	return login
}

// LastRefresh returns the time and FlinksCode of the last refresh attempt
// (zero time: none yet).
func (ls *LoginState) LastRefresh() (time.Time, string) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.refresh.last, ls.refresh.lastError
}

// ScheduledLogins calls f on the LoginId and state of each login of the
// tenant under scheduled refresh.
func (t *Tenant) ScheduledLogins(f func(loginID string, ls *LoginState)) {
	var ids []string
	var states []*LoginState
	t.logins.Range(func(id string, ls *LoginState) bool {
		ids, states = append(ids, id), append(states, ls)
		return true
	})
	for i, ls := range states {
		if ls.Scheduled() {
			f(ids[i], ls)
		}
	}
}

// KnowsLogin reports whether ls is still the tenant's state of the login
// (a reset, a DeleteCard or a scenario change forgets it).
func (t *Tenant) KnowsLogin(loginID string, ls *LoginState) bool {
	cur, ok := t.logins.Peek(loginID)
	return ok && cur == ls && t.Live()
}
