package contract

import (
	"fmt"
	"slices"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// WebhooksAcknowledged is FM010: every webhook attempt is answered 200
// within WebhookDeadline.
func WebhooksAcknowledged() Rule {
	return Rule{
		ID:        IDWebhooksAcknowledged,
		Statement: "Every webhook attempt, duplicate sends included, is answered 200 within WebhookDeadline (10 s).",
		Guide:     "The receiver must answer HTTP 200; anything else counts as a failure. [...] Retry: at most 10 delivery attempts, 30 minutes apart.",
		Source:    "Flinks webhooks documentation, in flinks-contract.md §5",
		check:     checkWebhooksAcknowledged,
	}
}

func checkWebhooksAcknowledged(entries []journal.Entry, o Options) (bool, []Violation) {
	var problems []Violation
	applicable := false
	seen := map[string]int{} // RequestId+ResponseType → deliveries seen, to name duplicates
	for _, e := range entries {
		if e.Kind != journal.KindWebhook || slices.Contains(o.Forged, e.DeliveryID) || afterTheIntegration(e, o) {
			continue
		}
		applicable = true
		what := fmt.Sprintf("attempt %d of delivery %s", e.Attempt, orDash(e.DeliveryID))
		if e.Attempt <= 1 {
			key := e.RequestID + "\x00" + e.ResponseType
			seen[key]++
			if n := seen[key]; n > 1 && e.RequestID != "" {
				what = fmt.Sprintf("delivery %s (a duplicate: send %d of the %s webhook of RequestId %s)", orDash(e.DeliveryID), n, orDash(e.ResponseType), e.RequestID)
			}
		}
		switch {
		case e.Status == 0:
			reason := e.Error
			if reason == "" {
				reason = "no answer"
			}
			problems = append(problems, Violation{
				Problem: fmt.Sprintf("%s got no HTTP answer (%s); the receiver must answer 200", what, reason),
				Entries: []journal.Entry{e},
			})
		case e.Status != 200:
			problems = append(problems, Violation{
				Problem: fmt.Sprintf("%s was answered %d; Flinks counts anything but 200 as a failure and sends again, so answer 200 (duplicates too)", what, e.Status),
				Entries: []journal.Entry{e},
			})
		case e.Latency > o.WebhookDeadline:
			problems = append(problems, Violation{
				Problem: fmt.Sprintf("%s was answered 200 after %s, past the %s deadline; answer first, then process", what, seconds(e.Latency), seconds(o.WebhookDeadline)),
				Entries: []journal.Entry{e},
			})
		}
	}
	return applicable, problems
}

// afterTheIntegration reports whether e is a webhook attempt that got no
// HTTP answer because it started after the integration had ended.
func afterTheIntegration(e journal.Entry, o Options) bool {
	return e.Status == 0 && !o.IntegrationEnded.IsZero() && e.Time.After(o.IntegrationEnded)
}

// WebhookSignature is FM013: a webhook whose signature is wrong or missing
// is rejected.
func WebhookSignature() Rule {
	return Rule{
		ID:        IDWebhookSignature,
		Statement: "A webhook whose flinks-authenticity-key is not the Base64 HMAC-SHA256 of its raw body under the shared secret (a forgery, or no signature at all) is rejected with a status other than 2xx, and its data is not used.",
		Guide:     "Header flinks-authenticity-key carries Base64( HMAC-SHA256( key = UTF-8 bytes of secret, msg = raw request body bytes ) ).",
		Source:    "Flinks HMAC validation reference, in flinks-contract.md §5",
		check:     checkWebhookSignature,
	}
}

func checkWebhookSignature(entries []journal.Entry, o Options) (bool, []Violation) {
	var problems []Violation
	applicable := false
	for _, e := range entries {
		if e.Kind != journal.KindWebhook || !slices.Contains(o.Forged, e.DeliveryID) {
			continue
		}
		applicable = true
		if e.Status >= 200 && e.Status < 300 {
			problems = append(problems, Violation{
				Problem: fmt.Sprintf("a webhook signed with a wrong secret, or not signed, was answered %d: check flinks-authenticity-key (Base64 of HMAC-SHA256 of the raw body under your secret) before reading the body, answer 401 when it does not match, and never use its data", e.Status),
				Entries: []journal.Entry{e},
			})
		}
	}
	return applicable, problems
}
