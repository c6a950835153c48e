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
		if e.Endpoint != endpointAuthorize {
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
