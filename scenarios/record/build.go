package record

import (
	"fmt"
	"slices"
	"strings"

	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
	"github.com/google/uuid"
)

// recordNamespace roots the LoginIds made up for logins whose LoginId the
// recording never saw (a legacy /Authorize that failed).
const recordNamespace = "flinks-mock:record"

// file turns what was recorded into a scenario file, with personal data
// scrubbed, and says what it had to leave out.
func (st *state) file(s *Scrubber, defaults defaultLogins) (*scenarios.File, []string) {
	st.adoptDefaults(defaults)
	f := &scenarios.File{}
	var notes []string
	names := map[string]bool{}
	for _, l := range st.logins {
		if l.mergedInto != nil || (len(l.authorize) == 0 && len(l.sessions) == 0) {
			continue // merged, or never more than a refused username
		}
		login, n := l.scenario(s, names)
		notes = append(notes, n...)
		f.Logins = append(f.Logins, login)
		if login.Institution != "" && !slices.ContainsFunc(f.Institutions, func(i scenarios.Institution) bool { return strings.EqualFold(i.Name, login.Institution) }) {
			id := l.institutionID
			if id == 0 {
				id = 1000 + len(f.Institutions)
			}
			f.Institutions = append(f.Institutions, scenarios.Institution{Name: login.Institution, ID: id})
		}
	}
	return f, notes
}

// defaultLogins indexes the logins of flinks-mock's default library.
type defaultLogins struct {
	byID, byUser map[string]scenarios.Login
}

func loadDefaultLogins() defaultLogins {
	d := defaultLogins{byID: map[string]scenarios.Login{}, byUser: map[string]scenarios.Login{}}
	sources, err := scenarios.DefaultSources()
	if err != nil {
		return d // the embedded library always parses; a test keeps it so
	}
	for _, src := range sources {
		for _, l := range src.File.Logins {
			d.byID[strings.ToLower(l.LoginID)] = l
			d.byUser[strings.ToLower(l.Username)] = l
		}
	}
	return d
}

// adoptDefaults completes the logins known by one key only (refused by
// LoginId, or by username, so no answer told the other) from flinks-mock's
// default library, where it has them: a recording made against a
// flinks-mock then names its logins as the library does, replaces them
// cleanly when loaded on top of it, and keeps one login for a refusal seen
// both ways.
func (st *state) adoptDefaults(defaults defaultLogins) {
	for _, l := range slices.Clone(st.logins) {
		if l.mergedInto != nil || (l.username != "" && l.loginID != "") {
			continue
		}
		d, ok := defaults.byID[strings.ToLower(l.loginID)]
		if l.loginID == "" {
			d, ok = defaults.byUser[strings.ToLower(l.username)]
		}
		if ok {
			st.learn(l, &flinksAnswer{Login: &struct{ Username, Type, Id string }{Username: d.Username, Id: d.LoginID}})
		}
	}
}

// scenario is the login as a scenario file holds it; names are the login
// names taken so far.
func (l *loginRec) scenario(s *Scrubber, names map[string]bool) (scenarios.Login, []string) {
	out := l.identity(names)
	var notes []string
	note := func(format string, args ...any) {
		notes = append(notes, fmt.Sprintf("login %s: ", out.Name)+fmt.Sprintf(format, args...))
	}
	if l.institution != "" && !strings.EqualFold(l.institution, scenarios.DefaultInstitution) {
		out.Institution = l.institution
	}
	if l.typ == "Business" {
		out.Type = l.typ
	}
	if l.tokenOptional {
		no := false
		out.TokenRequired = &no
	}
	if slices.ContainsFunc(l.authorize, func(o outcome) bool { return o.respond != scenarios.RespondOK }) {
		out.Authorize = steps(l.authorize)
	}
	out.MFA = l.mfa(note)
	for _, code := range slices.Compact(slices.Sorted(slices.Values(l.unknownCodes))) {
		note("the FlinksCode %s is not in the contract's table, so its answers are left out", code)
	}
	out.Accounts = l.scenarioAccounts(s, note)
	out.AccountsDetail = l.dataSteps(func(sess *sessionRec) *opRec { return &sess.detail }, func() { note("no GetAccountsDetail answered 200 or an error; the data is ready after the 202s seen") })
	out.AccountsSummary = l.dataSteps(func(sess *sessionRec) *opRec { return &sess.summary }, func() { note("no GetAccountsSummary answered 200 or an error; the data is ready after the 202s seen") })
	return out, notes
}

// identity is the login's name, username and LoginId as a scenario holds
// them: made up, the same in every recording, where none was seen.
func (l *loginRec) identity(names map[string]bool) scenarios.Login {
	username := l.username
	if username == "" {
		hex := strings.ToLower(strings.ReplaceAll(l.loginID, "-", ""))
		username = "recorded_" + hex[:min(8, len(hex))]
	}
	loginID := l.loginID
	if _, err := uuid.Parse(loginID); err != nil || len(loginID) != 36 {
		// Never seen, or not in the form a scenario takes: one made up
		// from the username, the same in every recording.
		loginID = uuid.NewSHA1(uuid.NewSHA1(uuid.NameSpaceURL, []byte(recordNamespace)), []byte(strings.ToLower(username))).String()
	}
	name := loginName(username)
	for n := 2; names[name]; n++ {
		name = fmt.Sprintf("%s_%d", loginName(username), n)
	}
	names[name] = true
	return scenarios.Login{
		Name:        name,
		Description: fmt.Sprintf("Recorded: %d /Authorize call(s), %d session(s) authorized.", len(l.authorize), l.sessionsAuthorized),
		Username:    username,
		LoginID:     loginID,
	}
}

// scenarioAccounts are the accounts recorded, scrubbed, with what the
// other answers saw of each, in the forms a scenario takes.
func (l *loginRec) scenarioAccounts(s *Scrubber, note func(string, ...any)) []scenarios.Account {
	src := l.accounts
	if src == nil {
		src = l.summaryOnly
	}
	out := make([]scenarios.Account, 0, len(src))
	for _, a := range src {
		if seen, ok := l.seen[a.Id]; ok {
			if a.Holder == nil {
				a.Holder = seen.Holder
			}
			if a.EftEligibleRatio == nil {
				a.EftEligibleRatio = seen.EftEligibleRatio
			}
			if a.ETransferEligibleRatio == nil {
				a.ETransferEligibleRatio = seen.ETransferEligibleRatio
			}
		}
		if a.Transactions == nil {
			a.Transactions = []scenarios.Transaction{}
		}
		if !slices.Contains([]string{"Operations", "Credits", "Products", "Other"}, a.Category) {
			note("account %s: the Category %q is not one a scenario takes; it is written Other", a.Id, a.Category)
			a.Category = "Other"
		}
		if a.AccountType != nil && *a.AccountType != "Personal" && *a.AccountType != "Business" {
			note("account %s: the AccountType %q is not one a scenario takes; it is written null", a.Id, *a.AccountType)
			a.AccountType = nil
		}
		out = append(out, s.Account(a))
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// mfa is the login's MFA: the rounds seen, each with the challenges whose
// answers worked. A round no challenge of which was answered right ends
// the MFA there.
func (l *loginRec) mfa(note func(string, ...any)) *scenarios.MFA {
	if len(l.rounds) == 0 {
		return nil
	}
	m := &scenarios.MFA{}
	if l.mfaOnCached {
		m.When = scenarios.MFAWhenAlways
	}
	for r, rec := range l.rounds {
		var round scenarios.Round
		for _, c := range rec.challenges {
			if c.answers == nil {
				note("the challenge %q of round %d was never answered right, so it is left out", c.prompt, r+1)
				continue
			}
			ch := scenarios.Challenge{Prompt: c.prompt, Answers: c.answers}
			if c.typ != scenarios.ChallengeQuestionAndAnswer {
				ch.Type = c.typ
			}
			if slices.Contains([]string{scenarios.ChallengeMultipleChoice, scenarios.ChallengeMultipleChoiceMultipleAnswers, scenarios.ChallengeImageSelection}, c.typ) {
				ch.Iterables = slices.Clone(c.iterables)
				for _, a := range c.answers {
					if !slices.ContainsFunc(ch.Iterables, func(it string) bool { return strings.EqualFold(strings.TrimSpace(it), strings.TrimSpace(a)) }) {
						ch.Iterables = append(ch.Iterables, a)
						note("the answer %q to %q was not among its Iterables; it is added to them", a, c.prompt)
					}
				}
			}
			round.Challenges = append(round.Challenges, ch)
		}
		if len(round.Challenges) == 0 {
			if r < len(l.rounds)-1 {
				note("MFA rounds %d to %d are left out with it", r+2, len(l.rounds))
			}
			break
		}
		if rec.maxAsked < len(round.Challenges) {
			round.Pick = rec.maxAsked
		}
		m.Rounds = append(m.Rounds, round)
	}
	if len(m.Rounds) == 0 {
		return nil
	}
	return m
}

// dataSteps is a data request's sequence of answers: that of the first
// session whose request ended (200 or an error), else of the first that
// made one, ready after its 202s (incomplete is called then).
func (l *loginRec) dataSteps(op func(*sessionRec) *opRec, incomplete func()) []scenarios.Step {
	var outs []outcome
	for _, sess := range l.sessions {
		if o := op(sess); o.final {
			outs = o.outcomes
			break
		}
	}
	if outs == nil {
		for _, sess := range l.sessions {
			if o := op(sess); len(o.outcomes) > 0 {
				outs = append(slices.Clone(o.outcomes), outcome{respond: scenarios.RespondReady})
				incomplete()
				break
			}
		}
	}
	if len(outs) == 0 || (len(outs) == 1 && outs[0].respond == scenarios.RespondReady) {
		return nil
	}
	return steps(outs)
}

// steps writes a sequence of outcomes as scenario steps: each run of equal
// outcomes one step of that many calls, the last one for ever. An error
// step keeps its status and message only where they differ from the
// contract's.
func steps(outs []outcome) []scenarios.Step {
	var out []scenarios.Step
	for i := 0; i < len(outs); {
		j := i
		for j < len(outs) && outs[j] == outs[i] {
			j++
		}
		o := outs[i]
		st := scenarios.Step{Respond: o.respond}
		if o.respond == scenarios.RespondError {
			st.FlinksCode = o.code
			c, _ := openapi.LookupCode(o.code)
			if o.status != c.Status {
				st.Status = o.status
			}
			if o.message != c.Message {
				st.Message = o.message
			}
		}
		if j < len(outs) {
			st.Calls = j - i
		}
		out = append(out, st)
		i = j
	}
	return out
}

// loginName makes a login name of a username: lower case, with anything
// but letters, digits, - and _ replaced by _.
func loginName(username string) string {
	b := []byte(strings.ToLower(username))
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}
