package tenancy

import "github.com/flinks-mock/flinks-mock/mockserver/internal/session"

// Sessions calls f on each session of the tenant whose LoginId is loginID,
// until f returns false. f runs with the session store locked: it may lock
// a session, but not call the tenant's stores.
func (t *Tenant) Sessions(loginID string, f func(*session.Session) bool) {
	t.sessions.Range(func(_ string, s *session.Session) bool {
		if s.Login.LoginID != loginID {
			return true
		}
		return f(s)
	})
}

// DeleteCard forgets a login for the tenant (/DeleteCard): its sessions
// and step positions go, and its LoginId is unknown until the login is
// linked again with its credentials.
func (t *Tenant) DeleteCard(loginID string) {
	t.ForgetLogins(map[string]bool{loginID: true})
	t.deleted.Add(loginID, struct{}{})
}

// CardDeleted reports whether /DeleteCard removed the login.
func (t *Tenant) CardDeleted(loginID string) bool {
	_, ok := t.deleted.Peek(loginID)
	return ok
}

// RestoreCard makes a deleted login known again: linking it anew with its
// credentials creates the card again.
func (t *Tenant) RestoreCard(loginID string) {
	t.deleted.Remove(loginID)
}
