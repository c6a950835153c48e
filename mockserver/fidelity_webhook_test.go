package mockserver_test

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/openapi"
)

// Flinks starts the data request of a login linked through Connect and
// sends its webhook with no API call from the client.
var _ = Describe("The webhook of a webhook-only integration", func() {
	It("comes once Connect links a login, with the default body and no data call", func() {
		rc := newHookReceiver()
		srv, _ := hookServer(nil, rc)
		c := newConnect(srv, "authorizeToken="+connectToken(srv)+"&demo=true&tag=order-9")
		c.open()
		Expect(c.signIn("hook_ready", "Everyday").View()).To(Equal("success"))

		Eventually(rc.count).Should(Equal(1))
		got := rc.received()[0]
		Expect(spec.ValidateWebhook(openapi.WebhookAccountsDetail, got.Body)).To(Succeed())
		body := hookJSON(got.Body)
		Expect(body).To(HaveKeyWithValue("Tag", "order-9"))
		account := body["Accounts"].([]any)[0].(map[string]any)
		Expect(account).To(HaveKeyWithValue("Holder", HaveKey("Name")))
		Expect(account["Transactions"]).NotTo(BeEmpty())
		for _, e := range srv.Journal() {
			Expect(e.Endpoint).NotTo(HavePrefix("GetAccounts"))
		}
	})

	It("comes after /Authorize when the login scripts onAuthorize, when its steps say the data is ready", func() {
		rc := newHookReceiver()
		srv, f := hookServer(nil, rc)
		Expect(srv.Admin.AddScenarios(context.Background(), srv.CustomerID, []byte("logins:\n"+
			hookLogin("hook_linked", 20, "[{respond: pending, for: 2m}, {respond: ready}]", "{onAuthorize: true}")))).Error().NotTo(HaveOccurred())
		hookSession(f, 20, nil)
		Expect(hookDeliveries(srv, admin.DeliveryFilter{})).To(BeEmpty())
		srv.Advance(2 * time.Minute)
		Eventually(rc.count).Should(Equal(1))
		Expect(rc.responseTypes()).To(Equal([]string{"GetAccountsDetail"}))
	})
})
