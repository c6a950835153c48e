package mockserver_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/mockserver"
)

var _ = Describe("Account data", func() {
	var (
		f   *fixture
		rid string
	)
	BeforeEach(func() {
		f = newFixture(mockserver.Config{})
		rid = f.authorized("greatday_nomfa")
	})

	detail := func(body map[string]any) []any {
		GinkgoHelper()
		body["RequestId"] = rid
		a := f.call("POST", "GetAccountsDetail", nil, body)
		Expect(a.Status).To(Equal(200), string(a.Raw))
		return a.Body["Accounts"].([]any)
	}
	transactions := func(account any) []any {
		return account.(map[string]any)["Transactions"].([]any)
	}

	It("keeps 90 days of transactions by default and 365 with Days365", func() {
		short := transactions(detail(map[string]any{})[0])
		long := transactions(detail(map[string]any{"DaysOfTransactions": "Days365"})[0])
		Expect(len(short)).To(BeNumerically(">=", 25))
		Expect(len(long)).To(BeNumerically(">", len(short)))
		newest, _ := time.Parse(time.DateOnly, short[0].(map[string]any)["Date"].(string))
		oldest, _ := time.Parse(time.DateOnly, short[len(short)-1].(map[string]any)["Date"].(string))
		Expect(newest.Sub(oldest)).To(BeNumerically("<", 90*24*time.Hour))
	})

	It("leaves transactions out with WithTransactions false", func() {
		for _, acc := range detail(map[string]any{"WithTransactions": false}) {
			Expect(transactions(acc)).To(BeEmpty())
		}
	})

	It("sends the holder unless WithKYC is false, as Flinks does for a body with only RequestId", func() {
		Expect(detail(map[string]any{})[0]).To(HaveKeyWithValue("Holder", HaveKey("Name")))
		Expect(detail(map[string]any{"WithAccountIdentity": true})[0]).To(HaveKeyWithValue("Holder", HaveKey("Name")))
		Expect(detail(map[string]any{"WithKYC": true})[0]).To(HaveKeyWithValue("Holder", HaveKey("Address")))
		Expect(detail(map[string]any{"WithKYC": false})[0]).To(HaveKeyWithValue("Holder", BeNil()))
		summary := f.call("POST", "GetAccountsSummary", nil, map[string]any{"RequestId": rid})
		Expect(summary.Body["Accounts"].([]any)[0]).To(HaveKeyWithValue("Holder", HaveKey("Name")))
	})

	It("sends the account identity (AccountNumber, TransitNumber, InstitutionNumber) without WithAccountIdentity", func() {
		acc := detail(map[string]any{})[0]
		Expect(acc).To(HaveKeyWithValue("AccountNumber", Not(BeEmpty())))
		Expect(acc).To(HaveKeyWithValue("TransitNumber", Not(BeEmpty())))
		Expect(acc).To(HaveKeyWithValue("InstitutionNumber", Not(BeEmpty())))
	})

	It("keeps only the accounts of AccountsFilter", func() {
		all := detail(map[string]any{})
		Expect(len(all)).To(BeNumerically(">=", 2))
		id := all[1].(map[string]any)["Id"]
		only := detail(map[string]any{"AccountsFilter": []any{id}})
		Expect(only).To(HaveLen(1))
		Expect(only[0]).To(HaveKeyWithValue("Id", id))
	})

	It("answers the same 200 to the Async poll once ready", func() {
		first := f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid})
		again := f.call("GET", "GetAccountsDetailAsync/"+rid, nil, nil)
		viaPost := f.call("POST", "GetAccountsDetailAsync/"+rid, nil, nil)
		Expect(again.Raw).To(Equal(first.Raw))
		Expect(viaPost.Raw).To(Equal(first.Raw))
	})

	It("serves the accounts summary without transactions", func() {
		a := f.call("POST", "GetAccountsSummary", nil, map[string]any{"RequestId": rid})
		Expect(a.Status).To(Equal(200))
		Expect(a.Body["Accounts"]).NotTo(BeEmpty())
		Expect(a.Body["Accounts"].([]any)[0]).NotTo(HaveKey("Transactions"))
		Expect(f.call("GET", "GetAccountsSummaryAsync/"+rid, nil, nil).Raw).To(Equal(a.Raw))
	})
})

var _ = Describe("The admin surface", func() {
	var f *fixture
	BeforeEach(func() { f = newFixture(mockserver.Config{}) })

	It("reports health", func() {
		a := f.do("GET", "/__admin/health", nil, nil)
		Expect(a.Status).To(Equal(200))
		Expect(a.Body).To(Equal(map[string]any{"status": "ok"}))
	})

	It("lists the loaded logins", func() {
		a := f.do("GET", "/__admin/scenarios", nil, nil)
		Expect(a.Status).To(Equal(200))
		Expect(a.Raw).To(ContainSubstring(`"username":"Greatday"`))
		Expect(a.Raw).To(ContainSubstring(login("test_pending").LoginID))
	})

	It("serves the OpenAPI document", func() {
		a := f.do("GET", "/openapi.yaml", nil, nil)
		Expect(a.Status).To(Equal(200))
		Expect(a.Header.Get("Content-Type")).To(HavePrefix("application/yaml"))
		Expect(string(a.Raw)).To(ContainSubstring("/v3/{customerId}/BankingServices/Authorize"))
	})
})
