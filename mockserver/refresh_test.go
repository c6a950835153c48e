package mockserver_test

import (
	"encoding/json"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/mockserver"
)

var _ = Describe("Scheduled (nightly) refresh", func() {
	var (
		f  *fixture
		rc *hookReceiver
	)
	BeforeEach(func() {
		rc = newHookReceiver()
		f = newFixture(mockserver.Config{WebhookURLs: []string{rc.URL + "/flinks"}})
	})

	schedule := func(body map[string]any) answer {
		GinkgoHelper()
		return f.call("PATCH", "SetScheduledRefresh", nil, body)
	}
	// logins returns the Login objects of the webhooks received so far.
	logins := func() []map[string]any {
		var out []map[string]any
		for _, req := range rc.received() {
			var body map[string]any
			Expect(json.Unmarshal(req.Body, &body)).To(Succeed())
			out = append(out, body["Login"].(map[string]any))
		}
		return out
	}
	// untilNight moves the server clock to the next 03:00 UTC.
	untilNight := func() {
		now := f.Clock.Now()
		next := time.Date(now.Year(), now.Month(), now.Day(), 3, 0, 0, 0, time.UTC)
		if !next.After(now) {
			next = next.AddDate(0, 0, 1)
		}
		_, err := f.Clock.Advance(next.Sub(now))
		Expect(err).NotTo(HaveOccurred())
	}
	status := func() []any {
		GinkgoHelper()
		a := f.call("GET", "GetNightlyRefreshStatus", map[string]string{"Authorization": "Bearer " + mockserver.ToolboxSecretKey}, nil)
		Expect(a.Status).To(Equal(200), string(a.Raw))
		return a.Body["IneligibleCards"].([]any)
	}

	It("refreshes a login every night and sends its webhook, until deactivated", func() {
		id := login("greatday_nomfa").LoginID
		on := schedule(map[string]any{"LoginId": id, "IsActivated": true})
		Expect(on.Status).To(Equal(200))
		Expect(string(on.Raw)).To(Equal(`"LoginId ` + id + ` has now been activated for automatic refresh"`))
		a := f.authorize(map[string]any{"LoginId": id, "MostRecentCached": true})
		Expect(a.Body["Login"]).To(HaveKeyWithValue("IsScheduledRefresh", true))

		untilNight()
		Eventually(logins).Should(HaveLen(1))
		Expect(logins()[0]).To(HaveKeyWithValue("IsScheduledRefresh", true))
		Expect(logins()[0]).To(HaveKeyWithValue("LastRefresh", "2026-11-03T03:00:00.0000000"))
		untilNight()
		Eventually(logins).Should(HaveLen(2))
		Expect(logins()[1]).To(HaveKeyWithValue("LastRefresh", "2026-11-04T03:00:00.0000000"))

		off := schedule(map[string]any{"loginId": id, "isActivated": "false"})
		Expect(string(off.Raw)).To(Equal(`"LoginId ` + id + ` has now been deactivated for automatic refresh"`))
		untilNight()
		// A refresh runs on the virtual clock and sends its webhook before
		// Advance returns: a third one would be there by now.
		Expect(logins()).To(HaveLen(2))
		Expect(f.authorize(map[string]any{"LoginId": id, "MostRecentCached": true}).Body["Login"]).To(HaveKeyWithValue("IsScheduledRefresh", false))
	})

	It("appends the transactions of each night to the login's accounts, in its webhook and in its later sessions", func() {
		id := login("greatday_nomfa").LoginID
		Expect(schedule(map[string]any{"LoginId": id, "IsActivated": true}).Status).To(Equal(200))
		// accountsOf returns, by account Id, the transactions (newest
		// first) and the balance of a GetAccountsDetail-shaped body.
		type account struct {
			Id           string
			Balance      struct{ Current float64 }
			Transactions []struct {
				Id, Date string
				Balance  float64
			}
		}
		accountsOf := func(raw []byte) map[string]account {
			GinkgoHelper()
			var body struct{ Accounts []account }
			Expect(json.Unmarshal(raw, &body)).To(Succeed())
			out := map[string]account{}
			for _, a := range body.Accounts {
				out[a.Id] = a
			}
			return out
		}
		detail := func() map[string]account {
			GinkgoHelper()
			rid := f.authorized("greatday_nomfa")
			a := f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid})
			Expect(a.Status).To(Equal(200))
			return accountsOf(a.Raw)
		}
		// added returns the dates of the transactions of acc newer than
		// the newest of before.
		added := func(acc, before account) []string {
			GinkgoHelper()
			var dates []string
			for _, tx := range acc.Transactions {
				if tx.Id == before.Transactions[0].Id {
					Expect(acc.Balance.Current).To(Equal(acc.Transactions[0].Balance), "the balance is the newest transaction's")
					return dates
				}
				dates = append(dates, tx.Date)
			}
			Fail("the earlier transactions are gone from account " + acc.Id)
			return nil
		}
		raw, err := json.Marshal(map[string]any{"Accounts": login("greatday_nomfa").AllAccounts()})
		Expect(err).NotTo(HaveOccurred())
		before := accountsOf(raw)

		untilNight()
		Eventually(rc.received).Should(HaveLen(1))
		first := accountsOf(rc.received()[0].Body)
		Expect(first).To(HaveLen(len(before)))
		for id, acc := range first {
			Expect(added(acc, before[id])).To(And(Not(BeEmpty()), HaveEach("2026-11-03")), "account %s", id)
		}

		untilNight()
		Eventually(rc.received).Should(HaveLen(2))
		second := accountsOf(rc.received()[1].Body)
		for id, acc := range second {
			Expect(added(acc, first[id])).To(And(Not(BeEmpty()), HaveEach("2026-11-04")), "account %s", id)
		}
		Expect(logins()[1]).To(HaveKeyWithValue("LastRefresh", "2026-11-04T03:00:00.0000000"))

		// A cached session afterwards holds the refreshed data.
		Expect(detail()).To(Equal(second))
	})

	It("fails with QUESTION_NOT_FOUND for a login with security questions and no stored answers, and lists it as ineligible", func() {
		id := login("greatday").LoginID
		Expect(schedule(map[string]any{"LoginId": id, "IsActivated": "true"}).Status).To(Equal(200))
		Expect(status()).To(BeEmpty())
		untilNight()
		Expect(logins()).To(BeEmpty())
		cards := status()
		Expect(cards).To(HaveLen(1))
		Expect(cards[0]).To(Equal(map[string]any{"LoginId": id, "LastRefreshDate": "2026-11-03T03:00:00.0000000", "LastRefreshState": "AnsweringSecurityChallenge", "LastRefreshErrorCode": "QUESTION_NOT_FOUND"}))

		var answers []any
		for q, a := range map[string]string{"What city were you born in?": "Montreal", "What is the best country on earth?": "Canada", "What shape do people like most?": "Triangle"} {
			answers = append(answers, map[string]any{"Question": q, "Answer": a})
		}
		Expect(f.call("PATCH", "AnswerMFAQuestions", nil, map[string]any{"LoginId": id, "Questions": answers}).Status).To(Equal(200))
		untilNight()
		Eventually(logins).Should(HaveLen(1))
		Expect(status()).To(BeEmpty())
	})

	It("takes LoginId as the query parameter login_id", func() {
		id := login("greatday_nomfa").LoginID
		a := f.do("PATCH", "/v3/"+f.Customer+"/BankingServices/SetScheduledRefresh?login_id="+id, nil, map[string]any{"IsActivated": true})
		Expect(a.Status).To(Equal(200), string(a.Raw))
	})

	It("refuses an unknown LoginId, a missing IsActivated, and a status call without the Bearer secret", func() {
		Expect(schedule(map[string]any{"LoginId": "11111111-2222-3333-4444-555555555555", "IsActivated": true})).To(haveFlinksError(401, "INVALID_LOGIN"))
		Expect(schedule(map[string]any{"LoginId": login("greatday_nomfa").LoginID}).Body).To(HaveKeyWithValue("FlinksCode", "INVALID_REQUEST"))
		Expect(f.call("GET", "GetNightlyRefreshStatus", nil, nil)).To(haveFlinksError(401, "ACCESS_DENIED"))
	})
})
