package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// WebhookTarget is a URL the webhooks of a customer go to. The secret is
// never returned; SecretSet says whether deliveries are signed.
type WebhookTarget struct {
	URL       string `json:"url"`
	SecretSet bool   `json:"secretSet"`
	// Source is "flag" (--webhook-url), "scenario" (settings.webhooks.urls)
	// or "runtime" (SetWebhookTargets).
	Source string `json:"source,omitempty"`
	// Attempts, Interval and Timeout are the retry policy in force for
	// the URL; Interval and Timeout are Go durations.
	Attempts int    `json:"attempts,omitempty"`
	Interval string `json:"interval,omitempty"`
	Timeout  string `json:"timeout,omitempty"`
}

// WebhookTargetSetting is a target to set. Zero retry fields keep the
// scenario's or the server's values.
type WebhookTargetSetting struct {
	URL string `json:"url"`
	// Secret signs the deliveries to URL (flinks-authenticity-key).
	Secret   string        `json:"secret,omitempty"`
	Attempts int           `json:"attempts,omitempty"`
	Interval time.Duration `json:"-"`
	Timeout  time.Duration `json:"-"`
}

// MarshalJSON writes the setting as the admin API carries it.
func (s WebhookTargetSetting) MarshalJSON() ([]byte, error) {
	return json.Marshal(s.Wire())
}

// Wire is the setting as the admin API carries it.
func (s WebhookTargetSetting) Wire() WebhookTargetSettingWire {
	w := WebhookTargetSettingWire{URL: s.URL, Secret: s.Secret, Attempts: s.Attempts}
	if s.Interval > 0 {
		w.Interval = s.Interval.String()
	}
	if s.Timeout > 0 {
		w.Timeout = s.Timeout.String()
	}
	return w
}

// WebhookTargetSettingWire is a WebhookTargetSetting as the admin API
// carries it: its durations as Go duration strings.
type WebhookTargetSettingWire struct {
	URL      string `json:"url"`
	Secret   string `json:"secret,omitempty"`
	Attempts int    `json:"attempts,omitempty"`
	Interval string `json:"interval,omitempty"`
	Timeout  string `json:"timeout,omitempty"`
}

// Setting reads the durations of a target as sent; an empty one keeps the
// scenario's or the server's value.
func (w WebhookTargetSettingWire) Setting() (WebhookTargetSetting, error) {
	s := WebhookTargetSetting{URL: w.URL, Secret: w.Secret, Attempts: w.Attempts}
	for _, d := range []struct {
		name, value string
		into        *time.Duration
	}{{"interval", w.Interval, &s.Interval}, {"timeout", w.Timeout, &s.Timeout}} {
		if d.value == "" {
			continue
		}
		v, err := time.ParseDuration(d.value)
		if err != nil || v <= 0 {
			return s, fmt.Errorf("%s %q must be a positive duration such as \"100ms\" or \"30m\"", d.name, d.value)
		}
		*d.into = v
	}
	return s, nil
}

// WebhookTargetsBody is the body of PUT /__admin/webhooks/targets.
type WebhookTargetsBody struct {
	Targets []WebhookTargetSettingWire `json:"targets"`
}

// WebhookTargetList is the answer of GET and PUT /__admin/webhooks/targets.
type WebhookTargetList struct {
	CustomerID string          `json:"customerId"`
	Targets    []WebhookTarget `json:"targets"`
}

// WebhookTargets returns where the webhooks of a customer go.
func (c *Client) WebhookTargets(ctx context.Context, customerID string) ([]WebhookTarget, error) {
	var out WebhookTargetList
	err := c.do(ctx, http.MethodGet, "webhooks/targets", url.Values{"customerId": {customerID}}, "", nil, &out)
	return out.Targets, err
}

// SetWebhookTargets replaces the targets of a customer until it is reset;
// an empty list stops its webhooks. It returns the targets now in force.
func (c *Client) SetWebhookTargets(ctx context.Context, customerID string, targets []WebhookTargetSetting) ([]WebhookTarget, error) {
	req := WebhookTargetsBody{Targets: make([]WebhookTargetSettingWire, len(targets))}
	for i, tg := range targets {
		req.Targets[i] = tg.Wire()
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("flinks-mock admin API: encode the targets: %w", err)
	}
	var out WebhookTargetList
	err = c.do(ctx, http.MethodPut, "webhooks/targets", url.Values{"customerId": {customerID}}, "application/json", body, &out)
	return out.Targets, err
}

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
	DeliveryDropped   = "dropped"
)

// Delivery is one webhook to one URL, with every attempt made.
type Delivery struct {
	ID           string            `json:"id"`
	CustomerID   string            `json:"customerId"`
	URL          string            `json:"url"`
	ResponseType string            `json:"responseType"`
	RequestID    string            `json:"requestId,omitempty"`
	LoginID      string            `json:"loginId,omitempty"`
	State        string            `json:"state"`
	Attempts     []DeliveryAttempt `json:"attempts"`
	MaxAttempts  int               `json:"maxAttempts"`
	// NextAttempt is when the next attempt is due, on the server clock;
	// nil unless pending.
	NextAttempt *time.Time `json:"nextAttempt,omitempty"`
	// DuplicateOf is the id of the delivery this one repeats.
	DuplicateOf string `json:"duplicateOf,omitempty"`
	// Signature is the flinks-authenticity-key every attempt carries (an
	// HMAC of the body, not the secret); empty when unsigned.
	Signature string `json:"signature,omitempty"`
}

// DeliveryAttempt is one attempt of a delivery.
type DeliveryAttempt struct {
	Attempt int       `json:"attempt"`
	Time    time.Time `json:"time"`
	// Status is the receiver's answer, 0 when none came.
	Status int `json:"status,omitempty"`
	// Error says why no answer came, or why the answer was no success.
	Error    string        `json:"error,omitempty"`
	Duration time.Duration `json:"durationNs"`
	// Resent marks an attempt asked for through the admin API
	// (ResendWebhook), not by the retry policy.
	Resent bool `json:"resent,omitempty"`
}

// DeliveryList is the answer of GET /__admin/webhooks/deliveries.
type DeliveryList struct {
	Deliveries []Delivery `json:"deliveries"`
}

// DeliveryFilter selects deliveries; zero fields select everything.
type DeliveryFilter struct {
	CustomerID string
	RequestID  string
	// State is one of the Delivery* states.
	State string
}

// Deliveries returns the deliveries the filter selects, oldest first.
func (c *Client) Deliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, error) {
	q := url.Values{}
	for k, v := range map[string]string{"customerId": f.CustomerID, "requestId": f.RequestID, "status": f.State} {
		if v != "" {
			q.Set(k, v)
		}
	}
	var out DeliveryList
	err := c.do(ctx, http.MethodGet, "webhooks/deliveries", q, "", nil, &out)
	return out.Deliveries, err
}

// WebhookFire says what webhook to send now. CustomerID is required, and
// one of RequestID, LoginID or Body.
type WebhookFire struct {
	CustomerID string `json:"customerId"`
	// RequestID sends the data of a session; LoginID a fresh rendering of
	// a login's accounts.
	RequestID string `json:"requestId,omitempty"`
	LoginID   string `json:"loginId,omitempty"`
	// ResponseType is "GetAccountsDetail" (the default) or "KYC".
	ResponseType string `json:"responseType,omitempty"`
	// URL is where to send it (default: the customer's first target), and
	// Secret what to sign it with (default: that target's secret, or for a
	// URL that is no target the server's). Unsigned sends it with no
	// signature at all.
	URL      string `json:"url,omitempty"`
	Secret   string `json:"secret,omitempty"`
	Unsigned bool   `json:"unsigned,omitempty"`
	// Body, when set, is sent as is: a JSON object.
	Body json.RawMessage `json:"body,omitempty"`
}

// FireWebhook sends a webhook now and returns its delivery after the first
// attempt; the retries follow as for any delivery.
func (c *Client) FireWebhook(ctx context.Context, fire WebhookFire) (*Delivery, error) {
	body, err := json.Marshal(fire)
	if err != nil {
		return nil, fmt.Errorf("flinks-mock admin API: encode the webhook to fire: %w", err)
	}
	var out Delivery
	if err := c.do(ctx, http.MethodPost, "webhooks/fire", nil, "application/json", body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// WebhookResend names the delivery to attempt again.
type WebhookResend struct {
	DeliveryID string `json:"deliveryId"`
}

// ResendWebhook makes a new attempt of a delivery now, with its body and
// signature to its URL, and returns the delivery after it. The attempt is
// the delivery's next one, in its attempts and in the journal.
func (c *Client) ResendWebhook(ctx context.Context, deliveryID string) (*Delivery, error) {
	body, err := json.Marshal(WebhookResend{DeliveryID: deliveryID})
	if err != nil {
		return nil, fmt.Errorf("flinks-mock admin API: encode the delivery to re-send: %w", err)
	}
	var out Delivery
	if err := c.do(ctx, http.MethodPost, "webhooks/resend", nil, "application/json", body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
