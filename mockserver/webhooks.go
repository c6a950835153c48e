package mockserver

import (
	"github.com/flinks-mock/flinks-mock/mockserver/internal/flinksapi"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/tenancy"
	"github.com/flinks-mock/flinks-mock/mockserver/webhook"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// The headers that carry a webhook's signature; see package webhook.
const (
	SignatureHeader    = webhook.SignatureHeader
	SignatureHeaderAlt = webhook.SignatureHeaderAlt
)

// Sign returns the signature of a webhook body as Flinks computes it:
// Base64(HMAC-SHA256(key = secret, message = the raw body bytes)). It is
// webhook.Sign.
func Sign(secret string, body []byte) string { return webhook.Sign(secret, body) }

// webhookEvents makes the webhook dispatcher the listener of the data
// endpoints' events, as WireMock makes webhooks a listener on served
// events: the endpoints say what they served, the dispatcher what to send.
type webhookEvents struct {
	d *webhook.Dispatcher
}

// Listening reports whether the customer's webhooks go anywhere.
func (h webhookEvents) Listening(t *tenancy.Tenant, lib *scenarios.Library) bool {
	return h.d.Listening(t, lib)
}

// Started queues the webhooks of a data request that starts.
func (h webhookEvents) Started(ev flinksapi.DataEvent) func() {
	return run(h.d.DataStarted(dataEvent(ev)))
}

// Ready queues the webhooks of a data request whose data is ready.
func (h webhookEvents) Ready(ev flinksapi.DataEvent) func() {
	return run(h.d.DataReady(dataEvent(ev)))
}

// run is the function that makes the attempts due, nil when none is.
func run(due webhook.Due) func() {
	if due.Empty() {
		return nil
	}
	return due.Run
}

func dataEvent(ev flinksapi.DataEvent) webhook.DataEvent {
	return webhook.DataEvent{
		Owner:     ev.Tenant,
		Library:   ev.Lib,
		RequestID: ev.RequestID,
		LoginID:   ev.LoginID,
		Tag:       ev.Tag,
		Script:    ev.Webhooks,
		Detail:    ev.Detail,
		KYC:       ev.KYC,
	}
}
