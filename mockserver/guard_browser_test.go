package mockserver_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"time"

	"github.com/chromedp/chromedp"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/mockserver/mocktest"
)

// newTab opens a tab of browser, runs first in it (nothing: an empty
// page), and gives it limit for the rest of the spec.
func newTab(browser context.Context, limit time.Duration, first ...chromedp.Action[chromedp.Void]) context.Context {
	GinkgoHelper()
	ctx, cancel := chromedp.NewContext(browser)
	DeferCleanup(cancel)
	Expect(chromedp.Do(ctx, first...)).To(Succeed())
	ctx, cancelTimeout := context.WithTimeout(ctx, limit)
	DeferCleanup(cancelTimeout)
	return ctx
}

// startChromium starts a headless Chromium for the spec tree it is called
// in (skipping it when there is none) and returns its context. A browser
// that fails to start (it happens, rarely, on a loaded machine: it exits
// before it listens) is started again, a fresh profile each time: the
// specs judge the mock, not the browser's start.
func startChromium() context.Context {
	GinkgoHelper()
	path := findChromium()
	if path == "" {
		Skip("no Chromium found ($CHROME_PATH, chromium, chromium-browser or google-chrome): the browser specs skip; install one (apt-get install -y chromium) to run them")
	}
	var browser context.Context
	Eventually(func() (err error) {
		browser, err = launchChromium(path)
		if err != nil {
			fmt.Fprintf(GinkgoWriter, "%s did not start, starting it again: %v\n", path, err)
		}
		return err
	}).WithTimeout(3*time.Minute).WithPolling(time.Second).Should(Succeed(), "start %s", path)
	return browser
}

// chromiumStartLimit bounds one start of the browser.
const chromiumStartLimit = 60 * time.Second

// launchChromium starts one headless Chromium at path and returns its
// context, stopped when the spec tree ends; or, when it does not start
// within chromiumStartLimit, stops it and returns why.
func launchChromium(path string) (context.Context, error) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		// A closed network refuses Chromium's own background
		// connections; these flags keep it from trying.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(GinkgoT().TempDir()),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	stop := func() { cancel(); cancelAlloc() }
	// The first action starts the browser and binds it to its context,
	// so the start gets no deadline of its own: the wait for it does.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			stop()
			return nil, err
		}
	case <-time.After(chromiumStartLimit):
		stop()
		return nil, fmt.Errorf("no answer from the browser within %s", chromiumStartLimit)
	}
	DeferCleanup(stop)
	return ctx, nil
}

// attackScript is what a hostile page does to a mock on the same machine:
// reset a customer, plant a login, and make the mock post a body of its
// choice to a URL of its choice. Each request is what a page may send
// without a preflight: a POST with no Content-Type (a Blob without a
// type). It resolves once every request was answered.
const attackScript = `(async function (mock, customer, loginId, hook) {
  const post = (path, body) => fetch(mock + path, {method: "POST", mode: "no-cors", body: new Blob([body])});
  await post("/__admin/reset?customerId=" + customer, "");
  await post("/__admin/scenarios?customerId=" + customer,
    "logins:\n  - name: planted\n    username: planted\n    password: planted\n    institution: FlinksCapital\n    loginId: 6a3a31c9-8d5e-4d53-9f6b-9a1c7d0e2b41\n");
  await post("/__admin/webhooks/fire", JSON.stringify({customerId: customer, loginId: loginId, url: hook, body: {planted: true}}));
  return "done";
})(%q, %q, %q, %q)`

var _ = Describe("the admin API against a web page of another origin", Label("browser"), Ordered, func() {
	var browser context.Context
	BeforeAll(func() { browser = startChromium() })

	var (
		tab  context.Context
		srv  *mocktest.Server
		hits atomic.Int32
		hook *httptest.Server
	)
	BeforeEach(func() {
		tab = newTab(browser, 60*time.Second)
		srv = mocktest.NewServer(GinkgoT())
		hits.Store(0)
		hook = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
		DeferCleanup(hook.Close)
		// The customer's state before the page runs: a login of its own.
		_, err := srv.Admin.AddScenarios(context.Background(), srv.CustomerID,
			[]byte("logins:\n  - name: kept\n    username: kept\n    password: kept\n    institution: FlinksCapital\n    loginId: 2f0d9b6e-1c4a-4e8b-8a57-3d6c0b9e7f12\n"))
		Expect(err).NotTo(HaveOccurred())
	})

	// names lists the logins the customer added.
	names := func() []string {
		GinkgoHelper()
		logins, err := srv.Admin.Scenarios(context.Background(), srv.CustomerID)
		Expect(err).NotTo(HaveOccurred())
		var out []string
		for _, l := range logins {
			if l.Source == "runtime" {
				out = append(out, l.Name)
			}
		}
		return out
	}
	// attack runs the hostile script in the page the tab shows.
	attack := func() {
		GinkgoHelper()
		script := fmt.Sprintf(attackScript, srv.URL, srv.CustomerID, srv.Login("greatday_nomfa").LoginID, hook.URL+"/attacker")
		done, err := chromedp.Run(tab, chromedp.Evaluate[string](script, chromedp.EvalAwaitPromise))
		Expect(err).NotTo(HaveOccurred())
		Expect(done).To(Equal("done"))
	}

	It("cannot reset, plant a login or fire a webhook from another port, and each refusal is journalled", func() {
		page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<!DOCTYPE html><html lang="en"><head><title>Elsewhere</title></head><body><p>Nothing to see</p></body></html>`)
		}))
		DeferCleanup(page.Close)
		Expect(chromedp.Do(tab, chromedp.Navigate(page.URL))).To(Succeed())

		attack()

		Expect(names()).To(Equal([]string{"kept"}), "the reset and the planted login were refused")
		Expect(hits.Load()).To(BeZero(), "no webhook went to the page's URL")
		journal, err := srv.Admin.Journal(context.Background(), admin.JournalFilter{CustomerID: srv.CustomerID})
		Expect(err).NotTo(HaveOccurred())
		var refused []string
		for _, e := range journal.Entries {
			if e.Status == http.StatusForbidden && e.FlinksCode == "ACCESS_DENIED" {
				refused = append(refused, e.Path)
			}
		}
		slices.Sort(refused)
		Expect(refused).To(Equal([]string{"/__admin/reset", "/__admin/scenarios"}), "refusals naming the customer are in its journal")
		other, err := srv.Admin.Journal(context.Background(), admin.JournalFilter{})
		Expect(err).NotTo(HaveOccurred())
		Expect(other.Entries).To(ContainElement(And(
			HaveField("Path", "/__admin/webhooks/fire"), HaveField("Status", http.StatusForbidden))))
	})

	It("lets the mock's own page do the same", func() {
		Expect(chromedp.Do(tab, chromedp.Navigate(srv.URL+"/v2/?demo=true&authorizeToken="+connectToken(srv)))).To(Succeed())

		attack()

		Expect(names()).To(Equal([]string{"planted"}), "reset, then the planted login")
		Eventually(hits.Load).Should(BeNumerically(">=", 1), "the webhook went to the page's URL")
	})
})
