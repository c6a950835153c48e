package contract

import (
	"fmt"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/openapi"
)

// requestKey names "the same request" for the retry rules: the same
// /Authorize of a login, the same MFA answer of a RequestId, the same
// endpoint for a RequestId.
func requestKey(e journal.Entry) string {
	switch e.Endpoint {
	case endpointAuthorize, endpointAuthorizeAsync:
		switch {
		case e.Mode == modeAnswer:
			return "Authorize answer RequestId=" + e.RequestID
		case e.Endpoint == endpointAuthorizeAsync && e.Mode == "" && e.RequestID != "":
			return "AuthorizeAsync poll RequestId=" + e.RequestID
		case e.LoginID != "":
			return "Authorize LoginId=" + e.LoginID
		}
		return "Authorize " + e.Body
	case endpointToken:
		return endpointToken
	}
	return e.Endpoint + " RequestId=" + e.RequestID
}

// endsSession reports whether a code ends a RequestId: every later request
// that names it is a repeat, whatever its endpoint.
func endsSession(code string) bool { return code == "SESSION_NONEXISTENT" || code == "SESSION_EXPIRED" }

// credentialFailure reports whether an answer was about the credentials
// sent (a stale token, a missing x-api-key, a bad secret) rather than the
// request: sending it again with the right credentials is a correction,
// judged by FM001 and FM009.
func credentialFailure(e journal.Entry) bool {
	if e.Status != 401 {
		return false
	}
	switch e.Endpoint {
	case endpointToken:
		return e.FlinksCode == "ACCESS_DENIED" || e.FlinksCode == "UNAUTHORIZED"
	case endpointAuthorize, endpointAuthorizeAsync:
		return e.Token != journal.TokenFresh && e.Token != journal.TokenNone &&
			(e.FlinksCode == "ACCESS_DENIED" || e.FlinksCode == "UNAUTHORIZED")
	}
	return !e.APIKey && e.FlinksCode == "ACCESS_DENIED"
}

// final reports whether an answer carries a FlinksCode that sending the
// same request again cannot change.
func final(e journal.Entry) bool {
	if e.FlinksCode == "" || e.Status < 400 || credentialFailure(e) {
		return false
	}
	c, ok := openapi.LookupCode(e.FlinksCode)
	return ok && !c.Retryable
}

// NoRetryOfFinalErrors is FM007: a request answered with a FlinksCode that
// is not retryable is not sent again.
func NoRetryOfFinalErrors() Rule {
	return Rule{
		ID:        IDNoRetryOfFinalErrors,
		Statement: "A request answered with a FlinksCode that is not retryable (DISABLED_LOGIN, INVALID_LOGIN, SESSION_EXPIRED, ...) is not sent again for the same login or RequestId; a refused MFA answer is FM012's.",
		Guide:     "DISABLED_LOGIN: account disabled by the FI. INVALID_SECURITY_RESPONSE: wrong MFA answer. SESSION_NONEXISTENT: \"RequestId is invalid or session has ended\". Only RETRY_LATER, TOO_MANY_REQUESTS, AGGREGATION_ERROR and the 202 codes say that trying again can help.",
		Source:    "Flinks error codes, in flinks-contract.md §4 and the Retryable column of openapi/codes.go",
		check:     checkNoRetryOfFinalErrors,
	}
}

func checkNoRetryOfFinalErrors(entries []journal.Entry, _ Options) (bool, []Violation) {
	r := finalAnswers{failed: map[string]journal.Entry{}, flagged: map[string]int{}}
	applicable := false
	reqs := requests(entries)
	late := answeredLate(reqs)
	for i, e := range reqs {
		r.repeated(e)
		r.authorized(e)
		// A final answer that came after the integration had sent the
		// request again (late) never reached it.
		if !final(e) || e.FlinksCode == codeWrongAnswer || late[i] {
			continue
		}
		applicable = true
		r.remember(e)
	}
	problems := r.problems
	for i := range problems {
		if n := len(problems[i].Entries) - 2; n > 0 {
			problems[i].Problem += fmt.Sprintf(" (%d repeats in all)", n+1)
		}
		problems[i].Entries = firstN(problems[i].Entries, MaxViolationsShown)
	}
	return applicable, problems
}

// finalAnswers follows the final answers of a journal, and the requests
// sent again after them.
type finalAnswers struct {
	failed   map[string]journal.Entry // key → the final answer
	flagged  map[string]int           // key → index in problems
	problems []Violation
}

// repeated records e as a violation when it repeats a request that got a
// final answer, by its request or by its RequestId.
func (r *finalAnswers) repeated(e journal.Entry) {
	keys := []string{requestKey(e)}
	if e.RequestID != "" {
		keys = append(keys, "RequestId="+e.RequestID)
	}
	for _, k := range keys {
		f, ok := r.failed[k]
		if !ok {
			continue
		}
		if i, ok := r.flagged[k]; ok {
			r.problems[i].Entries = append(r.problems[i].Entries, e)
			return
		}
		r.flagged[k] = len(r.problems)
		r.problems = append(r.problems, Violation{
			Problem: fmt.Sprintf("after %s (%s, not retryable) the same request was sent again; report the error instead of repeating it", f.FlinksCode, codeMeaning(f.FlinksCode)),
			Entries: []journal.Entry{f, e},
		})
		return
	}
}

// authorized forgets, once e authorized a session, the UNAUTHORIZED
// answers of its RequestId: data asked for too early (judged by FM003)
// may be asked for again.
func (r *finalAnswers) authorized(e journal.Entry) {
	if !authorizes(e) {
		return
	}
	for k, f := range r.failed {
		if f.RequestID == e.RequestID && f.FlinksCode == "UNAUTHORIZED" {
			delete(r.failed, k)
		}
	}
}

// remember keeps e, a final answer, unless its request already got one:
// by RequestId when the code ends the session, else by request.
func (r *finalAnswers) remember(e journal.Entry) {
	k := requestKey(e)
	if endsSession(e.FlinksCode) && e.RequestID != "" {
		k = "RequestId=" + e.RequestID
	}
	if _, ok := r.failed[k]; !ok {
		r.failed[k] = e
	}
}

func codeMeaning(code string) string {
	if c, ok := openapi.LookupCode(code); ok {
		return c.Message
	}
	return "unknown code"
}

// asksBackOff reports whether a code asks the client to slow down.
func asksBackOff(code string) bool { return code == "RETRY_LATER" || code == "TOO_MANY_REQUESTS" }

// BackOffOnRetryLater is FM008: after RETRY_LATER or TOO_MANY_REQUESTS
// the same request waits RetryBackoff before it is sent again.
func BackOffOnRetryLater() Rule {
	return Rule{
		ID:        IDBackOffOnRetryLater,
		Statement: "After RETRY_LATER or TOO_MANY_REQUESTS, the same request is sent again only after RetryBackoff (10 s), on the server clock.",
		Guide:     "RETRY_LATER: couldn't connect to the FI. TOO_MANY_REQUESTS: too many requests in a given time.",
		Source:    "Flinks error codes, in flinks-contract.md §4 (the guide gives no wait; the 10 s default is the mock's)",
		check:     checkBackOff,
	}
}

func checkBackOff(entries []journal.Entry, o Options) (bool, []Violation) {
	var problems []Violation
	applicable := false
	waiting := map[string]journal.Entry{} // key → the answer that asked to back off
	reqs := requests(entries)
	late := answeredLate(reqs)
	for i, e := range reqs {
		k := requestKey(e)
		if prev, ok := waiting[k]; ok {
			delete(waiting, k)
			if gap := e.Time.Sub(prev.Time); gap < o.RetryBackoff {
				problems = append(problems, Violation{
					Problem: fmt.Sprintf("the request was sent again %s after %s; wait at least %s", seconds(gap), prev.FlinksCode, seconds(o.RetryBackoff)),
					Entries: []journal.Entry{prev, e},
				})
			}
		}
		// An answer that never reached the integration (status 0, or
		// late) asked nothing of it.
		if asksBackOff(e.FlinksCode) && e.Status != 0 && !late[i] {
			applicable = true
			waiting[k] = e
		}
	}
	return applicable, problems
}
