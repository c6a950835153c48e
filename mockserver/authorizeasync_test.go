package mockserver_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/mockserver"
)

var _ = Describe("AuthorizeAsync", func() {
	var f *fixture
	BeforeEach(func() { f = newFixture(mockserver.Config{}) })

	async := func(body map[string]any, token bool) answer {
		GinkgoHelper()
		var header map[string]string
		if token {
			header = map[string]string{"flinks-auth-key": f.token()}
		}
		return f.call("POST", "AuthorizeAsync", header, body)
	}

	It("answers 202 at once, then 203 to a poll while MFA waits, 202 to the answers, and 200 once authorized", func() {
		first := async(map[string]any{"LoginId": login("mock_mfa_always").LoginID, "MostRecentCached": false}, true)
		Expect(first.Status).To(Equal(202), string(first.Raw))
		Expect(first.Body).To(HaveKeyWithValue("FlinksCode", "OPERATION_PENDING"))
		rid := first.Body["RequestId"].(string)

		mfa := async(map[string]any{"RequestId": rid}, false)
		Expect(mfa.Status).To(Equal(203))
		Expect(mfa.Body["SecurityChallenges"]).To(ContainElement(HaveKeyWithValue("Prompt", "What is the best country on earth?")))
		Expect(f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid})).To(haveFlinksError(401, "UNAUTHORIZED"))

		answered := async(map[string]any{"RequestId": rid, "SecurityResponses": map[string]any{"What is the best country on earth?": []string{"Canada"}}}, true)
		Expect(answered.Status).To(Equal(202), string(answered.Raw))
		ok := async(map[string]any{"RequestId": rid}, false)
		Expect(ok.Status).To(Equal(200))
		Expect(ok.Body).To(HaveKeyWithValue("RequestId", rid))
		Expect(f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid}).Status).To(Equal(200))
	})

	It("answers the errors of /Authorize: a wrong answer, an unknown login, a missing token, an unknown RequestId", func() {
		rid := async(map[string]any{"LoginId": login("mock_mfa_always").LoginID, "MostRecentCached": false}, true).Body["RequestId"]
		Expect(async(map[string]any{"RequestId": rid, "SecurityResponses": map[string]any{"What is the best country on earth?": []string{"Mars"}}}, true)).
			To(haveFlinksError(401, "INVALID_SECURITY_RESPONSE"))
		Expect(async(map[string]any{"LoginId": "11111111-2222-3333-4444-555555555555", "MostRecentCached": true}, true)).To(haveFlinksError(401, "INVALID_LOGIN"))
		Expect(async(map[string]any{"LoginId": login("greatday_nomfa").LoginID, "MostRecentCached": true}, false)).To(haveFlinksError(401, "ACCESS_DENIED"))
		Expect(async(map[string]any{"RequestId": "fd4e2952-95a8-46a3-b44c-84daf099ce13"}, false)).To(haveFlinksError(400, "SESSION_NONEXISTENT"))
	})

	It("is journalled as AuthorizeAsync", func() {
		async(map[string]any{"LoginId": login("greatday_nomfa").LoginID, "MostRecentCached": true}, true)
		Eventually(func() []string {
			var names []string
			for _, e := range f.Server.Journal(f.Customer) {
				names = append(names, e.Endpoint)
			}
			return names
		}).Should(ContainElement("AuthorizeAsync"))
	})
})
