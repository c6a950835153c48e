package flinksapi

import (
	"encoding/json"
	"net/http"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/tenancy"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// mfaQuestion is one question of /GetMFAQuestions and, with its Answer,
// of /AnswerMFAQuestions.
type mfaQuestion struct {
	Question string
	Answer   string `json:",omitempty"`
}

// mfaQuestions is the 200 of /GetMFAQuestions: no HttpStatusCode.
type mfaQuestions struct {
	Message   string
	Questions []mfaQuestion
}

// mfaAnswers is the body of /AnswerMFAQuestions (LoginId in any case).
type mfaAnswers struct {
	LoginId   string
	Questions []mfaQuestion
}

// mfaUpdated is the 200 of /AnswerMFAQuestions.
type mfaUpdated struct {
	Message string
}

// GetMFAQuestions lists the security questions of a login that have no
// stored answer: those answered in a live /Authorize or with
// /AnswerMFAQuestions are left out. Only questions (QuestionAndAnswer)
// are listed; the other challenge types cannot be answered in advance.
func (a *API) GetMFAQuestions(w http.ResponseWriter, r *http.Request) {
	t, lib := a.enter(w, r, "GetMFAQuestions")
	if t == nil || !a.credentialsOK(w, r, t, lib) {
		return
	}
	login := a.knownCard(w, r, t, lib, exchange.PathValue(r, "loginId"))
	if login == nil {
		return
	}
	ls := t.Login(login.LoginID)
	out := mfaQuestions{Message: "SUCCESS", Questions: []mfaQuestion{}}
	if login.MFA != nil {
		for _, round := range login.MFA.Rounds {
			for _, c := range round.Challenges {
				if (c.Type == "" || c.Type == scenarios.ChallengeQuestionAndAnswer) && !ls.Answered(c.Prompt) {
					out.Questions = append(out.Questions, mfaQuestion{Question: c.Prompt})
				}
			}
		}
	}
	exchange.WriteJSON(w, http.StatusOK, out)
}

// AnswerMFAQuestions stores answers to a login's security questions. Like
// Flinks, it does not check them: a refresh that meets the question does.
func (a *API) AnswerMFAQuestions(w http.ResponseWriter, r *http.Request) {
	t, lib := a.enter(w, r, "AnswerMFAQuestions")
	if t == nil || !a.credentialsOK(w, r, t, lib) {
		return
	}
	var req mfaAnswers
	if err := json.Unmarshal(exchange.Body(r), &req); err != nil {
		exchange.WriteError(w, r, exchange.Code(r, "INVALID_REQUEST", "Request body: "+exchange.JSONProblem(err), ""))
		return
	}
	if req.LoginId == "" || len(req.Questions) == 0 {
		exchange.WriteError(w, r, exchange.Code(r, "INVALID_REQUEST", "Send LoginId and Questions: [{Question, Answer}]", ""))
		return
	}
	login := a.knownCard(w, r, t, lib, req.LoginId)
	if login == nil {
		return
	}
	answers := make(map[string]string, len(req.Questions))
	for _, q := range req.Questions {
		if q.Question == "" || q.Answer == "" {
			exchange.WriteError(w, r, exchange.Code(r, "INVALID_REQUEST", "Each of Questions needs a Question and an Answer", ""))
			return
		}
		answers[q.Question] = q.Answer
	}
	t.StoreAnswers(login.LoginID, answers)
	exchange.WriteJSON(w, http.StatusOK, mfaUpdated{Message: "Answers updated"})
}

// knownCard finds the login of a LoginId the customer may use, and
// answers INVALID_LOGIN for one that is unknown or deleted.
func (a *API) knownCard(w http.ResponseWriter, r *http.Request, t *tenancy.Tenant, lib *scenarios.Library, id string) *scenarios.Login {
	exchange.Entry(r).LoginID = id
	login := a.LoginByID(lib, id)
	if login == nil || t.CardDeleted(login.LoginID) {
		exchange.WriteError(w, r, exchange.Code(r, "INVALID_LOGIN", "Invalid LoginId: "+id+" is not a card of this customer (never linked, or deleted)", ""))
		return nil
	}
	return login
}

// storeAnswered stores the answers of a round a session got right, for
// /GetMFAQuestions to leave out.
func storeAnswered(t *tenancy.Tenant, loginID string, asked []scenarios.Challenge, responses map[string][]string) {
	answers := map[string]string{}
	for _, c := range asked {
		if v := responses[c.Prompt]; len(v) > 0 && (c.Type == "" || c.Type == scenarios.ChallengeQuestionAndAnswer) {
			answers[c.Prompt] = v[0]
		}
	}
	if len(answers) > 0 {
		t.StoreAnswers(loginID, answers)
	}
}
