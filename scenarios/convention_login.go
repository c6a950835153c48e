package scenarios

import (
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/google/uuid"
)

// A convention's LoginId is a version-5 UUID in two halves: the first is
// that of uuid.NewSHA1 of the canonical username in conventionNamespace;
// the second (after the variant bits) packs the convention, so the
// username can be rebuilt from the LoginId and checked against the first
// half. packFormat numbers the packing, for a later one to tell itself apart.
const (
	conventionNamespace = "flinks-mock:conventions"
	packFormat          = 1
	packSpare           = 8 // low bits left zero
)

// packFields are the widths, in bits, of the packed fields, in order.
func (c convention) packFields() []struct{ v, bits int } {
	return []struct{ v, bits int }{
		{packFormat, 4}, {c.code, 5}, {c.mfa, 3}, {c.rounds, 3}, {c.challenges, 3},
		{c.dispatched, 7}, {c.pending, 7}, {c.accounts, 5}, {c.days, 10},
		// Added last, so the LoginIds of conventions without it are those
		// of the first packing.
		{c.statements, 7},
	}
}

func (c convention) pack() uint64 {
	var v uint64
	for _, f := range c.packFields() {
		v = v<<f.bits | uint64(f.v)&(1<<f.bits-1)
	}
	return 1<<63 | v<<packSpare // RFC 4122 variant: 10 in the top bits
}

func unpackConvention(v uint64) (convention, bool) {
	if v>>62 != 2 || v&(1<<packSpare-1) != 0 {
		return convention{}, false
	}
	v = (v &^ (3 << 62)) >> packSpare
	var c convention
	targets := []*int{nil, &c.code, &c.mfa, &c.rounds, &c.challenges, &c.dispatched, &c.pending, &c.accounts, &c.days, &c.statements}
	fields := c.packFields()
	for i := len(fields) - 1; i >= 0; i-- {
		n := int(v & (1<<fields[i].bits - 1))
		v >>= fields[i].bits
		if targets[i] != nil {
			*targets[i] = n
		} else if n != packFormat {
			return convention{}, false
		}
	}
	return c, v == 0
}

func (c convention) loginUUID() uuid.UUID {
	ns := uuid.NewSHA1(uuid.NameSpaceURL, []byte(conventionNamespace))
	h := uuid.NewSHA1(ns, []byte(c.String()))
	var id uuid.UUID
	copy(id[:8], h[:8])
	binary.BigEndian.PutUint64(id[8:], c.pack())
	return id
}

// login is the login the convention asks for, not built yet.
func (c convention) login() *Login {
	name := c.String()
	id := c.loginUUID()
	l := &Login{
		Name:        name,
		Description: c.describe(),
		Username:    name,
		LoginID:     id.String(),
		Holder:      conventionHolder(),
		Generate:    c.generate(int64(binary.BigEndian.Uint64(id[:8]) >> 1)),
	}
	if c.code != 0 && !c.dataError() {
		l.Authorize = []Step{{Respond: RespondError, FlinksCode: c.codeName()}}
	}
	if c.mfa != 0 {
		kind := mfaKinds()[c.mfa-1]
		l.MFA = &MFA{}
		for r := 1; r <= c.rounds; r++ {
			var round Round
			for n := 1; n <= c.challenges; n++ {
				round.Challenges = append(round.Challenges, conventionChallenge(kind.typ, r, n))
			}
			l.MFA.Rounds = append(l.MFA.Rounds, round)
		}
	}
	if c.dispatched != 0 {
		l.AccountsDetail = append(l.AccountsDetail, Step{Respond: RespondDispatched, Calls: c.dispatched})
	}
	if c.pending != 0 {
		l.AccountsDetail = append(l.AccountsDetail, Step{Respond: RespondPending, Calls: c.pending})
	}
	if c.statements != 0 {
		l.Statements = []Step{{Respond: RespondPending, Calls: c.statements}, {Respond: RespondReady}}
	}
	if c.dataError() {
		l.AccountsDetail = append(l.AccountsDetail, Step{Respond: RespondError, FlinksCode: c.codeName()})
	} else if len(l.AccountsDetail) > 0 {
		l.AccountsDetail = append(l.AccountsDetail, Step{Respond: RespondReady})
	}
	return l
}

// conventionChallenge is challenge n of round r: prompt "Question n of
// round r?", answer answer-r-n.
func conventionChallenge(typ string, r, n int) Challenge {
	ch := Challenge{
		Type:    typ,
		Prompt:  fmt.Sprintf("Question %d of round %d?", n, r),
		Answers: []string{fmt.Sprintf("answer-%d-%d", r, n)},
	}
	wrong := func(i int) string { return fmt.Sprintf("wrong-%d-%d-%d", r, n, i) }
	switch typ {
	case ChallengeMultipleChoice, ChallengeImageSelection:
		ch.Iterables = []string{wrong(1), ch.Answers[0], wrong(2)}
	case ChallengeMultipleChoiceMultipleAnswers:
		also := fmt.Sprintf("also-%d-%d", r, n)
		ch.Iterables = []string{ch.Answers[0], wrong(1), also, wrong(2)}
		ch.Answers = append(ch.Answers, also)
	}
	return ch
}

// generate is the accounts of the convention: those of accounts_ (a
// chequing, a savings and a credit card account by default), from a seed
// of the username's own.
func (c convention) generate(seed int64) *Generate {
	g := &Generate{Seed: seed, Days: c.days}
	n := c.accounts
	if n == 0 {
		n = 3
	}
	for i := range n {
		switch i % 3 {
		case 0:
			g.Chequing++
		case 1:
			g.Savings++
		default:
			g.CreditCards++
		}
	}
	return g
}

// conventionHolder is the fictional holder of every convention login.
func conventionHolder() *Holder {
	return &Holder{
		Name: "Sam Convention",
		Address: Address{
			CivicAddress: "100 Example Street",
			City:         "Toronto",
			Province:     "ON",
			PostalCode:   "M5V 0A1",
			Country:      "CA",
		},
		Email:       "sam.convention@example.com",
		PhoneNumber: "416-555-0100",
	}
}

// describe says in one sentence what the convention does.
func (c convention) describe() string {
	var parts []string
	if c.code != 0 && !c.dataError() {
		parts = append(parts, fmt.Sprintf("every /Authorize answers %d %s", status(c.codeName()), c.codeName()))
	}
	if c.mfa != 0 {
		parts = append(parts, fmt.Sprintf("live refresh asks %d round(s) of %d %s challenge(s), \"Question c of round r?\" answered answer-r-c", c.rounds, c.challenges, mfaKinds()[c.mfa-1].typ))
	}
	if c.dispatched != 0 {
		parts = append(parts, fmt.Sprintf("GetAccountsDetail answers 202 OPERATION_DISPATCHED %d time(s)", c.dispatched))
	}
	if c.pending != 0 {
		parts = append(parts, fmt.Sprintf("GetAccountsDetail answers 202 OPERATION_PENDING %d time(s)", c.pending))
	}
	if c.statements != 0 {
		parts = append(parts, fmt.Sprintf("GetStatements answers 202 OPERATION_PENDING %d time(s)", c.statements))
	}
	if c.dataError() {
		parts = append(parts, fmt.Sprintf("GetAccountsDetail then answers %d %s", status(c.codeName()), c.codeName()))
	}
	if c.accounts != 0 {
		days := c.days
		if days == 0 {
			days = DefaultGenerateDays
		}
		parts = append(parts, fmt.Sprintf("%d generated account(s) with %d day(s) of transactions", c.accounts, days))
	}
	return "Convention login: " + strings.Join(parts, "; ") + "."
}

// clip cuts s to n bytes for a message, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

// asciiLower lowers the ASCII letters of s and leaves every other byte as
// it is.
func asciiLower(s string) string { return asciiCase(s, 'A', 'a') }

// asciiCase moves the ASCII letters of s from the case starting at from
// to the case starting at to.
func asciiCase(s string, from, to byte) string {
	b := []byte(s)
	for i, c := range b {
		if from <= c && c <= from+'z'-'a' {
			b[i] = c - from + to
		}
	}
	return string(b)
}

// status is the contract's HTTP status of a FlinksCode.
func status(code string) int {
	c, _ := openapi.LookupCode(code)
	return c.Status
}
