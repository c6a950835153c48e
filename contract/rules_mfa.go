package contract

import (
	"fmt"
	"slices"
	"strings"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// Authorize modes, as journalled.
const modeAnswer = "mfa-answer"

// MFAAnsweredInFull is FM002: an MFA answer call reuses the 203's
// RequestId and answers every prompt, in one call, keyed exactly as sent.
func MFAAnsweredInFull() Rule {
	return Rule{
		ID:        IDMFAAnsweredInFull,
		Statement: "An MFA answer call reuses the RequestId of the 203 and answers every prompt it asked, in one call, keyed by the prompt text exactly as sent.",
		Guide:     "Extract the SecurityChallenges from the 203 response, present them to the user, and call /Authorize again with the RequestId and SecurityResponses.",
		Source:    "Flinks guide, Retrieve Account Data; the keys are \"the prompt text, exactly as given\" and several challenges are answered \"in one call\" (flinks-contract.md §1)",
		check:     checkMFAAnsweredInFull,
	}
}

func checkMFAAnsweredInFull(entries []journal.Entry, _ Options) (bool, []Violation) {
	var problems []Violation
	applicable := false
	asked := map[string]journal.Entry{} // RequestId → its latest 203
	for _, e := range requests(entries) {
		if !isAuthorize(e) {
			continue
		}
		if e.Mode == modeAnswer {
			applicable = true
			challenge, ok := asked[e.RequestID]
			if !ok {
				problems = append(problems, Violation{
					Problem: fmt.Sprintf("an MFA answer call named RequestId %q, which no 203 of this journal gave; answer with the RequestId of the 203", e.RequestID),
					Entries: []journal.Entry{e},
				})
			} else if p := compareAnswers(challenge.Challenges, e.Answered); p != "" {
				problems = append(problems, Violation{Problem: p, Entries: []journal.Entry{challenge, e}})
			}
		}
		if e.Status == 203 && e.RequestID != "" {
			applicable = true
			asked[e.RequestID] = e
		}
	}
	return applicable, problems
}

// keepFirst maps each key to e, unless it maps to an entry already.
func keepFirst(m map[string]journal.Entry, keys []string, e journal.Entry) {
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			m[k] = e
		}
	}
}

// codeWrongAnswer is the FlinksCode of a refused MFA answer.
const codeWrongAnswer = "INVALID_SECURITY_RESPONSE"

// NoMFAReanswer is FM012: a refused MFA answer goes back to the user; the
// integration never answers again on its own.
func NoMFAReanswer() Rule {
	return Rule{
		ID:        IDNoMFAReanswer,
		Statement: "After an MFA answer is refused with INVALID_SECURITY_RESPONSE, the integration sends the user back to answer (it reports the error); it never sends an answer again on its own, for that RequestId or a new one of the login.",
		Guide:     "Extract the SecurityChallenges from the 203 response, present them to the user, and call /Authorize again with the RequestId and SecurityResponses. [...] A wrong answer gives 401 INVALID_SECURITY_RESPONSE.",
		Source:    "Flinks guide, Retrieve Account Data; the code from Flinks' error codes, in flinks-contract.md §1",
		check:     checkNoMFAReanswer,
	}
}

func checkNoMFAReanswer(entries []journal.Entry, _ Options) (bool, []Violation) {
	var problems []Violation
	applicable := false
	loginOf := map[string]string{}        // RequestId → LoginId, from its /Authorize
	refused := map[string]journal.Entry{} // RequestId or "login "+LoginId → the refusal
	flagged := map[string]int{}           // the same keys → index in problems
	reqs := requests(entries)
	late := answeredLate(reqs)
	for i, e := range reqs {
		if !isAuthorize(e) {
			continue
		}
		if e.LoginID != "" && e.RequestID != "" {
			loginOf[e.RequestID] = e.LoginID
		}
		if e.Mode != modeAnswer {
			continue
		}
		keys := []string{e.RequestID}
		if l := loginOf[e.RequestID]; l != "" {
			keys = append(keys, "login "+l)
		}
		for _, k := range keys {
			first, ok := refused[k]
			if !ok {
				continue
			}
			if i, ok := flagged[k]; ok {
				problems[i].Entries = append(problems[i].Entries, e)
				break
			}
			flagged[k] = len(problems)
			problems = append(problems, Violation{
				Problem: fmt.Sprintf("after the MFA answer for RequestId %s was refused (%s), the integration answered again on its own; report the error and send the user back to answer, never re-send an answer the user did not give", first.RequestID, codeWrongAnswer),
				Entries: []journal.Entry{first, e},
			})
			break
		}
		// A refusal that came after the integration had sent the answer
		// again (late) never reached it.
		if e.FlinksCode == codeWrongAnswer && !late[i] {
			applicable = true
			keepFirst(refused, keys, e)
		}
	}
	for i := range problems {
		if n := len(problems[i].Entries) - 1; n > 1 {
			problems[i].Problem += fmt.Sprintf(" (%d answers in all)", n)
		}
		problems[i].Entries = firstN(problems[i].Entries, MaxViolationsShown)
	}
	return applicable, problems
}

// compareAnswers says what is wrong with the prompts an answer call
// answered, given those the 203 asked, or "" when they are the same.
func compareAnswers(challenges, answered []string) string {
	var missing, unknown []string
	for _, c := range challenges {
		if !slices.Contains(answered, c) {
			missing = append(missing, fmt.Sprintf("%q", c))
		}
	}
	for _, a := range answered {
		if !slices.Contains(challenges, a) {
			unknown = append(unknown, fmt.Sprintf("%q", a))
		}
	}
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, fmt.Sprintf("left out %d of the %d prompts of the 203 (%s); answer them all in one call", len(missing), len(challenges), strings.Join(missing, ", ")))
	}
	if len(unknown) > 0 {
		parts = append(parts, fmt.Sprintf("answered %s, which the 203 did not ask; key each answer by a Prompt exactly as sent", strings.Join(unknown, ", ")))
	}
	if len(parts) == 0 {
		return ""
	}
	return "the MFA answer call " + strings.Join(parts, ", and ")
}

// MFAAnswerInTime is FM014: no answer is sent with a RequestId that has
// waited MFAIdleTimeout for it; the integration starts over instead.
func MFAAnswerInTime() Rule {
	return Rule{
		ID:        IDMFAAnswerInTime,
		Statement: "An MFA answer is sent less than MFAIdleTimeout (8 min) after the 203 it answers, on the server clock: when the user took longer, the RequestId has expired, and the integration starts over with a new /Authorize instead of sending the answer with it.",
		Guide:     "RequestId: expires after 8 min idle during Authorize, and data processing times out at 30 min. [...] SESSION_EXPIRED: RequestId expired (8 min idle in Authorize / 30 min processing).",
		Source:    "Flinks error codes and limits, in flinks-contract.md §4 and §7",
		check:     checkMFAAnswerInTime,
	}
}

func checkMFAAnswerInTime(entries []journal.Entry, o Options) (bool, []Violation) {
	var problems []Violation
	applicable := false
	asked := map[string]journal.Entry{} // RequestId → its latest 203
	for _, e := range requests(entries) {
		if !isAuthorize(e) {
			continue
		}
		if e.Mode == modeAnswer {
			if c, ok := asked[e.RequestID]; ok {
				applicable = true
				if idle := e.Time.Sub(c.Time); idle >= o.MFAIdleTimeout {
					problems = append(problems, Violation{
						Problem: fmt.Sprintf("the MFA answer for RequestId %s came %s after its 203, when the RequestId had expired (%s idle); when the user takes that long, start over with a new /Authorize (and a fresh token) and answer its 203",
							e.RequestID, seconds(idle), seconds(o.MFAIdleTimeout)),
						Entries: []journal.Entry{c, e},
					})
				}
			}
		}
		if e.Status == 203 && e.RequestID != "" {
			asked[e.RequestID] = e
		}
	}
	return applicable, problems
}
