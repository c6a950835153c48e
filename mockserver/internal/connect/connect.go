package connect

import (
	"bytes"
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/tenancy"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/openapi/toolbox"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

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

//go:embed page.html connect.css
var connectFiles embed.FS

// connectTemplate renders every screen of the Connect page. It is parsed
// on the first page served, not at start-up, and read-only after.
var connectTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.ParseFS(connectFiles, "page.html"))
})

// connectStyle is the stylesheet, inlined in every page so that a page is
// one request.
var connectStyle = func() template.CSS {
	css, err := connectFiles.ReadFile("connect.css")
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

// Authorizer is the authorize logic of the Flinks API, which the Connect
// page shares: the same login lookup, authorize steps, MFA rounds and
// session store, through the same session transitions.
type Authorizer interface {
	// LoginByCredentials finds the login of a username at an institution
	// and checks its password.
	LoginByCredentials(lib *scenarios.Library, institution, username, password string) (*scenarios.Login, *session.Refusal)
	// Open runs the next authorize step of a login and opens a session.
	Open(r *http.Request, t *tenancy.Tenant, lib *scenarios.Library, login *scenarios.Login, mode, tag string, now time.Time) session.Outcome
	// Answer checks the answers to the challenges a session asked.
	Answer(t *tenancy.Tenant, lib *scenarios.Library, sess *session.Session, responses map[string][]string, now time.Time) session.Outcome
	// Linked starts the data request Flinks starts once Connect finishes.
	Linked(t *tenancy.Tenant, lib *scenarios.Library, sess *session.Session)
}

// Config is what the simulator needs.
type Config struct {
	Tenants    *tenancy.Registry
	Clock      clock.Clock
	Log        *slog.Logger
	Authorizer Authorizer
}

// Simulator is the Flinks Connect page of one server.
type Simulator struct {
	cfg Config
}

// New returns the simulator of cfg.
func New(cfg Config) *Simulator { return &Simulator{cfg: cfg} }

// connectFlow is one request to the Connect page: a first view (GET) or a
// form post, with the tenant it belongs to and the page it renders.
type connectFlow struct {
	s     *Simulator
	auth  Authorizer
	w     http.ResponseWriter
	r     *http.Request
	t     *tenancy.Tenant
	lib   *scenarios.Library
	p     connectParams
	now   time.Time
	entry *journal.Entry
	body  []string // the journal's summary of the request
	page  connectPage
}

// Page serves the Flinks Connect simulator: GET shows the first screen,
// POST takes the form of the screen shown. Every screen posts its events
// to the parent window; the query of the first URL stays for the whole
// flow, since every form posts back to it.
func (s *Simulator) Page(w http.ResponseWriter, r *http.Request) {
	p := parseConnectParams(r.URL.Query())
	e := exchange.Entry(r)
	e.Endpoint = connectEndpoint
	f := &connectFlow{s: s, auth: s.cfg.Authorizer, w: w, r: r, p: p, now: s.cfg.Clock.Now(), entry: e, page: newPage(p)}

	t, err := s.cfg.Tenants.Tenant(s.tenantOf(p))
	switch {
	case tenancy.IsFull(err):
		f.page.Notes = append(f.page.Notes, err.Error())
		f.end(f.page.T.TooManyCustomers, "TOO_MANY_REQUESTS")
		return
	case err != nil:
		f.badForm("customerId: " + err.Error())
		return
	}
	f.t, f.lib = t, s.cfg.Tenants.Library(t)
	exchange.Enter(r, t, f.lib)

	if r.Method == http.MethodGet {
		f.open()
		return
	}
	f.post()
}

// newPage is the page a query asks for, before any screen is chosen.
func newPage(p connectParams) connectPage {
	tx := textFor(p.language)
	page := connectPage{
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
	}
	if page.CustomerName == "" {
		page.CustomerName = tx.CustomerFallback
	}
	return page
}

// Redirect sends /v2 to /v2/, where the page is, query and all.
func (s *Simulator) Redirect(w http.ResponseWriter, r *http.Request) {
	exchange.Entry(r).Endpoint = connectEndpoint
	target := "/v2/"
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, target, http.StatusMovedPermanently)
}

// tenantOf is the customerId a Connect page works for: the customerId
// parameter (a mock extension), else the tenant that issued the
// authorizeToken, else the toolbox sandbox.
func (s *Simulator) tenantOf(p connectParams) string {
	if p.customerID != "" {
		return p.customerID
	}
	if p.authorizeToken != "" {
		if t := s.cfg.Tenants.TenantOfToken(p.authorizeToken); t != nil {
			return t.ID()
		}
	}
	return toolbox.CustomerID
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
	if err := connectTemplate().ExecuteTemplate(&buf, "page", &f.page); err != nil {
		f.s.cfg.Log.Error("Connect page not rendered", "view", f.page.View, "error", err.Error())
		exchange.WriteError(f.w, f.r, exchange.Code(f.r, "AGGREGATION_ERROR", "The mock could not render the Connect page; the server log has the details", ""))
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
