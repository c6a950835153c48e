package session

import (
	"testing"
	"unicode/utf8"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

// asciiUpper upper-cases the ASCII letters of s and leaves every other
// byte alone (full Unicode case mapping does not round-trip: "ı" upper-cases
// to "I", which lower-cases to "i").
func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

var challengeTypes = []string{
	scenarios.ChallengeQuestionAndAnswer,
	scenarios.ChallengeMultipleChoice,
	scenarios.ChallengeMultipleChoiceMultipleAnswers,
	scenarios.ChallengeImageSelection,
	scenarios.ChallengeTextOrCall,
}

// FuzzCheckAnswers checks the MFA answer matcher (Challenge.Accepts behind
// the server's checkAnswers) against what the contract says of it: a key
// that is no prompt asked is UNKNOWN_CHALLENGE_KEY, a prompt left out is
// SECURITYRESPONSES_INCOMPLETE, the scenario's own answers are right
// whatever their case and surrounding space, and a wrong answer is
// INVALID_SECURITY_RESPONSE; the message can go in a JSON envelope.
func FuzzCheckAnswers(f *testing.F) {
	f.Add(uint8(0), "What shape do people like most?", "Triangle", "", "What shape do people like most?", "triangle ", "")
	f.Add(uint8(1), "Which street?", "Yonge Street", "Robson Street", "Which street?", "Rue Sherbrooke", "")
	f.Add(uint8(2), "Select every bank", "Desjardins", "TD Canada Trust", "Select every bank", "td canada trust", "DESJARDINS")
	f.Add(uint8(2), "Select every bank", "Desjardins", "TD Canada Trust", "Select every bank", "Desjardins", "")
	f.Add(uint8(3), "Pick the picture", "Canoe", "", "pick the picture", "Canoe", "")
	f.Add(uint8(4), "Code sent by text", "123456", "", "Code sent by text", "", "")
	f.Add(uint8(0), "q\x00", "\xff", "ı", "q\x00", "I", "\u212a")
	f.Fuzz(func(t *testing.T, kind uint8, prompt, answer1, answer2, key, sent1, sent2 string) {
		c := scenarios.Challenge{Type: challengeTypes[int(kind)%len(challengeTypes)], Prompt: prompt, Answers: []string{answer1}}
		if answer2 != "" {
			c.Answers = append(c.Answers, answer2)
		}
		other := scenarios.Challenge{Type: scenarios.ChallengeQuestionAndAnswer, Prompt: prompt + "?", Answers: []string{"x"}}
		asked := []scenarios.Challenge{c}
		sent := []string{sent1}
		if sent2 != "" {
			sent = append(sent, sent2)
		}

		got := checkAnswers(asked, map[string][]string{key: sent})
		if again := checkAnswers(asked, map[string][]string{key: sent}); (got == nil) != (again == nil) || (got != nil && *got != *again) {
			t.Fatalf("checkAnswers is not deterministic: %v then %v", got, again)
		}
		switch {
		case key != prompt:
			if got == nil || got.Code != "UNKNOWN_CHALLENGE_KEY" {
				t.Fatalf("answer keyed %q to prompt %q: %v, want UNKNOWN_CHALLENGE_KEY", key, prompt, got)
			}
		case c.Accepts(sent):
			if got != nil {
				t.Fatalf("Accepts(%q) but checkAnswers says %v", sent, got)
			}
		default:
			if got == nil || got.Code != "INVALID_SECURITY_RESPONSE" {
				t.Fatalf("Accepts(%q) is false but checkAnswers says %v", sent, got)
			}
		}
		if got != nil && (got.Message == "" || !utf8.ValidString(got.Message)) {
			t.Fatalf("message %q cannot go in the envelope", got.Message)
		}

		// The scenario's own answers are right, in any ASCII case and
		// with space around them.
		own := c.Answers
		if c.Type != scenarios.ChallengeMultipleChoiceMultipleAnswers {
			own = c.Answers[:1]
		}
		dressed := make([]string, len(own))
		for i, a := range own {
			dressed[i] = " \t" + asciiUpper(a) + "\n "
		}
		if p := checkAnswers(asked, map[string][]string{prompt: dressed}); p != nil {
			t.Fatalf("the scenario's answers %q, sent as %q: %v", own, dressed, p)
		}
		if c.Accepts(nil) || c.Accepts([]string{}) {
			t.Fatal("Accepts takes an empty answer list")
		}
		// Every prompt of a round must be answered.
		if p := checkAnswers([]scenarios.Challenge{c, other}, map[string][]string{prompt: dressed}); p == nil || p.Code != "SECURITYRESPONSES_INCOMPLETE" {
			t.Fatalf("one of two prompts answered: %v, want SECURITYRESPONSES_INCOMPLETE", p)
		}
	})
}
