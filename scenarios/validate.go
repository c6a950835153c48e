package scenarios

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/flinks-mock/flinks-mock/openapi"
)

// checker collects the semantic problems of one parsed file: the mistakes
// the schema cannot see because they span several fields.
type checker struct {
	src  Source
	errs Errors
}

// check runs every semantic check on a file that passed the schema and
// returns the problems sorted by line.
func check(src Source) Errors {
	c := &checker{src: src}
	f := src.File
	if f.Settings != nil {
		c.settings(*f.Settings)
	}
	c.institutions(f.Institutions)
	c.logins(f.Logins)
	if len(c.errs) == 0 {
		return nil
	}
	return sortErrors(c.errs)
}

func (c *checker) fail(path, msg string) {
	c.errs = append(c.errs, &Error{File: c.src.Name, Line: lineOf(c.src.lines, path), Path: path, Msg: msg})
}

// written reports whether path is in the file, as opposed to left out; a
// zero value that was written out is then told apart from a default.
func (c *checker) written(path string) bool {
	_, ok := c.src.lines[path]
	return ok
}

func (c *checker) line(path string) int { return lineOf(c.src.lines, path) }

func (c *checker) settings(s Settings) {
	for _, d := range []struct {
		key string
		v   Duration
		def time.Duration
	}{
		{"tokenLifetime", s.TokenLifetime, DefaultTokenLifetime},
		{"authorizeIdleTimeout", s.AuthorizeIdleTimeout, DefaultAuthorizeIdleTimeout},
		{"processingTimeout", s.ProcessingTimeout, DefaultProcessingTimeout},
		{"sessionLifetime", s.SessionLifetime, DefaultSessionLifetime},
	} {
		p := "settings." + d.key
		if d.v == 0 && c.written(p) {
			c.fail(p, fmt.Sprintf("must be longer than 0s; leave it out for the default (%s)", shortDuration(d.def)))
		}
	}
	if _, err := ParseShape(s.Shapes); err != nil {
		c.fail("settings.shapes", err.Error())
	}
	codes := make([]string, 0, len(s.Statuses))
	for code := range s.Statuses {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for _, code := range codes {
		if msg := unknownCode(code); msg != "" {
			c.fail("settings.statuses."+code, msg)
		}
	}
	if s.Webhooks != nil {
		c.webhookSettings("settings.webhooks", *s.Webhooks)
	}
}

func (c *checker) institutions(insts []Institution) {
	byName := map[string]int{}
	byID := map[int]int{}
	for i, inst := range insts {
		p := fmt.Sprintf("institutions[%d]", i)
		if j, dup := byName[strings.ToLower(inst.Name)]; dup {
			c.fail(p+".name", fmt.Sprintf("institution %q is already defined at line %d", inst.Name, c.line(fmt.Sprintf("institutions[%d]", j))))
		} else {
			byName[strings.ToLower(inst.Name)] = i
		}
		if j, dup := byID[inst.ID]; dup {
			c.fail(p+".id", fmt.Sprintf("id %d is already used by institution %q", inst.ID, insts[j].Name))
		} else {
			byID[inst.ID] = i
		}
	}
}

func (c *checker) logins(logins []Login) {
	byName := map[string]int{}
	byID := map[string]int{}
	byUser := map[string]int{}
	for i, l := range logins {
		p := fmt.Sprintf("logins[%d]", i)
		firstAt := func(j int) string {
			return fmt.Sprintf("login %q (line %d)", logins[j].Name, c.line(fmt.Sprintf("logins[%d]", j)))
		}
		if j, dup := byName[l.Name]; dup {
			c.fail(p+".name", fmt.Sprintf("the name %q is already used by the login at line %d; names must be unique", l.Name, c.line(fmt.Sprintf("logins[%d]", j))))
		} else {
			byName[l.Name] = i
		}
		if j, dup := byID[strings.ToLower(l.LoginID)]; dup {
			c.fail(p+".loginId", fmt.Sprintf("LoginId %s is also used by %s", l.LoginID, firstAt(j)))
		} else {
			byID[strings.ToLower(l.LoginID)] = i
		}
		inst := l.Institution
		if inst == "" {
			inst = DefaultInstitution
		}
		if j, dup := byUser[usernameKey(inst, l.Username)]; dup {
			c.fail(p+".username", fmt.Sprintf("username %q at %s is also used by %s", l.Username, inst, firstAt(j)))
		} else {
			byUser[usernameKey(inst, l.Username)] = i
		}

		if l.MFA != nil {
			c.mfa(p+".mfa", *l.MFA)
		}
		c.steps(p, "authorize", l.Authorize)
		c.steps(p, "accountsDetail", l.AccountsDetail)
		c.steps(p, "accountsSummary", l.AccountsSummary)
		c.steps(p, "statements", l.Statements)
		c.accounts(p, l.Accounts)
		c.checkNulls(p+".nulls", l.Nulls)
		if l.Generate != nil {
			c.generate(p+".generate", *l.Generate)
		}
		if l.Webhooks != nil {
			c.loginWebhooks(p+".webhooks", *l.Webhooks)
		}
	}
}

func (c *checker) mfa(p string, m MFA) {
	if len(m.Rounds) == 0 {
		c.fail(p+".rounds", "at least one round is needed; leave mfa out for a login without MFA")
	}
	for r, round := range m.Rounds {
		rp := fmt.Sprintf("%s.rounds[%d]", p, r)
		if len(round.Challenges) == 0 {
			c.fail(rp+".challenges", "a round needs at least one challenge")
		}
		if round.Pick > len(round.Challenges) {
			c.fail(rp+".pick", fmt.Sprintf("pick %d asks for more challenges than the round has (%d); use at most %d, or 0 to ask them all", round.Pick, len(round.Challenges), len(round.Challenges)))
		}
		prompts := map[string]int{}
		for i, ch := range round.Challenges {
			c.challenge(fmt.Sprintf("%s.challenges[%d]", rp, i), ch)
			if j, dup := prompts[ch.Prompt]; dup {
				c.fail(fmt.Sprintf("%s.challenges[%d].prompt", rp, i), fmt.Sprintf("prompt %q is already asked by challenges[%d] of this round; clients answer by prompt, so the prompts of a round must differ", ch.Prompt, j))
			} else {
				prompts[ch.Prompt] = i
			}
		}
	}
}

// choiceTypes are the challenge types whose answers are picked among
// Iterables.
var choiceTypes = []string{ChallengeMultipleChoice, ChallengeMultipleChoiceMultipleAnswers, ChallengeImageSelection}

func (c *checker) challenge(p string, ch Challenge) {
	typ := ch.Type
	if typ == "" {
		typ = ChallengeQuestionAndAnswer
	}
	if len(ch.Answers) == 0 {
		c.fail(p+".answers", "a challenge with no answer can never be passed; list at least one")
	}
	if !slices.Contains(choiceTypes, typ) {
		if c.written(p + ".iterables") {
			c.fail(p+".iterables", fmt.Sprintf("%s challenges take no iterables; only %s challenges offer choices", typ, andList(choiceTypes)))
		}
		return
	}
	if len(ch.Iterables) == 0 {
		c.fail(p+".iterables", fmt.Sprintf("%s challenges need iterables: the choices the user picks the answers from", typ))
		return
	}
	choices := make(map[string]bool, len(ch.Iterables))
	for _, it := range ch.Iterables {
		choices[normalizeAnswer(it)] = true
	}
	for i, a := range ch.Answers {
		if !choices[normalizeAnswer(a)] {
			c.fail(fmt.Sprintf("%s.answers[%d]", p, i), fmt.Sprintf("%q is not one of the iterables (%s), so it can never be chosen", a, strings.Join(ch.Iterables, ", ")))
		}
	}
}

// responds lists what the steps of each sequence may respond.
var responds = map[string][]string{
	"authorize":       {RespondOK, RespondError},
	"accountsDetail":  {RespondPending, RespondDispatched, RespondReady, RespondError},
	"accountsSummary": {RespondPending, RespondDispatched, RespondReady, RespondError},
	"statements":      {RespondPending, RespondDispatched, RespondReady, RespondError},
}

func (c *checker) steps(login, seq string, steps []Step) {
	allowed := responds[seq]
	for i, s := range steps {
		p := fmt.Sprintf("%s.%s[%d]", login, seq, i)
		if !slices.Contains(allowed, s.Respond) {
			c.fail(p+".respond", fmt.Sprintf("%q is not allowed in %s; use %s", s.Respond, seq, orList(allowed)))
		}
		if i > 0 && seq != "authorize" && steps[i-1].Respond == RespondReady {
			c.fail(p, "this step is never reached: the step before it is ready, and a session stays ready once its data has arrived")
		}
		c.stepError(p, s)
		c.stepDuration(p, seq, s)
		if i == len(steps)-1 {
			c.lastStep(p, s)
		}
	}
}

// stepDuration checks how long a step lasts: calls or for, not both, and
// for only where time counts.
func (c *checker) stepDuration(p, seq string, s Step) {
	if s.Calls > 0 && s.For > 0 {
		c.fail(p+".for", "a step lasts either calls or for, not both; keep one")
	}
	if seq == "authorize" && c.written(p+".for") {
		c.fail(p+".for", "authorize steps are counted in calls; for is only for accountsDetail and accountsSummary")
	}
	if c.written(p+".for") && s.For == 0 && seq != "authorize" {
		c.fail(p+".for", "must be longer than 0s")
	}
}

// lastStep checks the step that repeats for ever.
func (c *checker) lastStep(p string, s Step) {
	if s.Respond == RespondPending || s.Respond == RespondDispatched {
		c.fail(p+".respond", fmt.Sprintf("the last step must be ready or error, or the data never arrives; a %s step repeats for ever", s.Respond))
	}
	for _, key := range []string{"calls", "for"} {
		if c.written(p + "." + key) {
			c.fail(p+"."+key, fmt.Sprintf("the last step repeats for ever, so %s has no effect; remove it, or add the step that comes next", key))
		}
	}
}

// stepError checks the fields that belong to error steps only.
func (c *checker) stepError(p string, s Step) {
	if s.Respond != RespondError {
		for _, key := range []string{"flinksCode", "status", "message"} {
			if c.written(p + "." + key) {
				c.fail(p+"."+key, fmt.Sprintf("only an error step takes a %s; this step responds %q", key, s.Respond))
			}
		}
		return
	}
	switch {
	case s.FlinksCode == "":
		c.fail(p+".flinksCode", "required on an error step, e.g. flinksCode: RETRY_LATER")
	case s.FlinksCode == "OPERATION_PENDING" || s.FlinksCode == "OPERATION_DISPATCHED":
		c.fail(p+".flinksCode", fmt.Sprintf("%s is a 202, not an error; use respond: %s", s.FlinksCode, strings.ToLower(strings.TrimPrefix(s.FlinksCode, "OPERATION_"))))
	default:
		if msg := unknownCode(s.FlinksCode); msg != "" {
			c.fail(p+".flinksCode", msg)
		}
	}
}

func (c *checker) accounts(login string, accounts []Account) {
	ids := map[string]int{}
	for i, a := range accounts {
		p := fmt.Sprintf("%s.accounts[%d]", login, i)
		if j, dup := ids[strings.ToLower(a.Id)]; dup {
			c.fail(p+".Id", fmt.Sprintf("account Id %q is already used by accounts[%d] of this login", a.Id, j))
		} else {
			ids[strings.ToLower(a.Id)] = i
		}
		c.checkNulls(p+".nulls", a.Nulls)
		for t, tx := range a.Transactions {
			if msg := badDate(tx.Date); msg != "" {
				c.fail(fmt.Sprintf("%s.Transactions[%d].Date", p, t), msg)
			}
		}
	}
}

func (c *checker) generate(p string, g Generate) {
	if g.Chequing+g.Savings+g.CreditCards == 0 {
		c.fail(p, "no account to generate; set chequing, savings or creditCards to 1 or more")
	}
	if g.EndDate != "" {
		if msg := badEndDate(g.EndDate); msg != "" {
			c.fail(p+".endDate", msg)
		}
	}
}

// badDate says what is wrong with a YYYY-MM-DD date, or returns "".
func badDate(s string) string {
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return fmt.Sprintf("%q is not a real date written YYYY-MM-DD", s)
	}
	return ""
}

// Generated accounts end on a day from MinEndDate to MaxEndDate: the
// oldest of their transactions, up to a year earlier, then still has a
// year of four digits.
const (
	MinEndDate = "1900-01-01"
	MaxEndDate = "9999-12-31"
)

// badEndDate says what is wrong with the endDate of a generate block, or
// returns "".
func badEndDate(s string) string {
	if msg := badDate(s); msg != "" {
		return msg
	}
	if s < MinEndDate || s > MaxEndDate {
		return fmt.Sprintf("%q is out of range; use a date from %s to %s", s, MinEndDate, MaxEndDate)
	}
	return ""
}

// unknownCode says why a FlinksCode is not known, naming the nearest
// known codes, or returns "" for a known code.
func unknownCode(code string) string {
	if _, ok := openapi.LookupCode(code); ok {
		return ""
	}
	near := nearestCodes(code)
	if len(near) == 0 {
		return fmt.Sprintf("unknown FlinksCode %q; see openapi/codes.go for the codes of the contract", code)
	}
	return fmt.Sprintf("unknown FlinksCode %q; did you mean %s?", code, orList(near))
}

// nearestCodes returns up to three known codes within a few edits of code,
// nearest first.
func nearestCodes(code string) []string {
	type scored struct {
		name string
		d    int
	}
	up := strings.ToUpper(strings.TrimSpace(code))
	var found []scored
	for _, name := range openapi.CodeNames() {
		d := editDistance(up, name)
		if d <= max(2, len(name)/4) || (len(up) >= 4 && strings.Contains(name, up)) {
			found = append(found, scored{name, d})
		}
	}
	slices.SortStableFunc(found, func(a, b scored) int {
		if a.d != b.d {
			return a.d - b.d
		}
		return strings.Compare(a.name, b.name)
	})
	var names []string
	for i := 0; i < len(found) && i < 3; i++ {
		names = append(names, found[i].name)
	}
	return names
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// orList writes "a, b or c".
func orList(items []string) string { return list(items, " or ") }

// andList writes "a, b and c".
func andList(items []string) string { return list(items, " and ") }

func list(items []string, last string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + last + items[len(items)-1]
}

// shortDuration writes 30m rather than 30m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	for _, suffix := range []string{"m0s", "h0m"} {
		if strings.HasSuffix(s, suffix) {
			s = strings.TrimSuffix(s, s[len(s)-2:])
		}
	}
	return s
}
