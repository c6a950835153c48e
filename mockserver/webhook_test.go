package mockserver_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/mockserver/mocktest"
	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// hookRequest is one webhook a receiver got.
type hookRequest struct {
	Path   string
	Header http.Header
	Body   []byte
}

// hookReceiver is a webhook receiver: it records every request and
// answers the n-th with statuses[n] (200 past the list). The first hang
// requests get no answer at all: the handler waits until the sender gives
// up.
type hookReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	requests []hookRequest
	statuses []int
	hang     int
}

func newHookReceiver(statuses ...int) *hookReceiver {
	GinkgoHelper()
	rc := &hookReceiver{statuses: statuses}
	rc.Server = httptest.NewServer(http.HandlerFunc(rc.serve))
	DeferCleanup(rc.Close)
	return rc
}

func (rc *hookReceiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	n := len(rc.requests)
	rc.requests = append(rc.requests, hookRequest{Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
	status, hang := http.StatusOK, n < rc.hang
	if n < len(rc.statuses) {
		status = rc.statuses[n]
	}
	rc.mu.Unlock()
	if hang {
		<-r.Context().Done()
		return
	}
	if status >= 300 && status < 400 {
		w.Header().Set("Location", "/elsewhere")
	}
	w.WriteHeader(status)
}

// received returns what the receiver got so far.
func (rc *hookReceiver) received() []hookRequest {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]hookRequest(nil), rc.requests...)
}

// count is for Eventually.
func (rc *hookReceiver) count() int { return len(rc.received()) }

// responseTypes lists the ResponseType of each webhook received.
func (rc *hookReceiver) responseTypes() []string {
	var out []string
	for _, r := range rc.received() {
		var b struct{ ResponseType string }
		_ = json.Unmarshal(r.Body, &b)
		out = append(out, b.ResponseType)
	}
	return out
}

// hookHMAC recomputes a signature the way Flinks documents it, without the
// mock's code: Base64(HMAC-SHA256(secret, raw body)).
func hookHMAC(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

const hookSecret = "whsec-test-1"

// hookHolder is the holder of the logins of hookLogins.
const hookHolder = `{Name: Jo Tremblay, Address: {CivicAddress: 1 rue Peel, City: Montreal, Province: QC, PostalCode: H3A 1T1, POBox: null, Country: CA}, Email: jo@example.com, PhoneNumber: (514) 555-0100}`

// hookLogin is a login with generated accounts, its data steps and its
// webhook script (YAML flow mappings; either may be empty).
func hookLogin(name string, n int, steps, script string) string {
	out := fmt.Sprintf("  - name: %s\n    username: %s\n    loginId: 5e1f0c2a-%04d-4000-8000-00000000a000\n    holder: %s\n    generate: {seed: %d, chequing: 1, savings: 1}\n", name, name, n, hookHolder, n)
	if steps != "" {
		out += "    accountsDetail: " + steps + "\n"
	}
	if script != "" {
		out += "    webhooks: " + script + "\n"
	}
	return out
}

func hookLoginID(n int) string { return fmt.Sprintf("5e1f0c2a-%04d-4000-8000-00000000a000", n) }

// hookScenarios are the logins the webhook specs use, by number.
var hookScenarios = "logins:\n" +
	hookLogin("hook_ready", 1, "", "") +
	hookLogin("hook_polled", 2, "[{respond: pending, calls: 2}, {respond: ready}]", "") +
	hookLogin("hook_timed", 3, "[{respond: pending, for: 2m}, {respond: dispatched, calls: 1}, {respond: ready}]", "") +
	hookLogin("hook_error", 4, "[{respond: pending}, {respond: error, flinksCode: AGGREGATION_ERROR}]", "") +
	hookLogin("hook_kyc", 5, "[{respond: pending}, {respond: ready}]", "{kyc: true}") +
	hookLogin("hook_out_of_order", 6, "", "{kyc: true, outOfOrder: true}") +
	hookLogin("hook_delayed", 7, "", "{delay: 5m}") +
	hookLogin("hook_duplicated", 8, "", "{duplicate: 2}") +
	hookLogin("hook_wrong_signature", 9, "", "{wrongSignature: true}") +
	hookLogin("hook_body", 10, "", `{body: {HttpStatusCode: 500, FlinksCode: AGGREGATION_ERROR, Message: "down", RequestId: "r-1"}}`) +
	hookLogin("hook_dropped", 11, "", "{drop: true, kyc: true}") +
	hookLogin("hook_too_slow", 12, "[{respond: pending, for: 45m}, {respond: ready}]", "")

// hookServer starts a mock whose webhooks go to the receivers (signed with
// hookSecret), on a virtual clock.
func hookServer(edit func(*mockserver.Config), receivers ...*hookReceiver) (*mocktest.Server, *fixture) {
	GinkgoHelper()
	srv := mocktest.NewServer(GinkgoT(), mocktest.WithScenarios(hookScenarios), mocktest.WithConfig(func(c *mockserver.Config) {
		for _, rc := range receivers {
			c.WebhookURLs = append(c.WebhookURLs, rc.URL+"/flinks")
		}
		c.WebhookSecret = hookSecret
		c.Spec = spec
		if edit != nil {
			edit(c)
		}
	}))
	srv.Admin = validatedAdmin(srv.URL, "")
	return srv, fixtureOf(srv)
}

// openSession authorizes a login of hookScenarios and returns its RequestId.
func hookSession(f *fixture, n int, extra map[string]any) string {
	GinkgoHelper()
	body := map[string]any{"LoginId": hookLoginID(n), "MostRecentCached": true}
	for k, v := range extra {
		body[k] = v
	}
	a := f.authorize(body)
	Expect(a.Status).To(Equal(200), string(a.Raw))
	return a.Body["RequestId"].(string)
}

func hookDetail(f *fixture, rid string) answer {
	GinkgoHelper()
	return f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid})
}

func hookPoll(f *fixture, rid string) answer {
	GinkgoHelper()
	return f.call("GET", "GetAccountsDetailAsync/"+rid, nil, nil)
}

// hookDeliveries lists the deliveries of the fixture's customer.
func hookDeliveries(srv *mocktest.Server, filter admin.DeliveryFilter) []admin.Delivery {
	GinkgoHelper()
	filter.CustomerID = srv.CustomerID
	ds, err := srv.Admin.Deliveries(context.Background(), filter)
	Expect(err).NotTo(HaveOccurred())
	return ds
}

// hookAttempts is for Eventually: the attempts made by the deliveries.
func hookAttempts(srv *mocktest.Server) func() int {
	return func() int {
		n := 0
		for _, d := range hookDeliveries(srv, admin.DeliveryFilter{}) {
			n += len(d.Attempts)
		}
		return n
	}
}

// hookEntries are the journal entries of Kind webhook of the customer.
func hookEntries(srv *mocktest.Server) []journal.Entry {
	GinkgoHelper()
	page, err := srv.Admin.Journal(context.Background(), admin.JournalFilter{CustomerID: srv.CustomerID, Kind: journal.KindWebhook})
	Expect(err).NotTo(HaveOccurred())
	return page.Entries
}

// hookJSON decodes a JSON object and leaves out some keys.
func hookJSON(raw []byte, keys ...string) map[string]any {
	GinkgoHelper()
	var m map[string]any
	Expect(json.Unmarshal(raw, &m)).To(Succeed(), string(raw))
	for _, k := range keys {
		delete(m, k)
	}
	return m
}

var _ = Describe("Webhooks", func() {
	var ctx context.Context
	BeforeEach(func() { ctx = context.Background() })

	Describe("the automatic GetAccountsDetail webhook", func() {
		It("carries the 200 of GetAccountsDetail (with its Tag) plus ResponseType, signed", func() {
			rc := newHookReceiver()
			srv, f := hookServer(nil, rc)
			rid := hookSession(f, 1, map[string]any{"Tag": "order-42"})
			a := hookDetail(f, rid)
			Expect(a.Status).To(Equal(200))

			Eventually(rc.count).Should(Equal(1))
			got := rc.received()[0]
			Expect(got.Path).To(Equal("/flinks"))
			Expect(got.Header.Get("Content-Type")).To(Equal("application/json"))
			Expect(spec.ValidateWebhook(openapi.WebhookAccountsDetail, got.Body)).To(Succeed())
			Expect(hookJSON(got.Body, "ResponseType")).To(Equal(hookJSON(a.Raw)))
			Expect(hookJSON(got.Body)).To(HaveKeyWithValue("ResponseType", "GetAccountsDetail"))
			Expect(hookJSON(got.Body)).To(HaveKeyWithValue("Tag", "order-42"))
			Expect(bytes.HasPrefix(got.Body, []byte(`{"ResponseType":"GetAccountsDetail",`))).To(BeTrue(), "ResponseType comes first")

			Expect(got.Header.Get("flinks-authenticity-key")).To(Equal(hookHMAC(hookSecret, got.Body)))
			Expect(got.Header.Get("X-Flinks-Signature")).To(Equal(got.Header.Get("flinks-authenticity-key")))

			Eventually(func() []admin.Delivery { return hookDeliveries(srv, admin.DeliveryFilter{}) }).Should(ConsistOf(
				SatisfyAll(
					HaveField("State", admin.DeliveryDelivered),
					HaveField("RequestID", rid),
					HaveField("LoginID", hookLoginID(1)),
					HaveField("ResponseType", "GetAccountsDetail"),
					HaveField("MaxAttempts", mockserver.DefaultWebhookAttempts),
					HaveField("NextAttempt", BeNil()),
					HaveField("Attempts", ConsistOf(HaveField("Status", 200))),
					HaveField("Signature", got.Header.Get("flinks-authenticity-key")),
				)))
		})

		It("leaves Tag out when /Authorize had none, and sends no signature without a secret", func() {
			rc := newHookReceiver()
			srv, f := hookServer(func(c *mockserver.Config) { c.WebhookSecret = "" }, rc)
			hookDetail(f, hookSession(f, 1, nil))
			Eventually(rc.count).Should(Equal(1))
			Eventually(func() []admin.Delivery { return hookDeliveries(srv, admin.DeliveryFilter{}) }).Should(ConsistOf(HaveField("Signature", "")))
			got := rc.received()[0]
			Expect(hookJSON(got.Body)).NotTo(HaveKey("Tag"))
			Expect(got.Header.Values("flinks-authenticity-key")).To(BeEmpty())
			Expect(got.Header.Values("X-Flinks-Signature")).To(BeEmpty())
		})

		It("is sent once, at the 200 of a poll, when the client polls", func() {
			rc := newHookReceiver()
			srv, f := hookServer(nil, rc)
			rid := hookSession(f, 2, nil)
			Expect(hookDetail(f, rid).Status).To(Equal(202))
			Expect(hookPoll(f, rid).Status).To(Equal(202))
			Expect(rc.count()).To(Equal(0))
			final := hookPoll(f, rid)
			Expect(final.Status).To(Equal(200))
			Eventually(rc.count).Should(Equal(1))
			Expect(hookJSON(rc.received()[0].Body, "ResponseType")).To(Equal(hookJSON(final.Raw)))

			// Neither more polls nor the time the steps would take send
			// another one.
			Expect(hookPoll(f, rid).Status).To(Equal(200))
			srv.Advance(time.Hour)
			Expect(rc.count()).To(Equal(1))
			Expect(hookDeliveries(srv, admin.DeliveryFilter{RequestID: rid})).To(HaveLen(1))
		})

		It("is sent when the steps are over for a client that never polls: 10 s per counted call", func() {
			rc := newHookReceiver()
			srv, f := hookServer(nil, rc)
			rid := hookSession(f, 2, nil)
			Expect(hookDetail(f, rid).Status).To(Equal(202))

			srv.Advance(19 * time.Second)
			Expect(rc.count()).To(Equal(0))
			srv.Advance(time.Second)
			// The virtual clock makes the attempt during the Advance.
			Expect(rc.count()).To(Equal(1))
			Expect(spec.ValidateWebhook(openapi.WebhookAccountsDetail, rc.received()[0].Body)).To(Succeed())
			entries := hookEntries(srv)
			Expect(entries).To(HaveLen(1))
			Expect(entries[0].Time).To(Equal(mocktest.Start.Add(20 * time.Second)))

			// The poll that follows answers the data the webhook carried,
			// though only one call was counted.
			after := hookPoll(f, rid)
			Expect(after.Status).To(Equal(200))
			Expect(hookJSON(rc.received()[0].Body, "ResponseType")).To(Equal(hookJSON(after.Raw)))
		})

		It("leaves the steps counted in calls when the customer has no target", func() {
			srv, f := hookServer(nil)
			rid := hookSession(f, 2, nil)
			Expect(hookDetail(f, rid).Status).To(Equal(202))
			srv.Advance(10 * time.Minute)
			Expect(hookPoll(f, rid).Status).To(Equal(202))
			Expect(hookPoll(f, rid).Status).To(Equal(200))
			Expect(hookDeliveries(srv, admin.DeliveryFilter{})).To(BeEmpty())
		})

		It("counts the duration of a for step, then one poll per call", func() {
			rc := newHookReceiver()
			srv, f := hookServer(nil, rc)
			rid := hookSession(f, 3, nil)
			Expect(hookDetail(f, rid).Status).To(Equal(202))
			srv.Advance(2*time.Minute + 9*time.Second)
			Expect(rc.count()).To(Equal(0))
			srv.Advance(time.Second)
			Expect(rc.count()).To(Equal(1))
			Expect(hookEntries(srv)[0].Time).To(Equal(mocktest.Start.Add(2*time.Minute + 10*time.Second)))
		})

		It("is not sent when the steps end in an error", func() {
			rc := newHookReceiver()
			srv, f := hookServer(nil, rc)
			rid := hookSession(f, 4, nil)
			Expect(hookDetail(f, rid).Status).To(Equal(202))
			Expect(hookPoll(f, rid)).To(haveFlinksError(500, "AGGREGATION_ERROR"))
			srv.Advance(time.Hour)
			Expect(rc.count()).To(Equal(0))
			Expect(hookDeliveries(srv, admin.DeliveryFilter{})).To(BeEmpty())
		})

		It("is not sent for data that would arrive after the processing timeout", func() {
			rc := newHookReceiver()
			srv, f := hookServer(nil, rc)
			Expect(hookDetail(f, hookSession(f, 12, nil)).Status).To(Equal(202))
			srv.Advance(time.Hour)
			Expect(rc.count()).To(Equal(0))
		})

		It("goes to every target, each its own delivery", func() {
			one, two := newHookReceiver(), newHookReceiver()
			srv, f := hookServer(nil, one, two)
			hookDetail(f, hookSession(f, 1, nil))
			Eventually(one.count).Should(Equal(1))
			Eventually(two.count).Should(Equal(1))
			Expect(one.received()[0].Body).To(Equal(two.received()[0].Body))
			Expect(hookDeliveries(srv, admin.DeliveryFilter{})).To(HaveLen(2))
		})

		It("is journalled, one entry of kind webhook per attempt", func() {
			rc := newHookReceiver(http.StatusServiceUnavailable)
			srv, f := hookServer(nil, rc)
			rid := hookSession(f, 1, nil)
			hookDetail(f, rid)
			Eventually(hookAttempts(srv)).Should(Equal(1))
			srv.Advance(30 * time.Minute)
			entries := hookEntries(srv)
			Expect(entries).To(HaveLen(2))
			ds := hookDeliveries(srv, admin.DeliveryFilter{})
			for i, e := range entries {
				Expect(e.Kind).To(Equal(journal.KindWebhook))
				Expect(e.Tenant).To(Equal(srv.CustomerID))
				Expect(e.Method).To(Equal("POST"))
				Expect(e.Path).To(Equal("/flinks"))
				Expect(e.URL).To(Equal(rc.URL + "/flinks"))
				Expect(e.DeliveryID).To(Equal(ds[0].ID))
				Expect(e.Attempt).To(Equal(i + 1))
				Expect(e.ResponseType).To(Equal("GetAccountsDetail"))
				Expect(e.RequestID).To(Equal(rid))
				Expect(e.LoginID).To(Equal(hookLoginID(1)))
				Expect(e.Latency).To(BeNumerically(">", 0))
			}
			Expect(entries[0].Status).To(Equal(503))
			Expect(entries[1].Status).To(Equal(200))
			Expect(entries[1].Time.Sub(entries[0].Time)).To(Equal(30 * time.Minute))
		})
	})

	Describe("retries", func() {
		It("retries after 500s, 30 minutes apart, until a 200", func() {
			rc := newHookReceiver(500, 500)
			srv, f := hookServer(nil, rc)
			hookDetail(f, hookSession(f, 1, nil))
			Eventually(hookAttempts(srv)).Should(Equal(1))
			d := hookDeliveries(srv, admin.DeliveryFilter{})[0]
			Expect(d.State).To(Equal(admin.DeliveryPending))
			Expect(d.Attempts[0].Error).To(ContainSubstring("answered 500 Internal Server Error; only 200 counts"))
			Expect(*d.NextAttempt).To(Equal(d.Attempts[0].Time.Add(30 * time.Minute)))

			srv.Advance(29 * time.Minute)
			Expect(rc.count()).To(Equal(1))
			srv.Advance(time.Minute)
			Expect(rc.count()).To(Equal(2))
			srv.Advance(30 * time.Minute)
			Expect(rc.count()).To(Equal(3))

			d = hookDeliveries(srv, admin.DeliveryFilter{})[0]
			Expect(d.State).To(Equal(admin.DeliveryDelivered))
			Expect(d.Attempts).To(HaveLen(3))
			Expect([]int{d.Attempts[0].Status, d.Attempts[1].Status, d.Attempts[2].Status}).To(Equal([]int{500, 500, 200}))
			for _, r := range rc.received() {
				Expect(r.Body).To(Equal(rc.received()[0].Body), "every attempt sends the same body")
			}
		})

		It("retries after timeouts until a 200", func() {
			rc := newHookReceiver()
			rc.hang = 2
			srv, f := hookServer(nil, rc)
			_, err := srv.Admin.SetWebhookTargets(ctx, srv.CustomerID, []admin.WebhookTargetSetting{{URL: rc.URL + "/flinks", Timeout: 250 * time.Millisecond}})
			Expect(err).NotTo(HaveOccurred())
			hookDetail(f, hookSession(f, 1, nil))
			Eventually(hookAttempts(srv)).Should(Equal(1))
			srv.Advance(time.Hour)
			d := hookDeliveries(srv, admin.DeliveryFilter{})[0]
			Expect(d.State).To(Equal(admin.DeliveryDelivered))
			Expect(d.Attempts).To(HaveLen(3))
			Expect(d.Attempts[0].Error).To(Equal("no answer within 250ms"))
			Expect(d.Attempts[0].Status).To(BeZero())
			Expect(d.Attempts[1].Error).To(Equal("no answer within 250ms"))
			Expect(d.Attempts[2].Status).To(Equal(200))
			Expect(hookEntries(srv)[0].Error).To(Equal("no answer within 250ms"))
		})

		It("gives up after 10 attempts 30 minutes apart", func() {
			rc := newHookReceiver(500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500)
			srv, f := hookServer(nil, rc)
			hookDetail(f, hookSession(f, 1, nil))
			Eventually(hookAttempts(srv)).Should(Equal(1))
			srv.Advance(9 * 30 * time.Minute)
			Expect(rc.count()).To(Equal(10))
			srv.Advance(24 * time.Hour)
			Expect(rc.count()).To(Equal(10))

			d := hookDeliveries(srv, admin.DeliveryFilter{State: admin.DeliveryFailed})
			Expect(d).To(HaveLen(1))
			Expect(d[0].Attempts).To(HaveLen(10))
			Expect(d[0].NextAttempt).To(BeNil())
			entries := hookEntries(srv)
			Expect(entries).To(HaveLen(10))
			for i := 1; i < len(entries); i++ {
				Expect(entries[i].Attempt).To(Equal(i + 1))
				Expect(entries[i].Time.Sub(entries[i-1].Time)).To(Equal(30 * time.Minute))
			}
		})

		It("takes the attempts and interval of the scenario settings, and a target's over them", func() {
			rc := newHookReceiver(500, 500, 500, 500, 500)
			srv, f := hookServer(nil, rc)
			_, err := srv.Admin.AddScenarios(ctx, srv.CustomerID, []byte("settings:\n  webhooks: {attempts: 3, interval: 100ms}\n"))
			Expect(err).NotTo(HaveOccurred())
			hookDetail(f, hookSession(f, 1, nil))
			Eventually(hookAttempts(srv)).Should(Equal(1))
			srv.Advance(time.Second)
			Expect(rc.count()).To(Equal(3))
			Expect(hookDeliveries(srv, admin.DeliveryFilter{State: admin.DeliveryFailed})).To(HaveLen(1))

			targets, err := srv.Admin.SetWebhookTargets(ctx, srv.CustomerID, []admin.WebhookTargetSetting{{URL: rc.URL, Attempts: 2}})
			Expect(err).NotTo(HaveOccurred())
			Expect(targets).To(ConsistOf(SatisfyAll(HaveField("Attempts", 2), HaveField("Interval", "100ms"), HaveField("Timeout", "10s"))))
			hookDetail(f, hookSession(f, 1, nil))
			Eventually(hookAttempts(srv)).Should(Equal(4))
			srv.Advance(time.Second)
			Expect(rc.count()).To(Equal(5))
		})

		It("counts a 204 and a redirect as failures, and follows no redirect", func() {
			rc := newHookReceiver(http.StatusNoContent, http.StatusFound)
			srv, f := hookServer(nil, rc)
			hookDetail(f, hookSession(f, 1, nil))
			Eventually(hookAttempts(srv)).Should(Equal(1))
			srv.Advance(30 * time.Minute)
			srv.Advance(30 * time.Minute)
			d := hookDeliveries(srv, admin.DeliveryFilter{})[0]
			Expect(d.Attempts).To(HaveLen(3))
			Expect(d.Attempts[0].Error).To(ContainSubstring("answered 204 No Content; only 200 counts as delivered"))
			Expect(d.Attempts[1].Error).To(ContainSubstring("answered 302 Found; redirects are not followed"))
			Expect(d.State).To(Equal(admin.DeliveryDelivered))
			for _, r := range rc.received() {
				Expect(r.Path).To(Equal("/flinks"), "the redirect was not followed")
			}
		})
	})

	Describe("scripted misbehaviour", func() {
		It("sends the KYC webhook when GetAccountsDetail is first called, before the data", func() {
			rc := newHookReceiver()
			srv, f := hookServer(nil, rc)
			rid := hookSession(f, 5, map[string]any{"Tag": "t-5"})
			Expect(hookDetail(f, rid).Status).To(Equal(202))
			Eventually(rc.count).Should(Equal(1))
			kyc := rc.received()[0].Body
			Expect(spec.ValidateWebhook(openapi.WebhookKYC, kyc)).To(Succeed())
			Expect(hookJSON(kyc)).To(SatisfyAll(HaveKeyWithValue("RequestId", rid), HaveKeyWithValue("Tag", "t-5"),
				HaveKeyWithValue("Accounts", ContainElement(HaveKeyWithValue("Holder", HaveKeyWithValue("Name", "Jo Tremblay"))))))
			Expect(rc.received()[0].Header.Get("flinks-authenticity-key")).To(Equal(hookHMAC(hookSecret, kyc)))

			Expect(hookPoll(f, rid).Status).To(Equal(200))
			Eventually(rc.responseTypes).Should(Equal([]string{"KYC", "GetAccountsDetail"}))
			Expect(hookDeliveries(srv, admin.DeliveryFilter{RequestID: rid})).To(HaveLen(2))
		})

		It("sends the data before the KYC webhook when out of order", func() {
			rc := newHookReceiver()
			_, f := hookServer(nil, rc)
			hookDetail(f, hookSession(f, 6, nil))
			Eventually(rc.responseTypes).Should(Equal([]string{"GetAccountsDetail", "KYC"}))
		})

		It("holds the first attempt back by the delay", func() {
			rc := newHookReceiver()
			srv, f := hookServer(nil, rc)
			hookDetail(f, hookSession(f, 7, nil))
			d := hookDeliveries(srv, admin.DeliveryFilter{})
			Expect(d).To(HaveLen(1))
			Expect(d[0].State).To(Equal(admin.DeliveryPending))
			Expect(*d[0].NextAttempt).To(Equal(mocktest.Start.Add(5 * time.Minute)))
			srv.Advance(5*time.Minute - time.Second)
			Expect(rc.count()).To(Equal(0))
			srv.Advance(time.Second)
			Expect(rc.count()).To(Equal(1))
		})

		It("sends duplicates with the same body and signature", func() {
			rc := newHookReceiver()
			srv, f := hookServer(nil, rc)
			hookDetail(f, hookSession(f, 8, nil))
			Eventually(rc.count).Should(Equal(3))
			got := rc.received()
			for _, r := range got[1:] {
				Expect(r.Body).To(Equal(got[0].Body))
				Expect(r.Header.Get("flinks-authenticity-key")).To(Equal(got[0].Header.Get("flinks-authenticity-key")))
			}
			ds := hookDeliveries(srv, admin.DeliveryFilter{})
			Expect(ds).To(HaveLen(3))
			Expect(ds[0].DuplicateOf).To(BeEmpty())
			Expect(ds[1].DuplicateOf).To(Equal(ds[0].ID))
			Expect(ds[2].DuplicateOf).To(Equal(ds[0].ID))
		})

		It("signs with a wrong key", func() {
			rc := newHookReceiver()
			_, f := hookServer(nil, rc)
			hookDetail(f, hookSession(f, 9, nil))
			Eventually(rc.count).Should(Equal(1))
			got := rc.received()[0]
			Expect(got.Header.Get("flinks-authenticity-key")).NotTo(BeEmpty())
			Expect(got.Header.Get("flinks-authenticity-key")).NotTo(Equal(hookHMAC(hookSecret, got.Body)))
		})

		It("replaces the body with the scenario's", func() {
			rc := newHookReceiver()
			srv, f := hookServer(nil, rc)
			hookDetail(f, hookSession(f, 10, nil))
			Eventually(rc.count).Should(Equal(1))
			Expect(hookJSON(rc.received()[0].Body)).To(Equal(map[string]any{"HttpStatusCode": 500.0, "FlinksCode": "AGGREGATION_ERROR", "Message": "down", "RequestId": "r-1"}))
			Expect(rc.received()[0].Header.Get("flinks-authenticity-key")).To(Equal(hookHMAC(hookSecret, rc.received()[0].Body)))
			Expect(hookDeliveries(srv, admin.DeliveryFilter{})[0].ResponseType).To(Equal("GetAccountsDetail"))
		})

		It("drops the webhooks: recorded, never sent", func() {
			rc := newHookReceiver()
			srv, f := hookServer(nil, rc)
			rid := hookSession(f, 11, nil)
			hookDetail(f, rid)
			ds := hookDeliveries(srv, admin.DeliveryFilter{State: admin.DeliveryDropped})
			Expect(ds).To(HaveLen(2))
			Expect([]string{ds[0].ResponseType, ds[1].ResponseType}).To(Equal([]string{"KYC", "GetAccountsDetail"}))
			Expect(ds[0].Attempts).To(BeEmpty())
			srv.Advance(time.Hour)
			// Shutdown returns once every attempt that started is over, so
			// after it the receiver has seen all it ever will.
			Expect(srv.Mock.Shutdown(ctx)).To(Succeed())
			Expect(rc.count()).To(Equal(0))
			Expect(hookEntries(srv)).To(BeEmpty())
		})
	})

	Describe("firing on demand", func() {
		It("sends the data of a RequestId and answers the delivery after its first attempt", func() {
			rc := newHookReceiver()
			srv, f := hookServer(nil, rc)
			rid := hookSession(f, 2, map[string]any{"Tag": "fired"})
			Expect(hookDetail(f, rid).Status).To(Equal(202))
			d, err := srv.Admin.FireWebhook(ctx, admin.WebhookFire{CustomerID: srv.CustomerID, RequestID: rid})
			Expect(err).NotTo(HaveOccurred())
			Expect(d.State).To(Equal(admin.DeliveryDelivered))
			Expect(d.Attempts).To(ConsistOf(HaveField("Status", 200)))
			Expect(d.RequestID).To(Equal(rid))
			Expect(rc.count()).To(Equal(1))
			body := rc.received()[0].Body
			Expect(spec.ValidateWebhook(openapi.WebhookAccountsDetail, body)).To(Succeed())
			Expect(hookJSON(body)).To(HaveKeyWithValue("Tag", "fired"))
			Expect(rc.received()[0].Header.Get("flinks-authenticity-key")).To(Equal(hookHMAC(hookSecret, body)))
		})

		It("sends a KYC webhook of a login, to a URL of the call, with its secret", func() {
			rc := newHookReceiver()
			srv, _ := hookServer(nil)
			d, err := srv.Admin.FireWebhook(ctx, admin.WebhookFire{CustomerID: srv.CustomerID, LoginID: hookLoginID(5), ResponseType: "KYC", URL: rc.URL + "/kyc", Secret: "other"})
			Expect(err).NotTo(HaveOccurred())
			Expect(d.State).To(Equal(admin.DeliveryDelivered))
			Expect(d.LoginID).To(Equal(hookLoginID(5)))
			got := rc.received()[0]
			Expect(got.Path).To(Equal("/kyc"))
			Expect(spec.ValidateWebhook(openapi.WebhookKYC, got.Body)).To(Succeed())
			Expect(got.Header.Get("flinks-authenticity-key")).To(Equal(hookHMAC("other", got.Body)))
		})

		It("sends a body given in the call as is, and retries it like any delivery", func() {
			rc := newHookReceiver(500)
			srv, f := hookServer(nil, rc)
			raw := `{"ResponseType": "KYC",  "HttpStatusCode": 200, "RequestId": "my-request"}`
			a := f.do("POST", "/__admin/webhooks/fire", nil, fmt.Sprintf(`{"customerId":%q,"body":%s}`, srv.CustomerID, raw))
			Expect(a.Status).To(Equal(200), string(a.Raw))
			Expect(a.Body).To(SatisfyAll(HaveKeyWithValue("state", "pending"), HaveKeyWithValue("responseType", "KYC"), HaveKeyWithValue("requestId", "my-request")))
			Expect(string(rc.received()[0].Body)).To(Equal(raw))
			Expect(rc.received()[0].Header.Get("flinks-authenticity-key")).To(Equal(hookHMAC(hookSecret, []byte(raw))))
			srv.Advance(30 * time.Minute)
			Expect(rc.count()).To(Equal(2))
			Expect(hookDeliveries(srv, admin.DeliveryFilter{RequestID: "my-request"})[0].State).To(Equal(admin.DeliveryDelivered))
		})

		It("refuses an unknown RequestId, a call without payload, and a customer without target", func() {
			srv, f := hookServer(nil)
			Expect(f.do("POST", "/__admin/webhooks/fire", nil, map[string]any{"customerId": srv.CustomerID, "requestId": "nope", "url": "http://127.0.0.1:1/x"})).To(haveFlinksError(404, "INVALID_REQUEST"))
			Expect(f.do("POST", "/__admin/webhooks/fire", nil, map[string]any{"customerId": srv.CustomerID, "url": "http://127.0.0.1:1/x"})).To(haveFlinksError(400, "INVALID_REQUEST"))
			a := f.do("POST", "/__admin/webhooks/fire", nil, map[string]any{"customerId": srv.CustomerID, "loginId": hookLoginID(1)})
			Expect(a).To(haveFlinksError(409, "INVALID_REQUEST"))
			Expect(a.Body["Message"]).To(ContainSubstring("has no webhook target"))
		})
	})

	Describe("targets", func() {
		It("shows the flag targets, then replaces them at run time without showing secrets", func() {
			rc, other := newHookReceiver(), newHookReceiver()
			srv, f := hookServer(nil, rc)
			targets, err := srv.Admin.WebhookTargets(ctx, srv.CustomerID)
			Expect(err).NotTo(HaveOccurred())
			Expect(targets).To(Equal([]admin.WebhookTarget{{URL: rc.URL + "/flinks", SecretSet: true, Source: "flag", Attempts: 10, Interval: "30m0s", Timeout: "10s"}}))

			a := f.do("PUT", "/__admin/webhooks/targets?customerId="+srv.CustomerID, nil, map[string]any{"targets": []any{
				map[string]any{"url": other.URL + "/a", "secret": "s1"},
				map[string]any{"url": other.URL + "/b"},
			}})
			Expect(a.Status).To(Equal(200), string(a.Raw))
			Expect(string(a.Raw)).NotTo(ContainSubstring("s1"))
			targets, _ = srv.Admin.WebhookTargets(ctx, srv.CustomerID)
			Expect(targets).To(HaveLen(2))
			Expect(targets[0]).To(SatisfyAll(HaveField("URL", other.URL+"/a"), HaveField("SecretSet", true), HaveField("Source", "runtime")))
			Expect(targets[1]).To(SatisfyAll(HaveField("URL", other.URL+"/b"), HaveField("SecretSet", false)))

			hookDetail(f, hookSession(f, 1, nil))
			Eventually(other.count).Should(Equal(2))
			Expect(rc.count()).To(Equal(0))
			for _, r := range other.received() {
				if r.Path == "/a" {
					Expect(r.Header.Get("flinks-authenticity-key")).To(Equal(hookHMAC("s1", r.Body)))
				} else {
					Expect(r.Header.Values("flinks-authenticity-key")).To(BeEmpty())
				}
			}

			By("another customer keeps the flag targets")
			theirs, _ := srv.Admin.WebhookTargets(ctx, "someone-else")
			Expect(theirs).To(ConsistOf(HaveField("URL", rc.URL+"/flinks")))
		})

		It("adds the targets of the scenario settings after the flag ones", func() {
			rc, other := newHookReceiver(), newHookReceiver()
			srv, _ := hookServer(nil, rc)
			_, err := srv.Admin.AddScenarios(ctx, srv.CustomerID, []byte(fmt.Sprintf("settings:\n  webhooks: {urls: ['%s/s'], secret: from-file}\n", other.URL)))
			Expect(err).NotTo(HaveOccurred())
			targets, _ := srv.Admin.WebhookTargets(ctx, srv.CustomerID)
			Expect(targets).To(HaveLen(2))
			Expect(targets[1]).To(Equal(admin.WebhookTarget{URL: other.URL + "/s", SecretSet: true, Source: "scenario", Attempts: 10, Interval: "30m0s", Timeout: "10s"}))
		})

		It("stops webhooks with an empty list, and a reset restores the configured ones", func() {
			rc := newHookReceiver()
			srv, f := hookServer(nil, rc)
			_, err := srv.Admin.SetWebhookTargets(ctx, srv.CustomerID, nil)
			Expect(err).NotTo(HaveOccurred())
			hookDetail(f, hookSession(f, 1, nil))
			Expect(hookDeliveries(srv, admin.DeliveryFilter{})).To(BeEmpty())

			_, err = srv.Admin.Reset(ctx, srv.CustomerID)
			Expect(err).NotTo(HaveOccurred())
			targets, _ := srv.Admin.WebhookTargets(ctx, srv.CustomerID)
			Expect(targets).To(ConsistOf(HaveField("Source", "flag")))
		})

		It("refuses a URL that is not http or https, or one given twice", func() {
			srv, f := hookServer(nil)
			path := "/__admin/webhooks/targets?customerId=" + srv.CustomerID
			Expect(f.do("PUT", path, nil, map[string]any{"targets": []any{map[string]any{"url": "ftp://x/y"}}})).To(haveFlinksError(400, "INVALID_REQUEST"))
			a := f.do("PUT", path, nil, map[string]any{"targets": []any{map[string]any{"url": "http://a.test/x"}, map[string]any{"url": "http://a.test/x"}}})
			Expect(a).To(haveFlinksError(400, "INVALID_REQUEST"))
			Expect(a.Body["Message"]).To(ContainSubstring("listed twice"))
		})
	})

	Describe("the deliveries listing", func() {
		It("filters by RequestId and state, across customers when none is given", func() {
			failing, ok := newHookReceiver(500, 500, 500), newHookReceiver()
			srv, f := hookServer(nil, ok)
			first := hookSession(f, 1, nil)
			hookDetail(f, first)
			Eventually(hookAttempts(srv)).Should(Equal(1))
			_, err := srv.Admin.SetWebhookTargets(ctx, srv.CustomerID, []admin.WebhookTargetSetting{{URL: failing.URL}})
			Expect(err).NotTo(HaveOccurred())
			second := hookSession(f, 1, nil)
			hookDetail(f, second)
			Eventually(hookAttempts(srv)).Should(Equal(2))

			Expect(hookDeliveries(srv, admin.DeliveryFilter{RequestID: first})).To(ConsistOf(HaveField("State", "delivered")))
			Expect(hookDeliveries(srv, admin.DeliveryFilter{State: "pending"})).To(ConsistOf(HaveField("RequestID", second)))
			Expect(hookDeliveries(srv, admin.DeliveryFilter{State: "failed"})).To(BeEmpty())
			all, err := srv.Admin.Deliveries(ctx, admin.DeliveryFilter{})
			Expect(err).NotTo(HaveOccurred())
			Expect(all).To(HaveLen(2))
			Expect(all[0].RequestID).To(Equal(first), "oldest first")
			none, _ := srv.Admin.Deliveries(ctx, admin.DeliveryFilter{CustomerID: "someone-else"})
			Expect(none).To(BeEmpty())
		})

		It("keeps the newest deliveries of a customer, finished ones going first", func() {
			rc := newHookReceiver()
			srv, _ := hookServer(func(c *mockserver.Config) { c.MaxDeliveries = 3 }, rc)
			for i := range 5 {
				_, err := srv.Admin.FireWebhook(ctx, admin.WebhookFire{CustomerID: srv.CustomerID, Body: json.RawMessage(fmt.Sprintf(`{"RequestId":"r%d"}`, i))})
				Expect(err).NotTo(HaveOccurred())
			}
			ds := hookDeliveries(srv, admin.DeliveryFilter{})
			Expect(ds).To(HaveLen(3))
			Expect([]string{ds[0].RequestID, ds[1].RequestID, ds[2].RequestID}).To(Equal([]string{"r2", "r3", "r4"}))
		})
	})

	Describe("the bytes of the deliveries", func() {
		It("stay within DeliveryBytes, the bodies waiting for a retry counted, the newest kept", func() {
			rc := newHookReceiver(500, 500, 500, 500, 500, 500, 500, 500, 500, 500)
			srv, _ := hookServer(func(c *mockserver.Config) { c.DeliveryBytes = 64 << 10 }, rc)
			pad := strings.Repeat("x", 20<<10)
			for i := range 10 {
				_, err := srv.Admin.FireWebhook(ctx, admin.WebhookFire{CustomerID: srv.CustomerID, Body: json.RawMessage(fmt.Sprintf(`{"RequestId":"r%d","Pad":"%s"}`, i, pad))})
				Expect(err).NotTo(HaveOccurred())
			}
			Eventually(rc.count).Should(Equal(10), "every webhook had its first attempt")
			ds := hookDeliveries(srv, admin.DeliveryFilter{})
			Expect(len(ds)).To(BeNumerically(">=", 1))
			Expect(len(ds)).To(BeNumerically("<=", 3), "three 20 KiB bodies fill 64 KiB")
			Expect(ds[len(ds)-1].RequestID).To(Equal("r9"))
			Expect(ds).To(HaveEach(HaveField("State", "pending")))
		})
	})

	Describe("a reset", func() {
		It("ends the pending deliveries of the customer unsent", func() {
			rc := newHookReceiver(500)
			srv, f := hookServer(nil, rc)
			hookDetail(f, hookSession(f, 1, nil))
			Eventually(hookAttempts(srv)).Should(Equal(1))
			_, err := srv.Admin.Reset(ctx, srv.CustomerID)
			Expect(err).NotTo(HaveOccurred())
			Expect(hookDeliveries(srv, admin.DeliveryFilter{})).To(BeEmpty())
			srv.Advance(2 * time.Hour)
			Expect(rc.count()).To(Equal(1))
		})
	})

	Describe("a reload of the scenario files", func() {
		It("keeps the pending deliveries", func() {
			rc := newHookReceiver(500)
			srv, f := hookServer(nil, rc)
			hookDetail(f, hookSession(f, 1, nil))
			Eventually(hookAttempts(srv)).Should(Equal(1))

			sources, err := scenarios.DefaultSources()
			Expect(err).NotTo(HaveOccurred())
			changed, err := scenarios.Parse("changed.yaml", []byte("logins:\n"+hookLogin("hook_ready", 1, "[{respond: pending}, {respond: ready}]", "")))
			Expect(err).NotTo(HaveOccurred())
			lib, err := scenarios.Build(mocktest.Start, append(sources, changed)...)
			Expect(err).NotTo(HaveOccurred())
			Expect(srv.Mock.Reload(lib).Changed).To(ContainElement("hook_ready"))

			srv.Advance(30 * time.Minute)
			Expect(rc.count()).To(Equal(2))
			Expect(hookDeliveries(srv, admin.DeliveryFilter{})[0].State).To(Equal(admin.DeliveryDelivered))
		})
	})

	Describe("shutdown", func() {
		It("logs every delivery left undelivered, with its next attempt", func() {
			rc := newHookReceiver(500)
			var logs mockserver.LockedBuffer
			srv, f := hookServer(func(c *mockserver.Config) {
				c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
			}, rc)
			rid := hookSession(f, 1, nil)
			hookDetail(f, rid)
			Eventually(hookAttempts(srv)).Should(Equal(1))
			id := hookDeliveries(srv, admin.DeliveryFilter{})[0].ID

			Expect(srv.Mock.Shutdown(ctx)).To(Succeed())
			Expect(logs.String()).To(SatisfyAll(
				ContainSubstring("webhook not delivered before shutdown"),
				ContainSubstring("deliveryId="+id),
				ContainSubstring("requestId="+rid),
				ContainSubstring("nextAttempt="+mocktest.Start.Add(30*time.Minute).Format("2006-01-02T15:04:05")),
				ContainSubstring("webhooks left undelivered at shutdown"),
			))
			srv.Advance(time.Hour)
			Expect(rc.count()).To(Equal(1), "no attempt after shutdown")
		})

		It("lets an attempt in flight finish", func() {
			release := make(chan struct{})
			arrived := make(chan struct{}, 1)
			var answered atomic.Bool
			slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				arrived <- struct{}{}
				<-release
				answered.Store(true)
			}))
			DeferCleanup(slow.Close)
			srv, f := hookServer(func(c *mockserver.Config) { c.WebhookURLs = []string{slow.URL} })
			hookDetail(f, hookSession(f, 1, nil))
			Eventually(arrived).Should(Receive())

			// The receiver answers only once released, and says when it
			// did: a Shutdown that returned before that did not wait.
			done := make(chan bool, 1)
			go func() {
				err := srv.Mock.Shutdown(ctx)
				done <- err == nil && answered.Load()
			}()
			Consistently(done, "50ms").ShouldNot(Receive()) // time for a Shutdown that does not wait to show it
			close(release)
			Eventually(done).Should(Receive(BeTrue()), "Shutdown returned before the attempt in flight was answered")
			Expect(hookDeliveries(srv, admin.DeliveryFilter{})[0].State).To(Equal(admin.DeliveryDelivered))
		})

		It("cancels an attempt in flight when its deadline passes", func() {
			arrived := make(chan struct{}, 1)
			slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body) // the server notices a client gone only once the body is read
				arrived <- struct{}{}
				<-r.Context().Done()
			}))
			DeferCleanup(slow.Close)
			var logs mockserver.LockedBuffer
			srv, f := hookServer(func(c *mockserver.Config) {
				c.WebhookURLs = []string{slow.URL}
				c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			})
			hookDetail(f, hookSession(f, 1, nil))
			Eventually(arrived).Should(Receive())
			expired, cancel := context.WithCancel(ctx)
			cancel()
			Expect(srv.Mock.Shutdown(expired)).To(Succeed())
			Expect(logs.String()).To(SatisfyAll(
				ContainSubstring("webhook not delivered before shutdown"),
				ContainSubstring("cancelled: the mock shut down during the attempt"),
			))
		})
	})

	It("refuses a webhook URL that is not absolute http", func() {
		_, err := mockserver.New(mockserver.Config{Library: library, Spec: spec, WebhookURLs: []string{"127.0.0.1:9000/hook"}})
		Expect(err).To(MatchError(ContainSubstring(`webhook URL "127.0.0.1:9000/hook": give an absolute http or https URL`)))
	})

	It("signs as an independent HMAC-SHA256 does", func() {
		Expect(mockserver.Sign("secret", []byte(`{"a":1}`))).To(Equal(hookHMAC("secret", []byte(`{"a":1}`))))
		Expect(mockserver.Sign("secret", []byte(`{"a":1}`))).NotTo(Equal(hookHMAC("secret", []byte(`{"a":2}`))))
	})
})
