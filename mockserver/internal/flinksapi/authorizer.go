package flinksapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/tenancy"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// The authorize logic below is what /Authorize and the Connect page share:
// the same login lookup, authorize steps, MFA rounds and session store.

// LoginByCredentials finds the login of a username at an institution and
// checks its password, as the legacy /Authorize does: an unknown username
// is INVALID_LOGIN, a wrong password the library's WrongPasswordCode. A
// username no login has may be a convention username, which makes its
// login on the fly; a malformed one is INVALID_LOGIN with the valid forms.
// The login comes back with the refusal of a wrong password, so that its
// token rules still apply.
func (a *API) LoginByCredentials(lib *scenarios.Library, institution, username, password string) (*scenarios.Login, *session.Refusal) {
	login := lib.LoginByUsername(institution, username)
	if login == nil {
		var err error
		login, err = a.conventionByUsername(lib, institution, username)
		if err != nil && !errors.Is(err, scenarios.ErrNotConvention) {
			return nil, &session.Refusal{Code: "INVALID_LOGIN", Message: err.Error()}
		}
	}
	switch {
	case login == nil:
		return nil, &session.Refusal{Code: "INVALID_LOGIN", Message: fmt.Sprintf("No login %q at institution %q", username, institution)}
	case password != login.Password:
		return login, &session.Refusal{Code: lib.Settings.WrongPasswordCode}
	}
	return login, nil
}

// Open runs the next authorize step of a login and, when the step is ok,
// opens a session: waiting for MFA answers when the login asks them in
// this mode (every mode but cached, unless MFA.When is always), else
// authorized. It notes the RequestId in the journal entry of r.
func (a *API) Open(r *http.Request, t *tenancy.Tenant, lib *scenarios.Library, login *scenarios.Login, mode, tag string, now time.Time) session.Outcome {
	state := t.Login(login.LoginID)
	step, pick, askMFA := state.NextAuthorize(login, now, func(st scenarios.Step) bool {
		return st.Respond == scenarios.RespondOK && login.MFA != nil &&
			(mode != journal.ModeCached || login.MFA.When == scenarios.MFAWhenAlways)
	})
	if !exchange.Wait(r, step.Latency) {
		return session.Outcome{Gone: true}
	}
	if step.Respond == scenarios.RespondError {
		return session.Outcome{Err: stepRefusal(step, "")}
	}
	if mode != journal.ModeCached && mode != journal.ModeLive {
		// Credentials link the login anew, even after /DeleteCard.
		t.RestoreCard(login.LoginID)
	}
	var mfa *scenarios.MFA
	if askMFA {
		mfa = login.MFA
	}
	// The data as the last nightly refresh left it, if one ran.
	login = state.Data(login)
	sess := session.New(tenancy.NewID(), login, lib.Institution(login.Institution), tag, now, session.Open(mfa, pick, now))
	sess.ScheduledRefresh = t.Login(login.LoginID).Scheduled()
	if a.shapeOf(lib).Varied() {
		sess.Ordinal = state.Opened()
	}
	sess.LastRefresh = state.Aggregated(mode != journal.ModeCached, now).UTC().Format(session.LastRefreshLayout)
	exchange.Entry(r).RequestID = sess.ID
	t.AddSession(sess)
	if askMFA {
		a.log.Info("MFA asked", "customerId", t.ID(), "login", login.Name, "requestId", sess.ID, "round", 1)
		return session.Outcome{Session: sess, Asked: sess.State.Asked}
	}
	a.log.Info("session opened", "customerId", t.ID(), "login", login.Name, "requestId", sess.ID, "mode", mode)
	return session.Outcome{Session: sess}
}

// Answer checks the answers to the challenges a session asked (nil sess:
// no session has that RequestId). Right answers move it to its next MFA
// round, or authorize it after the last one.
func (a *API) Answer(t *tenancy.Tenant, lib *scenarios.Library, sess *session.Session, responses map[string][]string, now time.Time) session.Outcome {
	if sess == nil {
		// Like Flinks, the envelope does not echo a RequestId it does not know.
		return session.Outcome{Err: &session.Refusal{Code: session.CodeNonexistent}}
	}
	sess.Lock()
	defer sess.Unlock()
	asked := sess.State.Asked
	st, f := session.Answer(sess.State, sess.Login.MFA, responses, now, session.LimitsOf(lib.Settings))
	sess.State = st
	if f != nil {
		return session.Outcome{Err: &session.Refusal{Code: f.Code, Message: f.Message, RequestID: sess.ID}}
	}
	storeAnswered(t, sess.Login.LoginID, asked, responses)
	if st.Phase == session.WaitingMFA {
		a.log.Info("MFA asked", "customerId", t.ID(), "login", sess.Login.Name, "requestId", sess.ID, "round", st.Round+1)
		return session.Outcome{Session: sess, Asked: st.Asked}
	}
	a.log.Info("session opened", "customerId", t.ID(), "login", sess.Login.Name, "requestId", sess.ID, "mode", journal.ModeAnswer)
	return session.Outcome{Session: sess}
}

// Linked starts the GetAccountsDetail request of an authorized session
// with the default options and no API call, as Flinks does once Connect
// finishes: its webhook is sent when the login's steps say the data is
// ready. A session whose data was already asked for is left alone, and
// so is every session when no webhook is listened for: its data request
// then starts, as before, with the client's first call.
func (a *API) Linked(t *tenancy.Tenant, lib *scenarios.Library, sess *session.Session) {
	if a.cfg.Events == nil || !a.cfg.Events.Listening(t, lib) {
		return
	}
	sess.Lock()
	op := &sess.Detail
	first := op.Started.IsZero() && sess.State.Phase == session.Authorized
	if first {
		op.Started, op.Options = a.clock.Now(), a.withShape(lib, session.DefaultOptions())
	}
	sess.Unlock()
	if first {
		a.detailEvents(t, lib, sess, true, false)
	}
}

// stepRefusal is the refusal of an "error" step.
func stepRefusal(st scenarios.Step, requestID string) *session.Refusal {
	return &session.Refusal{Code: st.FlinksCode, Message: st.Message, RequestID: requestID, Status: st.Status}
}

// LoginByID finds the login of a LoginId: the library's, else the
// convention login the LoginId was derived from.
func (a *API) LoginByID(lib *scenarios.Library, loginID string) *scenarios.Login {
	if l := lib.Login(loginID); l != nil {
		return l
	}
	if l, ok := a.conventions.Get(strings.ToLower(loginID)); ok {
		return l
	}
	l, err := scenarios.ConventionByLoginID(loginID)
	if err != nil {
		return nil
	}
	return a.buildConvention(lib, l)
}

// conventionByUsername returns the convention login a username asks for
// at FlinksCapital; scenarios.ErrNotConvention when the username is not
// one, or a *scenarios.ConventionError when it is a malformed one.
func (a *API) conventionByUsername(lib *scenarios.Library, institution, username string) (*scenarios.Login, error) {
	if !strings.EqualFold(institution, scenarios.DefaultInstitution) {
		return nil, scenarios.ErrNotConvention
	}
	l, err := scenarios.ParseConvention(username)
	if err != nil {
		return nil, err
	}
	if built, ok := a.conventions.Get(strings.ToLower(l.LoginID)); ok {
		return built, nil
	}
	if built := a.buildConvention(lib, l); built != nil {
		return built, nil
	}
	return nil, errors.New("the convention login could not be built")
}

// buildConvention builds a convention login like a login of a file, and
// keeps it: an earlier build of the same login wins, so that concurrent
// first calls share one. It returns nil, and logs why, if it does not
// build.
func (a *API) buildConvention(lib *scenarios.Library, l *scenarios.Login) *scenarios.Login {
	built, err := scenarios.Build(lib.Built, scenarios.Source{Name: scenarios.ConventionOrigin, File: &scenarios.File{Logins: []scenarios.Login{*l}}})
	if err != nil {
		a.log.Error("convention login not built", "username", l.Username, "err", err)
		return nil
	}
	kept, _ := a.conventions.GetOrAdd(strings.ToLower(built.Logins[0].LoginID), built.Logins[0])
	return kept
}
