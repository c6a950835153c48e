package tenancy

import (
	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// EachSession calls f on each session the tenant holds, until f returns
// false, without counting them as used. f runs with the session store
// locked: it may lock a session, but not call the tenant's stores.
func (t *Tenant) EachSession(f func(*session.Session) bool) {
	t.sessions.Range(func(_ string, s *session.Session) bool { return f(s) })
}

// SessionCount returns how many sessions the tenant holds.
func (t *Tenant) SessionCount() int { return t.sessions.Len() }

// SubscribeAll is Subscribe for the entries of every customer: the
// inspector's list of customers follows it.
func (r *Registry) SubscribeAll(fn func(journal.Entry)) (cancel func()) {
	return r.feed.SubscribeAll(fn)
}
