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
	case endpointAuthorize:
		switch {
		case e.Mode == modeAnswer:
			return "Authorize answer RequestId=" + e.RequestID
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
	case endpointAuthorize:
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
	var problems []Violation
	applicable := false
	failed := map[string]journal.Entry{} // key → the final answer
	flagged := map[string]int{}          // key → index in problems
	for _, e := range requests(entries) {
		keys := []string{requestKey(e)}
		if e.RequestID != "" {
			keys = append(keys, "RequestId="+e.RequestID)
		}
		for _, k := range keys {
			f, ok := failed[k]
			if !ok {
				continue
			}
			if i, ok := flagged[k]; ok {
				problems[i].Entries = append(problems[i].Entries, e)
				break
			}
			flagged[k] = len(problems)
			problems = append(problems, Violation{
				Problem: fmt.Sprintf("after %s (%s, not retryable) the same request was sent again; report the error instead of repeating it", f.FlinksCode, codeMeaning(f.FlinksCode)),
				Entries: []journal.Entry{f, e},
			})
			break
		}
		if e.Endpoint == endpointAuthorize && e.Status == 200 && e.RequestID != "" {
			// The session is authorized now: data asked for too early
			// (UNAUTHORIZED, judged by FM003) may be asked for again.
			for k, f := range failed {
				if f.RequestID == e.RequestID && f.FlinksCode == "UNAUTHORIZED" {
					delete(failed, k)
				}
			}
		}
		if !final(e) || e.FlinksCode == codeWrongAnswer {
			continue
		}
		applicable = true
		k := requestKey(e)
		if endsSession(e.FlinksCode) && e.RequestID != "" {
			k = "RequestId=" + e.RequestID
		}
		if _, ok := failed[k]; !ok {
			failed[k] = e
		}
	}
	for i := range problems {
		if n := len(problems[i].Entries) - 2; n > 0 {
			problems[i].Problem += fmt.Sprintf(" (%d repeats in all)", n+1)
		}
		problems[i].Entries = firstN(problems[i].Entries, MaxViolationsShown)
	}
	return applicable, problems
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
	for _, e := range requests(entries) {
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
		if asksBackOff(e.FlinksCode) {
			applicable = true
			waiting[k] = e
		}
	}
	return applicable, problems
}
