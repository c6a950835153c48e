package flinksapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/shape"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/tenancy"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/openapi/toolbox"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// GenerateAuthorizeToken issues a single-use authorize token.
func (a *API) GenerateAuthorizeToken(w http.ResponseWriter, r *http.Request) {
	t, lib := a.enter(w, r, "GenerateAuthorizeToken")
	if t == nil {
		return
	}
	key := r.Header.Get("flinks-auth-key")
	if key == "" || (a.cfg.SecretKey != "" && key != a.cfg.SecretKey) {
		exchange.WriteError(w, r, exchange.Code(r, lib.Settings.InvalidTokenCode, openapi.MessageInvalidAuthKey, ""))
		return
	}
	tok := t.IssueToken(a.clock.Now())
	// The short hash of the token links the /Authorize that presents it
	// back to this call (the inspector's timeline of a session).
	exchange.Entry(r).TokenRef = journal.TokenRef(tok)
	exchange.WriteJSON(w, http.StatusOK, tokenResponse{HttpStatusCode: http.StatusOK, Token: tok})
}

// authorizeRequest is the body of /Authorize. encoding/json matches field
// names without regard to case, as Flinks does ("username" works too).
type authorizeRequest struct {
	LoginId           string
	MostRecentCached  flexBool
	Username          string
	Password          string
	Institution       string
	RequestId         string
	SecurityResponses map[string][]string
	Tag               string
}

// flexBool is a boolean of /Authorize: true or false, or the strings
// "true" or "false", which Flinks' legacy example and its C# SDK send.
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	// The usual forms first, without decoding (and without the error a
	// string decoded from a boolean would allocate).
	switch string(data) {
	case "true", `"true"`:
		*b = true
		return nil
	case "false", `"false"`:
		*b = false
		return nil
	}
	var s string
	if json.Unmarshal(data, &s) == nil {
		switch s {
		case "true":
			*b = true
			return nil
		case "false":
			*b = false
			return nil
		}
		return fmt.Errorf("%q is not a boolean", s)
	}
	var v bool
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*b = flexBool(v)
	return nil
}

// Authorize opens a session (200), asks for MFA (203), or takes the
// answers to a 203.
func (a *API) Authorize(w http.ResponseWriter, r *http.Request) {
	t, lib := a.enter(w, r, "Authorize")
	if t == nil {
		return
	}
	var req authorizeRequest
	if err := json.Unmarshal(exchange.Body(r), &req); err != nil {
		exchange.WriteError(w, r, exchange.Code(r, "INVALID_REQUEST", "Request body: "+exchange.JSONProblem(err), ""))
		return
	}
	if len(req.Tag) > session.MaxTagBytes {
		exchange.WriteError(w, r, exchange.Code(r, "INVALID_REQUEST", fmt.Sprintf("Tag is %d bytes long; the mock keeps tags of at most %d bytes", len(req.Tag), session.MaxTagBytes), ""))
		return
	}
	e := exchange.Entry(r)
	e.Body = summarizeAuthorize(&req)
	now := a.clock.Now()
	if req.RequestId != "" {
		a.answerMFA(w, r, t, lib, &req, now)
		return
	}
	login, refusal, ok := a.authorizeLogin(w, r, lib, &req)
	if !ok {
		return
	}
	if login != nil {
		e.LoginID = login.LoginID
	}
	if !a.checkToken(w, r, t, lib, login, now) {
		return
	}
	if refusal != nil {
		exchange.WriteError(w, r, exchange.Refused(r, refusal))
		return
	}
	a.writeOutcome(w, r, t, lib, a.Open(r, t, lib, login, e.Mode, req.Tag, now))
}

// authorizeLogin finds the login an /Authorize call names, by LoginId or by
// credentials, and notes the mode in the journal. A login that is not
// found comes back as a refusal, answered after the token check; a call
// that names no login at all is answered here (ok false).
func (a *API) authorizeLogin(w http.ResponseWriter, r *http.Request, lib *scenarios.Library, req *authorizeRequest) (*scenarios.Login, *session.Refusal, bool) {
	e := exchange.Entry(r)
	switch {
	case req.LoginId != "":
		e.Mode = journal.ModeLive
		if req.MostRecentCached {
			e.Mode = journal.ModeCached
		}
		if login := a.LoginByID(lib, req.LoginId); login != nil && !cardDeleted(r, login.LoginID) {
			return login, nil, true
		}
		return nil, &session.Refusal{Code: "INVALID_LOGIN", Message: fmt.Sprintf("LoginId %s is not known to this customer; GET /__admin/scenarios lists the LoginIds", req.LoginId)}, true
	case req.Username != "" || req.Password != "" || req.Institution != "":
		e.Mode = journal.ModeLegacy
		if req.Username == "" || req.Password == "" || req.Institution == "" {
			exchange.WriteError(w, r, exchange.Code(r, "INVALID_REQUEST", "Username, Password and Institution are all needed to authorize with credentials", ""))
			return nil, nil, false
		}
		login, refusal := a.LoginByCredentials(lib, req.Institution, req.Username, req.Password)
		return login, refusal, true
	}
	exchange.WriteError(w, r, exchange.Code(r, "INVALID_REQUEST", "Send LoginId (with MostRecentCached), or Username, Password and Institution, or RequestId with SecurityResponses", ""))
	return nil, nil, false
}

// answerMFA checks the SecurityResponses of a call that names the RequestId
// of a 203.
func (a *API) answerMFA(w http.ResponseWriter, r *http.Request, t *tenancy.Tenant, lib *scenarios.Library, req *authorizeRequest, now time.Time) {
	e := exchange.Entry(r)
	e.Mode = journal.ModeAnswer
	e.RequestID = req.RequestId
	for prompt := range req.SecurityResponses {
		e.Answered = append(e.Answered, prompt)
	}
	slices.Sort(e.Answered)

	sess := t.Session(req.RequestId)
	var login *scenarios.Login
	if sess != nil {
		login = sess.Login
		e.LoginID = login.LoginID
	}
	if !a.checkToken(w, r, t, lib, login, now) {
		return
	}
	a.writeOutcome(w, r, t, lib, a.Answer(t, lib, sess, req.SecurityResponses, now))
}

// checkToken consumes the flinks-auth-key of an /Authorize call, records
// its state, and answers 401 when the login needs a fresh token and the
// key is not one. A nil login (not known yet) needs one.
func (a *API) checkToken(w http.ResponseWriter, r *http.Request, t *tenancy.Tenant, lib *scenarios.Library, login *scenarios.Login, now time.Time) bool {
	key := r.Header.Get("flinks-auth-key")
	var state string
	if key != "" && (key == a.cfg.SecretKey || key == toolbox.SecretKey) {
		state = journal.TokenSecret
	} else {
		state = t.ConsumeToken(key, now, lib.Settings.TokenLifetime.D())
	}
	e := exchange.Entry(r)
	e.Token = state
	if key != "" {
		e.TokenRef = journal.TokenRef(key)
	}
	if state == journal.TokenFresh || (login != nil && !*login.TokenRequired) {
		return true
	}
	exchange.WriteError(w, r, exchange.Code(r, lib.Settings.InvalidTokenCode, openapi.MessageInvalidToken, ""))
	return false
}

// writeOutcome answers an /Authorize call with what it came to.
func (a *API) writeOutcome(w http.ResponseWriter, r *http.Request, t *tenancy.Tenant, lib *scenarios.Library, res session.Outcome) {
	switch {
	case res.Gone:
	case res.Err != nil:
		exchange.WriteError(w, r, exchange.Refused(r, res.Err))
	case res.Asked != nil:
		writeMFA(w, r, res.Session, res.Asked, a.shapeOf(lib))
	default:
		writeAuthorized(w, res.Session, a.shapeOf(lib))
		if wh := res.Session.Login.Webhooks; wh != nil && wh.OnAuthorize {
			a.Linked(t, lib, res.Session)
		}
	}
}

// writeMFA answers 203 with the challenges a session asks; asked is the
// session's list as its lock-holder read it.
func writeMFA(w http.ResponseWriter, r *http.Request, sess *session.Session, asked []scenarios.Challenge, sh scenarios.Shape) {
	body := authorizeMFA{
		HttpStatusCode:  http.StatusNonAuthoritativeInfo,
		Links:           mfaLinks,
		InstitutionName: sess.Inst.Name,
		InstitutionId:   sess.Inst.ID,
		Institution:     sess.Inst.Name,
		RequestId:       sess.ID,
	}
	e := exchange.Entry(r)
	for _, c := range asked {
		body.SecurityChallenges = append(body.SecurityChallenges, securityChallenge{Type: c.Type, Prompt: c.Prompt, Iterables: c.Iterables})
		e.Challenges = append(e.Challenges, c.Prompt)
	}
	writeShaped(w, http.StatusNonAuthoritativeInfo, body, shape.AuthorizeMFA, variedOf(sh.Varied(), sh.Seed, sess, "203"+strconv.Itoa(len(e.Challenges))))
}

func writeAuthorized(w http.ResponseWriter, sess *session.Session, sh scenarios.Shape) {
	name, id, login := institutionOf(sess, sh.Mode == scenarios.ShapesMinimal)
	writeShaped(w, http.StatusOK, authorizeOK{
		HttpStatusCode:  http.StatusOK,
		Links:           authorizeLinks,
		InstitutionName: name,
		Login:           login,
		InstitutionId:   id,
		Institution:     sess.Inst.Name,
		RequestId:       sess.ID,
	}, shape.AuthorizeOK, variedOf(sh.Varied(), sh.Seed, sess, "Authorize"))
}

// summarizeAuthorize is the journal's view of an /Authorize body: what was
// asked, with the password and MFA answers left out.
func summarizeAuthorize(req *authorizeRequest) string {
	var b strings.Builder
	b.Grow(len(req.LoginId) + len(req.Username) + len(req.Institution) + len(req.RequestId) + len(req.Tag) + 128)
	field := func(name, value string) {
		if value == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString(name)
		b.WriteString("=")
		b.WriteString(value)
	}
	field("LoginId", req.LoginId)
	if req.LoginId != "" {
		field("MostRecentCached", strconv.FormatBool(bool(req.MostRecentCached)))
	}
	field("Username", req.Username)
	if req.Password != "" {
		field("Password", "***")
	}
	field("Institution", req.Institution)
	field("RequestId", req.RequestId)
	if len(req.SecurityResponses) > 0 {
		field("SecurityResponses", strconv.Itoa(len(req.SecurityResponses))+" answered (redacted)")
	}
	field("Tag", req.Tag)
	return b.String()
}
