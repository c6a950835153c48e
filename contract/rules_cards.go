package contract

import (
	"fmt"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// IDDeleteCardWhenIdle is the id of DeleteCardWhenIdle.
const IDDeleteCardWhenIdle = "FM015-delete-card-when-idle"

// DeleteCardWhenIdle is FM015: /DeleteCard is called for a LoginId only
// when none of its sessions is still being processed, that is when every
// RequestId /Authorize (or /AuthorizeAsync) opened for it has had its data
// (a 200 from a data endpoint).
func DeleteCardWhenIdle() Rule {
	return Rule{
		ID:        IDDeleteCardWhenIdle,
		Statement: "/DeleteCard is called for a LoginId only once every session /Authorize opened for it has received its data.",
		Guide:     "CARD_IN_USE: An operation was requested while the account is still being processed. Reproduced by calling the DeleteCard endpoint immediately after Authorizing a new account.",
		Source:    "Flinks error codes, docs.flinks.com/api/authorize/error-codes and help article 43000436119; flinks-contract.md §4",
		check:     checkDeleteCardWhenIdle,
	}
}

func checkDeleteCardWhenIdle(entries []journal.Entry, _ Options) (bool, []Violation) {
	var problems []Violation
	applicable := false
	open := openSessions{}       // LoginId → RequestId → its /Authorize
	login := map[string]string{} // RequestId → LoginId
	for _, e := range requests(entries) {
		switch {
		case opensSession(e):
			open.add(e)
			login[e.RequestID] = e.LoginID
		case e.Endpoint == endpointDeleteCard:
			applicable = true
			for rid, authz := range open[e.LoginID] {
				problems = append(problems, Violation{
					Problem: fmt.Sprintf("/DeleteCard was called for LoginId %s while RequestId %s had not received its data yet (CARD_IN_USE); delete the card once its data requests are done", e.LoginID, rid),
					Entries: []journal.Entry{authz, e},
				})
				break
			}
			if e.Status == 200 {
				delete(open, e.LoginID)
			}
		default:
			if _, _, ok := dataEndpoint(e.Endpoint); ok && e.Status == 200 {
				if l, known := login[e.RequestID]; known {
					delete(open[l], e.RequestID)
				}
			}
		}
	}
	return applicable, problems
}

// openSessions are the sessions of each LoginId that have not had their
// data yet: LoginId → RequestId → the /Authorize that opened it.
type openSessions map[string]map[string]journal.Entry

// opensSession reports whether e is an /Authorize that opened a session
// of a known LoginId.
func opensSession(e journal.Entry) bool {
	return isAuthorize(e) && e.Status < 300 && e.LoginID != "" && e.RequestID != ""
}

// add keeps the /Authorize e of a session: its first, or its latest 203.
func (o openSessions) add(e journal.Entry) {
	if o[e.LoginID] == nil {
		o[e.LoginID] = map[string]journal.Entry{}
	}
	if _, ok := o[e.LoginID][e.RequestID]; !ok || e.Status == 203 {
		o[e.LoginID][e.RequestID] = e
	}
}
