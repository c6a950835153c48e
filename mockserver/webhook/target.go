package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// The headers that carry a webhook's signature. Flinks' reference page and
// every public client read SignatureHeader; its newer guide reads
// SignatureHeaderAlt. Both carry the same value.
const (
	SignatureHeader    = "flinks-authenticity-key"
	SignatureHeaderAlt = "X-Flinks-Signature"
)

// Sign returns the signature of a webhook body as Flinks computes it:
// Base64(HMAC-SHA256(key = secret, message = the raw body bytes)).
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// CheckURL refuses what is not an absolute http or https URL.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("webhook URL %q: give an absolute http or https URL such as http://127.0.0.1:9000/webhook", raw)
	}
	return nil
}

// Where a target comes from, as GET /__admin/webhooks/targets shows it.
const (
	SourceFlag     = "flag"
	SourceScenario = "scenario"
	SourceRuntime  = "runtime"
	SourceFire     = "fire"
)

// Target is one URL the webhooks of a tenant go to. Zero retry fields
// take the scenario's or the server's values.
type Target struct {
	URL      string
	Secret   string
	Source   string
	Attempts int
	Interval time.Duration
	Timeout  time.Duration
}

// RuntimeTarget is a target the admin API sets (its URL checked with
// CheckURL).
func RuntimeTarget(s admin.WebhookTargetSetting) Target {
	return Target{URL: s.URL, Secret: s.Secret, Source: SourceRuntime, Attempts: s.Attempts, Interval: s.Interval, Timeout: s.Timeout}
}

// Policy is how a delivery is tried: at most Attempts times, Interval
// apart on the server clock, each attempt waiting Timeout of real time.
type Policy struct {
	Attempts int
	Interval time.Duration
	Timeout  time.Duration
}

// policy is the retry policy of a target: its own values, else the
// library's settings, else the server's.
func (d *Dispatcher) policy(lib *scenarios.Library, tg Target) Policy {
	p := d.cfg.Policy
	if ws := lib.Settings.Webhooks; ws != nil {
		if ws.Attempts > 0 {
			p.Attempts = ws.Attempts
		}
		if ws.Interval > 0 {
			p.Interval = ws.Interval.D()
		}
		if ws.Timeout > 0 {
			p.Timeout = ws.Timeout.D()
		}
	}
	if tg.Attempts > 0 {
		p.Attempts = tg.Attempts
	}
	if tg.Interval > 0 {
		p.Interval = tg.Interval
	}
	if tg.Timeout > 0 {
		p.Timeout = tg.Timeout
	}
	return p
}

// Secret is what the server signs with when a target names no secret of
// its own: --webhook-secret, else the library's settings.
func (d *Dispatcher) Secret(lib *scenarios.Library) string {
	if d.cfg.Secret != "" {
		return d.cfg.Secret
	}
	if ws := lib.Settings.Webhooks; ws != nil {
		return ws.Secret
	}
	return ""
}

// configured are the targets of the server's flags, then those of the
// library's settings; a URL named twice keeps its first entry.
func (d *Dispatcher) configured(lib *scenarios.Library) []Target {
	var out []Target
	add := func(raw, secret, source string) {
		if !slices.ContainsFunc(out, func(tg Target) bool { return tg.URL == raw }) {
			out = append(out, Target{URL: raw, Secret: secret, Source: source})
		}
	}
	for _, u := range d.cfg.URLs {
		add(u, d.cfg.Secret, SourceFlag)
	}
	if ws := lib.Settings.Webhooks; ws != nil {
		for _, u := range ws.URLs {
			add(u, ws.Secret, SourceScenario)
		}
	}
	return out
}

// Targets returns where the webhooks of a customer go: the list set at run
// time when there is one, else the configured targets. owner may be nil
// for a customer the server has not seen yet.
func (d *Dispatcher) Targets(owner Owner, lib *scenarios.Library) []Target {
	if owner != nil {
		d.mu.Lock()
		c := d.customers[owner.ID()]
		if c != nil && c.owner == owner && c.set {
			out := slices.Clone(c.targets)
			d.mu.Unlock()
			return out
		}
		d.mu.Unlock()
	}
	return d.configured(lib)
}

// SetTargets replaces the targets of a customer until its reset. It
// reports false when the owner was reset meanwhile.
func (d *Dispatcher) SetTargets(owner Owner, targets []Target) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	c := d.customerLocked(owner, true)
	if c == nil {
		return false
	}
	c.targets, c.set = targets, true
	return true
}

// TargetViews shows the targets of a customer (owner nil for one the
// server has not seen) as the admin API lists them: never a secret, and
// the retry policy in force for each.
func (d *Dispatcher) TargetViews(customerID string, owner Owner, lib *scenarios.Library) admin.WebhookTargetList {
	out := admin.WebhookTargetList{CustomerID: customerID, Targets: []admin.WebhookTarget{}}
	for _, tg := range d.Targets(owner, lib) {
		p := d.policy(lib, tg)
		out.Targets = append(out.Targets, admin.WebhookTarget{
			URL:       tg.URL,
			SecretSet: tg.Secret != "",
			Source:    tg.Source,
			Attempts:  p.Attempts,
			Interval:  p.Interval.String(),
			Timeout:   p.Timeout.String(),
		})
	}
	return out
}
