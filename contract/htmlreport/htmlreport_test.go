package htmlreport_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/contract"
	"github.com/flinks-mock/flinks-mock/contract/broken"
	"github.com/flinks-mock/flinks-mock/contract/contracttest"
	"github.com/flinks-mock/flinks-mock/contract/htmlreport"
	"github.com/flinks-mock/flinks-mock/contract/reference"
)

func TestHTMLReport(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "htmlreport")
}

// runs are a run of the reference client and one of the client that
// sends the token of its first /Authorize again (FM001), in the mfa
// scenario.
func runs() []contract.RunResult {
	GinkgoHelper()
	ctx := context.Background()
	good := contracttest.RunScenario(ctx, "happy", reference.Run)
	bad := contracttest.RunScenario(ctx, "mfa", broken.Run(broken.ReuseToken))
	Expect(good.Passed()).To(BeTrue(), "%v", good.Report)
	Expect(bad.Report.FailedIDs()).To(Equal([]string{contract.IDSingleUseToken}))
	return []contract.RunResult{good, bad}
}

var _ = Describe("the HTML report", func() {
	It("holds every verdict, and the timeline of a failed run with its offending requests marked", func() {
		path := filepath.Join(GinkgoT().TempDir(), "report.html")
		rs := runs()
		rs[1].Exit = "exit status 1"
		Expect(htmlreport.WriteFile(path, "flinks-mock verify", "en", rs)).To(Succeed())
		raw, err := os.ReadFile(path)
		Expect(err).NotTo(HaveOccurred())
		html := string(raw)
		Expect(html).To(ContainSubstring(`data-scenario="happy" data-verdict="passed"`))
		Expect(html).To(ContainSubstring(`data-scenario="mfa" data-verdict="failed"`))
		Expect(html).To(ContainSubstring("2 scenarios: 1 passed, 1 failed, 0 skipped"))
		// One timeline, the failed run's, with the reused token marked.
		Expect(strings.Count(html, `<svg class="timeline"`)).To(Equal(1))
		Expect(html).To(ContainSubstring("[token reused]"))
		Expect(html).To(ContainSubstring("[issued token reused]"))
		Expect(html).To(ContainSubstring("): exit status 1 in "))
		Expect(html).To(MatchRegexp(`class="tl-msg[^"]*tl-marked"`))
		Expect(html).To(ContainSubstring(contract.IDSingleUseToken + ": "))
		// Self-contained: nothing to load.
		Expect(html).NotTo(MatchRegexp(`(?i)(src|href)="(https?:)?//`))
		Expect(html).NotTo(ContainSubstring("<script"))
		Expect(regexp.MustCompile(`<link[^>]+stylesheet`).MatchString(html)).To(BeFalse())
		Expect(html).To(ContainSubstring(`<html lang="en">`))
		Expect(html).NotTo(ContainSubstring(`class="note"`))
	})

	It("is written in French with --lang fr, the rules' words and the requests as the harness wrote them", func() {
		var b strings.Builder
		rs := runs()
		rs[1].Exit = "exit status 1" // as verify records a command's end
		Expect(htmlreport.Write(&b, "flinks-mock verify", "fr", rs)).To(Succeed())
		html := b.String()
		Expect(html).To(ContainSubstring(") : code de sortie 1 en "))
		Expect(html).NotTo(ContainSubstring("exit status"))
		Expect(html).To(ContainSubstring(`<html lang="fr">`))
		Expect(html).To(ContainSubstring("2 scénarios — réussis : 1, en échec : 1, ignorés : 0"))
		Expect(html).To(ContainSubstring("scénario mfa — en échec</h2>"))
		Expect(html).To(ContainSubstring("scénario happy — réussi</h2>"))
		Expect(html).To(ContainSubstring("<h3>Chronologie de l’exécution</h3>"))
		Expect(html).To(ContainSubstring("<summary>Règles du guide Flinks</summary>"))
		Expect(html).To(ContainSubstring(`v-fail">enfreinte</td>`))
		Expect(html).To(ContainSubstring("Séquence des requêtes"), "the timeline's labels")
		Expect(html).To(ContainSubstring(`<p class="note">Les règles, leurs messages et les requêtes citées restent tels que le banc d’essai les écrit, en anglais.</p>`))
		Expect(html).NotTo(ContainSubstring("Timeline of the run"))
		Expect(html).NotTo(ContainSubstring("Rules of the Flinks guide"))
		// The offending request is still highlighted, with the rule's
		// words in English beside it.
		Expect(strings.Count(html, `<svg class="timeline"`)).To(Equal(1))
		Expect(html).To(MatchRegexp(`class="tl-msg[^"]*tl-marked"`))
		Expect(html).To(ContainSubstring("[jeton réutilisé]"))
		Expect(html).To(ContainSubstring("[jeton émis réutilisé]"), "the token call, in French too")
		Expect(html).NotTo(MatchRegexp(`\[[^]]*(fresh|reused)\]`))
		Expect(html).To(ContainSubstring(contract.IDSingleUseToken + ": "))
	})

	It("refuses a language it is not written in, and writes no file", func() {
		path := filepath.Join(GinkgoT().TempDir(), "report.html")
		err := htmlreport.WriteFile(path, "flinks-mock verify", "de", nil)
		Expect(err).To(MatchError(ContainSubstring("give en or fr")))
		Expect(path).NotTo(BeAnExistingFile())
	})
})

var _ = Describe("the HTML report in a browser", Label("browser"), func() {
	It("shows the failed run's offending request, highlighted, with the rule beside it", func() {
		chromium := findChromium()
		if chromium == "" {
			Skip("no Chromium found ($CHROME_PATH, chromium, chromium-browser or google-chrome): the browser specs skip")
		}
		path := filepath.Join(GinkgoT().TempDir(), "report.html")
		Expect(htmlreport.WriteFile(path, "flinks-mock verify", "en", runs())).To(Succeed())

		// A browser that fails to start (rarely, on a loaded machine) is
		// started again: the spec judges the report, not the browser.
		var tab context.Context
		Eventually(func() (err error) {
			tab, err = openInChromium(chromium, "file://"+path)
			return err
		}).WithTimeout(3*time.Minute).WithPolling(time.Second).Should(Succeed(), "start %s", chromium)

		js := func(expr string) string {
			v, err := chromedp.Run(tab, chromedp.Evaluate[string](`(function(){ try { return String(`+expr+`); } catch (e) { return ""; } })()`))
			if err != nil {
				return ""
			}
			return v
		}
		failed := `document.querySelector('article[data-verdict="failed"]')`
		Eventually(js).WithArguments(failed + `.dataset.scenario`).Should(Equal("mfa"))
		// The request that sent the token again is highlighted, with the
		// rule beside it.
		marked := failed + `.querySelector("svg.timeline a.tl-marked .tl-token-reused").closest("a")`
		seq := js(marked + `.dataset.seq`)
		Expect(seq).NotTo(BeEmpty())
		Expect(js(marked + `.querySelector(".tl-message").textContent`)).To(ContainSubstring(contract.IDSingleUseToken))
		// The highlight is drawn: a red box behind the arrow.
		Expect(js(`getComputedStyle(` + marked + `.querySelector("rect.tl-hl")).stroke`)).To(Equal("rgb(197, 48, 48)"))
		// Its link leads to the request's detail, marked too.
		Expect(chromedp.Do(tab, chromedp.Click(`article[data-verdict="failed"] svg.timeline a[data-seq="`+seq+`"]`))).To(Succeed())
		Eventually(js).WithArguments(`document.querySelector(":target").id`).Should(HaveSuffix("-entry-" + seq))
		Expect(js(`document.querySelector(":target").classList.contains("tl-marked")`)).To(Equal("true"))
		Expect(js(`document.querySelector(":target").textContent`)).To(ContainSubstring("reused"))
		Expect(js(`document.querySelector(":target .tl-message").textContent`)).To(ContainSubstring(contract.IDSingleUseToken))
	})
})

// findChromium returns the browser to drive: $CHROME_PATH, or the first
// of the usual names on the PATH; "" when there is none.
func findChromium() string {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// openInChromium starts a headless Chromium at chromium on url and returns
// its tab, closed when the spec ends; or, when the browser does not start
// within a minute, stops it and returns why.
func openInChromium(chromium, url string) (context.Context, error) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(GinkgoT().TempDir()))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tab, cancel := chromedp.NewContext(alloc)
	stop := func() { cancel(); cancelAlloc() }
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(tab, chromedp.Navigate(url)) }()
	select {
	case err := <-started:
		if err != nil {
			stop()
			return nil, err
		}
	case <-time.After(time.Minute):
		stop()
		return nil, errors.New("no answer from the browser within a minute")
	}
	DeferCleanup(stop)
	return tab, nil
}
