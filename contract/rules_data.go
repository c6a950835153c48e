package contract

import (
	"fmt"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// DataAfterAuthorize is FM003: data is asked for only with a RequestId
// that /Authorize answered 200.
func DataAfterAuthorize() Rule {
	return Rule{
		ID:        IDDataAfterAuthorize,
		Statement: "Data endpoints are called only with a RequestId that /Authorize answered 200 (after the MFA answers, when there was a 203).",
		Guide:     "Before calling /GetAccountsDetail, you need a valid RequestId. [...] Call /Authorize with the loginId to get a RequestId.",
		Source:    "Flinks guide, Retrieve Account Data",
		check:     checkDataAfterAuthorize,
	}
}

func checkDataAfterAuthorize(entries []journal.Entry, _ Options) (bool, []Violation) {
	var problems []Violation
	applicable := false
	authorized := map[string]bool{}
	waiting := map[string]journal.Entry{} // RequestId → its 203, until a 200
	flagged := map[string]int{}           // RequestId → index in problems
	for _, e := range requests(entries) {
		if isAuthorize(e) {
			switch {
			case authorizes(e):
				authorized[e.RequestID] = true
				delete(waiting, e.RequestID)
			case e.Status == 203:
				waiting[e.RequestID] = e
			}
			continue
		}
		if _, _, ok := dataEndpoint(e.Endpoint); !ok {
			continue
		}
		if e.RequestID == "" && credentialFailure(e) {
			// Refused for its keys before the mock read the RequestId:
			// FM009 judges it, and there is nothing here to judge.
			continue
		}
		applicable = true
		if e.RequestID != "" && authorized[e.RequestID] {
			continue
		}
		if i, ok := flagged[e.RequestID]; ok {
			problems[i].Entries = append(problems[i].Entries, e)
			continue
		}
		v := Violation{Entries: []journal.Entry{e}}
		if mfa, ok := waiting[e.RequestID]; ok {
			v.Problem = fmt.Sprintf("/%s was called while RequestId %s still waited for the answers to its 203; answer the security challenges and wait for the 200 first", e.Endpoint, e.RequestID)
			v.Entries = []journal.Entry{mfa, e}
		} else {
			v.Problem = fmt.Sprintf("/%s was called with RequestId %q, which no /Authorize of this journal answered 200; use the RequestId of a 200 from /Authorize", e.Endpoint, e.RequestID)
		}
		flagged[e.RequestID] = len(problems)
		problems = append(problems, v)
	}
	for i := range problems {
		problems[i].Entries = firstN(problems[i].Entries, MaxViolationsShown)
	}
	return applicable, problems
}

// chain is one data request of one RequestId and its polls: the calls of
// GetAccountsDetail and GetAccountsDetailAsync (or the Summary pair) for
// that RequestId, in the order they were sent. late[i] says that the
// answer to calls[i] never reached the integration (answeredLate).
type chain struct {
	base, requestID, loginID string
	calls                    []journal.Entry
	late                     []bool
}

// newest returns the latest answer the integration had of a pending
// chain.
func (c *chain) newest() journal.Entry {
	e, _ := c.answer()
	return e
}

func (c *chain) add(e journal.Entry, late bool) {
	if c.loginID == "" {
		c.loginID = e.LoginID
	}
	c.calls = append(c.calls, e)
	c.late = append(c.late, late)
}

// answer returns the latest call of the chain whose answer the
// integration had, and false when it had none.
func (c *chain) answer() (journal.Entry, bool) {
	for i := len(c.calls) - 1; i >= 0; i-- {
		if !c.late[i] {
			return c.calls[i], true
		}
	}
	return journal.Entry{}, false
}

// answered reports whether the latest answer the integration had of the
// chain has this status.
func (c *chain) answered(status int) bool {
	e, ok := c.answer()
	return ok && e.Status == status
}

// pending reports whether the latest answer of the chain was a 202.
func (c *chain) pending() bool { return c.answered(202) }

// got202 reports whether any answer of the chain was a 202.
func (c *chain) got202() bool {
	for _, e := range c.calls {
		if e.Status == 202 {
			return true
		}
	}
	return false
}

// dataChains groups the data requests of a journal by endpoint pair and
// RequestId, in order of their first call.
func dataChains(entries []journal.Entry) []*chain {
	var out []*chain
	byKey := map[string]*chain{}
	reqs := requests(entries)
	late := answeredLate(reqs)
	for i, e := range reqs {
		base, _, ok := dataEndpoint(e.Endpoint)
		if !ok {
			continue
		}
		key := base + "\x00" + e.RequestID
		c := byKey[key]
		if c == nil {
			c = &chain{base: base, requestID: e.RequestID}
			byKey[key] = c
			out = append(out, c)
		}
		c.add(e, late[i])
	}
	return out
}

// PollSameRequest is FM004: after a 202 the integration polls the Async
// endpoint with the same RequestId, and stops once it has the 200.
func PollSameRequest() Rule {
	return Rule{
		ID:        IDPollSameRequest,
		Statement: "After a 202, the integration polls /GetAccountsDetailAsync with the same RequestId (not /GetAccountsDetail again, not a new RequestId), only after a 202, and stops once it has the 200.",
		Guide:     "Call /GetAccountsDetailAsync with the same RequestId as a path parameter. [...] Repeat until you receive a 200 response. [...] You only call it after receiving a 202 from /GetAccountsDetail.",
		Source:    "Flinks guide, Retrieve Account Data",
		check:     checkPollSameRequest,
	}
}

func checkPollSameRequest(entries []journal.Entry, o Options) (bool, []Violation) {
	var problems []Violation
	applicable := false
	var chains []*chain
	byKey := map[string]*chain{}
	reqs := requests(entries)
	late := answeredLate(reqs)
	for i, e := range reqs {
		base, async, ok := dataEndpoint(e.Endpoint)
		if !ok {
			continue
		}
		if async || e.Status == 202 {
			applicable = true
		}
		key := base + "\x00" + e.RequestID
		c := byKey[key]
		if v := pollProblem(e, base, async, c, chains, o); v != nil {
			problems = append(problems, *v)
		}
		if c == nil {
			c = &chain{base: base, requestID: e.RequestID}
			byKey[key] = c
			chains = append(chains, c)
		}
		c.add(e, late[i])
	}
	return applicable, problems
}

// pollProblem is what is wrong, if anything, with data call e of a data
// request whose calls so far are c (nil: none), among chains.
func pollProblem(e journal.Entry, base string, async bool, c *chain, chains []*chain, o Options) *Violation {
	switch {
	case async && c == nil:
		return &Violation{
			Problem: fmt.Sprintf("/%s/%s was polled, but /%s never answered 202 for this RequestId; poll only after its 202", e.Endpoint, e.RequestID, base),
			Entries: []journal.Entry{e},
		}
	case async && c.answered(200):
		had, _ := c.answer()
		return &Violation{
			Problem: fmt.Sprintf("/%s/%s was polled again after the data had come; stop polling once the 200 arrives", e.Endpoint, e.RequestID),
			Entries: []journal.Entry{had, e},
		}
	case !async && c != nil && c.pending():
		had, _ := c.answer()
		return &Violation{
			Problem: fmt.Sprintf("/%s was called again for RequestId %s while it was processing; poll /%sAsync/%s instead", base, e.RequestID, base, e.RequestID),
			Entries: []journal.Entry{had, e},
		}
	case !async && c == nil:
		// A new data request: was another of the same login left pending?
		if other := pendingOfLogin(e, base, chains, o); other != nil {
			return &Violation{
				Problem: fmt.Sprintf("/%s was called with a new RequestId %s while RequestId %s of the same login was still processing; poll /%sAsync/%s with the same RequestId instead", base, e.RequestID, other.requestID, base, other.requestID),
				Entries: []journal.Entry{other.newest(), e},
			}
		}
	}
	return nil
}

// pendingOfLogin returns the newest data request of e's login on the same
// endpoint still processing when e came, within the deadline, or nil.
func pendingOfLogin(e journal.Entry, base string, chains []*chain, o Options) *chain {
	var other *chain
	for _, oc := range chains {
		if oc.base == base && oc.loginID != "" && oc.loginID == e.LoginID && oc.pending() &&
			e.Time.Before(oc.calls[0].Time.Add(o.Deadline)) && (other == nil || oc.newest().Seq > other.newest().Seq) {
			other = oc
		}
	}
	return other
}

// PollInterval is FM005: polls of one RequestId are at least
// MinPollInterval apart.
func PollInterval() Rule {
	return Rule{
		ID:        IDPollInterval,
		Statement: "After an Async poll answered 202, the next poll of that RequestId comes at least MinPollInterval later (10 s), on the server clock.",
		Guide:     "If the response is 202, the data is still processing. Wait 10 seconds, then call /GetAccountsDetailAsync again.",
		Source:    "Flinks guide, Retrieve Account Data",
		check:     checkPollInterval,
	}
}

func checkPollInterval(entries []journal.Entry, o Options) (bool, []Violation) {
	var problems []Violation
	applicable := false
	for _, c := range dataChains(entries) {
		var fast [][2]journal.Entry
		shortest := time.Duration(-1)
		for i := 1; i < len(c.calls); i++ {
			prev, cur := c.calls[i-1], c.calls[i]
			_, prevAsync, _ := dataEndpoint(prev.Endpoint)
			_, curAsync, _ := dataEndpoint(cur.Endpoint)
			if !prevAsync || !curAsync || prev.Status != 202 || c.late[i-1] {
				continue
			}
			applicable = true
			if gap := cur.Time.Sub(prev.Time); gap < o.MinPollInterval {
				fast = append(fast, [2]journal.Entry{prev, cur})
				if shortest < 0 || gap < shortest {
					shortest = gap
				}
			}
		}
		if len(fast) == 0 {
			continue
		}
		first := fast[0]
		problems = append(problems, Violation{
			Problem: fmt.Sprintf("RequestId %s was polled %s sooner than %s after a 202 (the shortest gap was %s; the first is below); wait %s between polls",
				c.requestID, plural(len(fast), "time"), seconds(o.MinPollInterval), seconds(shortest), seconds(o.MinPollInterval)),
			Entries: []journal.Entry{first[0], first[1]},
		})
	}
	return applicable, problems
}

// PollDeadline is FM006: polling of one RequestId stops by Deadline.
func PollDeadline() Rule {
	return Rule{
		ID:        IDPollDeadline,
		Statement: "The integration gives up on a RequestId by Deadline (30 min) after its first data request: no poll comes at or after it, so when the data never comes, polling stops.",
		Guide:     "Set a maximum timeout of 30 minutes to avoid infinite polling loops.",
		Source:    "Flinks guide, Retrieve Account Data",
		check:     checkPollDeadline,
	}
}

func checkPollDeadline(entries []journal.Entry, o Options) (bool, []Violation) {
	var problems []Violation
	applicable := false
	for _, c := range dataChains(entries) {
		if !c.got202() {
			continue
		}
		applicable = true
		start := c.calls[0]
		deadline := start.Time.Add(o.Deadline)
		var late []journal.Entry
		for _, e := range c.calls[1:] {
			if !e.Time.Before(deadline) {
				late = append(late, e)
			}
		}
		if len(late) == 0 {
			continue
		}
		last := late[len(late)-1]
		quoted := []journal.Entry{start, late[0]}
		if len(late) > 1 {
			quoted = append(quoted, last)
		}
		problems = append(problems, Violation{
			Problem: fmt.Sprintf("RequestId %s was polled %s at or after the %s deadline, the last %s after its first data request; stop polling by then and report a timeout",
				c.requestID, plural(len(late), "time"), seconds(o.Deadline), seconds(last.Time.Sub(start.Time))),
			Entries: quoted,
		})
	}
	return applicable, problems
}

// FollowUpA202 is FM011: a 202 is never taken for an answer; the
// integration polls the Async endpoint, or waits for the webhook.
func FollowUpA202() Rule {
	return Rule{
		ID:        IDFollowUpA202,
		Statement: "After /GetAccountsDetail answers 202, the integration polls /GetAccountsDetailAsync with that RequestId (or, where it has webhooks, waits for the webhook): a 202 means the data is still processing, never that there is none.",
		Guide:     "202 — Data is still processing. You must poll /GetAccountsDetailAsync to retrieve the data when it's ready. [...] Instead of polling /GetAccountsDetailAsync, you can configure a webhook to receive the data automatically when processing completes.",
		Source:    "Flinks guide, Retrieve Account Data",
		check:     checkFollowUpA202,
	}
}

func checkFollowUpA202(entries []journal.Entry, o Options) (bool, []Violation) {
	var problems []Violation
	applicable := false
	delivered := deliveredWebhooks(entries)
	chains := dataChains(entries)
	for i, c := range chains {
		first := c.calls[0]
		if _, async, _ := dataEndpoint(first.Endpoint); async || first.Status != 202 {
			continue
		}
		applicable = true
		if len(c.calls) > 1 || delivered[c.requestID] {
			continue // polled, or the webhook came
		}
		// A new data request of the same login in place of the poll, this
		// one or an earlier one, is FM004's to judge. A 202 that came when
		// the deadline, counted from the login's first data request, left
		// no room for another poll is a timeout.
		if followedByAnother(chains, i) || !first.Time.Add(o.MinPollInterval).Before(loginStart(chains, i).Add(o.Deadline)) {
			continue
		}
		problems = append(problems, Violation{
			Problem: fmt.Sprintf("you stopped at a 202: /%s answered 202 %s for RequestId %s, and the integration never polled /%sAsync/%s nor took its webhook; a 202 means the data is still processing, so poll until the 200 (or the 30-minute timeout)",
				c.base, orDash(first.FlinksCode), c.requestID, c.base, c.requestID),
			Entries: []journal.Entry{first},
		})
	}
	return applicable, problems
}

// deliveredWebhooks returns the RequestIds a webhook of which reached the
// receiver.
func deliveredWebhooks(entries []journal.Entry) map[string]bool {
	delivered := map[string]bool{}
	for _, e := range entries {
		if e.Kind == journal.KindWebhook && e.Status != 0 && e.RequestID != "" {
			delivered[e.RequestID] = true
		}
	}
	return delivered
}

// followedByAnother reports whether another data request of the login of
// chains[i], on the same endpoint, came after it or answered 202 before
// it.
func followedByAnother(chains []*chain, i int) bool {
	c := chains[i]
	for j, other := range chains {
		if j != i && other.base == c.base && other.loginID == c.loginID && (j > i || other.calls[0].Status == 202) {
			return true
		}
	}
	return false
}

// loginStart is the time of the first data request of the login of
// chains[i], on the same endpoint.
func loginStart(chains []*chain, i int) time.Time {
	c := chains[i]
	start := c.calls[0].Time
	for _, earlier := range chains[:i] {
		if earlier.base == c.base && earlier.loginID == c.loginID && earlier.calls[0].Time.Before(start) {
			start = earlier.calls[0].Time
		}
	}
	return start
}
