package contract

import "time"

// Defaults of Options. The first two are the guide's numbers; the guide
// gives none for the back-off and the webhook answer, so these are the
// mock's choices.
const (
	// DefaultMinPollInterval is the guide's "Wait 10 seconds" between two
	// Async polls of one RequestId.
	DefaultMinPollInterval = 10 * time.Second
	// DefaultDeadline is the guide's "maximum timeout of 30 minutes" for
	// polling one RequestId.
	DefaultDeadline = 30 * time.Minute
	// DefaultRetryBackoff is the least wait before repeating a request
	// answered RETRY_LATER or TOO_MANY_REQUESTS.
	DefaultRetryBackoff = 10 * time.Second
	// DefaultWebhookDeadline is how long a webhook receiver may take to
	// answer 200.
	DefaultWebhookDeadline = 10 * time.Second
	// DefaultMFAIdleTimeout is how long a RequestId waits for the answer
	// to its 203: "8 min idle during Authorize".
	DefaultMFAIdleTimeout = 8 * time.Minute
	// DefaultRequestTimeout is how long an integration waits for one
	// answer of Flinks before it gives up. The guide gives no figure, but
	// Flinks moves a request still running after 210 s to the background
	// (202 OPERATION_DISPATCHED), so no answer should take longer: 4
	// minutes leaves a margin above that.
	DefaultRequestTimeout = 4 * time.Minute
)

// Options are the thresholds of the rules. A zero duration means the
// Default of the same name.
type Options struct {
	// MinPollInterval is the least time between two Async polls of one
	// RequestId, on the server clock.
	MinPollInterval time.Duration
	// Deadline is how long after the first data request of a RequestId
	// polling must have stopped, on the server clock.
	Deadline time.Duration
	// RetryBackoff is the least wait before repeating a request answered
	// RETRY_LATER or TOO_MANY_REQUESTS, on the server clock.
	RetryBackoff time.Duration
	// RequireAPIKey says that the instance requires x-api-key on the data
	// endpoints (as Flinks does), so a data request without one fails.
	RequireAPIKey bool
	// WebhookDeadline is how long a webhook receiver may take to answer
	// 200. It is compared with the journal's Latency, which is real time.
	WebhookDeadline time.Duration
	// MFAIdleTimeout is how long after a 203 its RequestId expires unless
	// answered, on the server clock.
	MFAIdleTimeout time.Duration
	// Forged are the delivery ids of webhooks that no Flinks would send
	// (signed with a wrong secret, or not at all), which the harness sent
	// to see that the integration rejects them: FM013 judges them, and
	// FM010 leaves them out.
	Forged []string
	// IntegrationEnded is when the integration's run ended, on the server
	// clock (zero when unknown). A webhook attempt that started after it
	// and got no HTTP answer is not judged by FM010: the harness runs the
	// integration once, and its receiver is gone once it has returned;
	// an answer it gave, or one refused while it ran, is judged.
	IntegrationEnded time.Time
	// RequestTimeout is how long the integration was told to wait for one
	// answer before it gives up (Target.RequestTimeout). It is compared
	// with the journal's Latency, which is real time: FM016 fails a request
	// that waited more than twice as long.
	RequestTimeout time.Duration
	// RepeatFetch says that the run fetched again, without its user, a
	// login the integration had linked before (the scenario repeat-fetch):
	// FM017 then fails a live refresh of it too, not only its credentials
	// sent again.
	RepeatFetch bool
}

// DefaultOptions returns the options with every threshold at its default
// and RequireAPIKey off.
func DefaultOptions() Options { return Options{}.withDefaults() }

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.MinPollInterval, DefaultMinPollInterval)
	def(&o.Deadline, DefaultDeadline)
	def(&o.RetryBackoff, DefaultRetryBackoff)
	def(&o.WebhookDeadline, DefaultWebhookDeadline)
	def(&o.MFAIdleTimeout, DefaultMFAIdleTimeout)
	def(&o.RequestTimeout, DefaultRequestTimeout)
	return o
}
