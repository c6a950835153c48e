package scenarios

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/openapi/toolbox"
)

// Defaults of the contract, used where Settings leave a field at zero.
const (
	DefaultTokenLifetime        = 30 * time.Minute
	DefaultAuthorizeIdleTimeout = 8 * time.Minute
	DefaultProcessingTimeout    = 30 * time.Minute
	DefaultSessionLifetime      = 30 * time.Minute
	DefaultInvalidTokenCode     = "ACCESS_DENIED"
	DefaultWrongPasswordCode    = "INVALID_LOGIN"
	DefaultPassword             = "Everyday"
	DefaultInstitution          = toolbox.Institution
	DefaultLoginType            = "Personal"
)

// ShapesFull and ShapesMinimal are values of Settings.Shapes (with
// varied(seed), see ParseShape).
const (
	ShapesFull    = "full"
	ShapesMinimal = "minimal"
)

// FlinksCapital is the toolbox sandbox institution every library has.
var FlinksCapital = Institution{Name: toolbox.Institution, ID: 14, DisplayName: "Flinks Capital", InstitutionNumber: "777"}

// Library is the merged, validated set of scenarios a server serves. It is
// read-only once built: every default is filled in, and a login's
// generated accounts are made once, on first use (Login.AllAccounts).
type Library struct {
	// Settings has every field set.
	Settings Settings
	// Institutions starts with FlinksCapital.
	Institutions []Institution
	// Logins are in load order, with defaults applied and their accounts
	// (written and generated) in Accounts.
	Logins []*Login
	// Sources are the files the library was built from, in order, so a
	// library with more files on top can be built from them.
	Sources []Source
	// Built is the time the library was built for: the end date of
	// generated accounts that set none.
	Built time.Time
	// Skipped are the files and folders Load met under a directory it was
	// given and left out, because they are not scenarios.
	Skipped []Skipped

	byID       map[string]*Login
	byUsername map[string]*Login
	byInst     map[string]*Institution
}

// Source is one parsed scenario file, the name to report it by, and the
// line of every field path in it (filled by Parse; empty for a File built
// in Go, whose errors then carry no line).
type Source struct {
	Name  string
	File  *File
	lines map[string]int
}

// Fields returns how many fields Parse located in the source (0 for a
// File built in Go): with its size, what its memory grows with.
func (s Source) Fields() int { return len(s.lines) }

// errorAt returns an Error located at path in the source.
func (s Source) errorAt(path, msg string) *Error {
	return &Error{File: s.Name, Line: s.lines[path], Path: path, Msg: msg}
}

// Build merges parsed files into a Library. Files are applied in order: a
// login whose name is already present replaces the earlier one (so a user's
// file can change a login of the default library); settings are overridden
// key by key. now dates generated accounts that set no endDate.
func Build(now time.Time, sources ...Source) (*Library, error) {
	lib := &Library{
		Settings:     Settings{Statuses: map[string]int{}},
		Institutions: []Institution{FlinksCapital},
		Sources:      slices.Clone(sources),
		Built:        now,
	}
	origin := lib.merge(sources)
	lib.Settings.fill()
	lib.byInst = make(map[string]*Institution, len(lib.Institutions))
	for i := range lib.Institutions {
		lib.byInst[strings.ToLower(lib.Institutions[i].Name)] = &lib.Institutions[i]
	}
	lib.byID = make(map[string]*Login, len(lib.Logins))
	lib.byUsername = make(map[string]*Login, len(lib.Logins))
	var errs Errors
	for _, l := range lib.Logins {
		if err := lib.index(l, now, origin[l]); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return lib, nil
}

// merge applies the files in order, and returns how to locate an error of
// each login in the file it came from.
func (lib *Library) merge(sources []Source) map[*Login]func(field, msg string) *Error {
	index := map[string]int{} // login name -> position in lib.Logins
	origin := map[*Login]func(field, msg string) *Error{}
	for _, src := range sources {
		f := src.File
		if f.Settings != nil {
			lib.Settings.merge(*f.Settings)
		}
		for _, inst := range f.Institutions {
			if i := lib.institutionIndex(inst.Name); i >= 0 {
				lib.Institutions[i] = inst
				continue
			}
			lib.Institutions = append(lib.Institutions, inst)
		}
		for i := range f.Logins {
			l := f.Logins[i]
			origin[&l] = func(field, msg string) *Error {
				return src.errorAt(fmt.Sprintf("logins[%d]%s", i, field), msg)
			}
			l.Origin = src.Name
			if at, ok := index[l.Name]; ok {
				lib.Logins[at] = &l
				continue
			}
			index[l.Name] = len(lib.Logins)
			lib.Logins = append(lib.Logins, &l)
		}
	}
	return origin
}

// index gives a login its defaults and indexes it by LoginId and
// username, or says why it cannot be served (at locates the error).
func (lib *Library) index(l *Login, now time.Time, at func(field, msg string) *Error) *Error {
	l.applyDefaults()
	inst := lib.Institution(l.Institution)
	if inst == nil {
		return at(".institution", fmt.Sprintf("unknown institution %q; add it under institutions", l.Institution))
	}
	if other, dup := lib.byID[strings.ToLower(l.LoginID)]; dup {
		return at(".loginId", fmt.Sprintf("LoginId %s is also used by login %q", l.LoginID, other.Name))
	}
	key := usernameKey(l.Institution, l.Username)
	if other, dup := lib.byUsername[key]; dup {
		return at(".username", fmt.Sprintf("username %q at %s is also used by login %q", l.Username, l.Institution, other.Name))
	}
	if l.Generate != nil {
		// Checked now, generated on first use: a year of transactions
		// per login is most of the work of a build, and most runs use
		// a few logins.
		if _, _, _, err := l.Generate.resolve(now); err != nil {
			return at(".generate", err.Error())
		}
	}
	l.data = &loginData{inst: *inst, now: now}
	lib.byID[strings.ToLower(l.LoginID)] = l
	lib.byUsername[key] = l
	return nil
}

// Login returns the login with this LoginId, or nil.
func (lib *Library) Login(loginID string) *Login {
	return lib.byID[strings.ToLower(loginID)]
}

// LoginByUsername returns the login with this username at this
// institution, or nil. Both are matched without regard to case.
func (lib *Library) LoginByUsername(institution, username string) *Login {
	return lib.byUsername[usernameKey(institution, username)]
}

// Institution returns the institution with this name (any case), or nil.
func (lib *Library) Institution(name string) *Institution {
	return lib.byInst[strings.ToLower(name)]
}

func (lib *Library) institutionIndex(name string) int {
	for i, inst := range lib.Institutions {
		if strings.EqualFold(inst.Name, name) {
			return i
		}
	}
	return -1
}

func usernameKey(institution, username string) string {
	return strings.ToLower(institution) + "\x00" + strings.ToLower(username)
}

// Status returns the HTTP status to send with a FlinksCode: the override
// from Settings.Statuses, else the contract's.
func (s Settings) Status(code string) int {
	if st, ok := s.Statuses[code]; ok {
		return st
	}
	c, _ := openapi.LookupCode(code)
	return c.Status
}

func (s *Settings) merge(o Settings) {
	if o.TokenLifetime != 0 {
		s.TokenLifetime = o.TokenLifetime
	}
	if o.AuthorizeIdleTimeout != 0 {
		s.AuthorizeIdleTimeout = o.AuthorizeIdleTimeout
	}
	if o.ProcessingTimeout != 0 {
		s.ProcessingTimeout = o.ProcessingTimeout
	}
	if o.SessionLifetime != 0 {
		s.SessionLifetime = o.SessionLifetime
	}
	if o.Shapes != "" {
		s.Shapes = o.Shapes
	}
	if o.InvalidTokenCode != "" {
		s.InvalidTokenCode = o.InvalidTokenCode
	}
	if o.WrongPasswordCode != "" {
		s.WrongPasswordCode = o.WrongPasswordCode
	}
	for k, v := range o.Statuses {
		s.Statuses[k] = v
	}
	if o.Webhooks != nil {
		s.Webhooks = o.Webhooks.over(s.Webhooks)
	}
}

func (s *Settings) fill() {
	if s.TokenLifetime == 0 {
		s.TokenLifetime = Duration(DefaultTokenLifetime)
	}
	if s.AuthorizeIdleTimeout == 0 {
		s.AuthorizeIdleTimeout = Duration(DefaultAuthorizeIdleTimeout)
	}
	if s.ProcessingTimeout == 0 {
		s.ProcessingTimeout = Duration(DefaultProcessingTimeout)
	}
	if s.SessionLifetime == 0 {
		s.SessionLifetime = Duration(DefaultSessionLifetime)
	}
	if s.InvalidTokenCode == "" {
		s.InvalidTokenCode = DefaultInvalidTokenCode
	}
	if s.WrongPasswordCode == "" {
		s.WrongPasswordCode = DefaultWrongPasswordCode
	}
}

func (l *Login) applyDefaults() {
	if l.Password == "" {
		l.Password = DefaultPassword
	}
	if l.Institution == "" {
		l.Institution = DefaultInstitution
	}
	if l.Type == "" {
		l.Type = DefaultLoginType
	}
	if l.TokenRequired == nil {
		t := true
		l.TokenRequired = &t
	}
	if len(l.Authorize) == 0 {
		l.Authorize = []Step{{Respond: RespondOK}}
	}
	if len(l.AccountsDetail) == 0 {
		l.AccountsDetail = []Step{{Respond: RespondReady}}
	}
	if len(l.AccountsSummary) == 0 {
		l.AccountsSummary = []Step{{Respond: RespondReady}}
	}
	if len(l.Statements) == 0 {
		l.Statements = []Step{{Respond: RespondReady}}
	}
	// The parsed File may be built again (a reload keeps the sources), so
	// defaults go into copies, never into what the File points to.
	l.Accounts = slices.Clone(l.Accounts)
	if l.MFA != nil {
		mfa := *l.MFA
		mfa.Rounds = slices.Clone(mfa.Rounds)
		for r := range mfa.Rounds {
			mfa.Rounds[r].Challenges = slices.Clone(mfa.Rounds[r].Challenges)
		}
		l.MFA = &mfa
		if l.MFA.When == "" {
			l.MFA.When = MFAWhenLive
		}
		for r := range l.MFA.Rounds {
			for c := range l.MFA.Rounds[r].Challenges {
				if l.MFA.Rounds[r].Challenges[c].Type == "" {
					l.MFA.Rounds[r].Challenges[c].Type = ChallengeQuestionAndAnswer
				}
			}
		}
	}
}

// loginData is what a built login needs to make its accounts, and the
// accounts once made.
type loginData struct {
	inst     Institution
	now      time.Time
	once     sync.Once
	accounts []Account
}

// AllAccounts returns the login's accounts as Flinks would return them:
// those written in full, then the generated ones, each with the login's
// holder when it has none of its own. Generated accounts are made on the
// first call and kept; the result must not be modified. A login that was
// not built by Build has only its written accounts.
func (l *Login) AllAccounts() []Account {
	if l.data == nil {
		return l.Accounts
	}
	l.data.once.Do(func() { l.data.accounts = l.MakeAccounts() })
	return l.data.accounts
}

// MakeAccounts returns the accounts AllAccounts returns, made anew on each
// call and kept nowhere: for a server that bounds in bytes what it keeps,
// since the generated accounts of a login can weigh megabytes. The same
// login always makes the same accounts. The result may be kept, not
// modified: the written accounts' transactions are the login's.
func (l *Login) MakeAccounts() []Account {
	if l.data == nil {
		return l.Accounts
	}
	out := slices.Clone(l.Accounts)
	if l.Generate != nil {
		// Build checked the parameters, so generation cannot fail.
		generated, err := l.Generate.Accounts(l.data.inst, l.Holder, l.data.now)
		if err == nil {
			for i := range generated {
				generated[i].AccountType = &l.Type
			}
			out = append(out, generated...)
		}
	}
	for i := range out {
		if out[i].Holder == nil {
			out[i].Holder = l.Holder
		}
	}
	return out
}
