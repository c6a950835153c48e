package timeline

import "github.com/flinks-mock/flinks-mock/mockserver/journal"

// generateToken is the endpoint that issues authorize tokens.
const generateToken = "GenerateAuthorizeToken"

// TokenUnused is the state of a token no drawn entry presented.
const TokenUnused = "unused"

// Session returns, oldest first, the entries of one session: those of its
// RequestId, and the GenerateAuthorizeToken calls that issued the tokens
// they presented, which a session's own entries cannot name.
func Session(entries []journal.Entry, requestID string) []journal.Entry {
	presented := map[string]bool{}
	for i := range entries {
		if e := &entries[i]; e.RequestID == requestID && e.TokenRef != "" && e.Endpoint != generateToken {
			presented[e.TokenRef] = true
		}
	}
	var out []journal.Entry
	for _, e := range entries {
		if e.RequestID == requestID || (e.Endpoint == generateToken && e.TokenRef != "" && presented[e.TokenRef]) {
			out = append(out, e)
		}
	}
	return out
}

// tokenRank orders what befell a token, the worst last: the state a
// GenerateAuthorizeToken arrow shows is the worst of its token's uses.
var tokenRank = map[string]int{
	journal.TokenFresh: 1, journal.TokenExpired: 2, journal.TokenReused: 3,
}

// issuedStates says, by TokenRef, what became of each token the entries
// presented: fresh when used once, reused when presented again, expired
// when presented too late.
func issuedStates(entries []journal.Entry) map[string]string {
	out := map[string]string{}
	for i := range entries {
		e := &entries[i]
		if e.TokenRef == "" || e.Endpoint == generateToken || tokenRank[e.Token] == 0 {
			continue
		}
		if tokenRank[e.Token] > tokenRank[out[e.TokenRef]] {
			out[e.TokenRef] = e.Token
		}
	}
	return out
}

// tokenWord names a token state in the words of l.
func tokenWord(l Labels, state string) string {
	if w := l.TokenStates[state]; w != "" {
		return w
	}
	return state
}
