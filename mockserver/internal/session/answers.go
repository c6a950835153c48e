package session

import (
	"fmt"
	"slices"
	"strings"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

// checkAnswers compares SecurityResponses with the challenges asked: every
// key must be a prompt that was asked (exactly as sent), every prompt must
// be answered, and every answer must be right.
func checkAnswers(asked []scenarios.Challenge, responses map[string][]string) *Failure {
	keys := make([]string, 0, len(responses))
	for k := range responses {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.ContainsFunc(asked, func(c scenarios.Challenge) bool { return c.Prompt == k }) {
			return &Failure{CodeUnknownKey, fmt.Sprintf("No security challenge was asked with the prompt %q; key each answer by a Prompt of the 203, exactly as sent", k)}
		}
	}
	var missing []string
	for _, c := range asked {
		if _, ok := responses[c.Prompt]; !ok {
			missing = append(missing, fmt.Sprintf("%q", c.Prompt))
		}
	}
	if len(missing) > 0 {
		return &Failure{CodeIncomplete, "Answer every security challenge of the 203 in one call; not answered: " + strings.Join(missing, ", ")}
	}
	for _, c := range asked {
		if !c.Accepts(responses[c.Prompt]) {
			return &Failure{CodeWrongAnswer, fmt.Sprintf("The answer to %q is wrong", c.Prompt)}
		}
	}
	return nil
}

// PickChallenges returns the challenges of a round a session is asked:
// all of them, or Pick of them chosen in turn (the n-th session of a login
// gets the n-th group), as the sandbox asks one of its questions.
func PickChallenges(round scenarios.Round, n int) []scenarios.Challenge {
	if round.Pick <= 0 || round.Pick >= len(round.Challenges) {
		return round.Challenges
	}
	out := make([]scenarios.Challenge, round.Pick)
	for i := range out {
		out[i] = round.Challenges[(n*round.Pick+i)%len(round.Challenges)]
	}
	return out
}
