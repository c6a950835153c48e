package flinksapi

import (
	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/tenancy"
	"github.com/flinks-mock/flinks-mock/scenarios"
	"github.com/google/uuid"
)

// DataEvents hears of the GetAccountsDetail requests the endpoints serve:
// the seam between the data endpoints and the webhooks. Started and Ready
// run with the session locked and return what to do once it is unlocked
// (the attempts due now; nil when there is nothing).
type DataEvents interface {
	// Listening reports whether anybody listens to a tenant's events: when
	// nobody does, no event is built and no timer is set.
	Listening(t *tenancy.Tenant, lib *scenarios.Library) bool
	// Started is told of the call that starts a data request.
	Started(ev DataEvent) func()
	// Ready is told once per data request that its data is ready:
	// answered, or due by the time its steps take.
	Ready(ev DataEvent) func()
}

// DataEvent is one data request of a session.
type DataEvent struct {
	Tenant    *tenancy.Tenant
	Lib       *scenarios.Library
	RequestID string
	LoginID   string
	Tag       string
	// Webhooks is what the login's scenario scripts for its webhooks.
	Webhooks scenarios.LoginWebhooks
	// Detail returns the GetAccountsDetail 200 body of the request, and
	// KYC the body of its KYC webhook; both run under the session's lock.
	Detail func() []byte
	KYC    func() []byte
}

// event describes the GetAccountsDetail request of a locked session.
func (a *API) event(t *tenancy.Tenant, lib *scenarios.Library, sess *session.Session) DataEvent {
	op := &sess.Detail
	ev := DataEvent{
		Tenant: t, Lib: lib, RequestID: sess.ID, LoginID: sess.Login.LoginID, Tag: sess.Tag,
		Detail: func() []byte {
			body, kept := op.Body.Body()
			if !kept {
				var shared *session.Shared
				body, shared = a.renderDetail(sess, op.Options)
				op.Body = session.Keep(body, shared)
				// Its own part is the session's tail, a few hundred bytes
				// counted with the session's texts: Measure waits for the
				// next data call, which holds no other lock.
			}
			return body.Bytes()
		},
		KYC: func() []byte { return a.kycBody(sess, op.Options) },
	}
	if w := sess.Login.Webhooks; w != nil {
		ev.Webhooks = *w
	}
	return ev
}

// detailEvents is told of every GetAccountsDetail call and poll that got
// past the session checks: first for the call that started the data
// request, ready when the answer is the 200. It tells the listeners, and
// when the request starts not ready, sets a timer for the time its steps
// take, for a client that relies on the webhook and never polls. The
// attempts due run on their own goroutine so the client's answer does not
// wait.
func (a *API) detailEvents(t *tenancy.Tenant, lib *scenarios.Library, sess *session.Session, first, ready bool) {
	ev := a.cfg.Events
	if ev == nil || (!first && !ready) {
		return
	}
	var started, readied func()
	sess.Lock()
	op := &sess.Detail
	// Without a listener nothing is set, so the steps of a server that
	// sends no webhooks stay counted in calls alone.
	if first && ev.Listening(t, lib) {
		started = ev.Started(a.event(t, lib, sess))
		if wait, index, ok := session.ReadyAfter(sess.Login.AccountsDetail); ok && !ready && wait < lib.Settings.ProcessingTimeout.D() {
			op.ReadyTimer = a.clock.AfterFunc(wait, func() { a.readyByTime(t, lib, sess, index) })
		}
	}
	if ready {
		readied = a.readyLocked(t, lib, sess)
	}
	sess.Unlock()
	// A poll of data already ready has nothing to run: no slice, no
	// goroutine.
	if started != nil || readied != nil {
		go runAll([]func(){started, readied})
	}
}

// readyByTime makes a data request whose steps are over ready, polled or
// not, and tells the listeners: its next call answers the ready step (a
// webhook that says the data is ready is never followed by a 202). It
// runs on the clock's goroutine and makes the attempts due at once there.
func (a *API) readyByTime(t *tenancy.Tenant, lib *scenarios.Library, sess *session.Session, ready int) {
	if !t.Live() || t.PeekSession(sess.ID) != sess {
		return // reset, or forgotten by a reload or the session bound
	}
	sess.Lock()
	var run func()
	if op := &sess.Detail; sess.State.Phase != session.Expired && !op.Notified {
		op.Cursor = session.At(ready)
		op.Last = scenarios.RespondReady
		run = a.readyLocked(t, lib, sess)
	}
	sess.Unlock()
	runAll([]func(){run})
}

// readyLocked tells the listeners that the GetAccountsDetail data of a
// session is ready, once per data request. The caller holds the session's
// lock.
func (a *API) readyLocked(t *tenancy.Tenant, lib *scenarios.Library, sess *session.Session) func() {
	op := &sess.Detail
	if op.Notified {
		return nil
	}
	op.Notified = true
	if op.ReadyTimer != nil {
		op.ReadyTimer.Stop()
		op.ReadyTimer = nil
	}
	return a.cfg.Events.Ready(a.event(t, lib, sess))
}

func runAll(runs []func()) {
	for _, run := range runs {
		if run != nil {
			run()
		}
	}
}

// SessionEvent describes, for a webhook fired through the admin API, the
// GetAccountsDetail data of a session (with the options of its data
// request), or of a fresh session of a login (sess nil). waiting is true
// when the session still waits for its MFA answers: it has no data yet.
func (a *API) SessionEvent(t *tenancy.Tenant, lib *scenarios.Library, sess *session.Session, login *scenarios.Login) (ev DataEvent, waiting bool) {
	if sess == nil {
		// A fresh rendering, as for a session opened now.
		now := a.clock.Now()
		login = t.Login(login.LoginID).Data(login)
		sess = session.New(uuid.NewString(), login, lib.Institution(login.Institution), "", now, session.Open(nil, 0, now))
	}
	sess.Lock()
	if sess.State.Phase == session.WaitingMFA {
		sess.Unlock()
		return DataEvent{}, true
	}
	opts := a.withShape(lib, session.DefaultOptions())
	if !sess.Detail.Started.IsZero() {
		opts = sess.Detail.Options
	}
	kept := sess.Detail.Body
	if sess.Detail.Options != opts {
		kept = session.Kept{}
	}
	sess.Unlock()
	// What is rendered below reads only what a session never changes.
	return DataEvent{
		Tenant: t, Lib: lib, RequestID: sess.ID, LoginID: sess.Login.LoginID, Tag: sess.Tag,
		Detail: func() []byte {
			body, ok := kept.Body()
			if !ok {
				body, _ = a.renderDetail(sess, opts)
			}
			return body.Bytes()
		},
		KYC: func() []byte { return a.kycBody(sess, opts) },
	}, false
}
