package connect

import (
	"fmt"
	"slices"
	"strings"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// open shows the first screen. An authorizeToken is consumed here, once:
// Flinks Connect checks it when it loads, so a reused, expired or unknown
// token stops the page before anything is asked.
func (f *connectFlow) open() {
	f.event(connectEvent{Step: stepAppMounted})
	if f.p.authorizeToken != "" {
		state := f.t.ConsumeToken(f.p.authorizeToken, f.now, f.lib.Settings.TokenLifetime.D())
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
	login, loginErr := f.auth.LoginByCredentials(f.lib, inst.Name, username, password)
	if login != nil {
		f.entry.LoginID = login.LoginID
	}
	if !f.tokenAllows(login) {
		f.refuseToken()
		return
	}
	if loginErr != nil {
		f.failed(loginErr.Code, inst.Name, "")
		f.credentials(inst, username, loginErr.Code, true)
		return
	}
	res := f.auth.Open(f.r, f.t, f.lib, login, journal.ModeLegacy, f.p.tag, f.now)
	switch {
	case res.Gone:
	case res.Err != nil:
		code := res.Err.Code
		f.failed(code, inst.Name, "")
		if connectRetryable[code] {
			f.credentials(inst, username, code, true)
			return
		}
		f.end(f.page.T.errorText(code), code)
	case res.Asked != nil:
		f.mfa(res.Session, res.Asked, "")
	default:
		f.success(res.Session)
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
	state := f.t.ConsumeToken(f.p.authorizeToken, f.now, f.lib.Settings.TokenLifetime.D())
	if state == journal.TokenFresh {
		f.noteToken(state)
	}
	return state == journal.TokenFresh || state == journal.TokenReused
}

// noteToken records in the journal the state of the authorizeToken the
// request consumed, and which token it was (a short hash).
func (f *connectFlow) noteToken(state string) {
	f.entry.Token = state
	f.entry.TokenRef = journal.TokenRef(f.p.authorizeToken)
}

// refuseToken stops the page for want of a valid authorizeToken, with the
// code /Authorize would give.
func (f *connectFlow) refuseToken() {
	code := f.lib.Settings.InvalidTokenCode
	f.failed(code, "", "")
	f.end(f.page.T.TokenInvalid, code)
}
