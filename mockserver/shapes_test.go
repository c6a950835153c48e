package mockserver_test

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/mocktest"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// The varied shape as a server default (--shapes), the nulls a scenario
// asks for, and WithBalance; every answer is checked against
// openapi/flinks.yaml by the fixture.
var _ = Describe("Shapes", func() {
	varied42 := scenarios.Shape{Mode: scenarios.ShapesVaried, Seed: 42}
	// run walks Greatday through MFA and the data, and returns the
	// answers' bodies with the RequestId taken out.
	run := func(cfg mockserver.Config, scenario string) []string {
		GinkgoHelper()
		opts := []mocktest.Option{mocktest.WithConfig(func(c *mockserver.Config) { c.Spec, c.Shapes = spec, cfg.Shapes })}
		if scenario != "" {
			opts = append(opts, mocktest.WithScenarios(scenario))
		}
		f := fixtureOf(mocktest.NewServer(GinkgoT(), opts...))
		greatday := login("greatday")
		auth, data, _ := f.walk(greatday, map[string]any{"LoginId": greatday.LoginID, "MostRecentCached": false})
		Expect(data.Status).To(Equal(200), string(data.Raw))
		rid := auth.Body["RequestId"].(string)
		summary := f.call("POST", "GetAccountsSummary", nil, map[string]any{"RequestId": rid})
		Expect(summary.Status).To(Equal(200), string(summary.Raw))
		var out []string
		for _, a := range []answer{auth, data, summary} {
			out = append(out, strings.ReplaceAll(string(a.Raw), rid, "RID"))
		}
		return out
	}

	It("draws the same answers from the same seed of --shapes, and other answers from another", func() {
		one := run(mockserver.Config{Shapes: varied42}, "")
		Expect(run(mockserver.Config{Shapes: varied42}, "")).To(Equal(one))
		Expect(run(mockserver.Config{Shapes: scenarios.Shape{Mode: scenarios.ShapesVaried, Seed: 43}}, "")).NotTo(Equal(one))
		Expect(run(mockserver.Config{}, "")).NotTo(Equal(one))
	})

	It("lets the scenarios' settings.shapes win over --shapes", func() {
		full := run(mockserver.Config{}, "")
		Expect(run(mockserver.Config{Shapes: varied42}, "settings:\n  shapes: full\n")).To(Equal(full))
		Expect(run(mockserver.Config{}, "settings:\n  shapes: varied(42)\n")).To(Equal(run(mockserver.Config{Shapes: varied42}, "")))
	})

	Context("when a scenario asks for nulls", func() {
		const file = `logins:
  - name: nulls
    username: nulls
    loginId: 5b0c7f2e-1d3a-4e8b-9c6f-2a7d4e1b3c90
    tokenRequired: false
    nulls: [Balance.Current, Holder.Address, Transactions.Description]
    holder:
      Name: Zoë Côté
      Address: {CivicAddress: 1 rue Principale, City: Montréal, Province: QC, PostalCode: H2X 1Y4, Country: CA}
      Email: zoe@example.com
      PhoneNumber: '5145550100'
    accounts:
      - Id: written-1
        Title: Chèques
        AccountNumber: '1111000'
        Balance: {Current: 12.5, Available: 12.5}
        Category: Operations
        Type: Chequing
        Currency: CAD
        nulls: [Title, AccountNumber]
        Transactions:
          - {Id: t1, Date: '2026-10-30', Description: Coffee, Debit: 3.5, Balance: 12.5}
    generate: {seed: 3, chequing: 1}
`
		It("sends them as null in the data 200s, for every account or the one that asks", func() {
			f := fixtureOf(mocktest.NewServer(GinkgoT(), mocktest.WithScenarios(file), mocktest.WithConfig(func(c *mockserver.Config) { c.Spec = spec })))
			auth := f.authorize(map[string]any{"LoginId": "5b0c7f2e-1d3a-4e8b-9c6f-2a7d4e1b3c90", "MostRecentCached": true})
			Expect(auth.Status).To(Equal(200), string(auth.Raw))
			rid := auth.Body["RequestId"]
			for _, endpoint := range []string{"GetAccountsDetail", "GetAccountsSummary"} {
				a := f.call("POST", endpoint, nil, map[string]any{"RequestId": rid})
				Expect(a.Status).To(Equal(200), string(a.Raw))
				accounts := a.Body["Accounts"].([]any)
				Expect(accounts).To(HaveLen(2))
				for i, raw := range accounts {
					acc := raw.(map[string]any)
					Expect(acc["Balance"]).To(HaveKeyWithValue("Current", BeNil()), endpoint)
					Expect(acc["Holder"]).To(HaveKeyWithValue("Address", BeNil()), endpoint)
					Expect(acc["Title"] == nil).To(Equal(i == 0), "%s: only the written account asks for a null Title", endpoint)
					Expect(acc["AccountNumber"] == nil).To(Equal(i == 0), endpoint)
					for _, tx := range asList(acc["Transactions"]) {
						Expect(tx).To(HaveKeyWithValue("Description", BeNil()))
					}
				}
			}
		})
	})

	Context("when a data request sets WithBalance", func() {
		var (
			f   *fixture
			rid string
		)
		BeforeEach(func() {
			f = newFixture(mockserver.Config{})
			rid = f.authorized("greatday_nomfa")
		})
		It("sends every balance as null for false: the accounts', the overdraft limits and the transactions'", func() {
			a := f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid, "WithBalance": false})
			Expect(a.Status).To(Equal(200), string(a.Raw))
			for _, raw := range a.Body["Accounts"].([]any) {
				acc := raw.(map[string]any)
				Expect(acc["Balance"]).To(Equal(map[string]any{"Available": nil, "Current": nil, "Limit": nil}))
				Expect(acc).To(HaveKeyWithValue("OverdraftLimit", BeNil()))
				for _, tx := range asList(acc["Transactions"]) {
					Expect(tx).To(HaveKeyWithValue("Balance", BeNil()))
				}
			}
			s := f.call("POST", "GetAccountsSummary", nil, map[string]any{"RequestId": rid, "WithBalance": false})
			Expect(s.Body["Accounts"].([]any)[0]).To(HaveKeyWithValue("Balance", HaveKeyWithValue("Current", BeNil())))
		})
		It("sends them for true, as when it is left out", func() {
			with := f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid, "WithBalance": true})
			Expect(with.Body["Accounts"].([]any)[0]).To(HaveKeyWithValue("Balance", HaveKeyWithValue("Current", BeNumerically("~", 0, 1e12))))
			Expect(f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid}).Raw).To(Equal(with.Raw))
		})
	})
})

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
