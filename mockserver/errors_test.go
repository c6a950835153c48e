package mockserver_test

import (
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// loginWhere returns the first default login the predicate accepts.
func loginWhere(what string, ok func(*scenarios.Login) bool) *scenarios.Login {
	GinkgoHelper()
	for _, l := range library.Logins {
		if ok(l) {
			return l
		}
	}
	Fail("the default library has no login with " + what)
	return nil
}

func multiChallengeLogin() *scenarios.Login {
	return loginWhere("several challenges in one round", func(l *scenarios.Login) bool {
		return l.MFA != nil && l.MFA.Rounds[0].Pick == 0 && len(l.MFA.Rounds[0].Challenges) >= 2
	})
}

var _ = Describe("Errors of the flow", func() {
	var f *fixture
	greatday := func() *scenarios.Login { return login("greatday") }
	nomfa := func() *scenarios.Login { return login("greatday_nomfa") }

	BeforeEach(func() { f = newFixture(mockserver.Config{}) })

	// openSession authorizes greatday_nomfa and returns its RequestId.
	openSession := func() string {
		a := f.authorize(map[string]any{"LoginId": nomfa().LoginID, "MostRecentCached": true})
		Expect(a.Status).To(Equal(200))
		return a.Body["RequestId"].(string)
	}
	// askMFA opens a 203 for greatday.
	askMFA := func() answer {
		a := f.authorize(map[string]any{"LoginId": greatday().LoginID, "MostRecentCached": false})
		Expect(a.Status).To(Equal(203))
		return a
	}

	Describe("authorize tokens", func() {
		It("refuses a token used twice", func() {
			tok := f.token()
			body := map[string]any{"LoginId": nomfa().LoginID, "MostRecentCached": true}
			Expect(f.call("POST", "Authorize", map[string]string{"flinks-auth-key": tok}, body).Status).To(Equal(200))
			again := f.call("POST", "Authorize", map[string]string{"flinks-auth-key": tok}, body)
			Expect(again).To(haveFlinksError(401, "ACCESS_DENIED"))
			Expect(again.Body["Message"]).To(Equal("You must provide a valid authorize token"))
		})
		It("refuses a token after its 30 minutes", func() {
			tok := f.token()
			f.Clock.Advance(30 * time.Minute)
			a := f.call("POST", "Authorize", map[string]string{"flinks-auth-key": tok}, map[string]any{"LoginId": nomfa().LoginID, "MostRecentCached": true})
			Expect(a).To(haveFlinksError(401, "ACCESS_DENIED"))
		})
		It("accepts a token just before its 30 minutes", func() {
			tok := f.token()
			f.Clock.Advance(30*time.Minute - time.Second)
			a := f.call("POST", "Authorize", map[string]string{"flinks-auth-key": tok}, map[string]any{"LoginId": nomfa().LoginID, "MostRecentCached": true})
			Expect(a.Status).To(Equal(200))
		})
		It("refuses /Authorize without a token", func() {
			a := f.call("POST", "Authorize", nil, map[string]any{"LoginId": nomfa().LoginID, "MostRecentCached": true})
			Expect(a).To(haveFlinksError(401, "ACCESS_DENIED"))
		})
		It("refuses the secret key where a token belongs", func() {
			a := f.call("POST", "Authorize", map[string]string{"flinks-auth-key": mockserver.ToolboxSecretKey}, map[string]any{"LoginId": nomfa().LoginID, "MostRecentCached": true})
			Expect(a).To(haveFlinksError(401, "ACCESS_DENIED"))
		})
		It("needs a fresh token for the MFA answer call too", func() {
			mfa := askMFA()
			a := f.call("POST", "Authorize", nil, map[string]any{"RequestId": mfa.Body["RequestId"], "SecurityResponses": answersFor(greatday(), mfa)})
			Expect(a).To(haveFlinksError(401, "ACCESS_DENIED"))
		})
		It("refuses /GenerateAuthorizeToken without a secret key", func() {
			a := f.call("POST", "GenerateAuthorizeToken", nil, nil)
			Expect(a).To(haveFlinksError(401, "ACCESS_DENIED"))
			Expect(a.Body["Message"]).To(Equal("You must provide a valid auth key"))
		})
		It("keeps tokens to the customer that asked for them", func() {
			tok := f.token()
			f.Customer = "another-customer"
			a := f.call("POST", "Authorize", map[string]string{"flinks-auth-key": tok}, map[string]any{"LoginId": nomfa().LoginID, "MostRecentCached": true})
			Expect(a).To(haveFlinksError(401, "ACCESS_DENIED"))
		})
	})

	Context("when a secret key is configured", func() {
		BeforeEach(func() { f = newFixture(mockserver.Config{SecretKey: "s3cret"}) })
		It("accepts only that key", func() {
			Expect(f.call("POST", "GenerateAuthorizeToken", map[string]string{"flinks-auth-key": "s3cret"}, nil).Status).To(Equal(200))
			a := f.call("POST", "GenerateAuthorizeToken", map[string]string{"flinks-auth-key": mockserver.ToolboxSecretKey}, nil)
			Expect(a).To(haveFlinksError(401, "ACCESS_DENIED"))
		})
	})

	Context("when an x-api-key is configured", func() {
		BeforeEach(func() { f = newFixture(mockserver.Config{APIKey: "k3y"}) })
		It("refuses data requests without it and serves them with it", func() {
			f.Customer = "api-key-customer"
			tok := f.call("POST", "GenerateAuthorizeToken", map[string]string{"flinks-auth-key": "any"}, nil).Body["Token"].(string)
			rid := f.call("POST", "Authorize", map[string]string{"flinks-auth-key": tok}, map[string]any{"LoginId": nomfa().LoginID, "MostRecentCached": true}).Body["RequestId"]
			Expect(f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid})).To(haveFlinksError(401, "ACCESS_DENIED"))
			Expect(f.call("POST", "GetAccountsDetail", map[string]string{"x-api-key": "k3y"}, map[string]any{"RequestId": rid}).Status).To(Equal(200))
		})
	})

	Describe("MFA answers", func() {
		It("refuses a wrong answer and then takes the right one", func() {
			mfa := askMFA()
			rid := mfa.Body["RequestId"]
			prompt := mfa.Body["SecurityChallenges"].([]any)[0].(map[string]any)["Prompt"].(string)
			wrong := f.authorize(map[string]any{"RequestId": rid, "SecurityResponses": map[string]any{prompt: []string{"Atlantis"}}})
			Expect(wrong).To(haveFlinksError(401, "INVALID_SECURITY_RESPONSE"))
			Expect(wrong.Body["RequestId"]).To(Equal(rid))
			Expect(f.authorize(map[string]any{"RequestId": rid, "SecurityResponses": answersFor(greatday(), mfa)}).Status).To(Equal(200))
		})
		It("matches answers without regard to case or surrounding space", func() {
			mfa := askMFA()
			answers := answersFor(greatday(), mfa)
			for k, v := range answers {
				answers[k] = []string{"  " + strings.ToUpper(v.([]string)[0]) + " "}
			}
			Expect(f.authorize(map[string]any{"RequestId": mfa.Body["RequestId"], "SecurityResponses": answers}).Status).To(Equal(200))
		})
		It("refuses an answer to a prompt that was not asked", func() {
			mfa := askMFA()
			answers := answersFor(greatday(), mfa)
			answers["What is your favourite colour?"] = []string{"Blue"}
			Expect(f.authorize(map[string]any{"RequestId": mfa.Body["RequestId"], "SecurityResponses": answers})).To(haveFlinksError(401, "UNKNOWN_CHALLENGE_KEY"))
		})
		It("refuses a prompt whose text was changed", func() {
			mfa := askMFA()
			answers := map[string]any{}
			for k, v := range answersFor(greatday(), mfa) {
				answers[strings.ToLower(k)] = v
			}
			Expect(f.authorize(map[string]any{"RequestId": mfa.Body["RequestId"], "SecurityResponses": answers})).To(haveFlinksError(401, "UNKNOWN_CHALLENGE_KEY"))
		})
		It("refuses answers that leave a challenge out", func() {
			l := multiChallengeLogin()
			mfa := f.authorize(map[string]any{"LoginId": l.LoginID, "MostRecentCached": false})
			Expect(mfa.Status).To(Equal(203))
			answers := answersFor(l, mfa)
			for k := range answers {
				delete(answers, k)
				break
			}
			Expect(f.authorize(map[string]any{"RequestId": mfa.Body["RequestId"], "SecurityResponses": answers})).To(haveFlinksError(401, "SECURITYRESPONSES_INCOMPLETE"))
		})
		It("refuses a second answer once the session is open", func() {
			mfa := askMFA()
			body := map[string]any{"RequestId": mfa.Body["RequestId"], "SecurityResponses": answersFor(greatday(), mfa)}
			Expect(f.authorize(body).Status).To(Equal(200))
			Expect(f.authorize(body)).To(haveFlinksError(401, "ALREADY_AUTHORIZED"))
		})
		It("ends a session left waiting for answers for 8 minutes", func() {
			mfa := askMFA()
			f.Clock.Advance(8 * time.Minute)
			Expect(f.authorize(map[string]any{"RequestId": mfa.Body["RequestId"], "SecurityResponses": answersFor(greatday(), mfa)})).To(haveFlinksError(401, "SESSION_EXPIRED"))
		})
		It("answers SESSION_NONEXISTENT for a RequestId it never issued", func() {
			a := f.authorize(map[string]any{"RequestId": "b851931b-7d7c-4279-9b82-344c0e846b52", "SecurityResponses": map[string]any{"x": []string{"y"}}})
			Expect(a).To(haveFlinksError(400, "SESSION_NONEXISTENT"))
			Expect(a.Body["Message"]).To(Equal("RequestId is invalid or session has ended"))
		})
	})

	Describe("data requests", func() {
		It("refuses data for a session still waiting for MFA answers", func() {
			mfa := askMFA()
			Expect(f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": mfa.Body["RequestId"]})).To(haveFlinksError(401, "UNAUTHORIZED"))
		})
		It("answers SESSION_NONEXISTENT for an unknown RequestId, on every data endpoint", func() {
			const rid = "fd4e2952-95a8-46a3-b44c-84daf099ce13"
			Expect(f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid})).To(haveFlinksError(400, "SESSION_NONEXISTENT"))
			Expect(f.call("GET", "GetAccountsDetailAsync/"+rid, nil, nil)).To(haveFlinksError(400, "SESSION_NONEXISTENT"))
			Expect(f.call("POST", "GetAccountsSummary", nil, map[string]any{"RequestId": rid})).To(haveFlinksError(400, "SESSION_NONEXISTENT"))
			Expect(f.call("POST", "GetAccountsSummaryAsync/"+rid, nil, nil)).To(haveFlinksError(400, "SESSION_NONEXISTENT"))
		})
		It("refuses an Async poll before the data request it polls", func() {
			rid := openSession()
			Expect(f.call("GET", "GetAccountsDetailAsync/"+rid, nil, nil)).To(haveFlinksError(401, "INVALID_REQUEST"))
		})
		It("expires a request still processing after 30 minutes", func() {
			l := loginWhere("a 202 step longer than 30 minutes", func(l *scenarios.Login) bool { return stepsLast(l.AccountsDetail) > 30*time.Minute })
			a := f.authorize(map[string]any{"LoginId": l.LoginID, "MostRecentCached": true})
			Expect(a.Status).To(Equal(200))
			rid := a.Body["RequestId"].(string)
			Expect(f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid}).Status).To(Equal(202))
			f.Clock.Advance(30*time.Minute - time.Second)
			Expect(f.call("GET", "GetAccountsDetailAsync/"+rid, nil, nil).Status).To(Equal(202))
			f.Clock.Advance(time.Second)
			Expect(f.call("GET", "GetAccountsDetailAsync/"+rid, nil, nil)).To(haveFlinksError(401, "SESSION_EXPIRED"))
		})
		It("answers the scripted Authorize errors of the sandbox users", func() {
			Expect(f.authorize(map[string]any{"LoginId": login("test_disabled_account").LoginID, "MostRecentCached": true})).To(haveFlinksError(401, "DISABLED_LOGIN"))
			Expect(f.authorize(map[string]any{"LoginId": login("test_service_unavailable").LoginID, "MostRecentCached": true})).To(haveFlinksError(401, "RETRY_LATER"))
		})
		It("answers an unknown LoginId with INVALID_LOGIN", func() {
			Expect(f.authorize(map[string]any{"LoginId": "396fc774-7f7a-4c31-7c44-08da172863b5", "MostRecentCached": true})).To(haveFlinksError(401, "INVALID_LOGIN"))
		})
	})

	Describe("bad input", func() {
		It("answers malformed JSON with INVALID_REQUEST", func() {
			a := f.call("POST", "Authorize", map[string]string{"flinks-auth-key": f.token()}, `{"LoginId":`)
			Expect(a).To(haveFlinksError(401, "INVALID_REQUEST"))
		})
		It("answers a field of the wrong type with INVALID_REQUEST naming the field", func() {
			a := f.call("POST", "Authorize", map[string]string{"flinks-auth-key": f.token()}, `{"LoginId":"x","MostRecentCached":"yes"}`)
			Expect(a).To(haveFlinksError(401, "INVALID_REQUEST"))
			Expect(a.Body["Message"]).To(ContainSubstring("MostRecentCached"))
		})
		It("answers a missing RequestId with INVALID_REQUEST naming it", func() {
			a := f.call("POST", "GetAccountsDetail", nil, `{}`)
			Expect(a).To(haveFlinksError(401, "INVALID_REQUEST"))
			Expect(a.Body["Message"]).To(ContainSubstring("RequestId"))
		})
		It("answers an /Authorize body that names no login with INVALID_REQUEST", func() {
			Expect(f.authorize(map[string]any{"Save": true})).To(haveFlinksError(401, "INVALID_REQUEST"))
		})
		It("answers a body over 1 MiB with 413", func() {
			big := `{"RequestId":"` + strings.Repeat("a", 1<<20) + `"}`
			Expect(f.call("POST", "GetAccountsDetail", nil, big)).To(haveFlinksError(413, "INVALID_REQUEST"))
		})
		It("answers an unknown path with 404 in the envelope", func() {
			Expect(f.do("POST", "/v3/c/BankingServices/GetEverything", nil, `{}`)).To(haveFlinksError(404, "INVALID_REQUEST"))
			Expect(f.do("GET", "/nothing/here", nil, nil)).To(haveFlinksError(404, "INVALID_REQUEST"))
		})
		It("answers a wrong method with 405 and Allow", func() {
			a := f.do("GET", "/v3/c/BankingServices/Authorize", nil, nil)
			Expect(a).To(haveFlinksError(405, "INVALID_REQUEST"))
			Expect(a.Header.Get("Allow")).To(Equal("POST"))
		})
		It("answers a wrong content type with 415", func() {
			a := f.call("POST", "GetAccountsDetail", map[string]string{"Content-Type": "text/xml"}, `<RequestId/>`)
			Expect(a).To(haveFlinksError(http.StatusUnsupportedMediaType, "INVALID_REQUEST"))
		})
	})
})
