package scenarios

import (
	"fmt"
	"net/url"
	"slices"
)

// over returns the settings of w laid over base key by key, as a later
// file overrides an earlier one; base may be nil. Neither is changed, since
// the parsed files are built again on every reload.
func (w *WebhookSettings) over(base *WebhookSettings) *WebhookSettings {
	out := WebhookSettings{}
	if base != nil {
		out = *base
	}
	if w.URLs != nil {
		out.URLs = slices.Clone(w.URLs)
	}
	if w.Secret != "" {
		out.Secret = w.Secret
	}
	if w.Attempts != 0 {
		out.Attempts = w.Attempts
	}
	if w.Interval != 0 {
		out.Interval = w.Interval
	}
	if w.Timeout != 0 {
		out.Timeout = w.Timeout
	}
	return &out
}

// webhookSettings checks what the schema cannot: URLs that parse with a
// host, each once, and durations that are not zero.
func (c *checker) webhookSettings(p string, w WebhookSettings) {
	seen := map[string]int{}
	for i, raw := range w.URLs {
		up := fmt.Sprintf("%s.urls[%d]", p, i)
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			c.fail(up, fmt.Sprintf("%q is not an absolute http or https URL such as http://127.0.0.1:9000/webhook", raw))
			continue
		}
		if j, dup := seen[raw]; dup {
			c.fail(up, fmt.Sprintf("%q is already urls[%d]; each URL would get every webhook twice", raw, j))
			continue
		}
		seen[raw] = i
	}
	for _, key := range []string{"interval", "timeout"} {
		v := w.Interval
		if key == "timeout" {
			v = w.Timeout
		}
		if v == 0 && c.written(p+"."+key) {
			c.fail(p+"."+key, "must be longer than 0s; leave it out for the server's value")
		}
	}
}

// loginWebhooks checks the scripted webhook behaviour of a login: keys
// that need another, or that have no effect beside another.
func (c *checker) loginWebhooks(p string, w LoginWebhooks) {
	if w.OutOfOrder && !w.KYC {
		c.fail(p+".outOfOrder", "outOfOrder sends the KYC webhook after the GetAccountsDetail one, so it needs kyc: true")
	}
	if w.Drop {
		for _, key := range []string{"delay", "duplicate", "outOfOrder", "wrongSignature", "body"} {
			if c.written(p + "." + key) {
				c.fail(p+"."+key, fmt.Sprintf("drop sends nothing, so %s has no effect; remove one of the two", key))
			}
		}
	}
	if c.written(p+".delay") && w.Delay == 0 {
		c.fail(p+".delay", "must be longer than 0s; leave it out to send at once")
	}
}
