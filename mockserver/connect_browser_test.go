package mockserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/mockserver/mocktest"
)

// findChromium returns the browser to drive: $CHROME_PATH, or the first
// of the usual names on the PATH or in /usr/bin; "" when there is none.
func findChromium() string {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
		if _, err := os.Stat("/usr/bin/" + name); err == nil {
			return "/usr/bin/" + name
		}
	}
	return ""
}

// parentPage is the page of an application that embeds Flinks Connect: an
// iframe, and a listener that keeps every message it receives, with its
// origin, in window.received. It also serves /landing, the application's
// redirectUrl.
var parentPage = template.Must(template.New("parent").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Application</title></head>
<body>
<h1>Link your bank</h1>
<iframe id="connect" title="Flinks Connect" width="600" height="700" src="{{.}}"></iframe>
<script>
window.received = [];
window.addEventListener("message", function (e) {
  window.received.push({origin: e.origin, data: e.data});
});
</script>
</body></html>`))

// application serves the parent page, with the iframe pointing at src, and
// the landing page.
func application(src func() string) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = parentPage.Execute(w, src())
	})
	mux.HandleFunc("/landing", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><head><title>Landing</title></head><body><p id="landed">%s</p></body></html>`,
			template.HTMLEscapeString(r.URL.Query().Get("loginId")))
	})
	return httptest.NewServer(mux)
}

// received is one message the parent page got.
type received struct {
	Origin string         `json:"origin"`
	Data   map[string]any `json:"data"`
}

var _ = Describe("the Flinks Connect simulator in a browser", Label("browser"), Ordered, func() {
	var browser context.Context

	BeforeAll(func() { browser = startChromium() })

	var (
		tab context.Context
		srv *mocktest.Server
	)
	BeforeEach(func() {
		tab = newTab(browser, 60*time.Second)
		srv = mocktest.NewServer(GinkgoT())
	})

	// do runs browser actions in the tab.
	do := func(actions ...chromedp.Action[chromedp.Void]) {
		GinkgoHelper()
		Expect(chromedp.Do(tab, actions...)).To(Succeed())
	}
	// inFrame runs actions in the document the iframe shows now.
	inFrame := func(actions ...func(opt chromedp.QueryOption) chromedp.Action[chromedp.Void]) {
		GinkgoHelper()
		nodes, err := chromedp.Run(tab, chromedp.Nodes(chromedp.CSS("#connect")))
		Expect(err).NotTo(HaveOccurred())
		Expect(nodes).To(HaveLen(1))
		for _, a := range actions {
			do(a(chromedp.FromNode(nodes[0])))
		}
	}
	// frameText reads the text of an element of the iframe's document.
	frameText := func(css string) string {
		GinkgoHelper()
		nodes, err := chromedp.Run(tab, chromedp.Nodes(chromedp.CSS("#connect")))
		Expect(err).NotTo(HaveOccurred())
		text, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(css), chromedp.FromNode(nodes[0])))
		Expect(err).NotTo(HaveOccurred())
		return text
	}
	// messages reads what the parent page received.
	messages := func() []received {
		raw, err := chromedp.Run(tab, chromedp.Evaluate[[]byte](`window.received`))
		if err != nil {
			return nil
		}
		var out []received
		_ = json.Unmarshal(raw, &out)
		return out
	}
	steps := func() []string {
		var out []string
		for _, m := range messages() {
			out = append(out, fmt.Sprint(m.Data["step"]))
		}
		return out
	}
	click := func(css string) func(chromedp.QueryOption) chromedp.Action[chromedp.Void] {
		return func(from chromedp.QueryOption) chromedp.Action[chromedp.Void] {
			return chromedp.Click(chromedp.CSS(css), from)
		}
	}
	typeIn := func(css, text string) func(chromedp.QueryOption) chromedp.Action[chromedp.Void] {
		return func(from chromedp.QueryOption) chromedp.Action[chromedp.Void] {
			return chromedp.SendKeys(chromedp.CSS(css), text, from)
		}
	}
	// frameHas tells whether the document the iframe shows now has an
	// element. The iframe's node is looked up again each time, since a
	// form post gives the frame a new document.
	frameHas := func(css string) bool {
		nodes, err := chromedp.Run(tab, chromedp.Nodes(chromedp.CSS("#connect")))
		if err != nil || len(nodes) != 1 {
			return false
		}
		found, err := chromedp.Run(tab, chromedp.Nodes(chromedp.CSS(css), chromedp.FromNode(nodes[0]), chromedp.AtLeast(0)))
		return err == nil && len(found) > 0
	}
	// shows waits until the page in the iframe has posted an event and
	// shows a screen: the event proves the new document ran its script.
	shows := func(step, view string) {
		GinkgoHelper()
		Eventually(steps).WithTimeout(10 * time.Second).WithPolling(50 * time.Millisecond).Should(ContainElement(step))
		Eventually(frameHas).WithArguments(`body[data-view="` + view + `"] h1`).WithTimeout(10 * time.Second).WithPolling(50 * time.Millisecond).Should(BeTrue())
	}

	It("walks the flow in an iframe, with a retry and an MFA round, and hands the LoginId to the parent", func() {
		var app *httptest.Server
		app = application(func() string {
			q := url.Values{
				"demo":           {"true"},
				"authorizeToken": {connectToken(srv)},
				"innerRedirect":  {"true"},
				"tag":            {"order-42"},
				"redirectUrl":    {app.URL + "/landing"},
			}
			return srv.URL + "/v2/?" + q.Encode()
		})
		DeferCleanup(app.Close)
		Expect(strings.Split(app.URL, ":")[2]).NotTo(Equal(strings.Split(srv.URL, ":")[2]), "the application and the mock listen on different ports")

		do(chromedp.Navigate(app.URL))
		shows("COMPONENT_LOAD_INSTITUTION_SELECTOR", "institutions")
		inFrame(click(`button[value="FlinksCapital"]`))
		shows("COMPONENT_LOAD_CREDENTIAL", "credentials")
		inFrame(typeIn("#username", "Greatday"), typeIn("#password", "Everynight"), click(`form.stack button[type="submit"]`))
		shows("COMPONENT_LOAD_CREDENTIAL_RETRY", "credentials")
		Expect(frameText("#error")).To(ContainSubstring("The username or password is incorrect."))

		inFrame(typeIn("#password", "Everyday"), click(`form.stack button[type="submit"]`))
		shows("COMPONENT_LOAD_MFA", "mfa")
		inFrame(typeIn("#answer-0", "Montreal"), click(`form.stack button[type="submit"]`))
		Eventually(steps).WithTimeout(10 * time.Second).WithPolling(50 * time.Millisecond).Should(ContainElement("REDIRECT"))

		loginID := srv.Login("greatday").LoginID
		wantURL := app.URL + "/landing?loginId=" + loginID + "&tag=order-42&institution=FlinksCapital"
		var redirect map[string]any
		for _, m := range messages() {
			Expect(m.Origin).To(Equal(srv.URL), "every message comes from the Connect page")
			if m.Data["step"] == "REDIRECT" {
				redirect = m.Data
			}
		}
		Expect(redirect).To(HaveKeyWithValue("loginId", loginID))
		Expect(redirect).To(HaveKeyWithValue("institution", "FlinksCapital"))
		Expect(redirect).To(HaveKeyWithValue("url", wantURL))
		Expect(steps()).To(Equal([]string{
			"APP_MOUNTED", "COMPONENT_LOAD_INSTITUTION_SELECTOR",
			"INSTITUTION_SELECTED", "COMPONENT_LOAD_CREDENTIAL",
			"SUBMIT_CREDENTIAL", "INVALID_LOGIN", "COMPONENT_LOAD_CREDENTIAL_RETRY",
			"SUBMIT_CREDENTIAL", "COMPONENT_LOAD_MFA",
			"SUBMIT_MFA", "REDIRECT",
		}))

		// innerRedirect=true: the frame itself went to the landing page,
		// which is the application's own, so the parent can read it.
		Eventually(func() string {
			href, _ := chromedp.Run(tab, chromedp.Evaluate[string](`document.getElementById("connect").contentWindow.location.href`))
			return href
		}).WithTimeout(10 * time.Second).WithPolling(50 * time.Millisecond).Should(Equal(wantURL))
		href, err := chromedp.Run(tab, chromedp.Location())
		Expect(err).NotTo(HaveOccurred())
		Expect(href).To(Equal(app.URL + "/"))
	})

	It("redirects the parent window by default", func() {
		var app *httptest.Server
		app = application(func() string {
			return srv.URL + "/v2/?demo=true&authorizeToken=" + connectToken(srv) + "&redirectUrl=" + url.QueryEscape(app.URL+"/landing")
		})
		DeferCleanup(app.Close)

		do(chromedp.Navigate(app.URL))
		shows("COMPONENT_LOAD_INSTITUTION_SELECTOR", "institutions")
		inFrame(click(`button[value="FlinksCapital"]`))
		shows("COMPONENT_LOAD_CREDENTIAL", "credentials")
		inFrame(typeIn("#username", "greatday_nomfa"), typeIn("#password", "Everyday"), click(`form.stack button[type="submit"]`))
		loginID := srv.Login("greatday_nomfa").LoginID
		Eventually(func() string {
			href, _ := chromedp.Run(tab, chromedp.Location())
			return href
		}).WithTimeout(10 * time.Second).WithPolling(50 * time.Millisecond).Should(Equal(app.URL + "/landing?loginId=" + loginID + "&institution=FlinksCapital"))
		do(chromedp.WaitVisible(chromedp.ID("landed")))
		landed, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("landed")))
		Expect(err).NotTo(HaveOccurred())
		Expect(landed).To(Equal(loginID))
	})

	It("can be completed with the keyboard alone, with visible focus", func() {
		do(chromedp.Navigate(srv.URL + "/v2/?demo=true&language=fr&authorizeToken=" + connectToken(srv)))
		do(chromedp.WaitVisible(chromedp.CSS(`body[data-view="institutions"] h1`)))
		lang, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.documentElement.lang`))
		Expect(err).NotTo(HaveOccurred())
		Expect(lang).To(Equal("fr"))

		focused := func() string {
			GinkgoHelper()
			desc, err := chromedp.Run(tab, chromedp.Evaluate[string](`(function () {
  var el = document.activeElement;
  return el.tagName.toLowerCase() + "#" + (el.id || el.value || "");
})()`))
			Expect(err).NotTo(HaveOccurred())
			return desc
		}
		outline := func() string {
			GinkgoHelper()
			style, err := chromedp.Run(tab, chromedp.Evaluate[string](`getComputedStyle(document.activeElement).outlineStyle`))
			Expect(err).NotTo(HaveOccurred())
			return style
		}
		key := func(keys string) {
			GinkgoHelper()
			do(chromedp.KeyEvent(keys))
		}

		// The first Tab reaches the institution; Enter chooses it.
		key(kb.Tab)
		Expect(focused()).To(Equal("button#FlinksCapital"))
		Expect(outline()).NotTo(Equal("none"), "the focused element shows its focus")
		key(kb.Enter)
		do(chromedp.WaitVisible(chromedp.CSS(`body[data-view="credentials"] h1`)))

		key(kb.Tab)
		Expect(focused()).To(Equal("input#username"))
		key("mock_multiple_choice")
		key(kb.Tab)
		Expect(focused()).To(Equal("input#password"))
		key("Everyday" + kb.Enter)
		do(chromedp.WaitVisible(chromedp.CSS(`body[data-view="mfa"] h1`)))

		// Tab into the radio group, arrow to the second choice, Tab to the
		// button and press it with Space.
		key(kb.Tab)
		Expect(focused()).To(Equal("input#answer-0-0"))
		key(kb.ArrowDown)
		Expect(focused()).To(Equal("input#answer-0-1"))
		key(kb.Tab)
		Expect(focused()).To(HavePrefix("button#"))
		Expect(outline()).NotTo(Equal("none"))
		key(" ")
		do(chromedp.WaitVisible(chromedp.CSS(`body[data-view="success"] h1`)))
		heading, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("h1")))
		Expect(err).NotTo(HaveOccurred())
		Expect(heading).To(Equal("Votre compte est connecté"))
		loginID, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("login-id")))
		Expect(err).NotTo(HaveOccurred())
		Expect(loginID).To(Equal(srv.Login("mock_multiple_choice").LoginID))
	})
})
