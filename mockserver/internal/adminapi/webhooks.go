package adminapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/tenancy"
	"github.com/flinks-mock/flinks-mock/mockserver/webhook"
	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// GetWebhookTargets shows where the webhooks of a customer go.
func (a *API) GetWebhookTargets(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("customerId")
	exchange.WriteJSON(w, http.StatusOK, a.targetViews(id, a.cfg.Tenants.Lookup(id)))
}

// targetViews shows the targets of a customer, t nil for one the server
// has not seen.
func (a *API) targetViews(id string, t *tenancy.Tenant) admin.WebhookTargetList {
	var owner webhook.Owner
	if t != nil {
		owner = t
	}
	return a.cfg.Hooks.TargetViews(id, owner, a.cfg.Tenants.Library(t))
}

// SetWebhookTargets replaces the targets of a customer until its reset.
func (a *API) SetWebhookTargets(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("customerId")
	var body admin.WebhookTargetsBody
	if err := json.Unmarshal(exchange.Body(r), &body); err != nil {
		badRequest(w, r, "Request body: "+exchange.JSONProblem(err))
		return
	}
	targets := make([]webhook.Target, 0, len(body.Targets))
	for i, wire := range body.Targets {
		tg, err := runtimeTarget(wire, targets)
		if err != nil {
			badRequest(w, r, fmt.Sprintf("Request body: targets[%d]: %v", i, err))
			return
		}
		targets = append(targets, tg)
	}
	t := a.tenant(w, r, id)
	if t == nil {
		return
	}
	if !a.cfg.Hooks.SetTargets(t, targets) {
		fail(w, r, http.StatusConflict, "INVALID_REQUEST", fmt.Sprintf("Customer %q was reset while its targets were set; set them again", id))
		return
	}
	a.cfg.Log.Info("webhook targets set", "customerId", id, "targets", len(targets))
	exchange.WriteJSON(w, http.StatusOK, a.targetViews(id, t))
}

// runtimeTarget checks one target of PUT /__admin/webhooks/targets
// against the ones before it.
func runtimeTarget(wire admin.WebhookTargetSettingWire, before []webhook.Target) (webhook.Target, error) {
	if err := webhook.CheckURL(wire.URL); err != nil {
		return webhook.Target{}, err
	}
	setting, err := wire.Setting()
	if err != nil {
		return webhook.Target{}, err
	}
	for _, prev := range before {
		if prev.URL == setting.URL {
			return webhook.Target{}, fmt.Errorf("%q is listed twice; each URL would get every webhook twice", setting.URL)
		}
	}
	return webhook.RuntimeTarget(setting), nil
}

// ListDeliveries answers the deliveries the query selects.
func (a *API) ListDeliveries(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	out := admin.DeliveryList{Deliveries: a.cfg.Hooks.Deliveries(q.Get("customerId"), q.Get("requestId"), q.Get("status"))}
	exchange.WriteJSON(w, http.StatusOK, out)
}

// FireWebhook sends one webhook now and answers its delivery after the
// first attempt; the retries follow as for any delivery. The login's
// scripted misbehaviour does not apply: a test that wants another payload
// gives it as body.
func (a *API) FireWebhook(w http.ResponseWriter, r *http.Request) {
	var req admin.WebhookFire
	if err := json.Unmarshal(exchange.Body(r), &req); err != nil {
		badRequest(w, r, "Request body: "+exchange.JSONProblem(err))
		return
	}
	t := a.tenant(w, r, req.CustomerID)
	if t == nil {
		return
	}
	lib := a.cfg.Tenants.Library(t)
	o, status, msg := a.fireOutgoing(t, lib, &req)
	if status != 0 {
		fail(w, r, status, "INVALID_REQUEST", msg)
		return
	}
	tg, status, msg := a.fireTarget(t, lib, &req)
	if status != 0 {
		fail(w, r, status, "INVALID_REQUEST", msg)
		return
	}
	view, err := a.cfg.Hooks.Fire(t, lib, tg, o)
	switch {
	case errors.Is(err, webhook.ErrClosed):
		fail(w, r, http.StatusConflict, "INVALID_REQUEST", "The mock is shutting down and sends no more webhooks")
	case err != nil:
		fail(w, r, http.StatusConflict, "INVALID_REQUEST", fmt.Sprintf("Customer %q was reset while the webhook was queued; fire it again", req.CustomerID))
	default:
		exchange.WriteJSON(w, http.StatusOK, view)
	}
}

// fireTarget is where a fired webhook goes: the url given (with the
// secret of the customer's target of that URL, if any), else the
// customer's first target; or an admin status and message.
func (a *API) fireTarget(t *tenancy.Tenant, lib *scenarios.Library, req *admin.WebhookFire) (webhook.Target, int, string) {
	targets := a.cfg.Hooks.Targets(t, lib)
	var tg webhook.Target
	switch {
	case req.URL != "":
		if err := webhook.CheckURL(req.URL); err != nil {
			return tg, http.StatusBadRequest, "Request body: url: " + err.Error()
		}
		// A URL that is no target is signed as the server signs: a
		// receiver that checks signatures must not see a forgery in it.
		tg = webhook.Target{URL: req.URL, Secret: a.cfg.Hooks.Secret(lib), Source: webhook.SourceFire}
		for _, known := range targets {
			if known.URL == req.URL {
				tg = known
			}
		}
	case len(targets) == 0:
		return tg, http.StatusConflict, fmt.Sprintf("Customer %q has no webhook target: give url, or set targets with PUT /__admin/webhooks/targets, --webhook-url or settings.webhooks.urls", req.CustomerID)
	default:
		tg = targets[0]
	}
	switch {
	case req.Unsigned && req.Secret != "":
		return tg, http.StatusBadRequest, "Request body: give secret or unsigned, not both"
	case req.Unsigned:
		tg.Secret = ""
	case req.Secret != "":
		tg.Secret = req.Secret
	}
	return tg, 0, ""
}

// fireOutgoing builds the webhook a fire request asks for, or says why it
// cannot (an admin status and message).
func (a *API) fireOutgoing(t *tenancy.Tenant, lib *scenarios.Library, req *admin.WebhookFire) (webhook.Outgoing, int, string) {
	responseType := req.ResponseType
	if responseType == "" {
		responseType = openapi.WebhookAccountsDetail
	}
	o := webhook.Outgoing{ResponseType: responseType, RequestID: req.RequestID, LoginID: req.LoginID}
	if body := bytes.TrimSpace(req.Body); len(body) > 0 && !bytes.Equal(body, []byte("null")) {
		var ids struct {
			RequestId string
			Login     struct{ Id string }
		}
		_ = json.Unmarshal(body, &ids)
		if o.RequestID == "" {
			o.RequestID = ids.RequestId
		}
		if o.LoginID == "" {
			o.LoginID = ids.Login.Id
		}
		o.Body, o.ResponseType = body, webhook.ResponseTypeOf(body, req.ResponseType)
		return o, 0, ""
	}
	var sess *session.Session
	var login *scenarios.Login
	switch {
	case req.RequestID != "":
		if sess = t.PeekSession(req.RequestID); sess == nil {
			return o, http.StatusNotFound, fmt.Sprintf("Customer %q has no session with RequestId %s", req.CustomerID, req.RequestID)
		}
	case req.LoginID != "":
		if login = a.cfg.Renderer.LoginByID(lib, req.LoginID); login == nil {
			return o, http.StatusNotFound, fmt.Sprintf("Customer %q has no login with LoginId %s; GET /__admin/scenarios lists them", req.CustomerID, req.LoginID)
		}
	default:
		return o, http.StatusBadRequest, "Request body: give requestId (the data of a session), loginId (the accounts of a login) or body (a payload of your own)"
	}
	ev, waiting := a.cfg.Renderer.SessionEvent(t, lib, sess, login)
	if waiting {
		return o, http.StatusConflict, fmt.Sprintf("RequestId %s still waits for the answers to its security challenges; it has no data yet", req.RequestID)
	}
	o.RequestID, o.LoginID = ev.RequestID, ev.LoginID
	if responseType == openapi.WebhookKYC {
		o.Body = ev.KYC()
	} else {
		// The 200 carries the Tag already.
		o.Body = webhook.Body(openapi.WebhookAccountsDetail, ev.Detail(), "")
	}
	return o, 0, ""
}

// ResendWebhook makes a new attempt of a delivery now and answers the
// delivery after it.
func (a *API) ResendWebhook(w http.ResponseWriter, r *http.Request) {
	var req admin.WebhookResend
	if err := json.Unmarshal(exchange.Body(r), &req); err != nil {
		badRequest(w, r, "Request body: "+exchange.JSONProblem(err))
		return
	}
	view, err := a.cfg.Hooks.Resend(req.DeliveryID)
	switch {
	case errors.Is(err, webhook.ErrNoDelivery):
		fail(w, r, http.StatusNotFound, "INVALID_REQUEST", fmt.Sprintf("No delivery %s: GET /__admin/webhooks/deliveries lists those the mock keeps", req.DeliveryID))
	case errors.Is(err, webhook.ErrBusy):
		fail(w, r, http.StatusConflict, "INVALID_REQUEST", fmt.Sprintf("An attempt of delivery %s is in flight or waiting; re-send it once it is made", req.DeliveryID))
	case errors.Is(err, webhook.ErrClosed):
		fail(w, r, http.StatusConflict, "INVALID_REQUEST", "The mock is shutting down and sends no more webhooks")
	case err != nil:
		fail(w, r, http.StatusConflict, "INVALID_REQUEST", err.Error())
	default:
		a.cfg.Log.Info("webhook re-sent", "deliveryId", req.DeliveryID, "attempt", len(view.Attempts), "state", view.State)
		exchange.WriteJSON(w, http.StatusOK, view)
	}
}
