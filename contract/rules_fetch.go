package contract

import (
	"fmt"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// RequestTimeouts is FM016: the integration gives up on an answer that
// does not come within its request timeout.
func RequestTimeouts() Rule {
	return Rule{
		ID:        IDRequestTimeout,
		Statement: "Every request to Flinks has a timeout: the integration gives up on an answer that has not come within RequestTimeout (4 min, real time), then retries (with a fresh token for /Authorize) or reports the error; no request waits more than twice as long.",
		Guide:     "OPERATION_DISPATCHED: the sync request ran longer than 210 s and was moved to the background. [...] Sync request cut-over to OPERATION_DISPATCHED: 210 s.",
		Source:    "Flinks error codes and limits, in flinks-contract.md §3 and §7; the guide gives no client timeout, so 4 min, above the 210 s, is the mock's",
		check:     checkRequestTimeouts,
	}
}

func checkRequestTimeouts(entries []journal.Entry, o Options) (bool, []Violation) {
	var problems []Violation
	applicable := false
	limit := 2 * o.RequestTimeout
	for _, e := range requests(entries) {
		if e.Endpoint == "" {
			continue
		}
		if e.Latency >= o.RequestTimeout/2 {
			// An answer slow enough that a timeout could show.
			applicable = true
		}
		if e.Latency <= limit {
			continue
		}
		how := "and took the answer when it came"
		if e.Status == 0 {
			how = "and left without an answer only then"
		}
		problems = append(problems, Violation{
			Problem: fmt.Sprintf("the request to /%s hung: the integration waited %s for its answer %s, more than twice the %s it should wait (RequestTimeout, FLINKS_REQUEST_TIMEOUT); set a timeout on every request to Flinks, and when it fires retry (a fresh token for /Authorize) or report the error",
				e.Endpoint, seconds(e.Latency), how, seconds(o.RequestTimeout)),
			Entries: []journal.Entry{e},
		})
	}
	return applicable, problems
}

// RepeatFetchCached is FM017: once a login is linked, later fetches use
// its LoginId and the cached data, never its credentials again.
func RepeatFetchCached() Rule {
	return Rule{
		ID:        IDRepeatFetchCached,
		Statement: "Once a login is linked (an /Authorize for it answered 200), later fetches authorize with its stored LoginId and MostRecentCached true: never with its username and password again, nor, on a repeat fetch without the user, with a live refresh.",
		Guide:     "Store the loginId on your server. The loginId does not expire and is required for future data retrieval. [...] Use the loginId to call /Authorize with MostRecentCached: true, then proceed to /GetAccountsDetail.",
		Source:    "Flinks guide, Retrieve Account Data; the LoginId is sent \"with MostRecentCached: true for cached mode, which is the normal flow\" (flinks-contract.md §1)",
		check:     checkRepeatFetchCached,
	}
}

func checkRepeatFetchCached(entries []journal.Entry, o Options) (bool, []Violation) {
	var problems []Violation
	applicable := false
	linked := map[string]journal.Entry{} // LoginId → the /Authorize 200 that linked it
	reqs := requests(entries)
	late := answeredLate(reqs)
	for i, e := range reqs {
		if e.Endpoint != endpointAuthorize || e.LoginID == "" {
			continue
		}
		first, wasLinked := linked[e.LoginID]
		if wasLinked && e.Mode != journal.ModeAnswer {
			applicable = true
			if p := repeatProblem(e, o); p != "" {
				problems = append(problems, Violation{Problem: p, Entries: []journal.Entry{first, e}})
			}
		}
		// A 200 that came after the integration had sent the /Authorize
		// again (late) never reached it: it had no LoginId from it.
		if e.Status == 200 && !wasLinked && !late[i] {
			linked[e.LoginID] = e
		}
	}
	return applicable, problems
}

// repeatProblem says what is wrong with /Authorize e of a login linked
// before, or "".
func repeatProblem(e journal.Entry, o Options) string {
	switch {
	case e.Mode == journal.ModeLegacy:
		return fmt.Sprintf("LoginId %s was linked already, and the integration sent its username and password again; keep the LoginId (Login.Id of the 200) and authorize later fetches with it and MostRecentCached true: credentials sent again make the institution ask MFA anew, and must not be stored", e.LoginID)
	case e.Mode == journal.ModeLive && o.RepeatFetch:
		return fmt.Sprintf("the repeat fetch of LoginId %s asked a live refresh (MostRecentCached false), which has the institution ask MFA with no user there to answer; ask the cached data with MostRecentCached true, and refresh live only with the user present", e.LoginID)
	}
	return ""
}
