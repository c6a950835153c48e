package mockserver_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/mocktest"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// The behaviours of docs/fidelity.md, each as Flinks shows it.
var _ = Describe("Fidelity to Flinks", func() {
	var (
		f   *fixture
		rid string
	)
	BeforeEach(func() {
		f = newFixture(mockserver.Config{})
		rid = f.authorized("greatday_nomfa")
	})
	detail := func(body map[string]any) answer {
		GinkgoHelper()
		body["RequestId"] = rid
		return f.call("POST", "GetAccountsDetail", nil, body)
	}

	Context("when /Authorize had a Tag", func() {
		It("echoes it at the top level of the GetAccountsDetail and GetAccountsSummary 200s", func() {
			a := f.authorize(map[string]any{"LoginId": login("greatday_nomfa").LoginID, "MostRecentCached": true, "Tag": "userId=42"})
			rid = a.Body["RequestId"].(string)
			d := detail(map[string]any{})
			Expect(d.Status).To(Equal(200))
			Expect(d.Body).To(HaveKeyWithValue("Tag", "userId=42"))
			s := f.call("POST", "GetAccountsSummary", nil, map[string]any{"RequestId": rid})
			Expect(s.Body).To(HaveKeyWithValue("Tag", "userId=42"))
		})

		It("leaves Tag out when none was set", func() {
			Expect(detail(map[string]any{}).Body).NotTo(HaveKey("Tag"))
		})
	})

	Context("when a client sends what Flinks accepts", func() {
		It("takes MostRecentCached as the string \"true\" or \"false\", as Flinks' legacy example sends it", func() {
			cached := f.authorize(map[string]any{"LoginId": login("greatday_nomfa").LoginID, "MostRecentCached": "true", "Save": "true"})
			Expect(cached.Status).To(Equal(200), string(cached.Raw))
			live := f.authorize(map[string]any{"LoginId": login("greatday").LoginID, "MostRecentCached": "false"})
			Expect(live.Status).To(Equal(203), string(live.Raw))
		})

		It("takes AccountsFilter null as no filter", func() {
			all := detail(map[string]any{})
			Expect(detail(map[string]any{"AccountsFilter": nil}).Raw).To(Equal(all.Raw))
		})

		It("still refuses a boolean that is neither true nor false", func() {
			Expect(f.authorize(map[string]any{"LoginId": login("greatday_nomfa").LoginID, "MostRecentCached": "yes"})).To(haveFlinksError(401, "INVALID_REQUEST"))
		})
	})

	Context("when a data request bounds its transactions", func() {
		txs := func(a answer, i int) []any {
			GinkgoHelper()
			Expect(a.Status).To(Equal(200), string(a.Raw))
			return a.Body["Accounts"].([]any)[i].(map[string]any)["Transactions"].([]any)
		}
		date := func(t any) string { return t.(map[string]any)["Date"].(string) }
		It("keeps the transactions from DateFrom to DateTo", func() {
			all := txs(detail(map[string]any{"DaysOfTransactions": "Days365"}), 0)
			from, to := date(all[len(all)/2]), date(all[len(all)/4])
			got := txs(detail(map[string]any{"DateFrom": from, "DateTo": to + "T23:59:59"}), 0)
			Expect(got).NotTo(BeEmpty())
			Expect(len(got)).To(BeNumerically("<", len(all)))
			for _, t := range got {
				Expect(date(t) >= from && date(t) <= to).To(BeTrue(), "%s is not from %s to %s", date(t), from, to)
			}
		})

		It("sends only the transactions newer than RefreshDelta's for that account", func() {
			first := detail(map[string]any{})
			acc := first.Body["Accounts"].([]any)[0].(map[string]any)
			all := txs(first, 0)
			Expect(len(all)).To(BeNumerically(">", 3))
			last := all[3].(map[string]any)["Id"]
			got := detail(map[string]any{"RefreshDelta": []any{map[string]any{"AccountId": acc["Id"], "TransactionId": last}}})
			Expect(txs(got, 0)).To(Equal(all[:3]))
			Expect(txs(got, 1)).To(Equal(txs(first, 1)))
		})
	})

	Context("when a login is authorized again", func() {
		lastRefresh := func(a answer) string {
			GinkgoHelper()
			Expect(a.Status).To(Equal(200), string(a.Raw))
			return a.Body["Login"].(map[string]any)["LastRefresh"].(string)
		}
		It("reports the last aggregation in Login.LastRefresh: the previous one when cached, a new one when live", func() {
			id := login("greatday_nomfa").LoginID
			first := lastRefresh(f.authorize(map[string]any{"LoginId": id, "MostRecentCached": true}))
			f.Clock.Advance(time.Hour)
			Expect(lastRefresh(f.authorize(map[string]any{"LoginId": id, "MostRecentCached": true}))).To(Equal(first))
			live := lastRefresh(f.authorize(map[string]any{"LoginId": id, "MostRecentCached": false}))
			Expect(live).NotTo(Equal(first))
			Expect(live).To(HavePrefix(start.Add(time.Hour).UTC().Format("2006-01-02T15:04:05")))
			f.Clock.Advance(time.Hour)
			Expect(lastRefresh(f.authorize(map[string]any{"LoginId": id, "MostRecentCached": true}))).To(Equal(live))
		})
	})

	Context("when a RequestId is kept for later", func() {
		It("answers SESSION_NONEXISTENT once unused for the session lifetime", func() {
			Expect(detail(map[string]any{}).Status).To(Equal(200))
			f.Clock.Advance(72 * time.Hour)
			Expect(detail(map[string]any{})).To(haveFlinksError(400, "SESSION_NONEXISTENT"))
			Expect(f.call("GET", "GetAccountsDetailAsync/"+rid, nil, nil)).To(haveFlinksError(400, "SESSION_NONEXISTENT"))
		})

		It("keeps a RequestId that is used within its lifetime", func() {
			for range 3 {
				f.Clock.Advance(30*time.Minute - time.Second)
				Expect(detail(map[string]any{}).Status).To(Equal(200))
			}
			f.Clock.Advance(30 * time.Minute)
			Expect(f.call("POST", "GetAccountsSummary", nil, map[string]any{"RequestId": rid})).To(haveFlinksError(400, "SESSION_NONEXISTENT"))
		})
	})
})

// In the minimal shape the 200s leave out every field a real body may
// leave out; each answer is still checked against openapi/flinks.yaml.
var _ = Describe("The minimal shape", func() {
	It("leaves InstitutionName, InstitutionId, Login and the Summary's Links out of the 200s", func() {
		srv := mocktest.NewServer(GinkgoT(), mocktest.WithScenarios("settings:\n  shapes: minimal\n"), mocktest.WithConfig(func(c *mockserver.Config) { c.Spec = spec }))
		f := fixtureOf(srv)
		a := f.authorize(map[string]any{"LoginId": login("greatday_nomfa").LoginID, "MostRecentCached": true})
		Expect(a.Status).To(Equal(200), string(a.Raw))
		absent := SatisfyAll(Not(HaveKey("InstitutionName")), Not(HaveKey("InstitutionId")), Not(HaveKey("Login")), HaveKey("Institution"), HaveKey("RequestId"))
		Expect(a.Body).To(absent)
		rid := a.Body["RequestId"]
		d := f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid})
		Expect(d.Status).To(Equal(200), string(d.Raw))
		Expect(d.Body).To(absent)
		s := f.call("POST", "GetAccountsSummary", nil, map[string]any{"RequestId": rid})
		Expect(s.Status).To(Equal(200), string(s.Raw))
		Expect(s.Body).To(SatisfyAll(absent, Not(HaveKey("Links"))))
	})
})

// The whole flow in each shape the mock has, every answer checked against
// openapi/flinks.yaml.
var _ = Describe("The whole flow in each shape", func() {
	for _, shape := range []string{scenarios.ShapesFull, scenarios.ShapesMinimal, "varied(42)", "varied(7)"} {
		It("walks Greatday through MFA, the 202s and the 200s in the "+shape+" shape", func() {
			srv := mocktest.NewServer(GinkgoT(), mocktest.WithScenarios("settings:\n  shapes: "+shape+"\n"), mocktest.WithConfig(func(c *mockserver.Config) { c.Spec = spec }))
			f := fixtureOf(srv)
			greatday := login("greatday")
			auth, data, _ := f.walk(greatday, map[string]any{"LoginId": greatday.LoginID, "MostRecentCached": false})
			Expect(auth.Status).To(Equal(200), string(auth.Raw))
			Expect(data.Status).To(Equal(200), string(data.Raw))
			Expect(data.Body["Accounts"]).NotTo(BeEmpty())
			summary := f.call("POST", "GetAccountsSummary", nil, map[string]any{"RequestId": auth.Body["RequestId"]})
			Expect(summary.Status).To(Equal(200), string(summary.Raw))
			if _, hasLogin := data.Body["Login"]; shape != "varied(42)" && shape != "varied(7)" {
				Expect(hasLogin).To(Equal(shape == scenarios.ShapesFull))
			}
			for _, acc := range data.Body["Accounts"].([]any) {
				Expect(acc).To(HaveKey("Id"), "every shape keeps the account Ids the flow needs")
			}
		})
	}
})
