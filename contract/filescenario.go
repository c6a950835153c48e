package contract

import (
	"slices"
	"time"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

// ScenarioOf returns the scenario that runs an integration on a login of
// the user's own scenario files (or of a recorded session): cached data
// when the login asks no MFA, a live refresh when it does, and the outcome
// its scripted answers call for. The outcome is read from the login's
// steps: the FlinksCode of each error step of /Authorize and
// /GetAccountsDetail is an acceptable report; the accounts are wanted
// unless a sequence ends on an error, or on 202s that last past the
// 30-minute deadline (then a timeout is wanted).
func ScenarioOf(login *scenarios.Login) Scenario {
	sc := Scenario{
		Name:             login.Name,
		Login:            login.Name,
		MostRecentCached: login.MFA == nil,
		What:             "the login " + login.Name + " of " + orText(login.Origin, "a scenario file"),
	}
	if login.Description != "" {
		sc.What += ": " + login.Description
	}
	ready := true
	add := func(code string) {
		if code != "" && !slices.Contains(sc.Want.FlinksCodes, code) {
			sc.Want.FlinksCodes = append(sc.Want.FlinksCodes, code)
		}
	}
	for i, st := range login.Authorize {
		if st.Respond == "error" {
			add(st.FlinksCode)
			if i == len(login.Authorize)-1 {
				ready = false
			}
		}
	}
	var pending time.Duration
	for i, st := range login.AccountsDetail {
		last := i == len(login.AccountsDetail)-1
		switch st.Respond {
		case "error":
			add(st.FlinksCode)
			if last {
				ready = false
			}
		case "pending", "dispatched":
			if last {
				pending = DefaultDeadline // for ever
				break
			}
			pending += st.For.D() + time.Duration(max(st.Calls, 1))*DefaultMinPollInterval
		}
	}
	switch {
	case pending >= DefaultDeadline+DefaultMinPollInterval:
		sc.Want.Timeout = true
		ready = false
	case pending >= DefaultDeadline-2*DefaultMinPollInterval:
		// Near the deadline: the data or a timeout, by a poll.
		sc.Want.Timeout = true
	}
	sc.Want.Accounts = ready
	return sc
}
