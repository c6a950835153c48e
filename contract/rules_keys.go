package contract

import (
	"fmt"
	"strings"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// Endpoints the rules tell apart.
const (
	endpointToken          = "GenerateAuthorizeToken"
	endpointAuthorize      = "Authorize"
	endpointAuthorizeAsync = "AuthorizeAsync"
	endpointDeleteCard     = "DeleteCard"
)

// isAuthorize reports whether an entry is an /Authorize call: /Authorize
// itself or /AuthorizeAsync, its non-blocking form, which takes the same
// bodies and the same authorize token.
func isAuthorize(e journal.Entry) bool {
	return e.Endpoint == endpointAuthorize || e.Endpoint == endpointAuthorizeAsync
}

// authorizes reports whether an entry is the 200 of an /Authorize call that
// authorized its RequestId: /Authorize answered 200, or a poll of
// /AuthorizeAsync did (its other calls answer 202).
func authorizes(e journal.Entry) bool {
	return isAuthorize(e) && e.Status == 200 && e.RequestID != ""
}

// requests returns the entries of requests (not webhook attempts), in the
// order the integration sent them (inSendOrder).
func requests(entries []journal.Entry) []journal.Entry {
	out := make([]journal.Entry, 0, len(entries))
	for _, e := range entries {
		if e.Kind == journal.KindRequest || e.Kind == "" {
			out = append(out, e)
		}
	}
	return inSendOrder(out)
}

// dataEndpoint reports whether an endpoint serves data (GetAccountsDetail,
// GetAccountsSummaryAsync, GetStatements, ...), and returns the data
// request it belongs to ("GetAccountsDetail" for its Async poll too) and
// whether it is the Async poll.
func dataEndpoint(endpoint string) (base string, async, ok bool) {
	if !strings.HasPrefix(endpoint, "Get") || endpoint == "GetMFAQuestions" || endpoint == "GetNightlyRefreshStatus" {
		// Those two read a login, not the data of a session.
		return "", false, false
	}
	if base, found := strings.CutSuffix(endpoint, "Async"); found {
		return base, true, true
	}
	return endpoint, false, true
}

// SingleUseToken is FM001: every /Authorize call sends a fresh authorize
// token, used once and only for /Authorize.
func SingleUseToken() Rule {
	return Rule{
		ID:        IDSingleUseToken,
		Statement: "Every /Authorize call, the MFA answer call included, sends a fresh authorize token from /GenerateAuthorizeToken, used once and only for /Authorize.",
		Guide:     "Generate a fresh authorize token before relaunching Flinks Connect for MFA. The original token used for the /Authorize call has already been consumed — authorize tokens are single-use.",
		Source:    "Flinks guide, Retrieve Account Data",
		check:     checkSingleUseToken,
	}
}

func checkSingleUseToken(entries []journal.Entry, _ Options) (bool, []Violation) {
	var problems []Violation
	applicable := false
	firstUse := map[string]journal.Entry{} // TokenRef → first /Authorize that sent it
	for _, e := range requests(entries) {
		if !isAuthorize(e) {
			if first, ok := firstUse[e.TokenRef]; ok && e.TokenRef != "" {
				problems = append(problems, Violation{
					Problem: fmt.Sprintf("an authorize token was sent to /%s; it belongs to /Authorize only", e.Endpoint),
					Entries: []journal.Entry{first, e},
				})
			}
			continue
		}
		if e.Token == journal.TokenNone {
			continue // refused before the token was looked at
		}
		applicable = true
		switch e.Token {
		case journal.TokenFresh:
			if _, seen := firstUse[e.TokenRef]; !seen && e.TokenRef != "" {
				firstUse[e.TokenRef] = e
			}
		case journal.TokenReused:
			v := Violation{Problem: "a token that an earlier /Authorize already used was sent again; every /Authorize call needs a fresh token from /GenerateAuthorizeToken"}
			if first, ok := firstUse[e.TokenRef]; ok {
				v.Entries = append(v.Entries, first)
			}
			v.Entries = append(v.Entries, e)
			problems = append(problems, v)
		case journal.TokenExpired:
			problems = append(problems, Violation{Problem: "the authorize token had expired (a token lives 30 minutes unused); generate it just before /Authorize", Entries: []journal.Entry{e}})
		case journal.TokenUnknown:
			problems = append(problems, Violation{Problem: "flinks-auth-key held no token this customer issued; send the Token of /GenerateAuthorizeToken", Entries: []journal.Entry{e}})
		case journal.TokenMissing:
			problems = append(problems, Violation{Problem: "/Authorize was called without flinks-auth-key; send a fresh authorize token", Entries: []journal.Entry{e}})
		case journal.TokenSecret:
			problems = append(problems, Violation{Problem: "the secret key was sent to /Authorize where the authorize token belongs", Entries: []journal.Entry{e}})
		default:
			problems = append(problems, Violation{Problem: fmt.Sprintf("the authorize token was in state %q, not fresh", e.Token), Entries: []journal.Entry{e}})
		}
	}
	return applicable, problems
}

// KeysInTheirPlace is FM009: data endpoints get x-api-key when the
// instance requires it, and the secret key never goes where an authorize
// token belongs.
func KeysInTheirPlace() Rule {
	return Rule{
		ID:        IDKeysInTheirPlace,
		Statement: "Data endpoints are sent x-api-key (when the instance requires it); the secret key goes to /GenerateAuthorizeToken only, never to /Authorize in place of a token.",
		Guide:     "/Authorize: header flinks-auth-key: <authorize token>, not the secret. Data endpoints (/GetAccountsDetail, /GetAccountsDetailAsync, /GetAccountsSummary, …): header x-api-key.",
		Source:    "Flinks authentication reference, in flinks-contract.md §0",
		check:     checkKeysInTheirPlace,
	}
}

func checkKeysInTheirPlace(entries []journal.Entry, o Options) (bool, []Violation) {
	var problems []Violation
	applicable := false
	var noKey []journal.Entry
	for _, e := range requests(entries) {
		if isAuthorize(e) {
			applicable = true
			if e.Token == journal.TokenSecret {
				problems = append(problems, Violation{Problem: "the secret key was sent as flinks-auth-key of /Authorize; it belongs to /GenerateAuthorizeToken, and /Authorize takes the token that call returns", Entries: []journal.Entry{e}})
			}
			continue
		}
		if _, _, ok := dataEndpoint(e.Endpoint); ok {
			applicable = true
			if o.RequireAPIKey && !e.APIKey && !e.Bearer {
				noKey = append(noKey, e)
			}
		}
	}
	if len(noKey) > 0 {
		problems = append(problems, Violation{
			Problem: fmt.Sprintf("%s came without x-api-key, which this instance requires on every data endpoint", plural(len(noKey), "data request")),
			Entries: firstN(noKey, MaxViolationsShown),
		})
	}
	return applicable, problems
}

func firstN(entries []journal.Entry, n int) []journal.Entry {
	if len(entries) > n {
		return entries[:n]
	}
	return entries
}
