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
// scrubbed (and credentials too, unless keep is set), and says what it had
// to leave out.
func (st *state) file(s *Scrubber, defaults defaultLogins, keep bool) (*scenarios.File, []string) {
	st.adoptDefaults(defaults)
	f := &scenarios.File{}
	var notes []string
	names := map[string]bool{}
	for _, l := range st.logins {
		if l.mergedInto != nil || (len(l.authorize) == 0 && len(l.sessions) == 0) {
			continue // merged, or never more than a refused username
		}
		// The sandbox logins of the default library are public test
		// data, and a recording made against a flinks-mock names them as
		// the library does.
		login, n := l.scenario(s, names, keep || defaults.has(l))
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

// has reports whether a login is one of the library's, by username or
// LoginId.
func (d defaultLogins) has(l *loginRec) bool {
	_, byUser := d.byUser[strings.ToLower(l.username)]
	_, byID := d.byID[strings.ToLower(l.loginID)]
	return (l.username != "" && byUser) || (l.loginID != "" && byID)
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
// names taken so far. Unless keep is set, its username, LoginId, MFA
// prompts, choices and answers are fakes.
func (l *loginRec) scenario(s *Scrubber, names map[string]bool, keep bool) (scenarios.Login, []string) {
	out := l.identity(s, names, keep)
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
	out.MFA = l.mfa(note, newMFAFaker(s, keep))
	for _, code := range slices.Compact(slices.Sorted(slices.Values(l.unknownCodes))) {
		note("the FlinksCode %s is not in the contract's table, so its answers are left out", code)
	}
	out.Accounts = l.scenarioAccounts(s, note)
	out.AccountsDetail = l.dataSteps(func(sess *sessionRec) *opRec { return &sess.detail }, func() { note("no GetAccountsDetail answered 200 or an error; the data is ready after the 202s seen") })
	out.AccountsSummary = l.dataSteps(func(sess *sessionRec) *opRec { return &sess.summary }, func() { note("no GetAccountsSummary answered 200 or an error; the data is ready after the 202s seen") })
	return out, notes
}

// identity is the login's name, username and LoginId as a scenario holds
// them: fakes unless keep is set, and made up, the same in every
// recording, where none was seen.
func (l *loginRec) identity(s *Scrubber, names map[string]bool, keep bool) scenarios.Login {
	username, loginID := l.username, l.loginID
	if !keep {
		username, loginID = s.Username(username), s.LoginID(loginID)
	}
	if username == "" {
		hex := strings.ToLower(strings.ReplaceAll(loginID, "-", ""))
		username = "recorded_" + hex[:min(8, len(hex))]
	}
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
func (l *loginRec) mfa(note func(string, ...any), fk *mfaFaker) *scenarios.MFA {
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
			prompt := fk.prompt(c.prompt)
			if c.answers == nil {
				note("the challenge %q of round %d was never answered right, so it is left out", prompt, r+1)
				continue
			}
			round.Challenges = append(round.Challenges, c.challenge(prompt, note, fk.choices()))
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

// challenge is a challenge answered right, with its prompt faked as
// prompt and its choices and answers faked by choices.
func (c challengeRec) challenge(prompt string, note func(string, ...any), choices *choiceFakes) scenarios.Challenge {
	ch := scenarios.Challenge{Prompt: prompt}
	if c.typ != scenarios.ChallengeQuestionAndAnswer {
		ch.Type = c.typ
	}
	if slices.Contains([]string{scenarios.ChallengeMultipleChoice, scenarios.ChallengeMultipleChoiceMultipleAnswers, scenarios.ChallengeImageSelection}, c.typ) {
		for _, it := range c.iterables {
			ch.Iterables = append(ch.Iterables, choices.fake(it))
		}
		for _, a := range c.answers {
			if !slices.ContainsFunc(c.iterables, func(it string) bool { return strings.EqualFold(strings.TrimSpace(it), strings.TrimSpace(a)) }) {
				ch.Iterables = append(ch.Iterables, choices.fake(a))
				note("the answer %q to %q was not among its Iterables; it is added to them", choices.fake(a), prompt)
			}
		}
	}
	for _, a := range c.answers {
		ch.Answers = append(ch.Answers, choices.fake(a))
	}
	return ch
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

// mfaFaker gives the MFA of one login its fakes: each prompt becomes
// "Recorded question N", numbered in the order first written, and each
// choice or answer a fake of the same form (Scrubber.Answer), so that a
// replay that answers with the file's answers is accepted. With keep set
// it changes nothing.
type mfaFaker struct {
	s       *Scrubber
	keep    bool
	prompts map[string]string
}

func newMFAFaker(s *Scrubber, keep bool) *mfaFaker {
	return &mfaFaker{s: s, keep: keep, prompts: map[string]string{}}
}

// prompt returns the fake of a prompt, the same each time it is asked.
func (f *mfaFaker) prompt(p string) string {
	if f.keep {
		return p
	}
	fake, ok := f.prompts[p]
	if !ok {
		fake = fmt.Sprintf("Recorded question %d", len(f.prompts)+1)
		f.prompts[p] = fake
	}
	return fake
}

// choices returns the fakes of one challenge's choices and answers.
func (f *mfaFaker) choices() *choiceFakes {
	return &choiceFakes{f: f, byValue: map[string]string{}, taken: map[string]bool{}}
}

// choiceFakes fakes the choices and answers of one challenge: an answer
// and the choice it picks get the same fake, and two different choices
// never share one (a fake already taken gets a number after it).
type choiceFakes struct {
	f       *mfaFaker
	byValue map[string]string // by the value as the mock compares it
	taken   map[string]bool
}

func (c *choiceFakes) fake(v string) string {
	if c.f.keep {
		return v
	}
	key := strings.ToLower(strings.TrimSpace(v))
	if fake, ok := c.byValue[key]; ok {
		return fake
	}
	fake := c.f.s.Answer(v)
	for n := 2; c.taken[fake] || fake == key; n++ {
		fake = fmt.Sprintf("%s %d", c.f.s.Answer(v), n)
	}
	c.byValue[key], c.taken[fake] = fake, true
	return fake
}
