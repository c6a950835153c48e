package mockserver_test

import (
	"bufio"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/mockserver"
)

var _ = Describe("The inspector", func() {
	const adminToken = "inspector-t0ken"
	var f *fixture
	BeforeEach(func() {
		f = newFixture(mockserver.Config{AdminToken: adminToken})
	})

	// get fetches a path of the inspector with a token ("" for none).
	get := func(path, token string) (int, string, http.Header) {
		GinkgoHelper()
		req, err := http.NewRequest(http.MethodGet, f.URL+path, nil)
		Expect(err).NotTo(HaveOccurred())
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		Expect(err).NotTo(HaveOccurred())
		return resp.StatusCode, string(raw), resp.Header
	}
	view := func(name, query string) string {
		GinkgoHelper()
		status, body, _ := get("/__admin/ui/view/"+name+"?"+query, adminToken)
		Expect(status).To(Equal(http.StatusOK), body)
		return body
	}
	stateOf := func(requestID string) func() string {
		return func() string {
			body := view("customer", "customerId="+f.Customer)
			m := regexp.MustCompile(`data-request-id="` + requestID + `" data-state="([a-z-]+)"`).FindStringSubmatch(body)
			if m == nil {
				return "absent"
			}
			return m[1]
		}
	}

	It("serves its page and assets to anyone, and its views only with the admin token", func() {
		status, body, h := get("/__admin/ui/", "")
		Expect(status).To(Equal(http.StatusOK))
		Expect(h.Get("Content-Type")).To(HavePrefix("text/html"))
		Expect(body).To(ContainSubstring(`<html lang="en">`))
		Expect(body).NotTo(ContainSubstring(f.Customer))
		Expect(h.Get("Content-Security-Policy")).To(ContainSubstring("frame-ancestors 'none'"))
		Expect(h.Get("X-Frame-Options")).To(Equal("DENY"))
		for _, asset := range []string{"ui.css", "ui.js"} {
			status, _, _ := get("/__admin/ui/assets/"+asset, "")
			Expect(status).To(Equal(http.StatusOK), asset)
		}
		status, body, _ = get("/__admin/ui/assets/nothing.js", "")
		Expect(status).To(Equal(http.StatusNotFound))
		Expect(body).To(ContainSubstring(`"FlinksCode":"INVALID_REQUEST"`))

		for _, path := range []string{"/__admin/ui/view/customers", "/__admin/ui/events"} {
			status, body, _ = get(path, "")
			Expect(status).To(Equal(http.StatusUnauthorized), path)
			Expect(body).To(ContainSubstring(`"FlinksCode":"ACCESS_DENIED"`))
			status, _, _ = get(path, "wrong")
			Expect(status).To(Equal(http.StatusUnauthorized), path)
		}
		status, body, _ = get("/__admin/ui/view/nothing", adminToken)
		Expect(status).To(Equal(http.StatusNotFound))
		Expect(body).To(ContainSubstring("The inspector has no view nothing"))
	})

	It("speaks French when asked", func() {
		_, body, _ := get("/__admin/ui/?lang=fr", "")
		Expect(body).To(ContainSubstring(`<html lang="fr">`))
		Expect(body).To(ContainSubstring("Inspecteur flinks-mock"))
		req, _ := http.NewRequest(http.MethodGet, f.URL+"/__admin/ui/", nil)
		req.Header.Set("Accept-Language", "fr-CA,fr;q=0.9,en;q=0.8")
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		Expect(string(raw)).To(ContainSubstring(`<html lang="fr">`))
		Expect(view("customers", "lang=fr")).To(ContainSubstring("Aucun client"))
	})

	It("lists the customers, and follows a session through the flow", func() {
		Expect(view("customers", "")).To(ContainSubstring("No customer has called the mock yet."))
		greatday := login("greatday")
		mfa := f.authorize(map[string]any{"LoginId": greatday.LoginID, "MostRecentCached": false})
		Expect(mfa.Status).To(Equal(203))
		rid := mfa.Body["RequestId"].(string)
		Expect(view("customers", "")).To(ContainSubstring(`data-customer="` + f.Customer + `"`))
		Expect(stateOf(rid)()).To(Equal("waiting-mfa"))

		q := mfa.Body["SecurityChallenges"].([]any)[0].(map[string]any)["Prompt"].(string)
		answers := map[string]string{"What city were you born in?": "Montreal", "What is the best country on earth?": "Canada", "What shape do people like most?": "Triangle"}
		ok := f.authorize(map[string]any{"RequestId": rid, "SecurityResponses": map[string][]string{q: {answers[q]}}})
		Expect(ok.Status).To(Equal(200), string(ok.Raw))
		Expect(stateOf(rid)()).To(Equal("authorized"))

		Expect(f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid}).Status).To(Equal(202))
		Expect(stateOf(rid)()).To(Equal("processing"))
		Expect(view("customer", "customerId="+f.Customer)).To(ContainSubstring("processing 1/1"))

		Expect(f.call("GET", "GetAccountsDetailAsync/"+rid, nil, nil).Status).To(Equal(200))
		Expect(stateOf(rid)()).To(Equal("ready"))

		tl := view("timeline", "customerId="+f.Customer+"&requestId="+rid)
		Expect(tl).To(ContainSubstring("[token fresh]"))
		Expect(tl).To(ContainSubstring("202 OPERATION_PENDING"))
		// The two /Authorize calls, each after the GenerateAuthorizeToken
		// that issued its token, then the data request and its poll.
		Expect(strings.Count(tl, `class="tl-msg`)).To(Equal(6))
		Expect(strings.Count(tl, `aria-label="POST GenerateAuthorizeToken, 200, issued token fresh"`)).To(Equal(2))
		Expect(strings.Count(tl, "[issued token fresh]")).To(Equal(2))
		Expect(view("timeline", "customerId="+f.Customer+"&requestId="+rid+"&lang=fr")).To(ContainSubstring("[jeton émis neuf]"))

		// A second session left waiting for its answers expires.
		other := f.authorize(map[string]any{"LoginId": greatday.LoginID, "MostRecentCached": false})
		Expect(other.Status).To(Equal(203))
		_, err := f.Clock.Advance(9 * time.Minute)
		Expect(err).NotTo(HaveOccurred())
		Expect(stateOf(other.Body["RequestId"].(string))()).To(Equal("expired"))
	})

	It("shows an entry of the journal, and the logins with their prompts and answers", func() {
		rid := f.authorized("greatday_nomfa")
		tl := view("timeline", "customerId="+f.Customer+"&requestId="+rid)
		seq := regexp.MustCompile(`data-seq="(\d+)" aria-label="POST Authorize,`).FindStringSubmatch(tl)
		Expect(seq).NotTo(BeNil(), tl)
		entry := view("entry", "customerId="+f.Customer+"&seq="+seq[1])
		Expect(entry).To(ContainSubstring(`id="entry-` + seq[1] + `"`))
		Expect(entry).To(ContainSubstring("/BankingServices/Authorize"))

		logins := view("logins", "customerId="+f.Customer)
		Expect(logins).To(ContainSubstring("What city were you born in?"))
		Expect(logins).To(ContainSubstring("Montreal"))
		Expect(logins).To(ContainSubstring("accountsDetail: pending ×1 → ready"))
	})

	It("shows the body of an answer as well as it can be had: rebuilt, re-rendered, or gone", func() {
		f = newFixture(mockserver.Config{AdminToken: adminToken, MaxSessions: 1})
		rid := f.authorized("test_pending")
		Expect(f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid}).Status).To(Equal(202))
		Expect(f.call("GET", "GetAccountsDetailAsync/"+rid, nil, nil).Status).To(Equal(202))
		Expect(f.call("GET", "GetAccountsDetailAsync/"+rid, nil, nil).Status).To(Equal(202))
		ready := f.call("GET", "GetAccountsDetailAsync/"+rid, nil, nil)
		Expect(ready.Status).To(Equal(200))
		number := ready.Body["Accounts"].([]any)[0].(map[string]any)["AccountNumber"].(string)
		Expect(len(number)).To(BeNumerically(">", 4))
		bad := f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": "6c7d0b5e-0000-4000-8000-000000000000"})
		Expect(bad.Status).To(BeNumerically(">=", 400))

		// seqOf finds the newest entry of an endpoint answered status.
		seqOf := func(endpoint string, status int) string {
			GinkgoHelper()
			page := f.do("GET", "/__admin/journal?customerId="+f.Customer, map[string]string{"Authorization": "Bearer " + adminToken}, nil)
			Expect(page.Status).To(Equal(200), string(page.Raw))
			seq := ""
			for _, raw := range page.Body["entries"].([]any) {
				e := raw.(map[string]any)
				if e["endpoint"] == endpoint && e["status"] == float64(status) {
					seq = strconv.Itoa(int(e["seq"].(float64)))
				}
			}
			Expect(seq).NotTo(BeEmpty(), "no %s %d in the journal", endpoint, status)
			return seq
		}
		entry := func(seq string) string {
			GinkgoHelper()
			return html.UnescapeString(view("entry", "customerId="+f.Customer+"&seq="+seq))
		}

		token := entry(seqOf("GenerateAuthorizeToken", 200))
		Expect(token).To(ContainSubstring(`"Token": "[redacted]"`))
		Expect(token).To(ContainSubstring("the token issued is never kept"))

		pending := entry(seqOf("GetAccountsDetail", 202))
		Expect(pending).To(ContainSubstring("Rebuilt from the journal"))
		Expect(pending).To(ContainSubstring(`"FlinksCode": "OPERATION_PENDING"`))
		Expect(pending).To(ContainSubstring(`"RequestId": "` + rid + `"`))

		failed := entry(seqOf("GetAccountsDetail", bad.Status))
		Expect(failed).To(ContainSubstring("the error envelope"))
		Expect(failed).To(ContainSubstring(`"FlinksCode": "` + bad.Body["FlinksCode"].(string) + `"`))
		Expect(failed).To(ContainSubstring(`"Message": "` + bad.Body["Message"].(string) + `"`))

		data := seqOf("GetAccountsDetailAsync", 200)
		body := entry(data)
		Expect(body).To(ContainSubstring("Re-rendered now from the login's scenario for this RequestId"))
		Expect(body).To(ContainSubstring(`"Accounts": [`))
		Expect(body).To(ContainSubstring("Cut: the first 64 KiB of"), "a body past 64 KiB is cut")
		Expect(body).NotTo(ContainSubstring(number), "the account number is cut")
		Expect(body).To(ContainSubstring(number[len(number)-4:] + `"`))
		Expect(view("entry", "customerId="+f.Customer+"&seq="+data+"&lang=fr")).To(ContainSubstring("Rendu de nouveau"))

		// A customer keeps one session here: the next forgets this one.
		f.authorized("greatday_nomfa")
		Expect(entry(data)).To(ContainSubstring("it can no longer be re-rendered: the session " + rid + " is gone"))
	})

	It("shows the payload of a webhook attempt, as its delivery keeps it, redacted", func() {
		rc := newHookReceiver()
		f = newFixture(mockserver.Config{AdminToken: adminToken, WebhookURLs: []string{rc.URL + "/flinks"}, MaxDeliveries: 1})
		rid := f.authorized("greatday_nomfa")
		Expect(f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid}).Status).To(Equal(200))
		Eventually(rc.count).Should(Equal(1))
		var sent struct {
			Accounts []struct{ AccountNumber string }
		}
		Expect(json.Unmarshal(rc.received()[0].Body, &sent)).To(Succeed())
		number := sent.Accounts[0].AccountNumber
		tl := view("timeline", "customerId="+f.Customer+"&requestId="+rid)
		seq := regexp.MustCompile(`data-seq="(\d+)" aria-label="webhook `).FindStringSubmatch(tl)
		Expect(seq).NotTo(BeNil(), tl)
		payload := html.UnescapeString(view("entry", "customerId="+f.Customer+"&seq="+seq[1]))
		Expect(payload).To(ContainSubstring("Payload of the delivery"))
		Expect(payload).To(ContainSubstring(`"ResponseType": "GetAccountsDetail"`))
		Expect(payload).NotTo(ContainSubstring(number))
		Expect(payload).To(ContainSubstring(number[len(number)-4:] + `"`))

		// The customer keeps one delivery here: the next one forgets this
		// one, and its payload with it; the attempt stays in the journal.
		other := f.authorized("greatday_nomfa")
		Expect(f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": other}).Status).To(Equal(200))
		Eventually(rc.count).Should(Equal(2))
		gone := view("entry", "customerId="+f.Customer+"&seq="+seq[1])
		Expect(gone).To(ContainSubstring("The delivery is no longer kept"))
		Expect(gone).NotTo(ContainSubstring(`class="json"`))
	})

	It("streams a signal for each burst of requests of the customer it follows", func() {
		req, err := http.NewRequest(http.MethodGet, f.URL+"/__admin/ui/events?customerId="+f.Customer, nil)
		Expect(err).NotTo(HaveOccurred())
		req.Header.Set("Authorization", "Bearer "+adminToken)
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(resp.Body.Close)
		Expect(resp.Header.Get("Content-Type")).To(Equal("text/event-stream"))
		lines := make(chan string, 64)
		go func() {
			defer GinkgoRecover()
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		Eventually(lines).Should(Receive(Equal("event: open")))
		f.token()
		Eventually(lines).Should(Receive(Equal("event: change")))
		f.Server.EndStreams()
		Eventually(lines).Should(BeClosed())
		status, body, _ := get("/__admin/ui/events", adminToken)
		Expect(status).To(Equal(http.StatusServiceUnavailable))
		Expect(body).To(ContainSubstring(`"FlinksCode":"RETRY_LATER"`))
	})
})

// docs/inspector.md shows every screenshot the browser specs keep in
// docs/inspector, and no other.
func TestInspectorDocShowsItsScreenshots(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(screenshotDir, "..", "inspector.md"))
	if err != nil {
		t.Fatal(err)
	}
	var shown []string
	for _, m := range regexp.MustCompile(`\(inspector/([a-z-]+\.png)\)`).FindAllStringSubmatch(string(doc), -1) {
		shown = append(shown, m[1])
	}
	files, err := filepath.Glob(filepath.Join(screenshotDir, "*.png"))
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, f := range files {
		kept = append(kept, filepath.Base(f))
	}
	slices.Sort(shown)
	if len(shown) == 0 || !slices.Equal(shown, kept) {
		t.Errorf("docs/inspector.md shows %v, docs/inspector holds %v", shown, kept)
	}
}
