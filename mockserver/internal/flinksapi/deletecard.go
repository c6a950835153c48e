package flinksapi

import (
	"fmt"
	"net/http"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
)

// deleteCardOK is the 200 of /DeleteCard: StatusCode, not HttpStatusCode,
// as Flinks documents it.
type deleteCardOK struct {
	StatusCode int
	Message    string
}

// DeleteCard removes a login's data for the customer: its sessions end
// and its LoginId is unknown afterwards (INVALID_LOGIN, "Invalid LoginId").
// A login whose session is still being processed (waiting for MFA
// answers, or authorized and no data request answered 200 yet) is
// CARD_IN_USE. It needs no /Authorize first.
func (a *API) DeleteCard(w http.ResponseWriter, r *http.Request) {
	t, lib := a.enter(w, r, "DeleteCard")
	if t == nil || !a.credentialsOK(w, r, t, lib) {
		return
	}
	login := a.knownCard(w, r, t, lib, exchange.PathValue(r, "loginId"))
	if login == nil {
		return
	}
	now, limits := a.clock.Now(), session.LimitsOf(lib.Settings)
	inUse := ""
	t.Sessions(login.LoginID, func(s *session.Session) bool {
		s.Lock()
		defer s.Unlock()
		if holdsLogin(s, now, limits) {
			inUse = s.ID
		}
		return inUse == ""
	})
	if inUse != "" {
		exchange.WriteError(w, r, exchange.Code(r, "CARD_IN_USE", "An operation was requested while the account is still being processed: RequestId "+inUse+" has not answered its data yet", inUse))
		return
	}
	t.DeleteCard(login.LoginID)
	a.log.Info("card deleted", "customerId", t.ID(), "login", login.Name)
	exchange.WriteJSON(w, http.StatusOK, deleteCardOK{
		StatusCode: http.StatusOK,
		Message:    fmt.Sprintf("All of the information about LoginId %s has been removed", login.LoginID),
	})
}

// holdsLogin reports whether a locked session still holds its login: it
// waits for MFA answers, or it is authorized and none of its data
// requests has answered 200 yet. An expired or ended session holds nothing.
func holdsLogin(s *session.Session, now time.Time, limits session.Limits) bool {
	st, f := session.Data(s.State, now, limits)
	if f != nil && (st.Phase == session.Expired || st.Phase == session.Ended) {
		return false
	}
	if st.Phase == session.WaitingMFA {
		return true
	}
	return !s.Detail.Ready() && !s.Summary.Ready() && !s.Statements.Ready()
}

// cardDeleted reports whether /DeleteCard removed the login for the
// tenant r is served for.
func cardDeleted(r *http.Request, loginID string) bool {
	x := exchange.Of(r)
	return x != nil && x.Tenant != nil && x.Tenant.CardDeleted(loginID)
}
