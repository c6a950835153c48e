package mockserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// pollInterval is the pace of Async polls the Flinks guide asks for. When
// the mock works out when a data request is ready for a client that never
// polls, each call of a call-counted step counts as one poll this long.
const pollInterval = 10 * time.Second

// opWebhook is the automatic webhook of one data request. Its fields are
// guarded by the session's mutex.
type opWebhook struct {
	// queued is set once the GetAccountsDetail webhook is queued: one per
	// data request.
	queued bool
	// timer queues it when the steps say the data is ready, for a client
	// that relies on the webhook and never polls.
	timer clock.Timer
	// kyc holds the KYC deliveries by target URL, which the data webhook
	// follows.
	kyc map[string]*delivery
}

// readyAfter says how long after the first call a sequence of data steps
// is ready without polls, and which step is the ready one: a for step
// counts its duration, each call of a call-counted step one pollInterval.
// It reports false when the sequence ends in an error, which sends no data.
func readyAfter(steps []scenarios.Step) (time.Duration, int, bool) {
	var d time.Duration
	for i, st := range steps {
		switch {
		case st.Respond == scenarios.RespondReady:
			return d, i, true
		case i == len(steps)-1:
			return 0, 0, false
		case st.For > 0:
			d += st.For.D()
		default:
			d += time.Duration(max(st.Calls, 1)) * pollInterval
		}
	}
	return 0, 0, false
}

// script is what the login's scenario scripts for its webhooks.
func script(l *scenarios.Login) scenarios.LoginWebhooks {
	if l.Webhooks == nil {
		return scenarios.LoginWebhooks{}
	}
	return *l.Webhooks
}

// detailCalled is told of every GetAccountsDetail call and poll that got
// past the session checks: first for the call that started the data
// request, ready when the answer is the 200. It queues the KYC webhook at
// the start, the GetAccountsDetail webhook when the data is ready (or
// schedules it for when the steps say it will be), and runs what is due
// on its own goroutine so the client's answer does not wait.
func (s *Server) detailCalled(t *tenant, lib *scenarios.Library, sess *session, first, ready bool) {
	sc := script(sess.login)
	var due []*delivery
	sess.mu.Lock()
	op := &sess.detail
	// Without a target nothing is scheduled, so the steps of a server that
	// sends no webhooks stay counted in calls alone.
	if first && (sc.KYC || !ready) {
		if targets := s.webhookTargets(t, lib); len(targets) > 0 {
			if sc.KYC && !sc.OutOfOrder {
				var now []*delivery
				op.webhook.kyc, now = s.send(t, lib, targets, s.kycOutgoing(sess, op.opts, sc), nil)
				due = append(due, now...)
			}
			if wait, index, ok := readyAfter(sess.login.AccountsDetail); ok && !ready && wait < lib.Settings.ProcessingTimeout.D() {
				op.webhook.timer = s.clock.AfterFunc(wait, func() { s.detailReadyByTime(t, lib, sess, index) })
			}
		}
	}
	if ready {
		due = append(due, s.queueDetailLocked(t, lib, sess)...)
	}
	sess.mu.Unlock()
	if len(due) > 0 {
		go s.run(due)
	}
}

// detailReadyByTime queues the GetAccountsDetail webhook of a data request
// whose steps are over, polled or not, and makes its next call answer the
// ready step: a webhook that says the data is ready is never followed by a
// 202. It runs on the clock's goroutine and makes the attempts due at once
// there.
func (s *Server) detailReadyByTime(t *tenant, lib *scenarios.Library, sess *session, ready int) {
	if !s.current(t) || t.session(sess.id) != sess {
		return // reset, or forgotten by a reload or the session bound
	}
	sess.mu.Lock()
	var due []*delivery
	if op := &sess.detail; sess.phase != phaseExpired && !op.webhook.queued {
		op.cursor = cursor{index: ready}
		op.last = scenarios.RespondReady
		due = s.queueDetailLocked(t, lib, sess)
	}
	sess.mu.Unlock()
	s.run(due)
}

// queueDetailLocked queues the GetAccountsDetail webhook of a session, once,
// then the KYC one when the scenario wants it out of order. The caller
// holds sess.mu.
func (s *Server) queueDetailLocked(t *tenant, lib *scenarios.Library, sess *session) []*delivery {
	op := &sess.detail
	if op.webhook.queued {
		return nil
	}
	op.webhook.queued = true
	if op.webhook.timer != nil {
		op.webhook.timer.Stop()
		op.webhook.timer = nil
	}
	targets := s.webhookTargets(t, lib)
	if len(targets) == 0 {
		return nil // no body to build: most servers send no webhooks
	}
	sc := script(sess.login)
	if op.body.empty() {
		op.body = detailKind.render(s, sess, op.opts)
	}
	o := outgoing{
		responseType: openapi.WebhookAccountsDetail,
		requestID:    sess.id,
		loginID:      sess.login.LoginID,
		body:         webhookBody(openapi.WebhookAccountsDetail, op.body.bytes(), sess.tag),
		script:       sc,
	}
	if len(sc.Body) > 0 {
		o.body = sc.Body
		o.responseType = responseTypeOf(sc.Body, o.responseType)
	}
	data, due := s.send(t, lib, targets, o, op.webhook.kyc)
	if sc.KYC && sc.OutOfOrder {
		_, now := s.send(t, lib, targets, s.kycOutgoing(sess, op.opts, sc), data)
		due = append(due, now...)
	}
	return due
}

// webhookBody is a 200 body of the data endpoint made into a webhook: the
// same bytes, with ResponseType first and the Tag of /Authorize last, so a
// webhook carries exactly what a poll returns.
func webhookBody(responseType string, payload []byte, tag string) []byte {
	payload = bytes.TrimSpace(payload)
	if len(payload) < 2 || payload[0] != '{' {
		return payload
	}
	rt, _ := json.Marshal(responseType)
	var b bytes.Buffer
	b.WriteString(`{"ResponseType":`)
	b.Write(rt)
	if inner := bytes.TrimSpace(payload[1 : len(payload)-1]); len(inner) > 0 {
		b.WriteByte(',')
		b.Write(inner)
	}
	if tag != "" {
		t, _ := json.Marshal(tag)
		b.WriteString(`,"Tag":`)
		b.Write(t)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// responseTypeOf is the ResponseType a body declares, or def.
func responseTypeOf(body []byte, def string) string {
	var v struct{ ResponseType any }
	if json.Unmarshal(body, &v) == nil {
		if rt, ok := v.ResponseType.(string); ok && rt != "" {
			return rt
		}
	}
	return def
}

// kycAccount is one account of a KYC webhook: its Id and holder.
type kycAccount struct {
	Id     string
	Holder *scenarios.Holder
}

// kycWebhook is the KYC webhook. Its shape was never seen; it is the
// minimal one openapi/flinks.yaml describes (KYCWebhook).
type kycWebhook struct {
	ResponseType   string
	HttpStatusCode int
	RequestId      string
	Login          loginInfo
	Accounts       []kycAccount
	Tag            string `json:",omitempty"`
}

// kycBody renders the KYC webhook of a session: the holders of the
// accounts the data request asked for.
func (s *Server) kycBody(sess *session, o dataOptions) []byte {
	o.identity, o.transactions = true, false
	list := accounts(sess.login, o)
	out := kycWebhook{
		ResponseType:   openapi.WebhookKYC,
		HttpStatusCode: http.StatusOK,
		RequestId:      sess.id,
		Login:          sess.loginInfo(),
		Accounts:       make([]kycAccount, len(list)),
		Tag:            sess.tag,
	}
	for i, a := range list {
		out.Accounts[i] = kycAccount{Id: a.Id, Holder: a.Holder}
	}
	return s.encode(out)
}

func (s *Server) kycOutgoing(sess *session, o dataOptions, sc scenarios.LoginWebhooks) outgoing {
	return outgoing{
		responseType: openapi.WebhookKYC,
		requestID:    sess.id,
		loginID:      sess.login.LoginID,
		body:         s.kycBody(sess, o),
		script:       sc,
	}
}
