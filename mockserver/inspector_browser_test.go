package mockserver_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/mocktest"
)

// updateScreenshots rewrites the screenshots of docs/inspector.md from the
// views the browser specs draw: go test ./mockserver -run TestMockserver
// -args -update-screenshots (or FLINKS_MOCK_UPDATE_SCREENSHOTS=1).
var updateScreenshots = flag.Bool("update-screenshots", false, "rewrite docs/inspector/*.png from the inspector's browser specs")

// screenshotDir is where docs/inspector.md keeps its screenshots.
const screenshotDir = "../docs/inspector"

var _ = Describe("the inspector in a browser", Label("browser"), Ordered, func() {
	const adminToken = "inspector-ui-t0ken"
	var browser context.Context
	BeforeAll(func() { browser = startChromium() })

	var (
		tab      context.Context
		srv      *mocktest.Server
		f        *fixture
		received atomic.Int32
	)
	BeforeEach(func() {
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			received.Add(1)
		}))
		DeferCleanup(hook.Close)
		received.Store(0)
		tab = newTab(browser, 90*time.Second, chromedp.EmulateViewport(1280, 900))
		srv = mocktest.NewServer(GinkgoT(), mocktest.WithConfig(func(c *mockserver.Config) {
			c.AdminToken = adminToken
			c.WebhookURLs = []string{hook.URL + "/flinks"}
			c.WebhookSecret = "inspector-webhook-secret"
		}))
		// A fixed customerId keeps the screenshots alike from run to run.
		srv.CustomerID = "43387ca6-0391-4c82-857d-70d95f087ecb"
		f = fixtureOf(srv)
	})

	do := func(actions ...chromedp.Action[chromedp.Void]) {
		GinkgoHelper()
		Expect(chromedp.Do(tab, actions...)).To(Succeed())
	}
	// js evaluates an expression in the page, as a string ("" on error).
	js := func(expr string) string {
		v, err := chromedp.Run(tab, chromedp.Evaluate[string](`(function(){ try { return String(`+expr+`); } catch (e) { return ""; } })()`))
		if err != nil {
			return ""
		}
		return v
	}
	// shows waits until expr is want in the page, without reloading it.
	shows := func(expr, want string) {
		GinkgoHelper()
		Eventually(js).WithArguments(expr).WithTimeout(15*time.Second).WithPolling(50*time.Millisecond).Should(Equal(want), expr)
	}
	stateOf := func(rid string) string {
		return fmt.Sprintf(`document.querySelector('.session[data-request-id="%s"]').dataset.state + "/" + document.querySelector('.session[data-request-id="%s"] g.state.lit').dataset.state`, rid, rid)
	}
	// shoot writes a screenshot of the page, scrolled to top, for the docs
	// when asked, and otherwise checks that the committed one is there.
	shoot := func(name, top string) {
		GinkgoHelper()
		file := filepath.Join(screenshotDir, name+".png")
		if !*updateScreenshots && os.Getenv("FLINKS_MOCK_UPDATE_SCREENSHOTS") == "" {
			raw, err := os.ReadFile(file)
			Expect(err).NotTo(HaveOccurred(), "docs/inspector.md shows %s; write it with -update-screenshots", file)
			Expect(bytes.HasPrefix(raw, []byte("\x89PNG"))).To(BeTrue(), "%s is no PNG", file)
			return
		}
		js(`document.querySelector('` + top + `').scrollIntoView()`)
		png, err := chromedp.Run(tab, chromedp.CaptureScreenshot())
		Expect(err).NotTo(HaveOccurred())
		Expect(os.MkdirAll(screenshotDir, 0o755)).To(Succeed())
		Expect(os.WriteFile(file, png, 0o644)).To(Succeed())
	}

	It("follows a flow live, opens its timeline and re-sends a webhook", func() {
		do(chromedp.Navigate(srv.URL + "/__admin/ui/#/"))
		// The server has an admin token: the page asks for it.
		shows(`document.getElementById("auth").hidden`, "false")
		do(chromedp.SendKeys("#token", adminToken), chromedp.Click(`#auth-form button`))
		shows(`document.querySelector("#customers .empty") !== null`, "true")

		greatday := login("greatday")
		mfa := f.authorize(map[string]any{"LoginId": greatday.LoginID, "MostRecentCached": false})
		Expect(mfa.Status).To(Equal(203))
		rid := mfa.Body["RequestId"].(string)
		row := `#customers tr[data-customer="` + f.Customer + `"]`
		shows(`document.querySelector('`+row+` .n-sessions').textContent`, "1")
		do(chromedp.Click(row + ` a`))
		shows(stateOf(rid), "waiting-mfa/waiting-mfa")

		prompt := mfa.Body["SecurityChallenges"].([]any)[0].(map[string]any)["Prompt"].(string)
		answers := map[string]string{"What city were you born in?": "Montreal", "What is the best country on earth?": "Canada", "What shape do people like most?": "Triangle"}
		Expect(f.authorize(map[string]any{"RequestId": rid, "SecurityResponses": map[string][]string{prompt: {answers[prompt]}}}).Status).To(Equal(200))
		shows(stateOf(rid), "authorized/authorized")
		Expect(f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid}).Status).To(Equal(202))
		shows(stateOf(rid), "processing/processing")
		shoot("session", "body")
		// The client waits the guide's 10 s before it polls: the timeline
		// draws the gap.
		srv.Advance(10 * time.Second)
		Expect(f.call("GET", "GetAccountsDetailAsync/"+rid, nil, nil).Status).To(Equal(200))
		shows(stateOf(rid), "ready/ready")

		// The data is ready: its webhook was delivered, with one attempt.
		shows(`document.querySelectorAll("#customer [data-delivery]").length`, "1")
		shows(`document.querySelector("#customer [data-delivery]").dataset.attempts`, "1")
		shows(`document.querySelector("#customer [data-delivery] .signature").textContent.length > 20`, "true")

		do(chromedp.Click(`a[data-open-timeline="` + rid + `"]`))
		// The session's timeline starts at the two GenerateAuthorizeToken
		// calls whose tokens its two /Authorize calls used, once each, and
		// ends with the attempt of its webhook.
		shows(`document.querySelectorAll("#timeline a.tl-msg").length`, "7")
		shows(`document.querySelector("#timeline a.tl-msg").getAttribute("aria-label")`, "POST GenerateAuthorizeToken, 200, issued token fresh")
		shows(`document.querySelectorAll("#timeline a.tl-msg .tl-token-fresh").length`, "4")
		do(chromedp.Click(`#timeline a.tl-msg[aria-label^="POST Authorize, 203"]`))
		shows(`document.querySelector("#entry .tl-detail h4").textContent.includes("/BankingServices/Authorize")`, "true")
		shows(`document.activeElement.id`, "entry")
		// The journal keeps no body: the page says the 202 is rebuilt.
		do(chromedp.Click(`#timeline a.tl-msg[aria-label^="POST GetAccountsDetail, 202"]`))
		shows(`document.querySelector("#entry pre.json").textContent.includes('"FlinksCode": "OPERATION_PENDING"')`, "true")
		shows(`document.querySelector("#entry .answer-how").textContent.startsWith("Rebuilt from the journal")`, "true")
		// The data is re-rendered, its account numbers cut.
		do(chromedp.Click(`#timeline a.tl-msg[aria-label^="GET GetAccountsDetailAsync, 200"]`))
		shows(`document.querySelector("#entry .answer-how").textContent.startsWith("Re-rendered now")`, "true")
		shows(`/"AccountNumber": "•+\d{4}"/.test(document.querySelector("#entry pre.json").textContent)`, "true")
		shoot("entry", "#entry .answer-body")
		shoot("timeline", "#timeline")
		// From the keyboard: an arrow takes the focus, and Enter opens it.
		second := `document.querySelectorAll("#timeline a.tl-msg")[1]`
		js(second + `.focus()`)
		shows(`document.activeElement === `+second, "true")
		do(chromedp.KeyEvent(kb.Enter))
		shows(`document.querySelector("#entry .tl-detail").id === "entry-" + `+second+`.dataset.seq`, "true")

		// Re-send the delivery: a new attempt of the same delivery, which
		// the receiver gets as the first.
		do(chromedp.Click(`#customer [data-delivery] button[data-resend]`))
		shows(`document.querySelector("#customer [data-delivery]").dataset.attempts`, "2")
		shows(`document.querySelectorAll("#customer [data-delivery]").length`, "1")
		shows(`document.querySelectorAll("#customer [data-delivery] tr.resent").length`, "1")
		Eventually(received.Load).Should(BeNumerically("==", 2))
		do(chromedp.Navigate(srv.URL + "/__admin/ui/#/c/" + f.Customer))
		shows(`document.querySelector("#customer [data-delivery]").dataset.attempts`, "2")
		shoot("webhooks", "#webhooks-h")
	})

	It("lists the customers and the logins, moves the virtual clock, and speaks French", func() {
		f.authorized("greatday_nomfa")
		do(chromedp.Navigate(srv.URL + "/__admin/ui/#/"))
		do(chromedp.SendKeys("#token", adminToken), chromedp.Click(`#auth-form button`))
		shows(`document.querySelectorAll("#customers tbody tr").length`, "1")
		shows(`document.querySelector("#logins table").textContent.includes("What city were you born in?")`, "true")
		shoot("customers", "body")

		before := srv.Clock.Now()
		do(chromedp.Click(`#clock button[data-advance="10m"]`))
		Eventually(srv.Clock.Now).Should(Equal(before.Add(10 * time.Minute)))
		shows(`document.getElementById("clock-time").getAttribute("datetime")`, before.Add(10*time.Minute).UTC().Format("2006-01-02T15:04:05.000Z07:00"))

		// The token stays in the tab: the French page needs it no more.
		do(chromedp.Navigate(srv.URL + "/__admin/ui/?lang=fr#/"))
		shows(`document.documentElement.lang`, "fr")
		shows(`document.querySelector("#customers h2").textContent`, "Clients")
		shows(`document.getElementById("auth").hidden`, "true")
	})
})
