package scenarios

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// Convention usernames ask for a behaviour by their name alone, on any
// tenant and with no scenario file, as the test passwords of a payments
// sandbox do: a legacy /Authorize (or a Connect sign-in) at FlinksCapital
// with the username mfa_question_2_3 and the password Everyday meets two
// MFA rounds of three questions. The login is made on the fly; its LoginId
// is derived from the username, and the username can be derived back from
// the LoginId, so a later cached /Authorize finds the same login on any
// server that never saw the username.

// Bounds of the numbers in convention usernames.
const (
	// MaxConventionRounds bounds the rounds of an mfa_ part.
	MaxConventionRounds = 5
	// MaxConventionChallenges bounds the challenges of each round.
	MaxConventionChallenges = 5
	// MaxConventionCalls bounds the 202 answers of a pending_,
	// dispatched_ or statements_ part.
	MaxConventionCalls = 100
)

// ErrNotConvention is returned by ParseConvention for a username that does
// not try to be a convention username, and by ConventionByLoginID for a
// LoginId that was not derived from one.
var ErrNotConvention = errors.New("not a convention username")

// ConventionOrigin is the Origin of a convention login, in listings: the
// name of the source it is built from.
const ConventionOrigin = "convention"

// ConventionError is a username that looks like a convention username but
// is not a valid one. Its message lists the valid forms.
type ConventionError struct {
	// Username is the username as sent.
	Username string
	// Problem says what is wrong with it.
	Problem string
}

func (e *ConventionError) Error() string {
	return fmt.Sprintf("Username %q looks like a convention username but is not one: %s. Valid forms, combined with \"__\": %s",
		clip(e.Username, 80), e.Problem, conventionSyntax())
}

// conventionSyntax lists the valid forms in one line.
func conventionSyntax() string {
	return fmt.Sprintf("error_<FLINKSCODE>; mfa_<%s>_<rounds 1-%d>_<challenges 1-%d>; pending_<n 1-%d>; dispatched_<n 1-%d>; statements_<n 1-%d>; accounts_<n 1-%d>[_days_<d 1-%d>]",
		strings.Join(mfaWords(), "|"), MaxConventionRounds, MaxConventionChallenges, MaxConventionCalls, MaxConventionCalls, MaxConventionCalls, MaxGeneratedAccounts, MaxGenerateDays)
}

// Convention is one form of convention username, as listings show it.
type Convention struct {
	// Form is the pattern, e.g. "mfa_<type>_<rounds>_<challenges>".
	Form string
	// Example is a username of that form, e.g. "mfa_question_2_3".
	Example string
	// Description says what the form asks for.
	Description string
}

// Conventions returns the forms of convention usernames, the last one
// being how they combine.
func Conventions() []Convention {
	return []Convention{
		{"error_<FLINKSCODE>", "error_RETRY_LATER", fmt.Sprintf("That FlinksCode, with its contract status: %s from GetAccountsDetail after a successful /Authorize, every other code from /Authorize itself.", andList(dataErrorCodes()))},
		{"mfa_<type>_<rounds>_<challenges>", "mfa_question_2_3", fmt.Sprintf("Live refresh asks <rounds> 203s of <challenges> challenges each; type is %s. The prompt of challenge c of round r is \"Question c of round r?\" and its answer answer-r-c (for multi, both answer-r-c and also-r-c; for choice, multi and image they are among the Iterables).", strings.Join(mfaWords(), ", "))},
		{"pending_<n>", "pending_3", "GetAccountsDetail answers 202 OPERATION_PENDING n times (the call and its Async polls), then 200."},
		{"dispatched_<n>", "dispatched_1", "GetAccountsDetail answers 202 OPERATION_DISPATCHED n times, then 200 (after the pending answers when both are given)."},
		{"statements_<n>", "statements_2", "GetStatements answers 202 OPERATION_PENDING n times (the call and its Async polls), then 200."},
		{"accounts_<n>_days_<d>", "accounts_2_days_90", fmt.Sprintf("n generated accounts (1-%d; the kinds chequing, savings and credit card taken in turn, so 4 is two chequing, a savings and a credit card) with d days of transactions (1-%d; 365 when _days_ is left out).", MaxGeneratedAccounts, MaxGenerateDays)},
		{"<part>__<part>", "mfa_question_1_1__pending_3", "Parts combined. An /Authorize error takes no other part; each kind of part appears once."},
	}
}

// ParseConvention reads a convention username and returns the login it
// asks for, ready to be built like a login of a file: institution
// FlinksCapital, password Everyday, a LoginId derived from the username,
// and the steps, MFA and generated accounts the parts ask for. Keywords
// and FlinksCodes are matched without regard to case; the login's Username
// and Name are the canonical spelling (keywords in lower case, the code in
// upper case, the parts in the order error, mfa, dispatched, pending,
// statements, accounts), so every spelling of a convention is the same login.
//
// It returns ErrNotConvention when no part of the username (parts are
// joined by "__") starts with error_, mfa_, pending_, dispatched_,
// statements_ or accounts_, and a *ConventionError when one does but the username is not
// a valid convention.
func ParseConvention(username string) (*Login, error) {
	c, err := parseConvention(username)
	if err != nil {
		return nil, err
	}
	return c.login(), nil
}

// ConventionByLoginID returns the convention login whose LoginId this is,
// or ErrNotConvention. The LoginId carries what the username asked for, so
// no state is needed to find the login again.
func ConventionByLoginID(loginID string) (*Login, error) {
	id, err := uuid.Parse(loginID)
	if err != nil || id.Version() != 5 || id.Variant() != uuid.RFC4122 {
		return nil, ErrNotConvention
	}
	c, ok := unpackConvention(binary.BigEndian.Uint64(id[8:]))
	if !ok || c.check() != "" {
		return nil, ErrNotConvention
	}
	if c.loginUUID() != id {
		return nil, ErrNotConvention
	}
	return c.login(), nil
}

// mfaKind is one word of an mfa_ part and the challenge type it asks.
type mfaKind struct {
	word, typ string
}

// mfaKinds lists the mfa_ types. Their order is part of every LoginId
// derived from a convention: only append.
func mfaKinds() []mfaKind {
	return []mfaKind{
		{"question", ChallengeQuestionAndAnswer},
		{"choice", ChallengeMultipleChoice},
		{"multi", ChallengeMultipleChoiceMultipleAnswers},
		{"image", ChallengeImageSelection},
		{"textorcall", ChallengeTextOrCall},
	}
}

func mfaWords() []string {
	var out []string
	for _, k := range mfaKinds() {
		out = append(out, k.word)
	}
	return out
}

// conventionCodes lists the FlinksCodes an error_ part may name. Their
// order is part of every LoginId derived from a convention: only append.
func conventionCodes() []string {
	return []string{
		"ACCESS_DENIED", "AGGREGATION_ERROR", "ALREADY_AUTHORIZED", "CARD_IN_USE",
		"CONCURRENT_SESSION", "DISABLED_INSTITUTION", "DISABLED_LOGIN", "INVALID_LOGIN",
		"INVALID_PASSWORD", "INVALID_REQUEST", "INVALID_SECURITY_RESPONSE",
		"INVALID_SECURITY_RESPONSE_NO_RETRY", "INVALID_USERNAME", "METHOD_NOT_AVAILABLE",
		"NEW_ACCOUNT", "NO_TRANSACTION", "QUESTION_NOT_FOUND", "RETRY_LATER",
		"SECURITYRESPONSES_INCOMPLETE", "SESSION_EXPIRED", "SESSION_NONEXISTENT",
		"TOO_MANY_REQUESTS", "UNAUTHORIZED", "UNKNOWN_CHALLENGE_KEY",
	}
}

// dataErrorCodes are the codes an error_ part raises at GetAccountsDetail
// rather than at /Authorize: those about the data or its processing.
func dataErrorCodes() []string {
	return []string{"AGGREGATION_ERROR", "CARD_IN_USE", "METHOD_NOT_AVAILABLE", "NO_TRANSACTION", "SESSION_EXPIRED", "SESSION_NONEXISTENT"}
}

// convention is what a convention username asks for. Zero fields are
// parts left out; mfa, code are 1-based indexes into mfaKinds and
// conventionCodes.
type convention struct {
	code                int // error_
	mfa                 int // mfa_ type
	rounds, challenges  int
	dispatched, pending int
	statements          int // statements_: 202s of GetStatements
	accounts, days      int // days 0: the default
}

// conventionKeywords start the parts of a convention username.
func conventionKeywords() []string {
	return []string{"error_", "mfa_", "pending_", "dispatched_", "statements_", "accounts_"}
}

func parseConvention(username string) (convention, error) {
	parts := strings.Split(username, "__")
	if !slices.ContainsFunc(parts, func(p string) bool {
		lower := asciiLower(p)
		return slices.ContainsFunc(conventionKeywords(), func(k string) bool { return strings.HasPrefix(lower, k) })
	}) {
		return convention{}, ErrNotConvention
	}
	fail := func(format string, args ...any) (convention, error) {
		return convention{}, &ConventionError{Username: username, Problem: fmt.Sprintf(format, args...)}
	}
	var c convention
	for _, p := range parts {
		if p == "" {
			return fail(`it has an empty part (parts are joined by a single "__")`)
		}
		if problem := c.parsePart(p); problem != "" {
			return fail("%s", problem)
		}
	}
	if problem := c.check(); problem != "" {
		return fail("%s", problem)
	}
	return c, nil
}

// parsePart reads one part into c, or says what is wrong with it.
func (c *convention) parsePart(p string) string {
	// ASCII case only: the parts are sliced by byte offsets found in
	// lower, which must stay those of p.
	lower := asciiLower(p)
	twice := func(kind string) string {
		return fmt.Sprintf("it has two %s parts; give each kind of part once", kind)
	}
	switch {
	case strings.HasPrefix(lower, "error_"):
		if c.code != 0 {
			return twice("error_")
		}
		return c.parseError(p)
	case strings.HasPrefix(lower, "mfa_"):
		if c.mfa != 0 {
			return twice("mfa_")
		}
		return c.parseMFA(p, lower)
	case strings.HasPrefix(lower, "pending_"):
		if c.pending != 0 {
			return twice("pending_")
		}
		var problem string
		c.pending, problem = number(lower[len("pending_"):], "pending_<n>", 1, MaxConventionCalls)
		return problem
	case strings.HasPrefix(lower, "dispatched_"):
		if c.dispatched != 0 {
			return twice("dispatched_")
		}
		var problem string
		c.dispatched, problem = number(lower[len("dispatched_"):], "dispatched_<n>", 1, MaxConventionCalls)
		return problem
	case strings.HasPrefix(lower, "statements_"):
		if c.statements != 0 {
			return twice("statements_")
		}
		var problem string
		c.statements, problem = number(lower[len("statements_"):], "statements_<n>", 1, MaxConventionCalls)
		return problem
	case strings.HasPrefix(lower, "accounts_"):
		if c.accounts != 0 {
			return twice("accounts_")
		}
		return c.parseAccounts(lower)
	}
	return fmt.Sprintf("the part %q is none of error_, mfa_, pending_, dispatched_, statements_ or accounts_", clip(p, 40))
}

// parseError reads an error_<FLINKSCODE> part.
func (c *convention) parseError(p string) string {
	code := asciiCase(p[len("error_"):], 'a', 'A')
	if code == "OPERATION_PENDING" || code == "OPERATION_DISPATCHED" {
		return fmt.Sprintf("%s is a 202, not an error; use %s_<n>", code, strings.ToLower(strings.TrimPrefix(code, "OPERATION_")))
	}
	i := slices.Index(conventionCodes(), code)
	if i < 0 {
		if msg := unknownCode(code); msg != "" {
			return msg
		}
		return fmt.Sprintf("%s cannot be asked for by a convention", code)
	}
	c.code = i + 1
	return ""
}

// parseMFA reads an mfa_<type>_<rounds>_<challenges> part.
func (c *convention) parseMFA(p, lower string) string {
	f := strings.Split(lower[len("mfa_"):], "_")
	if len(f) != 3 {
		return fmt.Sprintf("%q is not mfa_<type>_<rounds>_<challenges>, e.g. mfa_question_2_3", clip(p, 40))
	}
	i := slices.IndexFunc(mfaKinds(), func(k mfaKind) bool { return k.word == f[0] })
	if i < 0 {
		return fmt.Sprintf("%q names no MFA type; use %s", clip(p, 40), orList(mfaWords()))
	}
	var problem string
	if c.rounds, problem = number(f[1], "rounds", 1, MaxConventionRounds); problem != "" {
		return problem
	}
	if c.challenges, problem = number(f[2], "challenges", 1, MaxConventionChallenges); problem != "" {
		return problem
	}
	c.mfa = i + 1
	return ""
}

// parseAccounts reads an accounts_<n>[_days_<d>] part.
func (c *convention) parseAccounts(lower string) string {
	n, days, withDays := strings.Cut(lower[len("accounts_"):], "_days_")
	var problem string
	if c.accounts, problem = number(n, "accounts_<n>", 1, MaxGeneratedAccounts); problem != "" {
		return problem
	}
	if withDays {
		c.days, problem = number(days, "days_<d>", 1, MaxGenerateDays)
	}
	return problem
}

// number reads a count written in decimal digits, within lo and hi.
func number(s, what string, lo, hi int) (int, string) {
	if s == "" || len(s) > 4 || strings.Trim(s, "0123456789") != "" {
		return 0, fmt.Sprintf("%s must be a number from %d to %d, not %q", what, lo, hi, clip(s, 20))
	}
	n, _ := strconv.Atoi(s)
	if n < lo || n > hi {
		return 0, fmt.Sprintf("%s must be from %d to %d, not %d", what, lo, hi, n)
	}
	return n, ""
}

// check finds the contradictions of a convention, and the values out of
// bounds of one decoded from a LoginId.
func (c convention) check() string {
	switch {
	case !c.inBounds():
		return "it is out of bounds"
	case c.code == 0 && c.mfa == 0 && c.pending == 0 && c.dispatched == 0 && c.statements == 0 && c.accounts == 0:
		return "it asks for nothing"
	}
	if c.code == 0 || c.dataError() {
		return ""
	}
	var others []string
	for _, part := range []struct {
		name string
		set  bool
	}{{"mfa_", c.mfa != 0}, {"dispatched_", c.dispatched != 0}, {"pending_", c.pending != 0}, {"statements_", c.statements != 0}, {"accounts_", c.accounts != 0}} {
		if part.set {
			others = append(others, part.name)
		}
	}
	if len(others) > 0 {
		return fmt.Sprintf("error_%s fails /Authorize, so its %s part would never be reached; drop one of them", c.codeName(), andList(others))
	}
	return ""
}

// inBounds reports whether every field is within its bounds and the MFA
// fields are all set or all left out.
func (c convention) inBounds() bool {
	within := func(v, hi int) bool { return v >= 0 && v <= hi }
	return within(c.code, len(conventionCodes())) && within(c.mfa, len(mfaKinds())) &&
		(c.mfa == 0) == (c.rounds == 0) && (c.mfa == 0) == (c.challenges == 0) &&
		c.rounds <= MaxConventionRounds && c.challenges <= MaxConventionChallenges &&
		within(c.pending, MaxConventionCalls) && within(c.dispatched, MaxConventionCalls) &&
		within(c.statements, MaxConventionCalls) &&
		within(c.accounts, MaxGeneratedAccounts) && within(c.days, MaxGenerateDays) &&
		(c.days == 0 || c.accounts != 0)
}

func (c convention) codeName() string {
	if c.code == 0 {
		return ""
	}
	return conventionCodes()[c.code-1]
}

// dataError reports whether the error_ part fails GetAccountsDetail
// rather than /Authorize.
func (c convention) dataError() bool {
	return c.code != 0 && slices.Contains(dataErrorCodes(), c.codeName())
}

// String is the canonical username of the convention.
func (c convention) String() string {
	var parts []string
	if c.code != 0 {
		parts = append(parts, "error_"+c.codeName())
	}
	if c.mfa != 0 {
		parts = append(parts, fmt.Sprintf("mfa_%s_%d_%d", mfaKinds()[c.mfa-1].word, c.rounds, c.challenges))
	}
	if c.dispatched != 0 {
		parts = append(parts, fmt.Sprintf("dispatched_%d", c.dispatched))
	}
	if c.pending != 0 {
		parts = append(parts, fmt.Sprintf("pending_%d", c.pending))
	}
	if c.statements != 0 {
		parts = append(parts, fmt.Sprintf("statements_%d", c.statements))
	}
	if c.accounts != 0 {
		p := fmt.Sprintf("accounts_%d", c.accounts)
		if c.days != 0 {
			p += fmt.Sprintf("_days_%d", c.days)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "__")
}
