package mockserver

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
	"github.com/google/uuid"
)

// ToolboxSecretKey is the public secret key of the Flinks toolbox sandbox.
// With no SecretKey configured the mock accepts it (and any other non-empty
// key) on /GenerateAuthorizeToken.
const ToolboxSecretKey = "c4569c54-e167-4d34-8de6-f4113bc82414"

// lastRefreshLayout is how Flinks writes Login.LastRefresh: UTC, 7
// fractional digits, no zone designator.
const lastRefreshLayout = "2006-01-02T15:04:05.0000000"

var (
	authorizeLinks = []link{
		{Rel: "AccountsDetail", Href: "/GetAccountsDetail"},
		{Rel: "AccountsSummary", Href: "/GetAccountsSummary"},
		{Rel: "Statements", Href: "/GetStatements"},
	}
	mfaLinks = []link{{Rel: "Authorization", Href: "/Authorize"}}
)

type tokenResponse struct {
	HttpStatusCode int
	Token          string
}

// generateAuthorizeToken issues a single-use authorize token.
func (s *Server) generateAuthorizeToken(w http.ResponseWriter, r *http.Request) {
	t, lib := s.enter(w, r, "GenerateAuthorizeToken")
	if t == nil {
		return
	}
	key := r.Header.Get("flinks-auth-key")
	if key == "" || (s.cfg.SecretKey != "" && key != s.cfg.SecretKey) {
		writeError(w, r, s.codeError(r, lib.Settings.InvalidTokenCode, openapi.MessageInvalidAuthKey, ""))
		return
	}
	writeJSON(w, http.StatusOK, tokenResponse{HttpStatusCode: http.StatusOK, Token: s.issueToken(t)})
}

// authorizeRequest is the body of /Authorize. encoding/json matches field
// names without regard to case, as Flinks does ("username" works too).
type authorizeRequest struct {
	LoginId           string
	MostRecentCached  bool
	Username          string
	Password          string
	Institution       string
	RequestId         string
	SecurityResponses map[string][]string
	Tag               string
}

// Authorize modes, as journalled.
const (
	modeCached = "cached"
	modeLive   = "live"
	modeLegacy = "legacy"
	modeAnswer = "mfa-answer"
)

type loginInfo struct {
	Username           string
	IsScheduledRefresh bool
	LastRefresh        string
	Type               string
	Id                 string
}

type authorizeOK struct {
	HttpStatusCode  int
	Links           []link
	InstitutionName string
	Login           loginInfo
	InstitutionId   int
	Institution     string
	RequestId       string
}

type securityChallenge struct {
	Type      string
	Prompt    string
	Iterables []string `json:",omitempty"`
}

type authorizeMFA struct {
	HttpStatusCode     int
	Links              []link
	SecurityChallenges []securityChallenge
	InstitutionName    string
	InstitutionId      int
	Institution        string
	RequestId          string
}

// authorize opens a session (200), asks for MFA (203), or takes the
// answers to a 203.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	t, lib := s.enter(w, r, "Authorize")
	if t == nil {
		return
	}
	var req authorizeRequest
	if err := json.Unmarshal(bodyOf(r), &req); err != nil {
		writeError(w, r, s.codeError(r, "INVALID_REQUEST", "Request body: "+jsonProblem(err), ""))
		return
	}
	if len(req.Tag) > maxTagBytes {
		writeError(w, r, s.codeError(r, "INVALID_REQUEST", fmt.Sprintf("Tag is %d bytes long; the mock keeps tags of at most %d bytes", len(req.Tag), maxTagBytes), ""))
		return
	}
	e := entryOf(r)
	e.Body = summarizeAuthorize(&req)
	now := s.clock.Now()
	if req.RequestId != "" {
		s.answerMFA(w, r, t, lib, &req, now)
		return
	}

	var (
		login    *scenarios.Login
		loginErr *flinksError
	)
	switch {
	case req.LoginId != "":
		e.Mode = modeLive
		if req.MostRecentCached {
			e.Mode = modeCached
		}
		if login = s.loginByID(lib, req.LoginId); login == nil {
			loginErr = s.codeError(r, "INVALID_LOGIN", fmt.Sprintf("LoginId %s is not known to this customer; GET /__admin/scenarios lists the LoginIds", req.LoginId), "")
		}
	case req.Username != "" || req.Password != "" || req.Institution != "":
		e.Mode = modeLegacy
		if req.Username == "" || req.Password == "" || req.Institution == "" {
			writeError(w, r, s.codeError(r, "INVALID_REQUEST", "Username, Password and Institution are all needed to authorize with credentials", ""))
			return
		}
		login, loginErr = s.loginByCredentials(r, lib, req.Institution, req.Username, req.Password)
	default:
		writeError(w, r, s.codeError(r, "INVALID_REQUEST", "Send LoginId (with MostRecentCached), or Username, Password and Institution, or RequestId with SecurityResponses", ""))
		return
	}
	if login != nil {
		e.LoginID = login.LoginID
	}
	if !s.checkToken(w, r, t, lib, login, now) {
		return
	}
	if loginErr != nil {
		writeError(w, r, loginErr)
		return
	}
	s.writeResult(w, r, s.openSession(r, t, lib, login, e.Mode, req.Tag, now))
}

// authorizeResult is what one authorize call came to: an error, or a
// session that waits for the answers to asked, or (asked nil) an
// authorized session. The /Authorize handler writes it as JSON; the
// Connect page renders it.
type authorizeResult struct {
	sess  *session
	asked []scenarios.Challenge
	err   *flinksError
	// gone: the client left during a scripted latency; nothing to answer.
	gone bool
}

// writeResult answers an /Authorize call with its result.
func (s *Server) writeResult(w http.ResponseWriter, r *http.Request, res authorizeResult) {
	switch {
	case res.gone:
	case res.err != nil:
		writeError(w, r, res.err)
	case res.asked != nil:
		s.writeMFA(w, r, res.sess, res.asked)
	default:
		s.writeAuthorized(w, res.sess)
	}
}

// loginByCredentials finds the login of a username at an institution and
// checks its password, as the legacy /Authorize does: an unknown username
// is INVALID_LOGIN, a wrong password the library's WrongPasswordCode. A
// username no login has may be a convention username, which makes its
// login on the fly; a malformed one is INVALID_LOGIN with the valid forms.
// The login comes back with the error of a wrong password, so that its
// token rules still apply.
func (s *Server) loginByCredentials(r *http.Request, lib *scenarios.Library, institution, username, password string) (*scenarios.Login, *flinksError) {
	login := lib.LoginByUsername(institution, username)
	if login == nil {
		var err error
		login, err = s.conventionByUsername(lib, institution, username)
		if err != nil && !errors.Is(err, scenarios.ErrNotConvention) {
			return nil, s.codeError(r, "INVALID_LOGIN", err.Error(), "")
		}
	}
	switch {
	case login == nil:
		return nil, s.codeError(r, "INVALID_LOGIN", fmt.Sprintf("No login %q at institution %q", username, institution), "")
	case password != login.Password:
		return login, s.codeError(r, lib.Settings.WrongPasswordCode, "", "")
	}
	return login, nil
}

// openSession runs the next authorize step of a login and, when the step
// is ok, opens a session: waiting for MFA answers when the login asks them
// in this mode (every mode but cached, unless MFA.When is always), else
// authorized. It notes the RequestId in the journal entry.
func (s *Server) openSession(r *http.Request, t *tenant, lib *scenarios.Library, login *scenarios.Login, mode, tag string, now time.Time) authorizeResult {
	t.mu.Lock()
	ls := t.login(login.LoginID)
	step := ls.authorize.next(login.Authorize, now)
	askMFA := step.Respond == scenarios.RespondOK && login.MFA != nil &&
		(mode != modeCached || login.MFA.When == scenarios.MFAWhenAlways)
	pick := ls.picks
	if askMFA {
		ls.picks++
	}
	t.mu.Unlock()

	if !waitOut(r, step.Latency) {
		return authorizeResult{gone: true}
	}
	if step.Respond == scenarios.RespondError {
		return authorizeResult{err: s.stepError(r, step, "")}
	}
	sess := &session{
		id:          uuid.NewString(),
		login:       login,
		inst:        lib.Institution(login.Institution),
		tag:         tag,
		lastRefresh: now.UTC().Format(lastRefreshLayout),
		lastSeen:    now,
		phase:       phaseAuthorized,
	}
	if e := entryOf(r); e != nil {
		e.RequestID = sess.id
	}
	if askMFA {
		sess.phase = phaseMFA
		sess.pick = pick
		sess.asked = pickChallenges(login.MFA.Rounds[0], pick)
		s.addSession(t, sess)
		s.log.Info("MFA asked", "customerId", t.id, "login", login.Name, "requestId", sess.id, "round", 1)
		return authorizeResult{sess: sess, asked: sess.asked}
	}
	s.addSession(t, sess)
	s.log.Info("session opened", "customerId", t.id, "login", login.Name, "requestId", sess.id, "mode", mode)
	return authorizeResult{sess: sess}
}

// answerMFA checks the SecurityResponses of a call that names the RequestId
// of a 203.
func (s *Server) answerMFA(w http.ResponseWriter, r *http.Request, t *tenant, lib *scenarios.Library, req *authorizeRequest, now time.Time) {
	e := entryOf(r)
	e.Mode = modeAnswer
	e.RequestID = req.RequestId
	for prompt := range req.SecurityResponses {
		e.Answered = append(e.Answered, prompt)
	}
	slices.Sort(e.Answered)

	sess := s.session(t, req.RequestId)
	var login *scenarios.Login
	if sess != nil {
		login = sess.login
		e.LoginID = login.LoginID
	}
	if !s.checkToken(w, r, t, lib, login, now) {
		return
	}
	s.writeResult(w, r, s.answerSession(r, t, lib, sess, req.SecurityResponses, now))
}

// answerSession checks the answers to the challenges a session asked
// (nil sess: no session has that RequestId). Right answers move it to its
// next MFA round, or authorize it after the last one.
func (s *Server) answerSession(r *http.Request, t *tenant, lib *scenarios.Library, sess *session, responses map[string][]string, now time.Time) authorizeResult {
	if sess == nil {
		// Like Flinks, the envelope does not echo a RequestId it does not know.
		return authorizeResult{err: s.codeError(r, "SESSION_NONEXISTENT", "", "")}
	}
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if sess.phase == phaseMFA && now.Sub(sess.lastSeen) >= lib.Settings.AuthorizeIdleTimeout.D() {
		sess.phase = phaseExpired
	}
	switch sess.phase {
	case phaseExpired:
		return authorizeResult{err: s.codeError(r, "SESSION_EXPIRED", "", sess.id)}
	case phaseAuthorized:
		return authorizeResult{err: s.codeError(r, "ALREADY_AUTHORIZED", "", sess.id)}
	}
	sess.lastSeen = now
	if problem := checkAnswers(sess.asked, responses); problem != nil {
		return authorizeResult{err: s.codeError(r, problem.code, problem.message, sess.id)}
	}
	login := sess.login
	sess.round++
	if sess.round < len(login.MFA.Rounds) {
		sess.asked = pickChallenges(login.MFA.Rounds[sess.round], sess.pick)
		s.log.Info("MFA asked", "customerId", t.id, "login", login.Name, "requestId", sess.id, "round", sess.round+1)
		return authorizeResult{sess: sess, asked: sess.asked}
	}
	sess.phase = phaseAuthorized
	sess.asked = nil
	s.log.Info("session opened", "customerId", t.id, "login", login.Name, "requestId", sess.id, "mode", modeAnswer)
	return authorizeResult{sess: sess}
}

type answerProblem struct{ code, message string }

// checkAnswers compares SecurityResponses with the challenges asked: every
// key must be a prompt that was asked (exactly as sent), every prompt must be
// answered, and every answer must be right.
func checkAnswers(asked []scenarios.Challenge, responses map[string][]string) *answerProblem {
	keys := make([]string, 0, len(responses))
	for k := range responses {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.ContainsFunc(asked, func(c scenarios.Challenge) bool { return c.Prompt == k }) {
			return &answerProblem{"UNKNOWN_CHALLENGE_KEY", fmt.Sprintf("No security challenge was asked with the prompt %q; key each answer by a Prompt of the 203, exactly as sent", k)}
		}
	}
	var missing []string
	for _, c := range asked {
		if _, ok := responses[c.Prompt]; !ok {
			missing = append(missing, fmt.Sprintf("%q", c.Prompt))
		}
	}
	if len(missing) > 0 {
		return &answerProblem{"SECURITYRESPONSES_INCOMPLETE", "Answer every security challenge of the 203 in one call; not answered: " + strings.Join(missing, ", ")}
	}
	for _, c := range asked {
		if !c.Accepts(responses[c.Prompt]) {
			return &answerProblem{"INVALID_SECURITY_RESPONSE", fmt.Sprintf("The answer to %q is wrong", c.Prompt)}
		}
	}
	return nil
}

// pickChallenges returns the challenges of a round a session is asked: all
// of them, or Pick of them chosen in turn (the n-th session of a login gets
// the n-th group), as the sandbox asks one of its questions.
func pickChallenges(round scenarios.Round, n int) []scenarios.Challenge {
	if round.Pick <= 0 || round.Pick >= len(round.Challenges) {
		return round.Challenges
	}
	out := make([]scenarios.Challenge, round.Pick)
	for i := range out {
		out[i] = round.Challenges[(n*round.Pick+i)%len(round.Challenges)]
	}
	return out
}

// checkToken consumes the flinks-auth-key of an /Authorize call, records
// its state, and answers 401 when the login needs a fresh token and the
// key is not one. A nil login (not known yet) needs one.
func (s *Server) checkToken(w http.ResponseWriter, r *http.Request, t *tenant, lib *scenarios.Library, login *scenarios.Login, now time.Time) bool {
	key := r.Header.Get("flinks-auth-key")
	var state string
	if key != "" && (key == s.cfg.SecretKey || key == ToolboxSecretKey) {
		state = journal.TokenSecret
	} else {
		state = t.tokens.consume(key, now, lib.Settings.TokenLifetime.D())
	}
	e := entryOf(r)
	e.Token = state
	if key != "" {
		sum := sha256.Sum256([]byte(key))
		e.TokenRef = hex.EncodeToString(sum[:6])
	}
	if state == journal.TokenFresh || (login != nil && !*login.TokenRequired) {
		return true
	}
	writeError(w, r, s.codeError(r, lib.Settings.InvalidTokenCode, openapi.MessageInvalidToken, ""))
	return false
}

// writeMFA answers 203 with the challenges a session asks; asked is the
// session's list as its lock-holder read it.
func (s *Server) writeMFA(w http.ResponseWriter, r *http.Request, sess *session, asked []scenarios.Challenge) {
	body := authorizeMFA{
		HttpStatusCode:  http.StatusNonAuthoritativeInfo,
		Links:           mfaLinks,
		InstitutionName: sess.inst.Name,
		InstitutionId:   sess.inst.ID,
		Institution:     sess.inst.Name,
		RequestId:       sess.id,
	}
	e := entryOf(r)
	for _, c := range asked {
		body.SecurityChallenges = append(body.SecurityChallenges, securityChallenge{Type: c.Type, Prompt: c.Prompt, Iterables: c.Iterables})
		e.Challenges = append(e.Challenges, c.Prompt)
	}
	writeJSON(w, http.StatusNonAuthoritativeInfo, body)
}

func (s *Server) writeAuthorized(w http.ResponseWriter, sess *session) {
	writeJSON(w, http.StatusOK, authorizeOK{
		HttpStatusCode:  http.StatusOK,
		Links:           authorizeLinks,
		InstitutionName: sess.inst.Name,
		Login:           sess.loginInfo(),
		InstitutionId:   sess.inst.ID,
		Institution:     sess.inst.Name,
		RequestId:       sess.id,
	})
}

func (sess *session) loginInfo() loginInfo {
	return loginInfo{
		Username:    sess.login.Username,
		LastRefresh: sess.lastRefresh,
		Type:        sess.login.Type,
		Id:          sess.login.LoginID,
	}
}

// stepError is the error answer of an "error" step.
func (s *Server) stepError(r *http.Request, st scenarios.Step, requestID string) *flinksError {
	e := s.codeError(r, st.FlinksCode, st.Message, requestID)
	if st.Status != 0 {
		e.Status = st.Status
	}
	return e
}

// delay waits out a step's scripted latency, in real time. It reports
// false when the client went away meanwhile.
func (s *Server) delay(w http.ResponseWriter, r *http.Request, d scenarios.Duration) bool {
	return waitOut(r, d)
}

// waitOut is delay for callers that have no ResponseWriter at hand.
func waitOut(r *http.Request, d scenarios.Duration) bool {
	if d <= 0 {
		return true
	}
	allowLatency(r, d.D())
	timer := time.NewTimer(d.D())
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// summarizeAuthorize is the journal's view of an /Authorize body: what was
// asked, with the password and MFA answers left out.
func summarizeAuthorize(req *authorizeRequest) string {
	var b strings.Builder
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
		field("MostRecentCached", fmt.Sprint(req.MostRecentCached))
	}
	field("Username", req.Username)
	if req.Password != "" {
		field("Password", "***")
	}
	field("Institution", req.Institution)
	field("RequestId", req.RequestId)
	if len(req.SecurityResponses) > 0 {
		field("SecurityResponses", fmt.Sprintf("%d answered (redacted)", len(req.SecurityResponses)))
	}
	field("Tag", req.Tag)
	return b.String()
}

// jsonProblem words a decoding error for the person who sent the body.
func jsonProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return fmt.Sprintf("%q must be %s, not %s", typeErr.Field, jsonTypeName(typeErr.Type.Kind()), typeErr.Value)
	}
	return "not valid JSON: " + err.Error()
}

// jsonTypeName names a Go kind the way a JSON author thinks of it.
func jsonTypeName(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	default:
		return "a number"
	}
}
