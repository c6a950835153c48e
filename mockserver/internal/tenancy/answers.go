package tenancy

import "strings"

// StoreAnswers keeps MFA answers of the login, by prompt (any case), for
// the refreshes that meet the same prompts later (/AnswerMFAQuestions,
// and the answers of a live /Authorize).
func (ls *LoginState) StoreAnswers(answers map[string]string) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.answers == nil {
		ls.answers = make(map[string]string, len(answers))
	}
	for q, a := range answers {
		ls.answers[strings.ToLower(strings.TrimSpace(q))] = a
	}
}

// Answered reports whether an answer to the prompt is stored.
func (ls *LoginState) Answered(prompt string) bool {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	_, ok := ls.answers[strings.ToLower(strings.TrimSpace(prompt))]
	return ok
}
