package mockserver_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

var _ = Describe("The journal", func() {
	It("records every request of a flow, per customer, with secrets left out", func() {
		f := newFixture(mockserver.Config{})
		greatday := login("greatday")
		f.walk(greatday, map[string]any{"LoginId": greatday.LoginID, "MostRecentCached": false})
		tok := f.token()
		f.call("POST", "Authorize", map[string]string{"flinks-auth-key": tok}, map[string]any{"Username": "Greatday", "Password": "Everyday", "Institution": "FlinksCapital"})
		f.call("POST", "Authorize", map[string]string{"flinks-auth-key": tok}, map[string]any{"Username": "Greatday", "Password": "Everyday", "Institution": "FlinksCapital"})

		entries := f.Server.Journal(f.Customer)
		var endpoints []string
		for _, e := range entries {
			endpoints = append(endpoints, e.Endpoint)
			Expect(e.Tenant).To(Equal(f.Customer))
			Expect(e.Body).NotTo(ContainSubstring("Everyday"))
			for _, c := range greatday.MFA.Rounds[0].Challenges {
				Expect(e.Body).NotTo(ContainSubstring(c.Answers[0]))
			}
		}
		Expect(endpoints).To(Equal([]string{
			"GenerateAuthorizeToken", "Authorize", "GenerateAuthorizeToken", "Authorize",
			"GetAccountsDetail", "GetAccountsDetailAsync",
			"GenerateAuthorizeToken", "Authorize", "Authorize",
		}))
		Expect(entries[1]).To(SatisfyAll(
			HaveField("Status", 203), HaveField("Mode", "live"), HaveField("Token", journal.TokenFresh),
			HaveField("LoginID", greatday.LoginID), HaveField("Challenges", HaveLen(1))))
		Expect(entries[3]).To(SatisfyAll(HaveField("Mode", "mfa-answer"), HaveField("Answered", Equal(entries[1].Challenges)), HaveField("Status", 200)))
		Expect(entries[4]).To(SatisfyAll(HaveField("Status", 202), HaveField("FlinksCode", "OPERATION_PENDING"), HaveField("RequestID", entries[1].RequestID)))
		Expect(entries[7].Token).To(Equal(journal.TokenFresh))
		Expect(entries[8]).To(SatisfyAll(HaveField("Token", journal.TokenReused), HaveField("Status", 401), HaveField("TokenRef", entries[7].TokenRef)))
		for i := 1; i < len(entries); i++ {
			Expect(entries[i].Seq).To(BeNumerically(">", entries[i-1].Seq))
		}
	})

	It("keeps customers apart and records requests that named none", func() {
		f := newFixture(mockserver.Config{})
		f.token()
		f.Customer = "other"
		f.token()
		f.do("GET", "/nowhere", nil, nil)
		Expect(f.Server.Journal("43387ca6-0391-4c82-857d-70d95f087ecb")).To(HaveLen(1))
		Expect(f.Server.Journal("other")).To(HaveLen(1))
		Expect(f.Server.Journal("")).To(ContainElement(HaveField("Path", "/nowhere")))
	})
})
