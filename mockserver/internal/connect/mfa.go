package connect

import (
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// relaunch shows the MFA screen of a session that waits for answers: the
// requestId parameter lets an application bring the end user back to
// answer a 203 its back end received, with a fresh authorizeToken, as
// Flinks' guide to refreshing data describes.
func (f *connectFlow) relaunch() {
	f.entry.RequestID = f.p.requestID
	sess := f.t.Session(f.p.requestID)
	if sess == nil {
		f.failed("SESSION_NONEXISTENT", "", f.p.requestID)
		f.end(f.page.T.errorText("SESSION_NONEXISTENT"), "SESSION_NONEXISTENT")
		return
	}
	f.entry.LoginID = sess.Login.LoginID
	if !f.tokenAllows(sess.Login) {
		f.refuseToken()
		return
	}
	asked, code := f.waiting(sess)
	if code != "" {
		f.failed(code, sess.Inst.Name, sess.ID)
		f.end(f.page.T.errorText(code), code)
		return
	}
	f.mfa(sess, asked, "")
}

// waiting returns the challenges a session waits to have answered, or the
// code that says why it waits for none.
func (f *connectFlow) waiting(sess *session.Session) ([]scenarios.Challenge, string) {
	sess.Lock()
	defer sess.Unlock()
	st, failure := session.Resume(sess.State, f.now, session.LimitsOf(f.lib.Settings))
	sess.State = st
	if failure != nil {
		return nil, failure.Code
	}
	return st.Asked, ""
}

// mfa shows the challenges of a session's MFA round, with the message of
// the error that brought the end user back to them, if any.
func (f *connectFlow) mfa(sess *session.Session, asked []scenarios.Challenge, code string) {
	ev := connectEvent{Step: stepLoadMFA, Institution: sess.Inst.Name}
	if code != "" {
		ev.Step = stepLoadMFARetry
	}
	f.page.Challenges = nil
	for i, c := range asked {
		ev.MFATypes = append(ev.MFATypes, c.Type)
		f.entry.Challenges = append(f.entry.Challenges, c.Prompt)
		cc := connectChallenge{N: i, Prompt: c.Prompt, Input: "text"}
		switch c.Type {
		case scenarios.ChallengeMultipleChoice, scenarios.ChallengeImageSelection:
			cc.Input, cc.Choices = "radio", c.Iterables
		case scenarios.ChallengeMultipleChoiceMultipleAnswers:
			cc.Input, cc.Choices = "checkbox", c.Iterables
		}
		if len(cc.Choices) == 0 {
			cc.Input = "text"
		}
		if f.p.demo {
			cc.Hint = strings.Join(c.Answers, ", ")
		}
		f.page.Challenges = append(f.page.Challenges, cc)
	}
	f.event(ev)
	f.entry.RequestID = sess.ID
	f.page.View = viewMFA
	f.page.Title = f.page.T.MFAHeading
	f.page.RequestID = sess.ID
	if code != "" {
		f.page.Error = f.page.T.errorText(code)
		f.page.ErrorCode = code
	}
	f.render()
}

// answer takes the MFA form: the answers, keyed by the prompts the screen
// showed, go through the same checks as the SecurityResponses of an
// /Authorize call.
func (f *connectFlow) answer(form map[string][]string) {
	requestID := formFirst(form["requestId"])
	f.entry.RequestID = requestID
	f.body = append(f.body, "RequestId="+requestID)
	sess := f.t.Session(requestID)
	institution := ""
	if sess != nil {
		f.entry.LoginID = sess.Login.LoginID
		institution = sess.Inst.Name
	}
	responses := map[string][]string{}
	for i := 0; ; i++ {
		prompt, ok := form["prompt-"+strconv.Itoa(i)]
		if !ok {
			break
		}
		var answers []string
		for _, a := range form["answer-"+strconv.Itoa(i)] {
			if strings.TrimSpace(a) != "" {
				answers = append(answers, a)
			}
		}
		// An empty field is no answer, as a key left out of
		// SecurityResponses is.
		if len(answers) > 0 {
			responses[formFirst(prompt)] = answers
		}
	}
	for prompt := range responses {
		f.entry.Answered = append(f.entry.Answered, prompt)
	}
	slices.Sort(f.entry.Answered)
	f.body = append(f.body, fmt.Sprintf("%d answered (redacted)", len(responses)))
	f.event(connectEvent{Step: stepSubmitMFA, Institution: institution})

	res := f.auth.Answer(f.t, f.lib, sess, responses, f.now)
	switch {
	case res.Err != nil:
		code := res.Err.Code
		f.failed(code, institution, requestID)
		if connectRetryable[code] && sess != nil {
			if asked, ended := f.waiting(sess); ended == "" {
				f.mfa(sess, asked, code)
				return
			}
		}
		f.end(f.page.T.errorText(code), code)
	case res.Asked != nil:
		f.mfa(res.Session, res.Asked, "")
	default:
		f.success(res.Session)
	}
}

// formFirst is the first value of a form field, or "".
func formFirst(values []string) string {
	if len(values) == 0 {
		return ""
	}
	return values[0]
}

// success hands out the LoginId of the session's login: posted to the
// parent in the REDIRECT event and, when the page has a usable
// redirectUrl, appended to it (loginId, tag, institution) for the
// redirect. innerRedirect=true redirects the frame itself, jsRedirect=true
// leaves the redirect to the parent, otherwise the parent window goes.
func (f *connectFlow) success(sess *session.Session) {
	loginID, inst := sess.Login.LoginID, sess.Inst.Name
	f.entry.LoginID, f.entry.RequestID = loginID, sess.ID
	// Flinks gathers the data of a login linked through Connect and sends
	// its webhook with no API call.
	f.auth.Linked(f.t, f.lib, sess)
	ev := connectEvent{Step: stepRedirect, Institution: inst, LoginID: loginID, RequestID: sess.ID}
	if f.p.redirectURL != nil {
		target := redirectTarget(f.p.redirectURL, loginID, f.p.tag, inst)
		ev.URL = target
		switch {
		case f.p.jsRedirect:
		case f.p.innerRedirect:
			f.page.Redirect = connectRedirect{URL: target, Mode: "inner"}
			f.page.Link, f.page.LinkTarget = template.URL(target), "_self"
		default:
			f.page.Redirect = connectRedirect{URL: target, Mode: "top"}
			f.page.Link, f.page.LinkTarget = template.URL(target), "_top"
		}
	}
	f.event(ev)
	f.page.View = viewSuccess
	f.page.Title = f.page.T.SuccessHeading
	f.page.LoginID = loginID
	f.render()
}
