package tenancy

import (
	"strings"
	"unsafe"
)

// StoreAnswers notes that the login's MFA prompts were answered, by
// prompt (any case), for the refreshes that meet the same prompts later
// (/AnswerMFAQuestions, and the answers of a live /Authorize). Only that
// a prompt was answered is kept, never the answer, which a client may
// make a megabyte long.
func (t *Tenant) StoreAnswers(loginID string, answers map[string]string) {
	t.Login(loginID).storeAnswers(answers)
	t.logins.Update(loginID)
}

func (ls *LoginState) storeAnswers(answers map[string]string) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.answers == nil {
		ls.answers = make(map[string]bool, len(answers))
	}
	for q := range answers {
		q = strings.ToLower(strings.TrimSpace(q))
		if !ls.answers[q] {
			ls.answers[q] = true
			ls.answerBytes.Add(int64(len(q)) + int64(unsafe.Sizeof(q)) + 16)
		}
	}
}

// bytes is what the login state holds.
func (ls *LoginState) bytes() int64 {
	return int64(unsafe.Sizeof(LoginState{})) + ls.answerBytes.Load()
}

// Answered reports whether an answer to the prompt is stored.
func (ls *LoginState) Answered(prompt string) bool {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	_, ok := ls.answers[strings.ToLower(strings.TrimSpace(prompt))]
	return ok
}
