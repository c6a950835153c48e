package contracttest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/contract"
	"github.com/flinks-mock/flinks-mock/contract/broken"
	"github.com/flinks-mock/flinks-mock/contract/contracttest"
	"github.com/flinks-mock/flinks-mock/contract/reference"
	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/mockserver/mocktest"
	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

func TestContract(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "contract")
}

// requireAPIKey is how the suites judge: the mock requires x-api-key.
var requireAPIKey = contract.Options{RequireAPIKey: true}

// The project's own use of the suite it offers: the reference client in
// every scenario, the webhook one included.
var _ = contracttest.DescribeIntegration("the reference client", reference.Run, contracttest.WithWebhooks(), contracttest.WithStatementsAndCardDeletion())

// defaultLogins is the default library, read while the spec tree is built.
var defaultLogins = func() []*scenarios.Login {
	lib, err := scenarios.Load(mocktest.Start, true)
	if err != nil {
		panic(err)
	}
	return lib.Logins
}()

// flinksSpec is the Flinks contract, loaded once for the mocks of the
// specs that start their own.
var flinksSpec = func() *openapi.Spec {
	spec, err := openapi.Load(context.Background())
	if err != nil {
		panic(err)
	}
	return spec
}()

var _ = Describe("the reference client against every default login", func() {
	anything := contract.Want{Accounts: true, Timeout: true, FlinksCodes: openapi.CodeNames()}
	for _, login := range defaultLogins {
		for _, cached := range []bool{true, false} {
			mode := "a live refresh"
			if cached {
				mode = "cached data"
			}
			It(fmt.Sprintf("follows every rule fetching %s of %s", mode, login.Name), func(ctx SpecContext) {
				srv := mocktest.NewServer(GinkgoT(), mocktest.WithConfig(func(c *mockserver.Config) {
					c.APIKey, c.Spec = contract.ToolboxAPIKey, flinksSpec
				}))
				h := contracttest.SuiteHarness(srv, requireAPIKey)
				sc := contract.Scenario{Name: login.Name, Login: login.Name, MostRecentCached: cached, Want: anything}
				res := h.Run(ctx, sc, reference.Run)
				Expect(res.Err).NotTo(HaveOccurred())
				Expect(res.OutcomeProblem).To(BeEmpty())
				Expect(res).To(contracttest.FollowAllRules(requireAPIKey))
				Expect(srv).To(contracttest.FollowAllRules(requireAPIKey), "the matchers read a mocktest.Server too")
			})
		}
	}
})

// ownFile is a scenario file of a user's: a login whose data takes two
// polls, run beside the built-in scenarios.
const ownFile = `logins:
  - name: own_slow
    username: own_slow
    loginId: 7d1c6a0e-3b9f-4c2d-8e5a-1f0b2c3d4e5f
    accountsDetail:
      - respond: pending
        calls: 2
      - respond: ready
    generate: {seed: 7, chequing: 1}
`

var _ = contracttest.DescribeIntegration("the reference client on a scenario file of its own", reference.Run,
	contracttest.WithScenarios("happy"), contracttest.WithScenarioFile("own.yaml", []byte(ownFile)))

var _ = Describe("a scenario file", func() {
	It("fails a client that stops at a 202 on its login", func(ctx SpecContext) {
		res := contracttest.RunScenario(ctx, "own_slow", broken.Run(broken.StopAt202), contracttest.WithScenarioFile("own.yaml", []byte(ownFile)))
		Expect(res.Report.FailedIDs()).To(Equal([]string{contract.IDFollowUpA202}))
		Expect(res.OutcomeProblem).To(ContainSubstring("is missing"))
	})
})

var _ = Describe("the broken clients", func() {
	DescribeTable("each fails exactly the rule it breaks, and passes the others",
		func(ctx SpecContext, c broken.Case) {
			res := contracttest.RunScenario(ctx, c.Scenario, broken.Run(c.Flaw))
			Expect(res.Skipped).To(BeEmpty())
			Expect(res.Err).NotTo(HaveOccurred())
			Expect(res.Report.FailedIDs()).To(Equal([]string{c.Rule}), "report:\n%s", res.Report)
			rule, _ := contract.RuleByID(c.Rule)
			m := contracttest.FollowRule(rule, requireAPIKey)
			Expect(m.Match(res)).To(BeFalse())
			msg := m.FailureMessage(res)
			Expect(msg).To(ContainSubstring("✗ " + c.Rule + ": " + rule.Statement))
			Expect(msg).To(ContainSubstring(rule.Guide))
			Expect(msg).To(MatchRegexp(`#\d+ \d\d:\d\d:\d\d\.\d{3} `), "the requests are quoted")
		},
		func() []TableEntry {
			var entries []TableEntry
			for _, c := range broken.Cases() {
				entries = append(entries, Entry(fmt.Sprintf("%s breaks %s in scenario %s", c.Flaw, c.Rule, c.Scenario), c))
			}
			return entries
		}(),
	)

	It("stop a client that never sleeps on the virtual clock, and fail it on FM005 at once", func(ctx SpecContext) {
		neverSleeps := func(ctx context.Context, t contract.Target) (contract.Outcome, error) {
			t.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
			return reference.Run(ctx, t)
		}
		res := contracttest.RunScenario(ctx, "timeout", neverSleeps, contracttest.WithRunTimeout(time.Minute))
		Expect(res.Err).NotTo(HaveOccurred())
		Expect(res.Stopped).To(ContainSubstring("stopped the run after 100 polls"))
		Expect(res.Stopped).To(ContainSubstring("Target.Sleep"))
		Expect(res.Duration).To(BeNumerically("<", 30*time.Second), "not at the run's time limit")
		Expect(res.Report.FailedIDs()).To(Equal([]string{contract.IDPollInterval}))
		Expect(res.Passed()).To(BeFalse())
	})

	It("cover every rule", func() {
		var covered []string
		for _, c := range broken.Cases() {
			covered = append(covered, c.Rule)
		}
		var ids []string
		for _, r := range contract.Rules() {
			ids = append(ids, r.ID)
		}
		Expect(covered).To(Equal(ids))
	})
})

var _ = Describe("the matchers", func() {
	t0 := time.Date(2026, 11, 2, 15, 4, 5, 0, time.UTC)
	entry := func(seq uint64, at time.Duration, e journal.Entry) journal.Entry {
		e.Seq, e.Time, e.Kind = seq, t0.Add(at), journal.KindRequest
		return e
	}
	const rid = "11111111-1111-4111-8111-111111111111"
	reused := []journal.Entry{
		entry(1, 0, journal.Entry{Method: "POST", Endpoint: "Authorize", Mode: "cached", Token: "fresh", TokenRef: "aa", Status: 203, RequestID: rid, Challenges: []string{"What city were you born in?"}}),
		entry(2, 5*time.Second, journal.Entry{Method: "POST", Endpoint: "Authorize", Mode: "mfa-answer", Token: "reused", TokenRef: "aa", Status: 401, FlinksCode: "ACCESS_DENIED", RequestID: rid, Answered: []string{"What city were you born in?"}}),
	}

	It("pass on a journal that follows the rule", func() {
		Expect(reused[:1]).To(contracttest.HaveReusedNoToken())
		Expect(reused).To(contracttest.HaveAnsweredMFA())
		Expect(reused).To(contracttest.HavePolledPolitely(), "nothing to judge is no failure")
	})

	It("fail with the rule, the guide and the quoted requests", func() {
		m := contracttest.HaveReusedNoToken()
		Expect(m.Match(reused)).To(BeFalse())
		Expect(m.FailureMessage(reused)).To(Equal(`Expected the integration to follow FM001-single-use-token, but it broke:
  ✗ FM001-single-use-token: Every /Authorize call, the MFA answer call included, sends a fresh authorize token from /GenerateAuthorizeToken, used once and only for /Authorize.
      guide: "Generate a fresh authorize token before relaunching Flinks Connect for MFA. The original token used for the /Authorize call has already been consumed — authorize tokens are single-use." (Flinks guide, Retrieve Account Data)
      a token that an earlier /Authorize already used was sent again; every /Authorize call needs a fresh token from /GenerateAuthorizeToken
          #1 15:04:05.000 POST Authorize (cached) RequestId=11111111-1111-4111-8111-111111111111 token=fresh → 203 asked=["What city were you born in?"]
          #2 15:04:10.000 POST Authorize (mfa-answer) RequestId=11111111-1111-4111-8111-111111111111 token=reused answered=["What city were you born in?"] → 401 ACCESS_DENIED
`))
	})

	It("say so when a journal was expected to break a rule it follows", func() {
		m := contracttest.HaveAnsweredMFA()
		Expect(reused).NotTo(Not(m))
		Expect(m.NegatedFailureMessage(reused)).To(Equal("Expected the integration to break FM002-mfa-answered-in-full, but it followed it over 2 journal entries"))
	})

	It("take their thresholds from the options", func() {
		polls := []journal.Entry{
			entry(1, 0, journal.Entry{Method: "POST", Endpoint: "Authorize", Mode: "cached", Token: "fresh", TokenRef: "aa", Status: 200, RequestID: rid}),
			entry(2, 0, journal.Entry{Method: "POST", Endpoint: "GetAccountsDetail", RequestID: rid, Status: 202, FlinksCode: "OPERATION_PENDING"}),
			entry(3, 0, journal.Entry{Method: "GET", Endpoint: "GetAccountsDetailAsync", RequestID: rid, Status: 202, FlinksCode: "OPERATION_PENDING"}),
			entry(4, 20*time.Second, journal.Entry{Method: "GET", Endpoint: "GetAccountsDetailAsync", RequestID: rid, Status: 200}),
		}
		Expect(polls).To(contracttest.HavePolledPolitely())
		Expect(polls).NotTo(contracttest.HavePolledPolitely(contract.Options{MinPollInterval: 30 * time.Second}))
		Expect(polls).NotTo(contracttest.HaveGivenUpByTheDeadline(contract.Options{Deadline: 15 * time.Second}))
		Expect(polls).To(contracttest.HaveKeptKeysInPlace())
		Expect(polls).NotTo(contracttest.HaveKeptKeysInPlace(requireAPIKey))
		Expect(polls).To(contracttest.FollowAllRules())
		Expect(polls).NotTo(contracttest.FollowAllRules(requireAPIKey))
		Expect(polls).To(contracttest.HavePolledTheSameRequest())
		Expect(polls).To(contracttest.HaveRequestedDataAfterAuthorize())
		Expect(polls[1:]).NotTo(contracttest.HaveRequestedDataAfterAuthorize())
		Expect(polls).To(contracttest.HaveNotRetriedFinalErrors())
		Expect(polls).To(contracttest.HaveBackedOff())
		Expect(polls).To(contracttest.HaveAcknowledgedWebhooks())
	})

	It("refuse what is no journal", func() {
		_, err := contracttest.HaveBackedOff().Match("a string")
		Expect(err).To(MatchError(ContainSubstring("give []journal.Entry")))
	})

	It("judge a live mock", func(ctx SpecContext) {
		srv := mocktest.NewServer(GinkgoT())
		c := reference.NewClient(contract.Target{
			BaseURL:   srv.BaseURL(),
			SecretKey: mockserver.ToolboxSecretKey,
			Sleep: func(_ context.Context, d time.Duration) error {
				srv.Advance(d)
				return nil
			},
			Now: srv.Clock.Now,
		})
		res, err := c.FetchAccounts(ctx, reference.Request{LoginID: srv.Login("test_pending").LoginID, MostRecentCached: true})
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Accounts).To(HaveLen(len(srv.Login("test_pending").AllAccounts())))
		Expect(srv).To(contracttest.HaveReusedNoToken())
		Expect(srv).To(contracttest.HavePolledPolitely())
		Expect(srv).NotTo(contracttest.HavePolledPolitely(contract.Options{MinPollInterval: time.Minute}))
	})
})

var _ = Describe("the matchers of FM016 and FM017", func() {
	It("fail a request that waited past the request timeout", func() {
		waited := []journal.Entry{{Seq: 1, Kind: journal.KindRequest, Method: "POST", Endpoint: "Authorize", Status: 200, Latency: 9 * time.Minute}}
		Expect(waited).NotTo(contracttest.HaveGivenUpOnSlowAnswers())
		Expect(waited).To(contracttest.HaveGivenUpOnSlowAnswers(contract.Options{RequestTimeout: 5 * time.Minute}))
	})

	It("judge a repeat fetch with the options of its run", func(ctx SpecContext) {
		again := contracttest.RunScenario(ctx, "repeat-fetch", broken.Run(broken.CredentialsAgain))
		Expect(again).NotTo(contracttest.HaveFetchedAgainByLoginID())
		Expect(contracttest.RunScenario(ctx, "repeat-fetch", reference.Run)).To(contracttest.HaveFetchedAgainByLoginID())
	})

	It("fail a repeat fetch that keeps the LoginId but refreshes live, with nobody there for the MFA", func(ctx SpecContext) {
		live := func(ctx context.Context, t contract.Target) (contract.Outcome, error) {
			t.MostRecentCached = false
			return reference.Run(ctx, t)
		}
		res := contracttest.RunScenario(ctx, "repeat-fetch", live)
		Expect(res.Report.FailedIDs()).To(Equal([]string{contract.IDRepeatFetchCached}))
		r, _ := res.Report.Result(contract.IDRepeatFetchCached)
		Expect(r.Violations[0].Problem).To(ContainSubstring("asked a live refresh (MostRecentCached false)"))
	})
})
