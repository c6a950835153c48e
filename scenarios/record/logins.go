package record

import (
	"strings"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

// The logins the recorder has seen, found by LoginId or username, and
// merged when a session shows two records are one login.

// loginByID returns the login with this LoginId, new if need be.
func (st *state) loginByID(id string) *loginRec {
	if l := st.byID[strings.ToLower(id)]; l != nil {
		return l.root()
	}
	l := &loginRec{loginID: id}
	st.byID[strings.ToLower(id)] = l
	st.logins = append(st.logins, l)
	return l
}

// loginByUsername returns the login with this username, new if need be.
func (st *state) loginByUsername(username string) *loginRec {
	if l := st.byUser[strings.ToLower(username)]; l != nil {
		return l.root()
	}
	l := &loginRec{username: username}
	st.byUser[strings.ToLower(username)] = l
	st.logins = append(st.logins, l)
	return l
}

// root follows merges to the login that holds the record.
func (l *loginRec) root() *loginRec {
	for l.mergedInto != nil {
		l = l.mergedInto
	}
	return l
}

// learn notes what an answer says about its login (LoginId, username,
// type, institution) and returns the login that holds the record: when
// the answer names a login first seen under its other key (a username,
// then its LoginId), the two records become one.
func (st *state) learn(l *loginRec, ans *flinksAnswer) *loginRec {
	l = l.root()
	if ans.Login != nil {
		if id := ans.Login.Id; id != "" {
			if other := st.byID[strings.ToLower(id)]; other != nil && other.root() != l {
				l = st.merge(other.root(), l)
			} else if other == nil {
				st.byID[strings.ToLower(id)] = l
			}
			if l.loginID == "" {
				l.loginID = id
			}
		}
		if u := ans.Login.Username; u != "" {
			if other := st.byUser[strings.ToLower(u)]; other != nil && other.root() != l {
				l = st.merge(l, other.root())
			} else if other == nil {
				st.byUser[strings.ToLower(u)] = l
			}
			// The username as Flinks spells it, rather than as typed.
			l.username = u
		}
		if t := ans.Login.Type; t == "Personal" || t == "Business" {
			l.typ = t
		}
	}
	if ans.Institution != "" {
		l.institution = ans.Institution
		if ans.InstitutionId > 0 {
			l.institutionID = ans.InstitutionId
		}
	}
	return l
}

// merge moves the record of b into a (seen first) and returns a.
func (st *state) merge(a, b *loginRec) *loginRec {
	if a == b {
		return a
	}
	first, second := a, b
	for _, l := range st.logins {
		if l == b {
			first, second = b, a
			break
		}
		if l == a {
			break
		}
	}
	first.mergeIdentity(second)
	first.authorize = append(first.authorize, second.authorize...)
	for i, round := range second.rounds {
		for len(first.rounds) <= i {
			first.rounds = append(first.rounds, roundRec{})
		}
		first.rounds[i].merge(round)
	}
	first.mfaOnCached = first.mfaOnCached || second.mfaOnCached
	first.tokenOptional = first.tokenOptional || second.tokenOptional
	first.sessions = append(first.sessions, second.sessions...)
	for _, sess := range second.sessions {
		sess.login = first
	}
	first.mergeAccounts(second)
	first.unknownCodes = append(first.unknownCodes, second.unknownCodes...)
	first.sessionsAuthorized += second.sessionsAuthorized
	second.mergedInto = first
	return first
}

// mergeIdentity fills what l does not know of its login from other.
func (l *loginRec) mergeIdentity(other *loginRec) {
	if l.loginID == "" {
		l.loginID = other.loginID
	}
	if l.username == "" {
		l.username = other.username
	}
	if l.institution == "" {
		l.institution, l.institutionID = other.institution, other.institutionID
	}
	if l.typ == "" {
		l.typ = other.typ
	}
}

// merge adds the challenges of another record of the same round.
func (fr *roundRec) merge(round roundRec) {
	fr.maxAsked = max(fr.maxAsked, round.maxAsked)
	for _, c := range round.challenges {
		found := false
		for j := range fr.challenges {
			if fr.challenges[j].prompt == c.prompt {
				found = true
				if fr.challenges[j].answers == nil {
					fr.challenges[j].answers = c.answers
				}
			}
		}
		if !found {
			fr.challenges = append(fr.challenges, c)
		}
	}
}

// mergeAccounts keeps the fuller accounts of the two records, and every
// account either saw.
func (l *loginRec) mergeAccounts(other *loginRec) {
	if other.transactions > l.transactions || l.accounts == nil {
		if other.accounts != nil {
			l.accounts, l.transactions = other.accounts, other.transactions
		}
	}
	for id, a := range other.seen {
		if l.seen == nil {
			l.seen = map[string]scenarios.Account{}
		}
		if _, ok := l.seen[id]; !ok {
			l.seen[id] = a
		}
	}
	if l.summaryOnly == nil {
		l.summaryOnly = other.summaryOnly
	}
}
