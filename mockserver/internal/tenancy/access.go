package tenancy

import (
	"time"
)

// IssueAccessToken issues an OAuth access token (/Token) that the data
// endpoints accept as "Authorization: Bearer" until now+lifetime. Unlike
// an authorize token it may be used any number of times.
func (t *Tenant) IssueAccessToken(now time.Time, lifetime time.Duration) string {
	id := NewID()
	t.access.Add(id, now.Add(lifetime))
	return id
}

// AccessTokenValid reports whether id is an access token of the tenant
// that has not expired at now.
func (t *Tenant) AccessTokenValid(id string, now time.Time) bool {
	until, ok := t.access.Get(id)
	return ok && now.Before(until)
}
