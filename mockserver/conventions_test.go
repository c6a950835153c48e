package mockserver_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/mocktest"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// conventionPrompt is the prompt of every challenge of a convention login.
var conventionPrompt = regexp.MustCompile(`^Question (\d) of round (\d)\?$`)

// conventionAnswers answers a 203 of a convention login by the documented
// rule alone: "Question n of round r?" is answered answer-r-n, and a
// MultipleChoiceMultipleAnswers challenge also also-r-n.
func conventionAnswers(a answer) map[string]any {
	GinkgoHelper()
	out := map[string]any{}
	for _, c := range a.Body["SecurityChallenges"].([]any) {
		ch := c.(map[string]any)
		prompt := ch["Prompt"].(string)
		m := conventionPrompt.FindStringSubmatch(prompt)
		Expect(m).NotTo(BeNil(), "prompt %q is not of the documented form", prompt)
		answers := []string{fmt.Sprintf("answer-%s-%s", m[2], m[1])}
		if ch["Type"] == scenarios.ChallengeMultipleChoiceMultipleAnswers {
			answers = append(answers, fmt.Sprintf("also-%s-%s", m[2], m[1]))
		}
		out[prompt] = answers
	}
	return out
}

// legacy is the body of a legacy /Authorize at FlinksCapital.
func legacy(username string) map[string]any {
	return map[string]any{"Username": username, "Password": "Everyday", "Institution": "FlinksCapital", "MostRecentCached": false}
}

// conventionWalk authorizes a convention username, answers its MFA rounds
// by the documented rule, and polls GetAccountsDetail until it stops
// answering 202. It returns the answers of the walk and the 202 codes seen.
func (f *fixture) conventionWalk(username string) (auth, data answer, rounds int, pending []string) {
	GinkgoHelper()
	auth = f.authorize(legacy(username))
	for ; auth.Status == http.StatusNonAuthoritativeInfo; rounds++ {
		Expect(rounds).To(BeNumerically("<", scenarios.MaxConventionRounds))
		auth = f.authorize(map[string]any{"RequestId": auth.Body["RequestId"], "SecurityResponses": conventionAnswers(auth)})
	}
	if auth.Status != http.StatusOK {
		return auth, answer{}, rounds, nil
	}
	rid := auth.Body["RequestId"].(string)
	data = f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid, "WithAccountIdentity": true, "DaysOfTransactions": "Days365"})
	for data.Status == http.StatusAccepted {
		Expect(len(pending)).To(BeNumerically("<", 2*scenarios.MaxConventionCalls))
		pending = append(pending, data.Body["FlinksCode"].(string))
		f.Clock.Advance(10 * time.Second)
		data = f.call("GET", "GetAccountsDetailAsync/"+rid, nil, nil)
	}
	return auth, data, rounds, pending
}

// conventionLoginID is the LoginId documented for a convention username.
func conventionLoginID(username string) string {
	GinkgoHelper()
	l, err := scenarios.ParseConvention(username)
	Expect(err).NotTo(HaveOccurred())
	return l.LoginID
}

var _ = Describe("Convention usernames", func() {
	var f *fixture
	BeforeEach(func() { f = newFixture(mockserver.Config{}) })

	Context("error_<FLINKSCODE>", func() {
		DescribeTable("fails /Authorize with the code of the username",
			func(username string, status int, code string) {
				Expect(f.authorize(legacy(username))).To(haveFlinksError(status, code))
				// Every time, and for a cached call with the derived LoginId too.
				Expect(f.authorize(map[string]any{"LoginId": conventionLoginID(username), "MostRecentCached": true})).To(haveFlinksError(status, code))
			},
			Entry(nil, "error_RETRY_LATER", 401, "RETRY_LATER"),
			Entry(nil, "error_disabled_login", 401, "DISABLED_LOGIN"),
			Entry(nil, "error_DISABLED_INSTITUTION", 405, "DISABLED_INSTITUTION"),
			Entry(nil, "error_NEW_ACCOUNT", 401, "NEW_ACCOUNT"),
		)

		DescribeTable("fails GetAccountsDetail after a successful /Authorize with the data codes",
			func(username string, status int, code string) {
				auth, data, _, _ := f.conventionWalk(username)
				Expect(auth.Status).To(Equal(200))
				Expect(data).To(haveFlinksError(status, code))
				Expect(data.Body["RequestId"]).To(Equal(auth.Body["RequestId"]))
			},
			Entry(nil, "error_AGGREGATION_ERROR", 500, "AGGREGATION_ERROR"),
			Entry(nil, "error_NO_TRANSACTION", 401, "NO_TRANSACTION"),
		)
	})

	Context("mfa_<type>_<rounds>_<challenges>", func() {
		It("asks the rounds and challenges of the username, with the documented prompts", func() {
			a := f.authorize(legacy("mfa_question_2_3"))
			Expect(a.Status).To(Equal(203))
			Expect(a.Body["SecurityChallenges"]).To(Equal([]any{
				map[string]any{"Type": "QuestionAndAnswer", "Prompt": "Question 1 of round 1?"},
				map[string]any{"Type": "QuestionAndAnswer", "Prompt": "Question 2 of round 1?"},
				map[string]any{"Type": "QuestionAndAnswer", "Prompt": "Question 3 of round 1?"},
			}))
			rid := a.Body["RequestId"]
			wrong := f.authorize(map[string]any{"RequestId": rid, "SecurityResponses": map[string]any{
				"Question 1 of round 1?": []string{"answer-1-1"}, "Question 2 of round 1?": []string{"answer-1-3"}, "Question 3 of round 1?": []string{"answer-1-3"},
			}})
			Expect(wrong).To(haveFlinksError(401, "INVALID_SECURITY_RESPONSE"))

			a = f.authorize(map[string]any{"RequestId": rid, "SecurityResponses": map[string]any{
				"Question 1 of round 1?": []string{"answer-1-1"}, "Question 2 of round 1?": []string{"answer-1-2"}, "Question 3 of round 1?": []string{"answer-1-3"},
			}})
			Expect(a.Status).To(Equal(203))
			Expect(a.Body["RequestId"]).To(Equal(rid))
			Expect(a.Body["SecurityChallenges"]).To(ContainElement(HaveKeyWithValue("Prompt", "Question 2 of round 2?")))
			a = f.authorize(map[string]any{"RequestId": rid, "SecurityResponses": conventionAnswers(a)})
			Expect(a.Status).To(Equal(200))
			Expect(a.Body["Login"]).To(HaveKeyWithValue("Username", "mfa_question_2_3"))
			Expect(a.Body["Login"]).To(HaveKeyWithValue("Id", conventionLoginID("mfa_question_2_3")))
		})

		DescribeTable("asks each challenge type, answered by the documented rule",
			func(username, typ string, iterables []any) {
				a := f.authorize(legacy(username))
				Expect(a.Status).To(Equal(203))
				challenges := a.Body["SecurityChallenges"].([]any)
				Expect(challenges).To(HaveLen(1))
				Expect(challenges[0]).To(HaveKeyWithValue("Type", typ))
				if iterables == nil {
					Expect(challenges[0]).NotTo(HaveKey("Iterables"))
				} else {
					Expect(challenges[0]).To(HaveKeyWithValue("Iterables", iterables))
				}
				auth, data, rounds, _ := f.conventionWalk(username)
				Expect(auth.Status).To(Equal(200))
				Expect(rounds).To(Equal(1))
				Expect(data.Status).To(Equal(200))
			},
			Entry(nil, "mfa_question_1_1", "QuestionAndAnswer", nil),
			Entry(nil, "mfa_choice_1_1", "MultipleChoice", []any{"wrong-1-1-1", "answer-1-1", "wrong-1-1-2"}),
			Entry(nil, "mfa_multi_1_1", "MultipleChoiceMultipleAnswers", []any{"answer-1-1", "wrong-1-1-1", "also-1-1", "wrong-1-1-2"}),
			Entry(nil, "mfa_image_1_1", "ImageSelection", []any{"wrong-1-1-1", "answer-1-1", "wrong-1-1-2"}),
			Entry(nil, "mfa_textorcall_1_1", "TextOrCall", nil),
		)

		It("asks no MFA on a cached call, as Greatday", func() {
			a := f.authorize(map[string]any{"LoginId": conventionLoginID("mfa_choice_3_2"), "MostRecentCached": true})
			Expect(a.Status).To(Equal(200))
		})
	})

	Context("pending_<n> and dispatched_<n>", func() {
		DescribeTable("answer 202 that many times, counting the GetAccountsDetail call, then 200",
			func(username string, want []string) {
				_, data, _, pending := f.conventionWalk(username)
				Expect(pending).To(Equal(want))
				Expect(data.Status).To(Equal(200))
			},
			Entry(nil, "pending_3", []string{"OPERATION_PENDING", "OPERATION_PENDING", "OPERATION_PENDING"}),
			Entry(nil, "dispatched_2", []string{"OPERATION_DISPATCHED", "OPERATION_DISPATCHED"}),
			Entry(nil, "pending_2__dispatched_1", []string{"OPERATION_DISPATCHED", "OPERATION_PENDING", "OPERATION_PENDING"}),
		)
	})

	Context("accounts_<n>_days_<d>", func() {
		It("generates that many accounts with that much history", func() {
			_, data, _, _ := f.conventionWalk("accounts_4_days_30")
			Expect(data.Status).To(Equal(200))
			accounts := data.Body["Accounts"].([]any)
			Expect(accounts).To(HaveLen(4))
			var types []any
			for _, a := range accounts {
				acc := a.(map[string]any)
				types = append(types, acc["Type"])
				Expect(acc["Holder"]).To(HaveKeyWithValue("Name", "Sam Convention"))
				txs := acc["Transactions"].([]any)
				Expect(txs).NotTo(BeEmpty())
				newest, _ := time.Parse(time.DateOnly, txs[0].(map[string]any)["Date"].(string))
				oldest, _ := time.Parse(time.DateOnly, txs[len(txs)-1].(map[string]any)["Date"].(string))
				Expect(newest.Sub(oldest)).To(BeNumerically("<", 30*24*time.Hour))
			}
			Expect(types).To(Equal([]any{"Chequing", "Chequing", "Savings", "CreditCard"}))
		})

		It("gives the same data to the same username", func() {
			_, first, _, _ := f.conventionWalk("accounts_1_days_5")
			_, second, _, _ := f.conventionWalk("ACCOUNTS_1_days_5")
			Expect(second.Body["Accounts"]).To(Equal(first.Body["Accounts"]))
		})
	})

	Context("combinations", func() {
		It("walks MFA, then 202s, then the data", func() {
			auth, data, rounds, pending := f.conventionWalk("pending_3__mfa_question_1_1")
			Expect(auth.Body["Login"]).To(HaveKeyWithValue("Username", "mfa_question_1_1__pending_3"))
			Expect(rounds).To(Equal(1))
			Expect(pending).To(HaveLen(3))
			Expect(data.Status).To(Equal(200))
		})

		It("refuses a contradiction with the valid forms", func() {
			a := f.authorize(legacy("error_RETRY_LATER__error_DISABLED_LOGIN"))
			Expect(a).To(haveFlinksError(401, "INVALID_LOGIN"))
			Expect(a.Body["Message"]).To(ContainSubstring("it has two error_ parts"))
		})
	})

	Context("the LoginId", func() {
		It("is derived from the username, the same for every customer and after a restart", func() {
			id := conventionLoginID("mfa_question_1_1__pending_1")
			a := f.authorize(legacy("Mfa_Question_1_1__Pending_1"))
			Expect(a.Status).To(Equal(203))
			a = f.authorize(map[string]any{"RequestId": a.Body["RequestId"], "SecurityResponses": conventionAnswers(a)})
			Expect(a.Body["Login"]).To(HaveKeyWithValue("Id", id))

			f.Customer = "another-customer"
			a = f.authorize(map[string]any{"LoginId": id, "MostRecentCached": true})
			Expect(a.Status).To(Equal(200))

			restarted := newFixture(mockserver.Config{})
			a = restarted.authorize(map[string]any{"LoginId": id, "MostRecentCached": true})
			Expect(a.Status).To(Equal(200))
			Expect(a.Body["Login"]).To(HaveKeyWithValue("Username", "mfa_question_1_1__pending_1"))
			Expect(restarted.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": a.Body["RequestId"]}).Status).To(Equal(202))
		})

		It("is refused when it was not derived from a convention", func() {
			id := []byte(conventionLoginID("pending_3"))
			id[0] ^= 1
			Expect(f.authorize(map[string]any{"LoginId": string(id), "MostRecentCached": true})).To(haveFlinksError(401, "INVALID_LOGIN"))
		})
	})

	Context("usernames that are not conventions", func() {
		It("says INVALID_LOGIN with the valid forms for a malformed one", func() {
			for _, username := range []string{"mfa_question_x", "error_NOT_A_CODE", "pending_0"} {
				a := f.authorize(legacy(username))
				Expect(a).To(haveFlinksError(401, "INVALID_LOGIN"))
				Expect(a.Body["Message"]).To(SatisfyAll(
					ContainSubstring(fmt.Sprintf("Username %q looks like a convention username but is not one", username)),
					ContainSubstring("mfa_<question|choice|multi|image|textorcall>_<rounds 1-5>_<challenges 1-5>"),
				))
				// A person reads the raw body too (curl): no \u003c for <.
				Expect(string(a.Raw)).To(ContainSubstring("mfa_<question|"), "the message is HTML-escaped")
			}
		})

		It("keeps the usual INVALID_LOGIN for a plain unknown username", func() {
			a := f.authorize(legacy("nobody_here"))
			Expect(a).To(haveFlinksError(401, "INVALID_LOGIN"))
			Expect(a.Body["Message"]).To(Equal(`No login "nobody_here" at institution "FlinksCapital"`))
		})

		It("checks the password", func() {
			body := legacy("pending_1")
			body["Password"] = "Everynight"
			Expect(f.authorize(body)).To(haveFlinksError(401, "INVALID_LOGIN"))
		})

		It("applies at FlinksCapital only", func() {
			body := legacy("pending_1")
			body["Institution"] = "OtherBank"
			a := f.authorize(body)
			Expect(a).To(haveFlinksError(401, "INVALID_LOGIN"))
			Expect(a.Body["Message"]).To(HavePrefix("No login"))
		})

		It("leaves a login of the scenarios with such a username alone", func() {
			srv := mocktest.NewServer(GinkgoT(), mocktest.WithScenarios(`
logins:
  - name: mine
    username: pending_3
    loginId: 2b0f4e3e-52a4-4cc3-9a55-9f6f0c1d7e21
    tokenRequired: false
    authorize:
      - respond: error
        flinksCode: NEW_ACCOUNT
`))
			status, body := postJSON(srv.BaseURL()+"/BankingServices/Authorize", nil, legacy("pending_3"))
			Expect(status).To(Equal(401))
			Expect(body).To(HaveKeyWithValue("FlinksCode", "NEW_ACCOUNT"))
		})
	})

	It("are listed by the admin API, one working example per form", func() {
		srv := mocktest.NewServer(GinkgoT(), mocktest.WithoutDefaultScenarios())
		listed, err := validatedAdmin(srv.URL, "").Scenarios(context.Background(), srv.CustomerID)
		Expect(err).NotTo(HaveOccurred())
		Expect(listed).To(HaveLen(len(scenarios.Conventions())))
		for i, c := range scenarios.Conventions() {
			Expect(listed[i].Source).To(Equal("convention"))
			Expect(listed[i].Convention).To(Equal(c.Form))
			Expect(listed[i].Username).To(Equal(c.Example))
			Expect(listed[i].LoginID).To(Equal(conventionLoginID(c.Example)))
			Expect(listed[i].Password).To(Equal("Everyday"))
		}
		Expect(listed[1].Prompts).To(ContainElement("Question 2 of round 1?"))
		status, body := postJSON(srv.BaseURL()+"/BankingServices/Authorize", map[string]string{"flinks-auth-key": connectToken(srv)}, legacy(listed[0].Username))
		Expect(status).To(Equal(401))
		Expect(body).To(HaveKeyWithValue("FlinksCode", "RETRY_LATER"))
	})

	Describe("through the Connect page", func() {
		var srv *mocktest.Server
		BeforeEach(func() { srv = mocktest.NewServer(GinkgoT()) })
		open := func() *connectClient {
			c := newConnect(srv, "demo=true&authorizeToken="+connectToken(srv))
			c.open()
			return c
		}

		It("signs in with MFA rounds and hands out the derived LoginId", func() {
			c := open()
			p := c.signIn("mfa_choice_2_1", "Everyday")
			Expect(p.View()).To(Equal("mfa"))
			Expect(p.HTML).To(ContainSubstring(`<legend>Question 1 of round 1?</legend>`))
			Expect(p.HTML).To(ContainSubstring(`value="answer-1-1"`))
			p = c.answer(p, []string{"answer-1-1"})
			Expect(p.View()).To(Equal("mfa"))
			p = c.answer(p, []string{"answer-2-1"})
			Expect(p.View()).To(Equal("success"))
			Expect(p.Event("REDIRECT")).To(HaveKeyWithValue("loginId", conventionLoginID("mfa_choice_2_1")))
		})

		It("ends on an /Authorize error of the username", func() {
			p := open().signIn("error_DISABLED_LOGIN", "Everyday")
			Expect(p.View()).To(Equal("end"))
			Expect(p.Steps()).To(Equal([]string{"SUBMIT_CREDENTIAL", "DISABLED_LOGIN"}))
		})

		It("asks again for a malformed convention", func() {
			p := open().signIn("mfa_question_x", "Everyday")
			Expect(p.View()).To(Equal("credentials"))
			Expect(p.Event("INVALID_LOGIN")).NotTo(BeNil())
		})
	})
})
