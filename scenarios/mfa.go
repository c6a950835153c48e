package scenarios

import "strings"

// Accepts reports whether the answers a client sent for c are right.
// Answers are compared without regard to case or surrounding space. For
// MultipleChoiceMultipleAnswers the client must send exactly the accepted
// set (in any order); for every other type one of the values sent must be
// one of the accepted answers.
func (c Challenge) Accepts(sent []string) bool {
	if len(sent) == 0 {
		return false
	}
	if c.Type == ChallengeMultipleChoiceMultipleAnswers {
		want := make(map[string]bool, len(c.Answers))
		for _, a := range c.Answers {
			want[normalizeAnswer(a)] = true
		}
		got := make(map[string]bool, len(sent))
		for _, s := range sent {
			n := normalizeAnswer(s)
			if !want[n] {
				return false
			}
			got[n] = true
		}
		return len(got) == len(want)
	}
	for _, s := range sent {
		n := normalizeAnswer(s)
		for _, a := range c.Answers {
			if normalizeAnswer(a) == n {
				return true
			}
		}
	}
	return false
}

func normalizeAnswer(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}
