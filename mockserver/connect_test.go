package mockserver_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/mockserver/mocktest"
)

// connectPage is one answer of the Connect page, read the way a test can
// with the standard library: the HTML as text, the events its script
// posts, and where its script redirects.
type connectPage struct {
	Status   int
	Header   http.Header
	HTML     string
	Events   []map[string]any
	Redirect map[string]any
}

var (
	eventsScript   = regexp.MustCompile(`var events = (.*);\n`)
	redirectScript = regexp.MustCompile(`var go = (.*);\n`)
	hiddenInput    = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// View is the screen the page shows.
func (p connectPage) View() string {
	m := regexp.MustCompile(`<body data-view="([a-z]+)">`).FindStringSubmatch(p.HTML)
	if m == nil {
		return ""
	}
	return m[1]
}

// Steps lists the steps of the events, in order.
func (p connectPage) Steps() []string {
	var out []string
	for _, e := range p.Events {
		out = append(out, e["step"].(string))
	}
	return out
}

// Event returns the first event with this step.
func (p connectPage) Event(step string) map[string]any {
	for _, e := range p.Events {
		if e["step"] == step {
			return e
		}
	}
	return nil
}

// Hidden returns the values of the hidden inputs of the page.
func (p connectPage) Hidden(name string) string {
	for _, m := range hiddenInput.FindAllStringSubmatch(p.HTML, -1) {
		if m[1] == name {
			return htmlUnescape(m[2])
		}
	}
	return ""
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&#39;", "'", "&#34;", `"`, "&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(s)
}

// connectClient walks the Connect page as a browser does: it opens the
// page URL, then posts every form back to that same URL.
type connectClient struct {
	srv *mocktest.Server
	url string
}

func newConnect(srv *mocktest.Server, query string) *connectClient {
	return &connectClient{srv: srv, url: srv.URL + "/v2/?" + query}
}

// open loads the page URL.
func (c *connectClient) open() connectPage {
	GinkgoHelper()
	resp, err := http.Get(c.url)
	Expect(err).NotTo(HaveOccurred())
	return readConnect(resp)
}

// post submits a form of the page: name, value pairs.
func (c *connectClient) post(pairs ...string) connectPage {
	GinkgoHelper()
	form := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		form.Add(pairs[i], pairs[i+1])
	}
	resp, err := http.PostForm(c.url, form)
	Expect(err).NotTo(HaveOccurred())
	return readConnect(resp)
}

// signIn chooses FlinksCapital and submits the credentials.
func (c *connectClient) signIn(username, password string) connectPage {
	GinkgoHelper()
	Expect(c.post("step", "institution", "institution", "FlinksCapital").View()).To(Equal("credentials"))
	return c.post("step", "credentials", "institution", "FlinksCapital", "username", username, "password", password)
}

// answer submits the MFA form of page with these answers, by challenge.
func (c *connectClient) answer(page connectPage, answers ...[]string) connectPage {
	GinkgoHelper()
	pairs := []string{"step", "mfa", "requestId", page.Hidden("requestId")}
	for i, values := range answers {
		n := strconv.Itoa(i)
		pairs = append(pairs, "prompt-"+n, page.Hidden("prompt-"+n))
		for _, v := range values {
			pairs = append(pairs, "answer-"+n, v)
		}
	}
	return c.post(pairs...)
}

func readConnect(resp *http.Response) connectPage {
	GinkgoHelper()
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	p := connectPage{Status: resp.StatusCode, Header: resp.Header, HTML: string(raw)}
	if m := eventsScript.FindStringSubmatch(p.HTML); m != nil {
		Expect(json.Unmarshal([]byte(m[1]), &p.Events)).To(Succeed(), m[1])
	}
	if m := redirectScript.FindStringSubmatch(p.HTML); m != nil {
		Expect(json.Unmarshal([]byte(m[1]), &p.Redirect)).To(Succeed(), m[1])
	}
	return p
}

// token issues an authorize token of the server's test customer.
func connectToken(srv *mocktest.Server) string {
	GinkgoHelper()
	req, err := http.NewRequest(http.MethodPost, srv.BaseURL()+"/BankingServices/GenerateAuthorizeToken", nil)
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("flinks-auth-key", mockserver.ToolboxSecretKey)
	resp, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	var body struct{ Token string }
	Expect(json.NewDecoder(resp.Body).Decode(&body)).To(Succeed())
	Expect(body.Token).NotTo(BeEmpty())
	return body.Token
}

// connectEntries returns the journal entries of the Connect page.
func connectEntries(srv *mocktest.Server) []journal.Entry {
	var out []journal.Entry
	for _, e := range srv.Journal() {
		if e.Endpoint == "Connect" {
			out = append(out, e)
		}
	}
	return out
}

var _ = Describe("the Flinks Connect simulator", func() {
	var srv *mocktest.Server
	BeforeEach(func() {
		srv = mocktest.NewServer(GinkgoT(), mocktest.WithScenarios(`
institutions:
  - name: MockBank
    id: 901
    displayName: Mock Bank of Canada
logins:
  - name: mockbank_user
    username: alex
    password: Secret1
    institution: MockBank
    loginId: 0b0f4e3e-52a4-4cc3-9a55-9f6f0c1d7e21
    tokenRequired: false
`))
	})

	// withToken is the query of a page opened with a fresh token.
	withToken := func(query string) string {
		return "authorizeToken=" + connectToken(srv) + "&" + query
	}

	Describe("the institution selector", func() {
		It("lists the institutions of the scenarios, with the events of a first view", func() {
			p := newConnect(srv, withToken("demo=true")).open()
			Expect(p.Status).To(Equal(http.StatusOK))
			Expect(p.Header.Get("Content-Type")).To(Equal("text/html; charset=utf-8"))
			Expect(p.View()).To(Equal("institutions"))
			Expect(p.HTML).To(ContainSubstring(`<button type="submit" name="institution" value="FlinksCapital">Flinks Capital</button>`))
			Expect(p.HTML).To(ContainSubstring(`<button type="submit" name="institution" value="MockBank">Mock Bank of Canada</button>`))
			Expect(p.HTML).To(ContainSubstring("flinks-mock — test double of Flinks Connect"))
			Expect(p.Steps()).To(Equal([]string{"APP_MOUNTED", "COMPONENT_LOAD_INSTITUTION_SELECTOR"}))
		})

		It("lists Flinks Capital only with demo=true, as Flinks Connect does", func() {
			p := newConnect(srv, withToken("")).open()
			Expect(p.HTML).NotTo(ContainSubstring(`value="FlinksCapital"`))
			Expect(p.HTML).To(ContainSubstring(`value="MockBank"`))
			Expect(p.HTML).To(ContainSubstring("Flinks Capital, the test bank, is listed only with demo=true."))
		})

		It("has a search field with institutionFilterEnable=true that narrows the list", func() {
			c := newConnect(srv, withToken("demo=true&institutionFilterEnable=true"))
			p := c.open()
			Expect(p.HTML).To(ContainSubstring(`<label for="query">Search for your bank</label>`))
			p = c.post("step", "search", "query", "capital")
			Expect(p.HTML).To(ContainSubstring(`value="FlinksCapital"`))
			Expect(p.HTML).NotTo(ContainSubstring(`value="MockBank"`))
			Expect(p.HTML).To(ContainSubstring(`value="capital"`))
			Expect(p.Events).To(BeEmpty())
			p = c.post("step", "search", "query", "nothing like it")
			Expect(p.HTML).To(ContainSubstring("No bank matches."))
		})

		It("has no search field by default", func() {
			Expect(newConnect(srv, withToken("demo=true")).open().HTML).NotTo(ContainSubstring(`name="query"`))
		})

		It("refuses an institution it does not list", func() {
			c := newConnect(srv, withToken(""))
			c.open()
			p := c.post("step", "institution", "institution", "FlinksCapital")
			Expect(p.View()).To(Equal("institutions"))
			Expect(p.HTML).To(ContainSubstring("Choose a bank from the list."))
		})

		It("sends /v2 to /v2/ with the query", func() {
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := client.Get(srv.URL + "/v2?demo=true&language=fr")
			Expect(err).NotTo(HaveOccurred())
			resp.Body.Close()
			Expect(resp.StatusCode).To(Equal(http.StatusMovedPermanently))
			Expect(resp.Header.Get("Location")).To(Equal("/v2/?demo=true&language=fr"))
		})
	})

	Describe("the credentials form", func() {
		It("follows the choice of an institution, with labelled fields", func() {
			c := newConnect(srv, withToken("demo=true"))
			c.open()
			p := c.post("step", "institution", "institution", "FlinksCapital")
			Expect(p.View()).To(Equal("credentials"))
			Expect(p.HTML).To(ContainSubstring(`<h1>Sign in to Flinks Capital</h1>`))
			Expect(p.HTML).To(ContainSubstring(`<label for="username">Username</label>`))
			Expect(p.HTML).To(ContainSubstring(`<input type="text" id="username" name="username"`))
			Expect(p.HTML).To(ContainSubstring(`<label for="password">Password</label>`))
			Expect(p.HTML).To(ContainSubstring(`<input type="password" id="password" name="password"`))
			Expect(p.HTML).To(ContainSubstring("Sandbox: username Greatday, password Everyday."))
			Expect(p.HTML).To(ContainSubstring(`<input type="hidden" name="step" value="back">`))
			Expect(p.Events).To(Equal([]map[string]any{
				{"step": "INSTITUTION_SELECTED", "institution": "FlinksCapital"},
				{"step": "COMPONENT_LOAD_CREDENTIAL", "institution": "FlinksCapital"},
			}))
		})

		It("shows no sandbox hint without demo=true, and no back button with backEnable=false", func() {
			c := newConnect(srv, withToken("backEnable=false"))
			c.open()
			p := c.post("step", "institution", "institution", "MockBank")
			Expect(p.HTML).To(ContainSubstring(`<h1>Sign in to Mock Bank of Canada</h1>`))
			Expect(p.HTML).NotTo(ContainSubstring("Sandbox:"))
			Expect(p.HTML).NotTo(ContainSubstring(`value="back"`))
		})

		It("goes back to the list with the back button", func() {
			c := newConnect(srv, withToken("demo=true"))
			c.open()
			c.post("step", "institution", "institution", "FlinksCapital")
			p := c.post("step", "back")
			Expect(p.View()).To(Equal("institutions"))
			Expect(p.Steps()).To(Equal([]string{"COMPONENT_LOAD_INSTITUTION_SELECTOR"}))
		})

		It("connects a login without MFA and hands out its LoginId", func() {
			c := newConnect(srv, withToken("demo=true&redirectUrl=https://app.example/thank-you&tag=order-7"))
			c.open()
			p := c.signIn("greatday_nomfa", "Everyday")
			Expect(p.View()).To(Equal("success"))
			loginID := srv.Login("greatday_nomfa").LoginID
			want := "https://app.example/thank-you?loginId=" + loginID + "&tag=order-7&institution=FlinksCapital"
			Expect(p.Steps()).To(Equal([]string{"SUBMIT_CREDENTIAL", "REDIRECT"}))
			redirect := p.Event("REDIRECT")
			Expect(redirect).To(HaveKeyWithValue("url", want))
			Expect(redirect).To(HaveKeyWithValue("loginId", loginID))
			Expect(redirect).To(HaveKeyWithValue("institution", "FlinksCapital"))
			Expect(redirect).To(HaveKeyWithValue("requestId", Not(BeEmpty())))
			Expect(p.Redirect).To(Equal(map[string]any{"url": want, "mode": "top"}))
			Expect(p.HTML).To(ContainSubstring(`<a href="https://app.example/thank-you?loginId=` + loginID + `&amp;tag=order-7&amp;institution=FlinksCapital" target="_top">Continue</a>`))
			Expect(p.HTML).To(ContainSubstring(`<code id="login-id">` + loginID + `</code>`))
		})

		It("keeps the query of redirectUrl and redirects the frame itself with innerRedirect=true", func() {
			c := newConnect(srv, withToken("demo=true&innerRedirect=true&redirectUrl="+url.QueryEscape("https://app.example/done?step=2")))
			c.open()
			p := c.signIn("greatday_nomfa", "Everyday")
			loginID := srv.Login("greatday_nomfa").LoginID
			Expect(p.Redirect).To(Equal(map[string]any{"url": "https://app.example/done?step=2&loginId=" + loginID + "&institution=FlinksCapital", "mode": "inner"}))
			Expect(p.HTML).To(ContainSubstring(`target="_self"`))
		})

		It("leaves the redirect to the parent with jsRedirect=true", func() {
			c := newConnect(srv, withToken("demo=true&jsRedirect=true&redirectUrl=https://app.example/"))
			c.open()
			p := c.signIn("greatday_nomfa", "Everyday")
			Expect(p.Event("REDIRECT")).To(HaveKeyWithValue("url", HavePrefix("https://app.example/?loginId=")))
			Expect(p.Redirect).To(BeEmpty())
			Expect(p.HTML).To(ContainSubstring("You can close this window."))
		})

		It("stays on the success page and only posts the event without redirectUrl", func() {
			c := newConnect(srv, withToken("demo=true"))
			c.open()
			p := c.signIn("greatday_nomfa", "Everyday")
			Expect(p.View()).To(Equal("success"))
			Expect(p.Event("REDIRECT")).NotTo(HaveKey("url"))
			Expect(p.Event("REDIRECT")).To(HaveKeyWithValue("loginId", srv.Login("greatday_nomfa").LoginID))
			Expect(p.Redirect).To(BeEmpty())
		})

		It("does not follow a redirectUrl that would run code, and says why", func() {
			c := newConnect(srv, withToken("demo=true&redirectUrl="+url.QueryEscape("javascript:alert(1)")))
			p := c.open()
			Expect(p.HTML).To(ContainSubstring("uses the javascript scheme, which the page does not follow"))
			p = c.signIn("greatday_nomfa", "Everyday")
			Expect(p.Redirect).To(BeEmpty())
			Expect(p.Event("REDIRECT")).NotTo(HaveKey("url"))
		})

		It("lets the end user retry a wrong password, with the configured code", func() {
			c := newConnect(srv, withToken("demo=true"))
			c.open()
			p := c.signIn("Greatday", "Everynight")
			Expect(p.View()).To(Equal("credentials"))
			Expect(p.HTML).To(ContainSubstring(`<p class="error" role="alert" id="error">The username or password is incorrect. Try again. <span class="code">(Flinks code: INVALID_LOGIN)</span></p>`))
			Expect(p.HTML).To(ContainSubstring(`name="username" value="Greatday"`))
			Expect(p.Steps()).To(Equal([]string{"SUBMIT_CREDENTIAL", "INVALID_LOGIN", "COMPONENT_LOAD_CREDENTIAL_RETRY"}))
			Expect(p.Event("INVALID_LOGIN")).To(Equal(map[string]any{"step": "INVALID_LOGIN", "flinksCode": "INVALID_LOGIN", "institution": "FlinksCapital"}))

			p = c.post("step", "credentials", "institution", "FlinksCapital", "username", "Greatday", "password", "Everyday")
			Expect(p.View()).To(Equal("mfa"))
		})

		It("words a wrong password with the scenario's wrongPasswordCode", func() {
			srv = mocktest.NewServer(GinkgoT(), mocktest.WithScenarios("settings:\n  wrongPasswordCode: INVALID_PASSWORD\n"))
			c := newConnect(srv, withToken("demo=true"))
			c.open()
			p := c.signIn("Greatday", "nope")
			Expect(p.HTML).To(ContainSubstring("The password is incorrect. Try again."))
			Expect(p.Event("INVALID_PASSWORD")).NotTo(BeNil())
		})

		It("asks again when a field is empty, without an authorize call", func() {
			c := newConnect(srv, withToken("demo=true"))
			c.open()
			p := c.signIn("Greatday", "")
			Expect(p.View()).To(Equal("credentials"))
			Expect(p.HTML).To(ContainSubstring("Enter your username and your password."))
			Expect(connectEntries(srv)[2].LoginID).To(BeEmpty())
		})

		It("stops on DISABLED_LOGIN: nothing to retry", func() {
			c := newConnect(srv, withToken("demo=true"))
			c.open()
			p := c.signIn("test_disabled_account", "Everyday")
			Expect(p.View()).To(Equal("end"))
			Expect(p.HTML).To(ContainSubstring("Your bank has disabled access to this account. Contact your bank to restore it."))
			Expect(p.HTML).NotTo(ContainSubstring("<form"))
			Expect(p.Steps()).To(Equal([]string{"SUBMIT_CREDENTIAL", "DISABLED_LOGIN"}))
		})

		It("lets the end user retry RETRY_LATER, and walks the login's authorize steps", func() {
			c := newConnect(srv, withToken("demo=true"))
			c.open()
			p := c.signIn("test_service_unavailable", "Everyday")
			Expect(p.View()).To(Equal("credentials"))
			Expect(p.HTML).To(ContainSubstring("We could not reach your bank. Try again in a few minutes."))

			for range 2 {
				p = c.post("step", "credentials", "institution", "FlinksCapital", "username", "mock_retry_then_ok", "password", "Everyday")
				Expect(p.Event("RETRY_LATER")).NotTo(BeNil())
			}
			p = c.post("step", "credentials", "institution", "FlinksCapital", "username", "mock_retry_then_ok", "password", "Everyday")
			Expect(p.View()).To(Equal("success"))
		})

		It("shares the authorize steps of a login with /Authorize", func() {
			_, body := authorizeLegacy(srv, "mock_retry_then_ok")
			Expect(body).To(HaveKeyWithValue("FlinksCode", "RETRY_LATER"))
			c := newConnect(srv, withToken("demo=true"))
			c.open()
			Expect(c.signIn("mock_retry_then_ok", "Everyday").Event("RETRY_LATER")).NotTo(BeNil())
			Expect(c.post("step", "credentials", "institution", "FlinksCapital", "username", "mock_retry_then_ok", "password", "Everyday").View()).To(Equal("success"))
		})
	})

	Describe("the MFA screens", func() {
		It("asks a question round with a labelled text field, and lets a wrong answer be retried", func() {
			c := newConnect(srv, withToken("demo=true&redirectUrl=https://app.example/"))
			c.open()
			p := c.post("step", "credentials", "institution", "FlinksCapital", "username", "Greatday", "password", "Everyday")
			Expect(p.View()).To(Equal("mfa"))
			Expect(p.HTML).To(ContainSubstring(`<label for="answer-0">What city were you born in?</label>`))
			Expect(p.HTML).To(ContainSubstring(`<input type="text" id="answer-0" name="answer-0" autocomplete="off" required>`))
			Expect(p.Steps()).To(Equal([]string{"SUBMIT_CREDENTIAL", "COMPONENT_LOAD_MFA"}))
			Expect(p.Event("COMPONENT_LOAD_MFA")).To(HaveKeyWithValue("mfaTypes", []any{"QuestionAndAnswer"}))
			requestID := p.Hidden("requestId")
			Expect(requestID).NotTo(BeEmpty())

			p = c.answer(p, []string{"Toronto"})
			Expect(p.View()).To(Equal("mfa"))
			Expect(p.HTML).To(ContainSubstring("The answer is incorrect. Try again."))
			Expect(p.Steps()).To(Equal([]string{"SUBMIT_MFA", "INVALID_SECURITY_RESPONSE", "COMPONENT_LOAD_MFA_RETRY"}))
			Expect(p.Event("INVALID_SECURITY_RESPONSE")).To(HaveKeyWithValue("requestId", requestID))
			Expect(p.Hidden("requestId")).To(Equal(requestID))

			p = c.answer(p, []string{" montreal "})
			Expect(p.View()).To(Equal("success"))
			Expect(p.Event("REDIRECT")).To(HaveKeyWithValue("requestId", requestID))
		})

		It("shows the sandbox answers with demo=true", func() {
			c := newConnect(srv, withToken("demo=true"))
			c.open()
			p := c.signIn("Greatday", "Everyday")
			Expect(p.HTML).To(ContainSubstring(`<p class="hint">Sandbox answers: Montreal</p>`))
		})

		It("asks MultipleChoice as radio buttons from the Iterables", func() {
			c := newConnect(srv, withToken("demo=true"))
			c.open()
			p := c.signIn("mock_multiple_choice", "Everyday")
			Expect(p.HTML).To(ContainSubstring(`<legend>Which of these streets have you lived on?</legend>`))
			Expect(p.HTML).To(ContainSubstring(`<input type="radio" id="answer-0-1" name="answer-0" value="Yonge Street" required>`))
			Expect(p.HTML).To(ContainSubstring(`<label for="answer-0-1">Yonge Street</label>`))
			Expect(strings.Count(p.HTML, `type="radio"`)).To(Equal(4))
			Expect(c.answer(p, []string{"Yonge Street"}).View()).To(Equal("success"))
		})

		It("asks ImageSelection as radio buttons too", func() {
			c := newConnect(srv, withToken("demo=true"))
			c.open()
			p := c.signIn("mock_image_selection", "Everyday")
			Expect(p.HTML).To(ContainSubstring(`<input type="radio" id="answer-0-1" name="answer-0" value="Canoe" required>`))
			Expect(c.answer(p, []string{"Canoe"}).View()).To(Equal("success"))
		})

		It("asks MultipleChoiceMultipleAnswers as checkboxes that need every right answer", func() {
			c := newConnect(srv, withToken("demo=true"))
			c.open()
			p := c.signIn("mock_multiple_answers", "Everyday")
			Expect(p.HTML).To(ContainSubstring(`<input type="checkbox" id="answer-0-0" name="answer-0" value="Desjardins">`))
			Expect(strings.Count(p.HTML, `type="checkbox"`)).To(Equal(5))
			p = c.answer(p, []string{"Desjardins"})
			Expect(p.Event("INVALID_SECURITY_RESPONSE")).NotTo(BeNil())
			Expect(c.answer(p, []string{"TD Canada Trust", "Desjardins"}).View()).To(Equal("success"))
		})

		It("walks two rounds: a choice, then a TextOrCall code", func() {
			c := newConnect(srv, withToken("demo=true"))
			c.open()
			p := c.signIn("mock_two_rounds", "Everyday")
			Expect(p.HTML).To(ContainSubstring(`type="radio"`))
			p = c.answer(p, []string{"Phone call to ***-***-0147"})
			Expect(p.View()).To(Equal("mfa"))
			Expect(p.Steps()).To(Equal([]string{"SUBMIT_MFA", "COMPONENT_LOAD_MFA"}))
			Expect(p.Event("COMPONENT_LOAD_MFA")).To(HaveKeyWithValue("mfaTypes", []any{"TextOrCall"}))
			Expect(p.HTML).To(ContainSubstring(`<label for="answer-0">Enter the security code we sent you.</label>`))
			Expect(c.answer(p, []string{"123456"}).View()).To(Equal("success"))
		})

		It("says SECURITYRESPONSES_INCOMPLETE when a question is left empty, and asks again", func() {
			c := newConnect(srv, withToken("demo=true"))
			c.open()
			p := c.signIn("mock_triple_mfa", "Everyday")
			Expect(strings.Count(p.HTML, `type="text" id="answer-`)).To(Equal(3))
			p = c.answer(p, []string{"Montreal"}, []string{"Canada"}, []string{" "})
			Expect(p.View()).To(Equal("mfa"))
			Expect(p.HTML).To(ContainSubstring("Answer every security question."))
			Expect(p.Event("SECURITYRESPONSES_INCOMPLETE")).NotTo(BeNil())
			Expect(c.answer(p, []string{"Montreal"}, []string{"Canada"}, []string{"Triangle"}).View()).To(Equal("success"))
		})

		It("ends when the session went idle past the authorize timeout", func() {
			c := newConnect(srv, withToken("demo=true"))
			c.open()
			p := c.signIn("Greatday", "Everyday")
			srv.Advance(8 * time.Minute)
			p = c.answer(p, []string{"Montreal"})
			Expect(p.View()).To(Equal("end"))
			Expect(p.HTML).To(ContainSubstring("Your session has expired."))
			Expect(p.Event("SESSION_EXPIRED")).NotTo(BeNil())
		})

		It("answers a 203 of the back end when relaunched with its requestId", func() {
			status, body := authorizeLegacy(srv, "mock_multiple_choice")
			Expect(status).To(Equal(203))
			requestID := body["RequestId"].(string)

			c := newConnect(srv, withToken("requestId="+requestID))
			p := c.open()
			Expect(p.View()).To(Equal("mfa"))
			Expect(p.Steps()).To(Equal([]string{"APP_MOUNTED", "COMPONENT_LOAD_MFA"}))
			Expect(p.Hidden("requestId")).To(Equal(requestID))
			Expect(c.answer(p, []string{"Yonge Street"}).View()).To(Equal("success"))

			// The session the back end opened is now authorized.
			status, _ = postJSON(srv.BaseURL()+"/BankingServices/GetAccountsSummary", nil, map[string]any{"RequestId": requestID})
			Expect(status).To(Equal(http.StatusOK))
		})

		It("needs an authorize token to relaunch, as the sign-in does", func() {
			_, body := authorizeLegacy(srv, "mock_multiple_choice")
			p := newConnect(srv, "customerId="+srv.CustomerID+"&requestId="+body["RequestId"].(string)).open()
			Expect(p.View()).To(Equal("end"))
			Expect(p.Steps()).To(Equal([]string{"APP_MOUNTED", "ACCESS_DENIED"}))
		})

		It("ends a relaunch with a RequestId it does not know", func() {
			p := newConnect(srv, withToken("requestId=5b0c9a5e-4a10-4bd4-9d0a-30c1e4c6d6a1")).open()
			Expect(p.View()).To(Equal("end"))
			Expect(p.Event("SESSION_NONEXISTENT")).NotTo(BeNil())
		})
	})

	Describe("the authorize token", func() {
		It("is consumed once: a page opened again with it stops", func() {
			c := newConnect(srv, withToken("demo=true"))
			Expect(c.open().View()).To(Equal("institutions"))
			p := c.open()
			Expect(p.View()).To(Equal("end"))
			Expect(p.HTML).To(ContainSubstring("This connection link is no longer valid."))
			Expect(p.HTML).NotTo(ContainSubstring("<form"))
			Expect(p.Steps()).To(Equal([]string{"APP_MOUNTED", "ACCESS_DENIED"}))
			entries := connectEntries(srv)
			Expect(entries[0].Token).To(Equal(journal.TokenFresh))
			Expect(entries[1].Token).To(Equal(journal.TokenReused))
			Expect(entries[1].FlinksCode).To(Equal("ACCESS_DENIED"))
			Expect(entries[1].TokenRef).To(Equal(entries[0].TokenRef))
		})

		It("cannot be used again by /Authorize once the page consumed it", func() {
			tok := connectToken(srv)
			newConnect(srv, "authorizeToken="+tok).open()
			status, body := postJSON(srv.BaseURL()+"/BankingServices/Authorize", map[string]string{"flinks-auth-key": tok},
				map[string]any{"LoginId": srv.Login("greatday_nomfa").LoginID, "MostRecentCached": true})
			Expect(status).To(Equal(http.StatusUnauthorized))
			Expect(body).To(HaveKeyWithValue("FlinksCode", "ACCESS_DENIED"))
		})

		It("stops an unknown token at once", func() {
			p := newConnect(srv, "customerId="+srv.CustomerID+"&authorizeToken=not-a-token").open()
			Expect(p.View()).To(Equal("end"))
			Expect(connectEntries(srv)[0].Token).To(Equal(journal.TokenUnknown))
		})

		It("is needed to sign in to a login that requires one", func() {
			c := newConnect(srv, "customerId="+srv.CustomerID+"&demo=true")
			Expect(c.open().View()).To(Equal("institutions"))
			p := c.signIn("greatday_nomfa", "Everyday")
			Expect(p.View()).To(Equal("end"))
			Expect(p.Event("ACCESS_DENIED")).NotTo(BeNil())
		})

		It("is not needed by a login with tokenRequired false", func() {
			c := newConnect(srv, "customerId="+srv.CustomerID)
			c.open()
			c.post("step", "institution", "institution", "MockBank")
			p := c.post("step", "credentials", "institution", "MockBank", "username", "alex", "password", "Secret1")
			Expect(p.View()).To(Equal("success"))
			Expect(p.Event("REDIRECT")).To(HaveKeyWithValue("institution", "MockBank"))
		})

		It("names the tenant: the page works for the customer that issued it", func() {
			c := newConnect(srv, withToken("demo=true"))
			c.open()
			c.signIn("greatday_nomfa", "Everyday")
			Expect(connectEntries(srv)).To(HaveLen(3))
			Expect(srv.Mock.Journal(mockserver.ToolboxCustomerID)).To(BeEmpty())
		})

		It("is not needed to open the page, which then works for the toolbox customer", func() {
			p := newConnect(srv, "demo=true").open()
			Expect(p.View()).To(Equal("institutions"))
			entries := srv.Mock.Journal(mockserver.ToolboxCustomerID)
			Expect(entries).To(HaveLen(1))
			Expect(entries[0].Tenant).To(Equal(mockserver.ToolboxCustomerID))
		})
	})

	Describe("the page options", func() {
		It("speaks French with language=fr", func() {
			c := newConnect(srv, withToken("demo=true&language=fr"))
			p := c.open()
			Expect(p.HTML).To(ContainSubstring(`<html lang="fr">`))
			Expect(p.HTML).To(ContainSubstring("<h1>Choisissez votre banque</h1>"))
			Expect(p.HTML).To(ContainSubstring("flinks-mock — doublure de test de Flinks Connect"))
			p = c.post("step", "institution", "institution", "FlinksCapital")
			Expect(p.HTML).To(ContainSubstring(`<label for="username">Nom d’utilisateur</label>`))
			Expect(p.HTML).To(ContainSubstring(`<label for="password">Mot de passe</label>`))
			Expect(p.HTML).To(ContainSubstring(`<button type="submit">Se connecter</button>`))
			p = c.post("step", "credentials", "institution", "FlinksCapital", "username", "Greatday", "password", "x")
			Expect(p.HTML).To(ContainSubstring("Le nom d’utilisateur ou le mot de passe est incorrect. Réessayez."))
			Expect(p.HTML).To(ContainSubstring("(Code Flinks: INVALID_LOGIN)"))
		})

		It("speaks English by default and for a language it does not have", func() {
			Expect(newConnect(srv, withToken("language=de")).open().HTML).To(ContainSubstring(`<html lang="en">`))
		})

		It("asks consent first with consentEnable=true, naming customerName", func() {
			c := newConnect(srv, withToken("demo=true&consentEnable=true&customerName=FinTech"))
			p := c.open()
			Expect(p.View()).To(Equal("consent"))
			Expect(p.HTML).To(ContainSubstring("FinTech asks to read your bank accounts"))
			Expect(p.Steps()).To(Equal([]string{"APP_MOUNTED", "COMPONENT_LOAD_CONSENT"}))
			p = c.post("step", "consent", "consent", "accept")
			Expect(p.View()).To(Equal("institutions"))
			Expect(p.Steps()).To(Equal([]string{"COMPONENT_ACCEPT_CONSENT", "COMPONENT_LOAD_INSTITUTION_SELECTOR"}))
			p = c.post("step", "consent", "consent", "deny")
			Expect(p.View()).To(Equal("end"))
			Expect(p.Steps()).To(Equal([]string{"COMPONENT_DENY_CONSENT"}))
		})

		It("has a close button with closeEnable=true", func() {
			c := newConnect(srv, withToken("demo=true&closeEnable=true"))
			Expect(c.open().HTML).To(ContainSubstring(`<input type="hidden" name="step" value="close">`))
			p := c.post("step", "close")
			Expect(p.View()).To(Equal("end"))
			Expect(p.Steps()).To(Equal([]string{"COMPONENT_CLOSE_SESSION"}))
			Expect(p.HTML).NotTo(ContainSubstring(`value="close"`))
		})

		It("drops the header with headerEnable=false", func() {
			Expect(newConnect(srv, withToken("")).open().HTML).To(ContainSubstring(`<header class="header">`))
			Expect(newConnect(srv, withToken("headerEnable=false")).open().HTML).NotTo(ContainSubstring(`<header`))
		})

		It("renames events with mockEventNames", func() {
			c := newConnect(srv, withToken("demo=true&mockEventNames=REDIRECT:SUCCESS,APP_MOUNTED:READY"))
			Expect(c.open().Steps()).To(Equal([]string{"READY", "COMPONENT_LOAD_INSTITUTION_SELECTOR"}))
			p := c.signIn("greatday_nomfa", "Everyday")
			Expect(p.Steps()).To(Equal([]string{"SUBMIT_CREDENTIAL", "SUCCESS"}))
		})

		It("posts the events as strings with stringify=true", func() {
			Expect(newConnect(srv, withToken("stringify=true")).open().HTML).To(MatchRegexp(`var stringify = \s*true\s*;`))
			Expect(newConnect(srv, withToken("")).open().HTML).To(MatchRegexp(`var stringify = \s*false\s*;`))
		})

		It("ends the page for a customerId the mock refuses", func() {
			p := newConnect(srv, "customerId="+strings.Repeat("c", 500)).open()
			Expect(p.Status).To(Equal(http.StatusOK))
			Expect(p.View()).To(Equal("end"))
			Expect(p.HTML).To(ContainSubstring("Flinks customerIds are GUIDs"))
		})

		It("answers a form it does not know with a page, not a crash", func() {
			c := newConnect(srv, withToken(""))
			p := c.post("step", "dance")
			Expect(p.Status).To(Equal(http.StatusOK))
			Expect(p.View()).To(Equal("end"))
			Expect(p.HTML).To(ContainSubstring(`step &#34;dance&#34; is not a step of the Connect page`))
			Expect(connectEntries(srv)[0].FlinksCode).To(Equal("INVALID_REQUEST"))
		})
	})

	Describe("the journal", func() {
		It("records every view and post as Connect, with the tenant, ids and unknown parameters", func() {
			c := newConnect(srv, withToken("demo=true&colour=blue&Foo=1"))
			c.open()
			p := c.signIn("Greatday", "Everyday")
			requestID := p.Hidden("requestId")
			c.answer(p, []string{"Montreal"})

			entries := connectEntries(srv)
			Expect(entries).To(HaveLen(4))
			loginID := srv.Login("greatday").LoginID
			for _, e := range entries {
				Expect(e.Tenant).To(Equal(srv.CustomerID))
				Expect(e.Path).To(Equal("/v2/"))
				Expect(e.Status).To(Equal(http.StatusOK))
				Expect(e.Body).To(HaveSuffix("unknown query parameters: Foo, colour"))
				Expect(e.Body).NotTo(ContainSubstring("Everyday"))
				Expect(e.Body).NotTo(ContainSubstring("Montreal"))
			}
			Expect(entries[0].Method).To(Equal(http.MethodGet))
			Expect(entries[1].Body).To(HavePrefix("step=institution Institution=FlinksCapital"))
			Expect(entries[2].Body).To(HavePrefix("step=credentials Institution=FlinksCapital Username=Greatday Password=***"))
			Expect(entries[2].LoginID).To(Equal(loginID))
			Expect(entries[2].RequestID).To(Equal(requestID))
			Expect(entries[2].Challenges).To(Equal([]string{"What city were you born in?"}))
			Expect(entries[3].Method).To(Equal(http.MethodPost))
			Expect(entries[3].LoginID).To(Equal(loginID))
			Expect(entries[3].RequestID).To(Equal(requestID))
			Expect(entries[3].Answered).To(Equal([]string{"What city were you born in?"}))
			Expect(entries[3].Body).To(ContainSubstring("1 answered (redacted)"))
		})

		It("notes the FlinksCode of a handled error", func() {
			c := newConnect(srv, withToken("demo=true"))
			c.open()
			c.signIn("test_disabled_account", "Everyday")
			entries := connectEntries(srv)
			Expect(entries[len(entries)-1].FlinksCode).To(Equal("DISABLED_LOGIN"))
			Expect(entries[len(entries)-1].LoginID).To(Equal(srv.Login("test_disabled_account").LoginID))
		})
	})
})

// authorizeLegacy calls /Authorize with a login's username and password.
func authorizeLegacy(srv *mocktest.Server, name string) (int, map[string]any) {
	GinkgoHelper()
	l := srv.Login(name)
	return postJSON(srv.BaseURL()+"/BankingServices/Authorize", map[string]string{"flinks-auth-key": connectToken(srv)},
		map[string]any{"Username": l.Username, "Password": l.Password, "Institution": l.Institution, "MostRecentCached": false})
}

// postJSON sends a JSON body and decodes the JSON answer.
func postJSON(url string, header map[string]string, body any) (int, map[string]any) {
	GinkgoHelper()
	raw, err := json.Marshal(body)
	Expect(err).NotTo(HaveOccurred())
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(string(raw)))
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	var out map[string]any
	Expect(json.NewDecoder(resp.Body).Decode(&out)).To(Succeed())
	return resp.StatusCode, out
}
