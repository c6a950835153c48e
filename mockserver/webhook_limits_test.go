package mockserver_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/admin"
)

// hangingReceiver never answers a webhook until the spec ends, and counts
// the requests and the connections it holds at once, with their peaks.
type hangingReceiver struct {
	*httptest.Server
	release chan struct{}

	mu                 sync.Mutex
	requests, conns    int
	maxRequests, maxCn int
}

func newHangingReceiver() *hangingReceiver {
	GinkgoHelper()
	rc := &hangingReceiver{release: make(chan struct{})}
	rc.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.count(&rc.requests, &rc.maxRequests, 1)
		defer rc.count(&rc.requests, &rc.maxRequests, -1)
		select {
		case <-rc.release:
		case <-r.Context().Done():
		}
	}))
	rc.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		switch state {
		case http.StateNew:
			rc.count(&rc.conns, &rc.maxCn, 1)
		case http.StateClosed, http.StateHijacked:
			rc.count(&rc.conns, &rc.maxCn, -1)
		}
	}
	rc.Start()
	DeferCleanup(rc.Close)
	return rc
}

// answerAll lets every request held return.
func (rc *hangingReceiver) answerAll() { close(rc.release) }

func (rc *hangingReceiver) count(n, peak *int, by int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	*n += by
	*peak = max(*peak, *n)
}

// peaks returns the most requests and connections held at once so far.
func (rc *hangingReceiver) peaks() (requests, conns int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.maxRequests, rc.maxCn
}

var _ = Describe("webhook attempts in flight", func() {
	It("are capped, so a receiver that hangs delays its own webhooks only, and every attempt not made is journalled", func() {
		const flows, perTarget = 40, 2
		hanging, ok := newHangingReceiver(), newHookReceiver()
		srv, f := hookServer(func(c *mockserver.Config) {
			c.WebhookURLs = []string{hanging.URL + "/hangs", ok.URL + "/flinks"}
			c.WebhookMaxInFlight = 3
			c.WebhookMaxInFlightPerTarget = perTarget
			// A quarter, 128 KiB, for each receiver: about three bodies
			// (each about 42 KB) wait, the others are deferred.
			c.WebhookQueueBytes = 512 << 10
			c.WebhookTimeout = mockserver.DefaultWebhookTimeout * 1000
		})
		// Cleanups run last first: the receiver answers before the mock
		// shuts down and waits for its attempts in flight.
		DeferCleanup(hanging.answerAll)

		for i := range flows {
			rid := hookSession(f, 1, nil)
			Expect(hookDetail(f, rid).Status).To(Equal(http.StatusOK), "the Flinks API answers while a receiver hangs")
			Eventually(ok.count).WithTimeout(10*time.Second).Should(Equal(i+1), "the other receiver gets each webhook, not held up")
		}
		requests, conns := hanging.peaks()
		Expect(requests).To(BeNumerically("<=", perTarget), "attempts in flight to the hanging receiver")
		Expect(conns).To(BeNumerically("<=", perTarget), "connections to the hanging receiver")
		Expect(requests).To(BeNumerically(">=", 1))

		// Nothing lost silently: each delivery to the hanging receiver is
		// in flight, waiting, or deferred with an attempt that says why,
		// and each deferred attempt is in the journal.
		toHanging := hookDeliveries(srv, admin.DeliveryFilter{})
		deferred, unattempted := 0, 0
		for _, d := range toHanging {
			if !strings.HasPrefix(d.URL, hanging.URL) {
				continue
			}
			Expect(d.State).To(Equal(admin.DeliveryPending))
			switch len(d.Attempts) {
			case 0:
				unattempted++
			default:
				Expect(d.Attempts).To(HaveLen(1))
				Expect(d.Attempts[0].Error).To(HavePrefix("not sent: "))
				Expect(d.NextAttempt).NotTo(BeNil(), "a deferred attempt is retried")
				deferred++
			}
		}
		Expect(deferred + unattempted).To(Equal(flows))
		Expect(deferred).To(BeNumerically(">", 0), "the queue is bounded")
		journalled := 0
		for _, e := range hookEntries(srv) {
			if strings.HasPrefix(e.URL, hanging.URL) && strings.HasPrefix(e.Error, "not sent: ") {
				journalled++
			}
		}
		Expect(journalled).To(Equal(deferred))
		Expect(srv.Admin.Health(context.Background())).To(Succeed())
	})
})
