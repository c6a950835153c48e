package mockserver

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// ToolboxCustomerID is the public customerId of the Flinks toolbox sandbox:
// the tenant of a Connect page whose URL names none.
const ToolboxCustomerID = "43387ca6-0391-4c82-857d-70d95f087ecb"

// connectEndpoint is the journal's Endpoint for Connect page views and
// form posts.
const connectEndpoint = "Connect"

// Steps of the events the Connect page posts to its parent window, as
// Flinks Connect names them (mockEventNames renames them). Error events
// are named for their FlinksCode.
const (
	stepAppMounted          = "APP_MOUNTED"
	stepLoadConsent         = "COMPONENT_LOAD_CONSENT"
	stepAcceptConsent       = "COMPONENT_ACCEPT_CONSENT"
	stepDenyConsent         = "COMPONENT_DENY_CONSENT"
	stepLoadInstitutions    = "COMPONENT_LOAD_INSTITUTION_SELECTOR"
	stepInstitutionSelected = "INSTITUTION_SELECTED"
	stepLoadCredential      = "COMPONENT_LOAD_CREDENTIAL"
	stepLoadCredentialRetry = "COMPONENT_LOAD_CREDENTIAL_RETRY"
	stepSubmitCredential    = "SUBMIT_CREDENTIAL"
	stepLoadMFA             = "COMPONENT_LOAD_MFA"
	stepLoadMFARetry        = "COMPONENT_LOAD_MFA_RETRY"
	stepSubmitMFA           = "SUBMIT_MFA"
	stepCloseSession        = "COMPONENT_CLOSE_SESSION"
	stepRedirect            = "REDIRECT"
)

// Screens of the Connect page.
const (
	viewConsent      = "consent"
	viewInstitutions = "institutions"
	viewCredentials  = "credentials"
	viewMFA          = "mfa"
	viewSuccess      = "success"
	viewEnd          = "end"
)

//go:embed connect/page.html connect/connect.css
var connectFiles embed.FS

// connectTemplate renders every screen of the Connect page. Like the
// stylesheet, it is parsed once and read-only after.
var connectTemplate = template.Must(template.ParseFS(connectFiles, "connect/page.html"))

// connectStyle is the stylesheet, inlined in every page so that a page is
// one request.
var connectStyle = func() template.CSS {
	css, err := connectFiles.ReadFile("connect/connect.css")
	if err != nil {
		panic(err)
	}
	return template.CSS(css)
}()

// connectEvent is one message the page posts to its parent window.
type connectEvent struct {
	Step        string   `json:"step"`
	Institution string   `json:"institution,omitempty"`
	URL         string   `json:"url,omitempty"`
	LoginID     string   `json:"loginId,omitempty"`
	RequestID   string   `json:"requestId,omitempty"`
	FlinksCode  string   `json:"flinksCode,omitempty"`
	MFATypes    []string `json:"mfaTypes,omitempty"`
}

// connectRedirect tells the page's script where to go once the events are
// posted: Mode "top" navigates the parent window, "inner" the frame itself.
type connectRedirect struct {
	URL  string `json:"url,omitempty"`
	Mode string `json:"mode,omitempty"`
}

// connectInstitution is an institution as the selector lists it.
type connectInstitution struct {
	Name  string // the Flinks identifier, e.g. FlinksCapital
	Label string // what the end user reads, e.g. Flinks Capital
}

// connectChallenge is one security challenge as the MFA screen asks it.
type connectChallenge struct {
	N       int
	Prompt  string
	Input   string // "text", "radio" or "checkbox"
	Choices []string
	Hint    string // the accepted answers, shown with demo=true
}

// connectPage is what the template renders.
type connectPage struct {
	Lang  string
	T     *connectText
	Style template.CSS
	View  string
	Title string

	Header       bool
	Back         bool
	Close        bool
	Search       bool
	DemoHint     bool
	CustomerName string
	SearchQuery  string
	Institutions []connectInstitution
	DemoHidden   bool
	Institution  connectInstitution
	Username     string
	RequestID    string
	LoginID      string
	Challenges   []connectChallenge
	Error        string
	ErrorCode    string
	Message      string
	Link         template.URL
	LinkTarget   string
	Notes        []string

	Events    []connectEvent
	Stringify bool
	Redirect  connectRedirect
}

// connectFlow is one request to the Connect page: a first view (GET) or a
// form post, with the tenant it belongs to and the page it renders.
type connectFlow struct {
	s     *Server
	w     http.ResponseWriter
	r     *http.Request
	t     *tenant
	lib   *scenarios.Library
	p     connectParams
	now   time.Time
	entry *journal.Entry
	body  []string // the journal's summary of the request
	page  connectPage
}

// connect serves the Flinks Connect simulator: GET shows the first screen,
// POST takes the form of the screen shown. Every screen posts its events
// to the parent window; the query of the first URL stays for the whole
// flow, since every form posts back to it.
func (s *Server) connect(w http.ResponseWriter, r *http.Request) {
	p := parseConnectParams(r.URL.Query())
	e := entryOf(r)
	if e == nil {
		e = &journal.Entry{}
	}
	e.Endpoint = connectEndpoint
	tx := textFor(p.language)
	f := &connectFlow{s: s, w: w, r: r, p: p, now: s.clock.Now(), entry: e, page: connectPage{
		Lang:         p.language,
		T:            tx,
		Style:        connectStyle,
		Header:       p.headerEnable,
		Back:         p.backEnable,
		Close:        p.closeEnable,
		Search:       p.filterEnable,
		CustomerName: p.customerName,
		Stringify:    p.stringify,
		Notes:        p.problems,
		Events:       []connectEvent{},
	}}
	if f.page.CustomerName == "" {
		f.page.CustomerName = tx.CustomerFallback
	}

	customerID := s.connectTenant(p)
	t, err := s.tenant(customerID)
	switch {
	case errors.Is(err, errTooManyTenants):
		f.page.Notes = append(f.page.Notes, fmt.Sprintf("The mock already serves %d customerIds; reset one with POST /__admin/reset?customerId=... or start it with a higher --max-tenants", s.cfg.MaxTenants))
		f.end(tx.TooManyCustomers, "TOO_MANY_REQUESTS")
		return
	case err != nil:
		f.badForm("customerId: " + err.Error())
		return
	}
	f.t, f.lib = t, s.library(t)
	e.Tenant = customerID
	if x := exchangeOf(r); x != nil {
		x.tenant, x.lib = t, f.lib
	}

	if r.Method == http.MethodGet {
		f.open()
		return
	}
	f.post()
}

// connectSlash sends /v2 to /v2/, where the page is, query and all.
func (s *Server) connectSlash(w http.ResponseWriter, r *http.Request) {
	if e := entryOf(r); e != nil {
		e.Endpoint = connectEndpoint
	}
	target := "/v2/"
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, target, http.StatusMovedPermanently)
}

// connectTenant is the customerId a Connect page works for: the customerId
// parameter (a mock extension), else the tenant that issued the
// authorizeToken, else the toolbox sandbox.
func (s *Server) connectTenant(p connectParams) string {
	if p.customerID != "" {
		return p.customerID
	}
	if p.authorizeToken != "" {
		for _, t := range s.allTenants() {
			if t.tokens.holds(p.authorizeToken) {
				return t.id
			}
		}
	}
	return ToolboxCustomerID
}

// holds reports whether the store has this token, used or not.
func (ts *tokenStore) holds(id string) bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	_, ok := ts.tokens[id]
	return ok
}

// open shows the first screen. An authorizeToken is consumed here, once:
// Flinks Connect checks it when it loads, so a reused, expired or unknown
// token stops the page before anything is asked.
func (f *connectFlow) open() {
	f.event(connectEvent{Step: stepAppMounted})
	if f.p.authorizeToken != "" {
		state := f.t.tokens.consume(f.p.authorizeToken, f.now, f.lib.Settings.TokenLifetime.D())
		f.noteToken(state)
		if state != journal.TokenFresh {
			f.refuseToken()
			return
		}
	}
	switch {
	case f.p.requestID != "":
		f.relaunch()
	case f.p.consentEnable:
		f.event(connectEvent{Step: stepLoadConsent})
		f.page.View = viewConsent
		f.page.Title = f.page.T.ConsentHeading
		f.render()
	default:
		f.institutions("", "", true)
	}
}

// post takes the form of the screen shown: its step field says which.
func (f *connectFlow) post() {
	if err := f.r.ParseForm(); err != nil {
		f.badForm("the form could not be read: " + err.Error())
		return
	}
	form := f.r.PostForm
	step := form.Get("step")
	f.body = append(f.body, "step="+step)
	switch step {
	case "consent":
		if form.Get("consent") == "accept" {
			f.event(connectEvent{Step: stepAcceptConsent})
			f.institutions("", "", true)
			return
		}
		f.event(connectEvent{Step: stepDenyConsent})
		f.end(f.page.T.Denied, "")
	case "search":
		query := strings.TrimSpace(form.Get("query"))
		f.body = append(f.body, fmt.Sprintf("query=%q", query))
		f.institutions(query, "", false)
	case "back":
		f.institutions("", "", true)
	case "close":
		f.event(connectEvent{Step: stepCloseSession})
		f.end(f.page.T.Closed, "")
	case "institution":
		f.chooseInstitution(form.Get("institution"))
	case "credentials":
		f.signIn(form.Get("institution"), form.Get("username"), form.Get("password"))
	case "mfa":
		f.answer(form)
	default:
		f.badForm(fmt.Sprintf("step %q is not a step of the Connect page", step))
	}
}

// institutions shows the institution selector: the institutions of the
// tenant's scenarios, FlinksCapital only with demo=true (as Flinks Connect
// shows its test bank), narrowed by the search when there is one.
func (f *connectFlow) institutions(query, problem string, announce bool) {
	if announce {
		f.event(connectEvent{Step: stepLoadInstitutions})
	}
	list, demoHidden := f.visibleInstitutions(query)
	f.page.View = viewInstitutions
	f.page.Title = f.page.T.ChooseHeading
	f.page.Institutions = list
	f.page.DemoHidden = demoHidden
	f.page.SearchQuery = query
	f.page.Error = problem
	f.render()
}

func (f *connectFlow) visibleInstitutions(query string) (list []connectInstitution, demoHidden bool) {
	for _, inst := range f.lib.Institutions {
		if strings.EqualFold(inst.Name, scenarios.FlinksCapital.Name) && !f.p.demo {
			demoHidden = true
			continue
		}
		ci := connectInstitution{Name: inst.Name, Label: inst.DisplayName}
		if ci.Label == "" {
			ci.Label = inst.Name
		}
		if query != "" && !matchesFold(ci.Label, query) && !matchesFold(ci.Name, query) {
			continue
		}
		list = append(list, ci)
	}
	return list, demoHidden
}

// matchesFold reports whether sub is in s, without regard to case.
func matchesFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// listedInstitution finds an institution the selector offers.
func (f *connectFlow) listedInstitution(name string) (connectInstitution, bool) {
	list, _ := f.visibleInstitutions("")
	i := slices.IndexFunc(list, func(c connectInstitution) bool { return strings.EqualFold(c.Name, name) })
	if i < 0 {
		return connectInstitution{}, false
	}
	return list[i], true
}

// chooseInstitution takes the institution picked in the selector.
func (f *connectFlow) chooseInstitution(name string) {
	f.body = append(f.body, "Institution="+name)
	inst, ok := f.listedInstitution(name)
	if !ok {
		f.institutions("", f.page.T.UnknownInstitution, false)
		return
	}
	f.event(connectEvent{Step: stepInstitutionSelected, Institution: inst.Name})
	f.credentials(inst, "", "", false)
}

// credentials shows the sign-in form of an institution, with the message
// of the error that brought the end user back to it (retry), if any.
func (f *connectFlow) credentials(inst connectInstitution, username, code string, retry bool) {
	step := stepLoadCredential
	if retry {
		step = stepLoadCredentialRetry
	}
	f.event(connectEvent{Step: step, Institution: inst.Name})
	f.page.View = viewCredentials
	f.page.Title = fmt.Sprintf(f.page.T.SignInHeading, inst.Label)
	f.page.Institution = inst
	f.page.Username = username
	f.page.DemoHint = f.p.demo && strings.EqualFold(inst.Name, scenarios.FlinksCapital.Name)
	if code != "" {
		f.page.Error = f.page.T.errorText(code)
		f.page.ErrorCode = code
	}
	f.render()
}

// signIn takes the credentials form. It runs the legacy /Authorize logic
// on the username and password: the same login lookup, authorize steps,
// MFA rounds and session store.
func (f *connectFlow) signIn(institution, username, password string) {
	f.body = append(f.body, "Institution="+institution, "Username="+username)
	if password != "" {
		f.body = append(f.body, "Password=***")
	}
	inst, ok := f.listedInstitution(institution)
	if !ok {
		f.institutions("", f.page.T.UnknownInstitution, false)
		return
	}
	f.event(connectEvent{Step: stepSubmitCredential, Institution: inst.Name})
	if username == "" || password == "" {
		f.page.Error = f.page.T.MissingFields
		f.credentials(inst, username, "", true)
		return
	}
	login, loginErr := f.s.loginByCredentials(f.r, f.lib, inst.Name, username, password)
	if login != nil {
		f.entry.LoginID = login.LoginID
	}
	if !f.tokenAllows(login) {
		f.refuseToken()
		return
	}
	if loginErr != nil {
		f.failed(loginErr.FlinksCode, inst.Name, "")
		f.credentials(inst, username, loginErr.FlinksCode, true)
		return
	}
	res := f.s.openSession(f.r, f.t, f.lib, login, modeLegacy, f.p.tag, f.now)
	switch {
	case res.gone:
	case res.err != nil:
		code := res.err.FlinksCode
		f.failed(code, inst.Name, "")
		if connectRetryable[code] {
			f.credentials(inst, username, code, true)
			return
		}
		f.end(f.page.T.errorText(code), code)
	case res.asked != nil:
		f.mfa(res.sess, res.asked, "")
	default:
		f.success(res.sess)
	}
}

// tokenAllows tells whether the page may sign in to a login (nil: not
// known yet, which needs a token): the login needs no token, or the page
// was opened with an authorizeToken it consumed. The token was consumed
// when the page loaded; a form posted without that first view consumes
// it now.
func (f *connectFlow) tokenAllows(login *scenarios.Login) bool {
	if login != nil && !*login.TokenRequired {
		return true
	}
	if f.p.authorizeToken == "" {
		return false
	}
	state := f.t.tokens.consume(f.p.authorizeToken, f.now, f.lib.Settings.TokenLifetime.D())
	if state == journal.TokenFresh {
		f.noteToken(state)
	}
	return state == journal.TokenFresh || state == journal.TokenReused
}

// noteToken records in the journal the state of the authorizeToken the
// request consumed, and which token it was (a short hash).
func (f *connectFlow) noteToken(state string) {
	sum := sha256.Sum256([]byte(f.p.authorizeToken))
	f.entry.Token = state
	f.entry.TokenRef = hex.EncodeToString(sum[:6])
}

// refuseToken stops the page for want of a valid authorizeToken, with the
// code /Authorize would give.
func (f *connectFlow) refuseToken() {
	code := f.lib.Settings.InvalidTokenCode
	f.failed(code, "", "")
	f.end(f.page.T.TokenInvalid, code)
}

// relaunch shows the MFA screen of a session that waits for answers: the
// requestId parameter lets an application bring the end user back to
// answer a 203 its back end received, with a fresh authorizeToken, as
// Flinks' guide to refreshing data describes.
func (f *connectFlow) relaunch() {
	f.entry.RequestID = f.p.requestID
	sess := f.t.session(f.p.requestID)
	if sess == nil {
		f.failed("SESSION_NONEXISTENT", "", f.p.requestID)
		f.end(f.page.T.errorText("SESSION_NONEXISTENT"), "SESSION_NONEXISTENT")
		return
	}
	f.entry.LoginID = sess.login.LoginID
	if !f.tokenAllows(sess.login) {
		f.refuseToken()
		return
	}
	asked, code := f.waiting(sess)
	if code != "" {
		f.failed(code, sess.inst.Name, sess.id)
		f.end(f.page.T.errorText(code), code)
		return
	}
	f.mfa(sess, asked, "")
}

// waiting returns the challenges a session waits to have answered, or the
// code that says why it waits for none.
func (f *connectFlow) waiting(sess *session) ([]scenarios.Challenge, string) {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	switch {
	case sess.phase == phaseAuthorized:
		return nil, "ALREADY_AUTHORIZED"
	case sess.phase == phaseExpired || f.now.Sub(sess.lastSeen) >= f.lib.Settings.AuthorizeIdleTimeout.D():
		return nil, "SESSION_EXPIRED"
	}
	return sess.asked, ""
}

// mfa shows the challenges of a session's MFA round, with the message of
// the error that brought the end user back to them, if any.
func (f *connectFlow) mfa(sess *session, asked []scenarios.Challenge, code string) {
	ev := connectEvent{Step: stepLoadMFA, Institution: sess.inst.Name}
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
	f.entry.RequestID = sess.id
	f.page.View = viewMFA
	f.page.Title = f.page.T.MFAHeading
	f.page.RequestID = sess.id
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
	sess := f.t.session(requestID)
	institution := ""
	if sess != nil {
		f.entry.LoginID = sess.login.LoginID
		institution = sess.inst.Name
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

	res := f.s.answerSession(f.r, f.t, f.lib, sess, responses, f.now)
	switch {
	case res.err != nil:
		code := res.err.FlinksCode
		f.failed(code, institution, requestID)
		if connectRetryable[code] && sess != nil {
			if asked, ended := f.waiting(sess); ended == "" {
				f.mfa(sess, asked, code)
				return
			}
		}
		f.end(f.page.T.errorText(code), code)
	case res.asked != nil:
		f.mfa(res.sess, res.asked, "")
	default:
		f.success(res.sess)
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
func (f *connectFlow) success(sess *session) {
	loginID, inst := sess.login.LoginID, sess.inst.Name
	f.entry.LoginID, f.entry.RequestID = loginID, sess.id
	ev := connectEvent{Step: stepRedirect, Institution: inst, LoginID: loginID, RequestID: sess.id}
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

// failed posts the event of an error, named for its FlinksCode, and notes
// the code in the journal.
func (f *connectFlow) failed(code, institution, requestID string) {
	f.entry.FlinksCode = code
	f.event(connectEvent{Step: code, FlinksCode: code, Institution: institution, RequestID: requestID})
}

// end shows a last screen: a message and nothing left to do.
func (f *connectFlow) end(message, code string) {
	f.page.View = viewEnd
	f.page.Title = message
	f.page.Message = message
	f.page.ErrorCode = code
	f.render()
}

// badForm answers a post that is no form of the page (a stale page, or a
// hand-made request).
func (f *connectFlow) badForm(problem string) {
	f.entry.FlinksCode = "INVALID_REQUEST"
	f.body = append(f.body, problem)
	f.page.Notes = append(f.page.Notes, problem)
	f.end(f.page.T.BadForm, "INVALID_REQUEST")
}

// event queues a message for the parent window, under its name or the one
// mockEventNames gives it.
func (f *connectFlow) event(ev connectEvent) {
	ev.Step = f.p.eventName(ev.Step)
	f.page.Events = append(f.page.Events, ev)
}

// render writes the page. Handled errors are part of the flow, so every
// screen is a 200; the journal entry carries the FlinksCode.
func (f *connectFlow) render() {
	body := f.body
	if len(f.p.unknown) > 0 {
		body = append(body, "unknown query parameters: "+strings.Join(f.p.unknown, ", "))
	}
	body = append(body, f.p.problems...)
	f.entry.Body = strings.Join(body, " ")

	var buf bytes.Buffer
	if err := connectTemplate.ExecuteTemplate(&buf, "page", &f.page); err != nil {
		f.s.log.Error("Connect page not rendered", "view", f.page.View, "error", err.Error())
		writeError(f.w, f.r, f.s.codeError(f.r, "AGGREGATION_ERROR", "The mock could not render the Connect page; the server log has the details", ""))
		return
	}
	h := f.w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	// The URL holds the authorizeToken: keep it out of the Referer the
	// redirect target receives, and out of caches.
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	f.w.WriteHeader(http.StatusOK)
	_, _ = f.w.Write(buf.Bytes())
}
