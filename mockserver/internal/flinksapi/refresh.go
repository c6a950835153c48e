package flinksapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/tenancy"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// NightlyRefreshHour is the hour (UTC, server clock) at which the logins
// under scheduled refresh are refreshed each night. Flinks does not say
// when; the mock picks one.
const NightlyRefreshHour = 3

// scheduleRequest is the body of /SetScheduledRefresh: clients send the
// fields in PascalCase or camelCase, and IsActivated as a boolean or a
// string.
type scheduleRequest struct {
	LoginId     string
	IsActivated json.RawMessage
}

// SetScheduledRefresh turns the nightly refresh of a login on or off, and
// answers a bare JSON string, as Flinks does.
func (a *API) SetScheduledRefresh(w http.ResponseWriter, r *http.Request) {
	t, lib := a.enter(w, r, "SetScheduledRefresh")
	if t == nil || !a.credentialsOK(w, r, t, lib) {
		return
	}
	var req scheduleRequest
	if body := exchange.Body(r); len(body) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			exchange.WriteError(w, r, exchange.Code(r, "INVALID_REQUEST", "Request body: "+exchange.JSONProblem(err), ""))
			return
		}
	}
	if req.LoginId == "" {
		req.LoginId = r.URL.Query().Get("login_id")
	}
	on, err := strconv.ParseBool(strings.Trim(string(req.IsActivated), `"`))
	if req.LoginId == "" || err != nil {
		exchange.WriteError(w, r, exchange.Code(r, "INVALID_REQUEST", "Send LoginId and IsActivated (true or false)", ""))
		return
	}
	login := a.knownCard(w, r, t, lib, req.LoginId)
	if login == nil {
		return
	}
	ls := t.Login(login.LoginID)
	ls.Schedule(on, func() clock.Timer { return a.armRefresh(t, login.LoginID, ls) })
	state := "deactivated"
	if on {
		state = "activated"
	}
	exchange.WriteJSON(w, http.StatusOK, fmt.Sprintf("LoginId %s has now been %s for automatic refresh", login.LoginID, state))
}

// nextRefresh is the next nightly refresh time after now.
func nextRefresh(now time.Time) time.Time {
	now = now.UTC()
	next := time.Date(now.Year(), now.Month(), now.Day(), NightlyRefreshHour, 0, 0, 0, time.UTC)
	if !next.After(now) {
		next = next.AddDate(0, 0, 1)
	}
	return next
}

// armRefresh sets the timer of the next nightly refresh of a login.
func (a *API) armRefresh(t *tenancy.Tenant, loginID string, ls *tenancy.LoginState) clock.Timer {
	now := a.clock.Now()
	return a.clock.AfterFunc(nextRefresh(now).Sub(now), func() { a.refresh(t, loginID, ls) })
}

// refresh is one nightly refresh of a login, on the clock's goroutine. A
// login whose bank asks security questions needs a stored answer to each
// (AnswerMFAQuestions, or the answers of a live /Authorize); without them
// the refresh fails with QUESTION_NOT_FOUND. A refresh that succeeds finds
// the transactions of the day on each account (scenarios.Login.Refreshed),
// which the login's later sessions show too, and sends the
// GetAccountsDetail webhook of the login, with IsScheduledRefresh true and
// the new LastRefresh.
func (a *API) refresh(t *tenancy.Tenant, loginID string, ls *tenancy.LoginState) {
	if !t.KnowsLogin(loginID, ls) || !ls.Scheduled() {
		return
	}
	lib := a.tenants.Library(t)
	login := a.LoginByID(lib, loginID)
	if login == nil {
		return
	}
	now := a.clock.Now()
	code := ""
	if missingAnswer(login, ls) {
		code = "QUESTION_NOT_FOUND"
	}
	login = ls.Refreshed(now, code, login, func() clock.Timer { return a.armRefresh(t, loginID, ls) })
	a.log.Info("nightly refresh", "customerId", t.ID(), "login", login.Name, "error", code)
	ev := a.cfg.Events
	if code != "" || ev == nil || !ev.Listening(t, lib) {
		return
	}
	sess := session.New(uuid.NewString(), login, lib.Institution(login.Institution), "", now, session.Open(nil, 0, now))
	sess.ScheduledRefresh = true
	opts := a.withShape(lib, session.DefaultOptions())
	event := DataEvent{
		Tenant: t, Lib: lib, RequestID: sess.ID, LoginID: loginID,
		Detail: func() []byte {
			body, _ := a.renderDetail(sess, opts)
			return body.Bytes()
		},
		KYC: func() []byte { return a.kycBody(sess, opts) },
	}
	if w := login.Webhooks; w != nil {
		event.Webhooks = *w
	}
	runAll([]func(){ev.Ready(event)})
}

// missingAnswer reports whether a security question of the login has no
// stored answer.
func missingAnswer(login *scenarios.Login, ls *tenancy.LoginState) bool {
	if login.MFA == nil {
		return false
	}
	for _, round := range login.MFA.Rounds {
		for _, c := range round.Challenges {
			if !ls.Answered(c.Prompt) {
				return true
			}
		}
	}
	return false
}

// ineligibleCard is one entry of /GetNightlyRefreshStatus.
type ineligibleCard struct {
	LoginId              string
	LastRefreshDate      string
	LastRefreshState     string
	LastRefreshErrorCode *string
}

type nightlyRefreshStatus struct {
	HttpStatusCode  int
	IneligibleCards []ineligibleCard
}

// GetNightlyRefreshStatus lists the logins under scheduled refresh whose
// last nightly refresh failed. Flinks documents it with the API secret as
// "Authorization: Bearer"; the mock takes the secret key when it has one,
// or an access token of /Token.
func (a *API) GetNightlyRefreshStatus(w http.ResponseWriter, r *http.Request) {
	t, lib := a.enter(w, r, "GetNightlyRefreshStatus")
	if t == nil {
		return
	}
	scheme, secret, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	secret = strings.TrimSpace(secret)
	switch {
	case !strings.EqualFold(scheme, "Bearer") || secret == "":
		exchange.WriteError(w, r, exchange.Code(r, lib.Settings.InvalidTokenCode, "Send your API secret as Authorization: Bearer <secret>", ""))
		return
	case a.cfg.SecretKey != "" && secret != a.cfg.SecretKey && !t.AccessTokenValid(secret, a.clock.Now()):
		exchange.WriteError(w, r, exchange.Code(r, lib.Settings.InvalidTokenCode, "The Bearer secret is not this instance's API secret", ""))
		return
	}
	out := nightlyRefreshStatus{HttpStatusCode: http.StatusOK, IneligibleCards: []ineligibleCard{}}
	t.ScheduledLogins(func(id string, ls *tenancy.LoginState) {
		at, code := ls.LastRefresh()
		if code == "" {
			return
		}
		out.IneligibleCards = append(out.IneligibleCards, ineligibleCard{
			LoginId:              id,
			LastRefreshDate:      at.UTC().Format(session.LastRefreshLayout),
			LastRefreshState:     "AnsweringSecurityChallenge",
			LastRefreshErrorCode: &code,
		})
	})
	exchange.WriteJSON(w, http.StatusOK, out)
}
