package mockserver_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/mockserver"
)

var _ = Describe("OAuth access tokens", func() {
	var (
		f   *fixture
		rid any
	)
	BeforeEach(func() {
		f = newFixture(mockserver.Config{APIKey: "the-api-key", SecretKey: mockserver.ToolboxSecretKey})
		rid = f.authorize(map[string]any{"LoginId": login("greatday_nomfa").LoginID, "MostRecentCached": true}).Body["RequestId"]
	})

	token := func() string {
		GinkgoHelper()
		a := f.call("POST", "Token", nil, map[string]any{"client_id": f.Customer, "secret": mockserver.ToolboxSecretKey})
		Expect(a.Status).To(Equal(200), string(a.Raw))
		Expect(a.Body).To(HaveKeyWithValue("token_type", "Bearer"))
		Expect(a.Body).To(HaveKeyWithValue("expires_in", 299.0))
		return a.Body["access_token"].(string)
	}

	It("are accepted as Authorization: Bearer instead of x-api-key, any number of times", func() {
		Expect(f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid})).To(haveFlinksError(401, "ACCESS_DENIED"))
		bearer := map[string]string{"Authorization": "Bearer " + token()}
		Expect(f.call("POST", "GetAccountsDetail", bearer, map[string]any{"RequestId": rid}).Status).To(Equal(200))
		Expect(f.call("POST", "GetStatements", bearer, map[string]any{"RequestId": rid}).Status).To(Equal(200))
		Expect(f.call("GET", "Institutions", bearer, nil).Status).To(Equal(200))
		Expect(f.call("POST", "GetAccountsSummary", map[string]string{"x-api-key": "the-api-key"}, map[string]any{"RequestId": rid}).Status).To(Equal(200))
		Eventually(func() []bool {
			var sent []bool
			for _, e := range f.Server.Journal(f.Customer) {
				if e.Endpoint == "GetStatements" {
					sent = append(sent, e.Bearer)
				}
			}
			return sent
		}).Should(Equal([]bool{true}))
	})

	It("expire after expires_in seconds on the server clock", func() {
		bearer := map[string]string{"Authorization": "Bearer " + token()}
		f.Clock.Advance(298 * 1e9)
		Expect(f.call("POST", "GetAccountsSummary", bearer, map[string]any{"RequestId": rid}).Status).To(Equal(200))
		f.Clock.Advance(1e9)
		expired := f.call("POST", "GetAccountsSummary", bearer, map[string]any{"RequestId": rid})
		Expect(expired).To(haveFlinksError(401, "ACCESS_DENIED"))
		Expect(expired.Body["Message"]).To(ContainSubstring("Bearer"))
	})

	It("are refused when unknown, or issued to another customer", func() {
		Expect(f.call("GET", "Institutions", map[string]string{"Authorization": "Bearer nope"}, nil)).To(haveFlinksError(401, "ACCESS_DENIED"))
		bearer := map[string]string{"Authorization": "Bearer " + token()}
		f.Customer = "0c7a1f3e-5b2d-4e8f-9a6c-1d3b5f7a9c2e"
		Expect(f.call("GET", "Institutions", bearer, nil)).To(haveFlinksError(401, "ACCESS_DENIED"))
	})

	It("are not issued for a wrong secret or a missing field", func() {
		Expect(f.call("POST", "Token", nil, map[string]any{"client_id": "c", "secret": "wrong"})).To(haveFlinksError(401, "ACCESS_DENIED"))
		Expect(f.call("POST", "Token", nil, map[string]any{"client_id": "c"}).Body).To(HaveKeyWithValue("FlinksCode", "INVALID_REQUEST"))
	})
})
