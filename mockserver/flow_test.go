package mockserver_test

import (
	"fmt"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// answersFor answers every challenge of a 203 from the login's scenario.
func answersFor(l *scenarios.Login, a answer) map[string]any {
	GinkgoHelper()
	out := map[string]any{}
	for _, c := range a.Body["SecurityChallenges"].([]any) {
		prompt := c.(map[string]any)["Prompt"].(string)
		found := false
		for _, round := range l.MFA.Rounds {
			for _, ch := range round.Challenges {
				if ch.Prompt == prompt {
					out[prompt] = ch.Answers
					found = true
				}
			}
		}
		Expect(found).To(BeTrue(), "the 203 asked %q, which login %s does not have", prompt, l.Name)
	}
	return out
}

// walk authorizes a login in the given mode, answers every MFA round, and
// polls GetAccountsDetail until it stops answering 202. It returns the
// last answer of Authorize and of the data request.
func (f *fixture) walk(l *scenarios.Login, body map[string]any) (auth, data answer, polls int) {
	GinkgoHelper()
	auth = f.authorize(body)
	for rounds := 0; auth.Status == http.StatusNonAuthoritativeInfo; rounds++ {
		Expect(rounds).To(BeNumerically("<", 10), "more than 10 MFA rounds")
		rid := auth.Body["RequestId"]
		auth = f.authorize(map[string]any{"RequestId": rid, "SecurityResponses": answersFor(l, auth)})
		Expect(auth.Body["RequestId"]).To(Equal(rid), "the MFA answer must keep the RequestId")
	}
	if auth.Status != http.StatusOK {
		return auth, answer{}, 0
	}
	rid := auth.Body["RequestId"].(string)
	data = f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid, "WithTransactions": true})
	for data.Status == http.StatusAccepted {
		Expect(data.Body["RequestId"]).To(Equal(rid))
		Expect(polls).To(BeNumerically("<", 400), "more than 400 polls")
		f.Clock.Advance(10 * time.Second)
		data = f.call("GET", "GetAccountsDetailAsync/"+rid, nil, nil)
		polls++
	}
	return auth, data, polls
}

var _ = Describe("The Flinks flow against the default library", func() {
	var f *fixture
	BeforeEach(func() { f = newFixture(mockserver.Config{}) })

	Context("when Greatday refreshes live, as in the guide", func() {
		It("asks one of the sandbox questions, then opens the session with the same RequestId", func() {
			greatday := login("greatday")
			a := f.authorize(map[string]any{"LoginId": greatday.LoginID, "MostRecentCached": false, "Save": true})
			Expect(a.Status).To(Equal(203))
			Expect(a.Body).NotTo(HaveKey("FlinksCode"))
			Expect(a.Body).NotTo(HaveKey("Message"))
			Expect(a.Body["SecurityChallenges"]).To(HaveLen(1))
			challenge := a.Body["SecurityChallenges"].([]any)[0].(map[string]any)
			Expect(challenge["Type"]).To(Equal("QuestionAndAnswer"))
			Expect(challenge["Prompt"]).To(BeElementOf("What city were you born in?", "What is the best country on earth?", "What shape do people like most?"))

			ok := f.authorize(map[string]any{"RequestId": a.Body["RequestId"], "SecurityResponses": answersFor(greatday, a)})
			Expect(ok.Status).To(Equal(200))
			Expect(ok.Body["RequestId"]).To(Equal(a.Body["RequestId"]))
			Expect(ok.Body["Login"]).To(HaveKeyWithValue("Id", greatday.LoginID))
			Expect(ok.Body["InstitutionId"]).To(BeNumerically("==", 14))
		})

		It("asks the next question to the next session, as the sandbox rotates them", func() {
			greatday := login("greatday")
			first := f.authorize(map[string]any{"LoginId": greatday.LoginID, "MostRecentCached": false})
			second := f.authorize(map[string]any{"LoginId": greatday.LoginID, "MostRecentCached": false})
			Expect(second.Body["SecurityChallenges"]).NotTo(Equal(first.Body["SecurityChallenges"]))
		})

		It("answers 202 first, then the accounts on the Async poll", func() {
			greatday := login("greatday")
			_, data, polls := f.walk(greatday, map[string]any{"LoginId": greatday.LoginID, "MostRecentCached": false})
			Expect(polls).To(Equal(1))
			Expect(data.Status).To(Equal(200))
			Expect(data.Body["Accounts"]).NotTo(BeEmpty())
			Expect(data.Body["Login"]).To(HaveKeyWithValue("Id", greatday.LoginID))
		})
	})

	Context("when Greatday authorizes from the cache", func() {
		It("opens the session at once", func() {
			a := f.authorize(map[string]any{"LoginId": login("greatday").LoginID, "MostRecentCached": true})
			Expect(a.Status).To(Equal(200))
		})
	})

	Context("when a legacy client sends username and password", func() {
		It("finds the login by its credentials, whatever the case of the field names", func() {
			a := f.authorize(map[string]any{"username": "Greatday", "Password": "Everyday", "Institution": "FlinksCapital", "MostRecentCached": false})
			Expect(a.Status).To(Equal(203))
		})
		It("refuses a wrong password", func() {
			a := f.authorize(map[string]any{"Username": "Greatday", "Password": "nope", "Institution": "FlinksCapital"})
			Expect(a).To(haveFlinksError(401, "INVALID_LOGIN"))
		})
		It("refuses an unknown username", func() {
			a := f.authorize(map[string]any{"Username": "nobody", "Password": "Everyday", "Institution": "FlinksCapital"})
			Expect(a).To(haveFlinksError(401, "INVALID_LOGIN"))
		})
	})

	Context("with every login of the default library", func() {
		for _, l := range library.Logins {
			It(fmt.Sprintf("walks %s (%s) as its scenario says", l.Name, l.Username), func() {
				_, data, polls := f.walk(l, map[string]any{"LoginId": l.LoginID, "MostRecentCached": false})
				checkOutcome(f, l, data, polls)
			})
		}
	})
})

// checkOutcome compares what a walk got with what the login's scenario
// says: the authorize error, the data error, or the 200 after as many
// polls as the steps promise.
func checkOutcome(f *fixture, l *scenarios.Login, data answer, polls int) {
	GinkgoHelper()
	first := l.Authorize[0]
	if first.Respond == scenarios.RespondError {
		return // the walk stopped at Authorize; checked in the error specs
	}
	last := l.AccountsDetail[len(l.AccountsDetail)-1]
	switch {
	case last.Respond == scenarios.RespondError:
		Expect(data.Body["FlinksCode"]).To(Equal(last.FlinksCode))
	case stepsLast(l.AccountsDetail) > 30*time.Minute:
		Expect(data).To(haveFlinksError(401, "SESSION_EXPIRED"))
	default:
		Expect(data.Status).To(Equal(200), string(data.Raw))
		Expect(data.Body["Accounts"]).To(HaveLen(len(l.AllAccounts())))
		Expect(polls).To(Equal(expectedPolls(l.AccountsDetail)))
	}
}

// stepsLast is how long the timed steps of a sequence last in all.
func stepsLast(steps []scenarios.Step) time.Duration {
	var d time.Duration
	for _, s := range steps {
		d += s.For.D()
	}
	return d
}

// expectedPolls is how many Async polls a client polling every 10 s needs
// before the 200, from the steps alone.
func expectedPolls(steps []scenarios.Step) int {
	calls := 0
	for _, s := range steps[:len(steps)-1] {
		switch {
		case s.For > 0:
			calls += int((s.For.D() + 10*time.Second - 1) / (10 * time.Second))
		case s.Calls > 0:
			calls += s.Calls
		default:
			calls++
		}
	}
	// GetAccountsDetail answers the first pending call, so the 200 comes
	// on poll number calls.
	return calls
}
