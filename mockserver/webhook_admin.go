package mockserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
	"github.com/google/uuid"
)

// targetView is a webhook target as the admin API shows it: never its
// secret, and the retry policy in force for it.
type targetView struct {
	URL       string `json:"url"`
	SecretSet bool   `json:"secretSet"`
	Source    string `json:"source"`
	Attempts  int    `json:"attempts"`
	Interval  string `json:"interval"`
	Timeout   string `json:"timeout"`
}

type targetsBody struct {
	CustomerID string       `json:"customerId"`
	Targets    []targetView `json:"targets"`
}

// targetsOf shows the targets of a customer, t nil for one the server has
// not seen.
func (s *Server) targetsOf(id string, t *tenant) targetsBody {
	lib := s.library(t)
	out := targetsBody{CustomerID: id, Targets: []targetView{}}
	for _, tg := range s.webhookTargets(t, lib) {
		p := s.policy(lib, tg)
		out.Targets = append(out.Targets, targetView{
			URL:       tg.URL,
			SecretSet: tg.Secret != "",
			Source:    tg.Source,
			Attempts:  p.attempts,
			Interval:  p.interval.String(),
			Timeout:   p.timeout.String(),
		})
	}
	return out
}

// adminTenant returns the tenant an admin call names, creating it, or
// answers why it cannot and returns nil.
func (s *Server) adminTenant(w http.ResponseWriter, r *http.Request, id string) *tenant {
	t, err := s.tenant(id)
	switch {
	case errors.Is(err, errCustomerIDTooLong):
		s.adminError(w, r, http.StatusBadRequest, "INVALID_REQUEST", err.Error())
	case err != nil:
		s.adminError(w, r, http.StatusConflict, "TOO_MANY_REQUESTS", fmt.Sprintf("The mock already serves %d customerIds; reset one first", s.cfg.MaxTenants))
	}
	return t
}

// getWebhookTargets shows where the webhooks of a customer go.
func (s *Server) getWebhookTargets(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("customerId")
	writeJSON(w, http.StatusOK, s.targetsOf(id, s.lookupTenant(id)))
}

// targetSetting is one target of PUT /__admin/webhooks/targets.
type targetSetting struct {
	URL      string `json:"url"`
	Secret   string `json:"secret"`
	Attempts int    `json:"attempts"`
	Interval string `json:"interval"`
	Timeout  string `json:"timeout"`
}

// setWebhookTargets replaces the targets of a customer until its reset.
func (s *Server) setWebhookTargets(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("customerId")
	var body struct {
		Targets []targetSetting `json:"targets"`
	}
	if err := json.Unmarshal(bodyOf(r), &body); err != nil {
		s.adminError(w, r, http.StatusBadRequest, "INVALID_REQUEST", "Request body: "+jsonProblem(err))
		return
	}
	targets := make([]target, 0, len(body.Targets))
	for i, ts := range body.Targets {
		tg, err := ts.target()
		for _, prev := range targets {
			if err == nil && prev.URL == tg.URL {
				err = fmt.Errorf("%q is listed twice; each URL would get every webhook twice", tg.URL)
			}
		}
		if err != nil {
			s.adminError(w, r, http.StatusBadRequest, "INVALID_REQUEST", fmt.Sprintf("Request body: targets[%d]: %v", i, err))
			return
		}
		targets = append(targets, tg)
	}
	t := s.adminTenant(w, r, id)
	if t == nil {
		return
	}
	hw := s.hooks
	hw.mu.Lock()
	st := s.stateLocked(t, true)
	if st != nil {
		st.targets, st.set = targets, true
	}
	hw.mu.Unlock()
	if st == nil {
		s.adminError(w, r, http.StatusConflict, "INVALID_REQUEST", fmt.Sprintf("Customer %q was reset while its targets were set; set them again", id))
		return
	}
	s.log.Info("webhook targets set", "customerId", id, "targets", len(targets))
	writeJSON(w, http.StatusOK, s.targetsOf(id, t))
}

// target checks a target setting and makes it a target.
func (ts targetSetting) target() (target, error) {
	tg := target{URL: ts.URL, Secret: ts.Secret, Source: sourceRuntime, Attempts: ts.Attempts}
	if err := checkWebhookURL(ts.URL); err != nil {
		return tg, err
	}
	for _, d := range []struct {
		name, value string
		into        *time.Duration
	}{{"interval", ts.Interval, &tg.Interval}, {"timeout", ts.Timeout, &tg.Timeout}} {
		if d.value == "" {
			continue
		}
		v, err := time.ParseDuration(d.value)
		if err != nil || v <= 0 {
			return tg, fmt.Errorf("%s %q must be a positive duration such as \"100ms\" or \"30m\"", d.name, d.value)
		}
		*d.into = v
	}
	return tg, nil
}

type deliveriesBody struct {
	Deliveries []admin.Delivery `json:"deliveries"`
}

// listDeliveries answers the deliveries the query selects.
func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	requestID, state := q.Get("requestId"), q.Get("status")
	out := deliveriesBody{Deliveries: s.deliveries(q.Get("customerId"), func(d *delivery) bool {
		return (requestID == "" || d.requestID == requestID) && (state == "" || d.state == state)
	})}
	writeJSON(w, http.StatusOK, out)
}

// fireRequest is the body of POST /__admin/webhooks/fire.
type fireRequest struct {
	CustomerID   string          `json:"customerId"`
	RequestID    string          `json:"requestId"`
	LoginID      string          `json:"loginId"`
	ResponseType string          `json:"responseType"`
	URL          string          `json:"url"`
	Secret       string          `json:"secret"`
	Unsigned     bool            `json:"unsigned"`
	Body         json.RawMessage `json:"body"`
}

// fireWebhook sends one webhook now and answers its delivery after the
// first attempt; the retries follow as for any delivery. The login's
// scripted misbehaviour does not apply: a test that wants another payload
// gives it as body.
func (s *Server) fireWebhook(w http.ResponseWriter, r *http.Request) {
	var req fireRequest
	if err := json.Unmarshal(bodyOf(r), &req); err != nil {
		s.adminError(w, r, http.StatusBadRequest, "INVALID_REQUEST", "Request body: "+jsonProblem(err))
		return
	}
	t := s.adminTenant(w, r, req.CustomerID)
	if t == nil {
		return
	}
	lib := s.library(t)
	o, status, msg := s.fireOutgoing(t, lib, &req)
	if status != 0 {
		s.adminError(w, r, status, "INVALID_REQUEST", msg)
		return
	}
	var tg target
	targets := s.webhookTargets(t, lib)
	switch {
	case req.URL != "":
		if err := checkWebhookURL(req.URL); err != nil {
			s.adminError(w, r, http.StatusBadRequest, "INVALID_REQUEST", "Request body: url: "+err.Error())
			return
		}
		// A URL that is no target is signed as the server signs: a
		// receiver that checks signatures must not see a forgery in it.
		tg = target{URL: req.URL, Secret: s.webhookSecret(lib), Source: sourceFire}
		for _, known := range targets {
			if known.URL == req.URL {
				tg = known
			}
		}
	case len(targets) == 0:
		s.adminError(w, r, http.StatusConflict, "INVALID_REQUEST", fmt.Sprintf("Customer %q has no webhook target: give url, or set targets with PUT /__admin/webhooks/targets, --webhook-url or settings.webhooks.urls", req.CustomerID))
		return
	default:
		tg = targets[0]
	}
	switch {
	case req.Unsigned && req.Secret != "":
		s.adminError(w, r, http.StatusBadRequest, "INVALID_REQUEST", "Request body: give secret or unsigned, not both")
		return
	case req.Unsigned:
		tg.Secret = ""
	case req.Secret != "":
		tg.Secret = req.Secret
	}
	hw := s.hooks
	hw.mu.Lock()
	if hw.closed {
		hw.mu.Unlock()
		s.adminError(w, r, http.StatusConflict, "INVALID_REQUEST", "The mock is shutting down and sends no more webhooks")
		return
	}
	d, _ := s.queueLocked(t, tg, s.policy(lib, tg), o, nil)
	hw.mu.Unlock()
	if d == nil {
		s.adminError(w, r, http.StatusConflict, "INVALID_REQUEST", fmt.Sprintf("Customer %q was reset while the webhook was queued; fire it again", req.CustomerID))
		return
	}
	s.run([]*delivery{d})
	hw.mu.Lock()
	view := d.viewLocked()
	hw.mu.Unlock()
	writeJSON(w, http.StatusOK, view)
}

// webhookSecret is the secret the server signs with when a target names
// none of its own: --webhook-secret, else the scenarios' settings.
func (s *Server) webhookSecret(lib *scenarios.Library) string {
	if s.cfg.WebhookSecret != "" {
		return s.cfg.WebhookSecret
	}
	if ws := lib.Settings.Webhooks; ws != nil {
		return ws.Secret
	}
	return ""
}

// fireOutgoing builds the webhook a fire request asks for, or says why it
// cannot (an admin status and message).
func (s *Server) fireOutgoing(t *tenant, lib *scenarios.Library, req *fireRequest) (outgoing, int, string) {
	responseType := req.ResponseType
	if responseType == "" {
		responseType = openapi.WebhookAccountsDetail
	}
	o := outgoing{responseType: responseType, requestID: req.RequestID, loginID: req.LoginID}
	if body := bytes.TrimSpace(req.Body); len(body) > 0 && !bytes.Equal(body, []byte("null")) {
		var ids struct {
			RequestId string
			Login     struct{ Id string }
		}
		_ = json.Unmarshal(body, &ids)
		if o.requestID == "" {
			o.requestID = ids.RequestId
		}
		if o.loginID == "" {
			o.loginID = ids.Login.Id
		}
		o.body, o.responseType = body, responseTypeOf(body, req.ResponseType)
		return o, 0, ""
	}
	var sess *session
	opts := (&dataRequest{}).options()
	switch {
	case req.RequestID != "":
		if sess = t.session(req.RequestID); sess == nil {
			return o, http.StatusNotFound, fmt.Sprintf("Customer %q has no session with RequestId %s", req.CustomerID, req.RequestID)
		}
		sess.mu.Lock()
		defer sess.mu.Unlock()
		if sess.phase == phaseMFA {
			return o, http.StatusConflict, fmt.Sprintf("RequestId %s still waits for the answers to its security challenges; it has no data yet", req.RequestID)
		}
		if !sess.detail.started.IsZero() {
			opts = sess.detail.opts
		}
	case req.LoginID != "":
		login := s.loginByID(lib, req.LoginID)
		if login == nil {
			return o, http.StatusNotFound, fmt.Sprintf("Customer %q has no login with LoginId %s; GET /__admin/scenarios lists them", req.CustomerID, req.LoginID)
		}
		// A fresh rendering, as for a session opened now.
		sess = &session{
			id:          uuid.NewString(),
			login:       login,
			inst:        lib.Institution(login.Institution),
			lastRefresh: s.clock.Now().UTC().Format(lastRefreshLayout),
			phase:       phaseAuthorized,
		}
	default:
		return o, http.StatusBadRequest, "Request body: give requestId (the data of a session), loginId (the accounts of a login) or body (a payload of your own)"
	}
	o.requestID, o.loginID = sess.id, sess.login.LoginID
	switch responseType {
	case openapi.WebhookKYC:
		o.body = s.kycBody(sess, opts)
	default:
		body := sess.detail.body
		if body.empty() || sess.detail.opts != opts {
			body = detailKind.render(s, sess, opts)
		}
		o.body = webhookBody(openapi.WebhookAccountsDetail, body.bytes(), sess.tag)
	}
	return o, 0, ""
}
