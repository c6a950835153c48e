package contract

import (
	"fmt"
	"strings"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// Quote renders one journal entry on one line, the way failure messages
// quote requests: sequence number, server-clock time, method, endpoint,
// the ids it was about, and the answer.
//
//	#7 15:04:25.000 GET GetAccountsDetailAsync RequestId=1ffc922d-… → 202 OPERATION_PENDING
func Quote(e journal.Entry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#%d %s ", e.Seq, e.Time.Format("15:04:05.000"))
	if e.Kind == journal.KindWebhook {
		quoteWebhook(&b, e)
		return b.String()
	}
	endpoint := e.Endpoint
	if endpoint == "" {
		endpoint = e.Path
	}
	fmt.Fprintf(&b, "%s %s", orDash(e.Method), endpoint)
	if e.Mode != "" {
		fmt.Fprintf(&b, " (%s)", e.Mode)
	}
	if namesLogin(e) {
		fmt.Fprintf(&b, " LoginId=%s", e.LoginID)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " RequestId=%s", e.RequestID)
	}
	if e.Token != "" {
		fmt.Fprintf(&b, " token=%s", e.Token)
	}
	if len(e.Answered) > 0 {
		fmt.Fprintf(&b, " answered=%s", quoteList(e.Answered))
	}
	if e.Status == 0 {
		// The client left before the answer (a timeout, or it was stopped).
		fmt.Fprintf(&b, " → no answer: the client left after %s", seconds(e.Latency))
		return b.String()
	}
	fmt.Fprintf(&b, " → %d", e.Status)
	if e.FlinksCode != "" {
		fmt.Fprintf(&b, " %s", e.FlinksCode)
	}
	if len(e.Challenges) > 0 {
		fmt.Fprintf(&b, " asked=%s", quoteList(e.Challenges))
	}
	return b.String()
}

// quoteWebhook renders a webhook attempt after its number and time.
func quoteWebhook(b *strings.Builder, e journal.Entry) {
	fmt.Fprintf(b, "webhook %s %s", orDash(e.Method), orDash(e.URL))
	if e.ResponseType != "" {
		fmt.Fprintf(b, " %s", e.ResponseType)
	}
	if e.RequestID != "" {
		fmt.Fprintf(b, " RequestId=%s", e.RequestID)
	}
	fmt.Fprintf(b, " delivery=%s attempt=%d → ", orDash(e.DeliveryID), e.Attempt)
	if e.Status == 0 {
		b.WriteString("no answer")
	} else {
		fmt.Fprintf(b, "%d", e.Status)
	}
	if e.Error != "" {
		fmt.Fprintf(b, " (%s)", e.Error)
	}
	fmt.Fprintf(b, " in %s", e.Latency.Round(time.Millisecond))
}

func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// seconds renders a duration for a message, to the millisecond.
func seconds(d time.Duration) string {
	return d.Round(time.Millisecond).String()
}

// plural renders a count and a noun: "1 time", "3 times".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// namesLogin reports whether a quote names the LoginId of an entry: the
// calls that take one (the others take a RequestId).
func namesLogin(e journal.Entry) bool {
	return e.LoginID != "" && (isAuthorize(e) || e.Endpoint == endpointDeleteCard)
}
