package webhook

import (
	"bytes"
	"encoding/json"

	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// DataEvent is a GetAccountsDetail request the data endpoints served, as
// the webhooks see it.
type DataEvent struct {
	Owner     Owner
	Library   *scenarios.Library
	RequestID string
	LoginID   string
	// Tag is the Tag of the session's /Authorize, which the webhook
	// carries last.
	Tag string
	// Script is what the login's scenario scripts for its webhooks.
	Script scenarios.LoginWebhooks
	// Detail returns the GetAccountsDetail 200 body, and KYC the KYC
	// webhook's; they are called only when a webhook is sent.
	Detail func() []byte
	KYC    func() []byte
}

// Listening reports whether the webhooks of a customer go anywhere: the
// data endpoints skip their events, and the timers of a client that never
// polls, when they do not.
func (d *Dispatcher) Listening(owner Owner, lib *scenarios.Library) bool {
	return len(d.Targets(owner, lib)) > 0
}

// DataStarted is told of the call that starts a GetAccountsDetail
// request: the KYC webhook goes now when the scenario asks for one (unless
// it asks for it out of order).
func (d *Dispatcher) DataStarted(ev DataEvent) Due {
	if !ev.Script.KYC || ev.Script.OutOfOrder {
		return Due{}
	}
	_, due := d.Send(ev.Owner, ev.Library, d.Targets(ev.Owner, ev.Library), d.kyc(ev), nil)
	return due
}

// DataReady is told, once per data request, that its data is ready
// (answered, or due by the time its steps take): the GetAccountsDetail
// webhook goes, after the KYC one, or before it when the scenario asks for
// them out of order.
func (d *Dispatcher) DataReady(ev DataEvent) Due {
	targets := d.Targets(ev.Owner, ev.Library)
	if len(targets) == 0 {
		return Due{}
	}
	sc := ev.Script
	o := Outgoing{
		ResponseType: openapi.WebhookAccountsDetail,
		RequestID:    ev.RequestID,
		LoginID:      ev.LoginID,
		Script:       sc,
	}
	if len(sc.Body) > 0 {
		o.Body, o.ResponseType = sc.Body, ResponseTypeOf(sc.Body, o.ResponseType)
	} else {
		// The 200 carries the Tag already.
		o.Body = Body(openapi.WebhookAccountsDetail, ev.Detail(), "")
	}
	var after Group
	if sc.KYC && !sc.OutOfOrder {
		after = d.sent(ev.Owner, ev.RequestID, openapi.WebhookKYC)
	}
	data, due := d.send(ev.Owner, ev.Library, targets, o, after)
	if sc.KYC && sc.OutOfOrder {
		_, more := d.send(ev.Owner, ev.Library, targets, d.kyc(ev), data)
		due = append(due, more...)
	}
	return Due{d, due}
}

func (d *Dispatcher) kyc(ev DataEvent) Outgoing {
	return Outgoing{ResponseType: openapi.WebhookKYC, RequestID: ev.RequestID, LoginID: ev.LoginID, Body: ev.KYC(), Script: ev.Script}
}

// sent returns, by URL, the newest first delivery (not a duplicate) of
// the webhook of this ResponseType sent for a RequestId.
func (d *Dispatcher) sent(owner Owner, requestID, responseType string) Group {
	d.mu.Lock()
	defer d.mu.Unlock()
	c := d.customers[owner.ID()]
	if c == nil || c.owner != owner {
		return nil
	}
	group := Group{}
	c.deliveries.Range(func(_ string, dl *delivery) bool {
		if dl.requestID == requestID && dl.responseType == responseType && dl.duplicateOf == "" {
			if prev := group[dl.url]; prev == nil || prev.seq < dl.seq {
				group[dl.url] = dl
			}
		}
		return true
	})
	return group
}

// Body is a 200 body of the data endpoint made into a webhook: the same
// bytes, with ResponseType first and the Tag of /Authorize last, so a
// webhook carries exactly what a poll returns.
func Body(responseType string, payload []byte, tag string) []byte {
	payload = bytes.TrimSpace(payload)
	if len(payload) < 2 || payload[0] != '{' {
		return payload
	}
	rt, _ := json.Marshal(responseType)
	var b bytes.Buffer
	b.Grow(len(payload) + len(rt) + len(tag) + 32)
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

// ResponseTypeOf is the ResponseType a body declares, or def.
func ResponseTypeOf(body []byte, def string) string {
	var v struct{ ResponseType any }
	if json.Unmarshal(body, &v) == nil {
		if rt, ok := v.ResponseType.(string); ok && rt != "" {
			return rt
		}
	}
	return def
}
