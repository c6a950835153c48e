package mockserver_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/mockserver"
)

var _ = Describe("DeleteCard", func() {
	var (
		f  *fixture
		id string
	)
	BeforeEach(func() {
		f = newFixture(mockserver.Config{})
		id = login("greatday_nomfa").LoginID
	})

	It("removes the login: afterwards its LoginId is unknown and its sessions are gone", func() {
		rid := f.authorize(map[string]any{"LoginId": id, "MostRecentCached": true}).Body["RequestId"]
		Expect(f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid}).Status).To(Equal(200))

		del := f.call("DELETE", "DeleteCard/"+id, nil, nil)
		Expect(del.Status).To(Equal(200))
		Expect(del.Body).To(Equal(map[string]any{"StatusCode": 200.0, "Message": "All of the information about LoginId " + id + " has been removed"}))

		Expect(f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid})).To(haveFlinksError(400, "SESSION_NONEXISTENT"))
		Expect(f.authorize(map[string]any{"LoginId": id, "MostRecentCached": true})).To(haveFlinksError(401, "INVALID_LOGIN"))
	})

	It("answers Invalid LoginId to a second deletion and to a LoginId never linked", func() {
		Expect(f.call("DELETE", "DeleteCard/"+id, nil, nil).Status).To(Equal(200))
		again := f.call("DELETE", "DeleteCard/"+id, nil, nil)
		Expect(again).To(haveFlinksError(401, "INVALID_LOGIN"))
		Expect(again.Body["Message"]).To(ContainSubstring("Invalid LoginId"))
		Expect(f.call("DELETE", "DeleteCard/11111111-2222-3333-4444-555555555555", nil, nil)).To(haveFlinksError(401, "INVALID_LOGIN"))
	})

	It("answers CARD_IN_USE while a session of the login is being processed", func() {
		rid := f.authorize(map[string]any{"LoginId": id, "MostRecentCached": true}).Body["RequestId"]
		busy := f.call("DELETE", "DeleteCard/"+id, nil, nil)
		Expect(busy).To(haveFlinksError(400, "CARD_IN_USE"))
		Expect(busy.Body).To(HaveKeyWithValue("RequestId", rid))
		Expect(f.call("POST", "GetAccountsSummary", nil, map[string]any{"RequestId": rid}).Status).To(Equal(200))
		Expect(f.call("DELETE", "DeleteCard/"+id, nil, nil).Status).To(Equal(200))
	})

	It("answers CARD_IN_USE while the login waits for MFA answers, and not once that session expired", func() {
		greatday := login("greatday").LoginID
		Expect(f.authorize(map[string]any{"LoginId": greatday, "MostRecentCached": false}).Status).To(Equal(203))
		Expect(f.call("DELETE", "DeleteCard/"+greatday, nil, nil)).To(haveFlinksError(400, "CARD_IN_USE"))
		f.Clock.Advance(library.Settings.AuthorizeIdleTimeout.D())
		Expect(f.call("DELETE", "DeleteCard/"+greatday, nil, nil).Status).To(Equal(200))
	})

	It("lets the login be linked again with its credentials", func() {
		Expect(f.call("DELETE", "DeleteCard/"+id, nil, nil).Status).To(Equal(200))
		l := login("greatday_nomfa")
		again := f.authorize(map[string]any{"Username": l.Username, "Password": "Everyday", "Institution": "FlinksCapital"})
		Expect(again.Status).To(Equal(200), string(again.Raw))
		Expect(f.authorize(map[string]any{"LoginId": id, "MostRecentCached": true}).Status).To(Equal(200))
	})

	It("is the tenant's own: another customer still has the login", func() {
		Expect(f.call("DELETE", "DeleteCard/"+id, nil, nil).Status).To(Equal(200))
		f.Customer = "0c7a1f3e-5b2d-4e8f-9a6c-1d3b5f7a9c2e"
		Expect(f.authorize(map[string]any{"LoginId": id, "MostRecentCached": true}).Status).To(Equal(200))
	})

	It("is journalled with the LoginId", func() {
		f.call("DELETE", "DeleteCard/"+id, nil, nil)
		Eventually(func() []string {
			var out []string
			for _, e := range f.Server.Journal(f.Customer) {
				if e.Endpoint == "DeleteCard" {
					out = append(out, e.LoginID)
				}
			}
			return out
		}).Should(ConsistOf(id))
	})
})
