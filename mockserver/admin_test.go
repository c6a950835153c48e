package mockserver_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/mockserver/mocktest"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// fixtureOf drives a mocktest server with the suite's fixture helpers.
func fixtureOf(srv *mocktest.Server) *fixture {
	return &fixture{URL: srv.URL, Customer: srv.CustomerID, Clock: srv.Clock, Server: srv.Mock}
}

const extraLogin = `
logins:
  - name: runtime_jo
    username: runtime_jo
    loginId: 0b6a4c1e-7a51-4b8e-9c55-3f6d2a1e9b10
    generate: {seed: 7, chequing: 1}
    accountsDetail:
      - respond: pending
        calls: 2
      - respond: ready
`

var _ = Describe("The admin API", func() {
	var (
		srv *mocktest.Server
		f   *fixture
		ctx context.Context
	)
	BeforeEach(func() {
		srv = mocktest.NewServer(GinkgoT())
		srv.Admin = validatedAdmin(srv.URL, "")
		f = fixtureOf(srv)
		ctx = context.Background()
	})

	Describe("the journal", func() {
		It("filters by customer, RequestId, LoginId, endpoint, sequence and count", func() {
			nomfa := login("greatday_nomfa")
			a := f.authorize(map[string]any{"LoginId": nomfa.LoginID, "MostRecentCached": true})
			rid := a.Body["RequestId"].(string)
			f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid})
			f.Customer = "someone-else"
			f.token()

			all, err := srv.Admin.Journal(ctx, admin.JournalFilter{})
			Expect(err).NotTo(HaveOccurred())
			Expect(all.Entries).To(HaveLen(4))

			mine, err := srv.Admin.Journal(ctx, admin.JournalFilter{CustomerID: srv.CustomerID})
			Expect(err).NotTo(HaveOccurred())
			Expect(mine.Entries).To(HaveLen(3))

			byRequest, _ := srv.Admin.Journal(ctx, admin.JournalFilter{RequestID: rid})
			Expect(byRequest.Entries).To(HaveLen(2))
			Expect(byRequest.Entries[1].Endpoint).To(Equal("GetAccountsDetail"))

			byLogin, _ := srv.Admin.Journal(ctx, admin.JournalFilter{LoginID: nomfa.LoginID})
			Expect(byLogin.Entries).To(HaveLen(2))

			tokens, _ := srv.Admin.Journal(ctx, admin.JournalFilter{Endpoint: "GenerateAuthorizeToken"})
			Expect(tokens.Entries).To(HaveLen(2))

			after, _ := srv.Admin.Journal(ctx, admin.JournalFilter{AfterSeq: mine.Entries[1].Seq})
			Expect(after.Entries).To(HaveLen(2))

			last, _ := srv.Admin.Journal(ctx, admin.JournalFilter{Limit: 1})
			Expect(last.Entries).To(ConsistOf(HaveField("Tenant", "someone-else")))
		})

		It("is cleared per customer", func() {
			f.token()
			f.token()
			n, err := srv.Admin.ClearJournal(ctx, srv.CustomerID)
			Expect(err).NotTo(HaveOccurred())
			Expect(n).To(Equal(2))
			Expect(srv.Journal()).To(BeEmpty())
		})

		It("rejects a filter it cannot read", func() {
			a := f.do("GET", "/__admin/journal?since=yesterday", nil, nil)
			Expect(a).To(haveFlinksError(400, "INVALID_REQUEST"))
			Expect(a.Body["Message"]).To(ContainSubstring("since"))
		})
	})

	Describe("the clock", func() {
		It("moves a virtual clock, and token expiry follows it", func() {
			tok := f.token()
			st, err := srv.Admin.Advance(ctx, 31*time.Minute)
			Expect(err).NotTo(HaveOccurred())
			Expect(st.Mode).To(Equal("virtual"))
			Expect(st.Now).To(Equal(mocktest.Start.Add(31 * time.Minute)))
			a := f.call("POST", "Authorize", map[string]string{"flinks-auth-key": tok}, map[string]any{"LoginId": login("greatday_nomfa").LoginID, "MostRecentCached": true})
			Expect(a).To(haveFlinksError(401, "ACCESS_DENIED"))
			Expect(srv.Journal()).To(ContainElement(HaveField("Token", journal.TokenExpired)))
		})

		It("sets a virtual clock forward, never back", func() {
			later := mocktest.Start.Add(48 * time.Hour)
			st, err := srv.Admin.SetClock(ctx, later)
			Expect(err).NotTo(HaveOccurred())
			Expect(st.Now).To(Equal(later))
			_, err = srv.Admin.SetClock(ctx, mocktest.Start)
			Expect(err).To(MatchError(ContainSubstring("only moves forward")))
		})

		It("refuses a malformed duration", func() {
			Expect(f.do("POST", "/__admin/clock/advance", nil, `{"by":"soon"}`)).To(haveFlinksError(400, "INVALID_REQUEST"))
			Expect(f.do("POST", "/__admin/clock/advance", nil, `{"by":10}`)).To(haveFlinksError(400, "INVALID_REQUEST"))
		})

		It("refuses to move a real clock", func() {
			real := mocktest.NewServer(GinkgoT(), mocktest.WithRealClock())
			real.Admin = validatedAdmin(real.URL, "")
			st, err := real.Admin.Clock(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(st.Mode).To(Equal("real"))
			_, err = real.Admin.Advance(ctx, time.Minute)
			var e *admin.Error
			Expect(errors.As(err, &e)).To(BeTrue())
			Expect(e.Status).To(Equal(http.StatusConflict))
		})

		It("makes a 30-minute processing timeout take no time", func() {
			l := loginWhere("a 202 step longer than 30 minutes", func(l *scenarios.Login) bool { return stepsLast(l.AccountsDetail) > 30*time.Minute })
			rid := f.authorize(map[string]any{"LoginId": l.LoginID, "MostRecentCached": true}).Body["RequestId"].(string)
			Expect(f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid}).Status).To(Equal(202))
			_, err := srv.Admin.Advance(ctx, 30*time.Minute)
			Expect(err).NotTo(HaveOccurred())
			Expect(f.call("GET", "GetAccountsDetailAsync/"+rid, nil, nil)).To(haveFlinksError(401, "SESSION_EXPIRED"))
		})
	})

	Describe("run-time scenarios", func() {
		It("adds a login for one customer only", func() {
			change, err := srv.Admin.AddScenarios(ctx, srv.CustomerID, []byte(extraLogin))
			Expect(err).NotTo(HaveOccurred())
			Expect(change.Added).To(Equal([]string{"runtime_jo"}))

			body := map[string]any{"LoginId": "0b6a4c1e-7a51-4b8e-9c55-3f6d2a1e9b10", "MostRecentCached": true}
			Expect(f.authorize(body).Status).To(Equal(200))
			listed, _ := srv.Admin.Scenarios(ctx, srv.CustomerID)
			Expect(listed).To(ContainElement(SatisfyAll(HaveField("Name", "runtime_jo"), HaveField("Source", "runtime"))))

			f.Customer = "another-customer"
			Expect(f.authorize(body)).To(haveFlinksError(401, "INVALID_LOGIN"))
		})

		It("replaces a default login and forgets its sessions", func() {
			nomfa := login("greatday_nomfa")
			rid := f.authorize(map[string]any{"LoginId": nomfa.LoginID, "MostRecentCached": true}).Body["RequestId"]
			change, err := srv.Admin.AddScenarios(ctx, srv.CustomerID, []byte(fmt.Sprintf(`
logins:
  - name: greatday_nomfa
    username: greatday_nomfa
    loginId: %s
    authorize:
      - respond: error
        flinksCode: NEW_ACCOUNT
`, nomfa.LoginID)))
			Expect(err).NotTo(HaveOccurred())
			Expect(change.Replaced).To(Equal([]string{"greatday_nomfa"}))
			Expect(f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid})).To(haveFlinksError(400, "SESSION_NONEXISTENT"))
			Expect(f.authorize(map[string]any{"LoginId": nomfa.LoginID, "MostRecentCached": true})).To(haveFlinksError(401, "NEW_ACCOUNT"))
		})

		It("rejects a bad file with every problem located, and changes nothing", func() {
			_, err := srv.Admin.AddScenarios(ctx, srv.CustomerID, []byte("logins:\n  - name: x\n    username: x\n    loginId: nope\n    colour: red\n"))
			var e *admin.Error
			Expect(errors.As(err, &e)).To(BeTrue())
			Expect(e.Status).To(Equal(400))
			Expect(e.Problems).To(ContainElements(
				SatisfyAll(HaveField("File", "runtime"), HaveField("Line", 4), HaveField("Path", "logins[0].loginId")),
				SatisfyAll(HaveField("Line", 5), HaveField("Path", "logins[0].colour")),
			))
			listed, _ := srv.Admin.Scenarios(ctx, srv.CustomerID)
			Expect(listed).To(HaveLen(len(library.Logins) + len(scenarios.Conventions())))
		})

		It("rejects a login whose LoginId another login has", func() {
			_, err := srv.Admin.AddScenarios(ctx, srv.CustomerID, []byte(fmt.Sprintf("logins:\n  - name: copy\n    username: copy\n    loginId: %s\n", login("greatday").LoginID)))
			Expect(err).To(MatchError(ContainSubstring("also used by login")))
		})

		It("removes a login by name, and says when there is none", func() {
			_, err := srv.Admin.AddScenarios(ctx, srv.CustomerID, []byte(extraLogin))
			Expect(err).NotTo(HaveOccurred())
			change, err := srv.Admin.RemoveScenarios(ctx, srv.CustomerID, "runtime_jo")
			Expect(err).NotTo(HaveOccurred())
			Expect(change.Removed).To(Equal([]string{"runtime_jo"}))
			Expect(f.authorize(map[string]any{"LoginId": "0b6a4c1e-7a51-4b8e-9c55-3f6d2a1e9b10", "MostRecentCached": true})).To(haveFlinksError(401, "INVALID_LOGIN"))
			_, err = srv.Admin.RemoveScenarios(ctx, srv.CustomerID, "runtime_jo")
			var e *admin.Error
			Expect(errors.As(err, &e)).To(BeTrue())
			Expect(e.Status).To(Equal(404))
		})

		It("resets a customer to the loaded state", func() {
			_, err := srv.Admin.AddScenarios(ctx, srv.CustomerID, []byte(extraLogin))
			Expect(err).NotTo(HaveOccurred())
			tok := f.token()
			reset, err := srv.Admin.Reset(ctx, srv.CustomerID)
			Expect(err).NotTo(HaveOccurred())
			Expect(reset).To(Equal([]string{srv.CustomerID}))
			Expect(srv.Journal()).To(BeEmpty())
			Expect(f.call("POST", "Authorize", map[string]string{"flinks-auth-key": tok}, map[string]any{"LoginId": "0b6a4c1e-7a51-4b8e-9c55-3f6d2a1e9b10", "MostRecentCached": true})).To(haveFlinksError(401, "ACCESS_DENIED"))
			listed, _ := srv.Admin.Scenarios(ctx, srv.CustomerID)
			Expect(listed).To(HaveLen(len(library.Logins) + len(scenarios.Conventions())))
		})
	})

	Describe("with an admin token", func() {
		It("refuses admin calls without it, but answers health", func() {
			guarded := mocktest.NewServer(GinkgoT(), mocktest.WithConfig(func(c *mockserver.Config) { c.AdminToken = "t0ken" }))
			Expect(guarded.Admin.Health(ctx)).To(Succeed())
			_, err := guarded.Admin.Journal(ctx, admin.JournalFilter{})
			Expect(err).NotTo(HaveOccurred(), "the mocktest client carries the token")
			_, err = validatedAdmin(guarded.URL, "").Journal(ctx, admin.JournalFilter{})
			var e *admin.Error
			Expect(errors.As(err, &e)).To(BeTrue())
			Expect(e.Status).To(Equal(401))
			_, err = admin.New(guarded.URL, "wrong", nil).Clock(ctx)
			Expect(err).To(HaveOccurred())
		})
	})

	It("serves its own OpenAPI document", func() {
		a := f.do("GET", "/__admin/openapi.yaml", nil, nil)
		Expect(a.Status).To(Equal(200))
		Expect(string(a.Raw)).To(ContainSubstring("/__admin/clock/advance"))
	})
})

var _ = Describe("Tenants", func() {
	It("keep their sessions and journals apart under a parallel load of full flows", func() {
		srv := mocktest.NewServer(GinkgoT())
		greatday := login("greatday")
		const customers, flows = 8, 5
		var wg sync.WaitGroup
		requestIDs := make([][]string, customers)
		for c := 0; c < customers; c++ {
			wg.Add(1)
			go func() {
				defer GinkgoRecover()
				defer wg.Done()
				f := &fixture{URL: srv.URL, Customer: fmt.Sprintf("customer-%d", c), Clock: srv.Clock, Server: srv.Mock}
				for i := 0; i < flows; i++ {
					auth, data, _ := f.walk(greatday, map[string]any{"LoginId": greatday.LoginID, "MostRecentCached": false})
					Expect(data.Status).To(Equal(200))
					requestIDs[c] = append(requestIDs[c], auth.Body["RequestId"].(string))
				}
			}()
		}
		wg.Wait()
		for c := 0; c < customers; c++ {
			entries := srv.Mock.Journal(fmt.Sprintf("customer-%d", c))
			Expect(entries).To(HaveLen(flows * 6)) // token, 203, token, 200, 202, 200
			for _, e := range entries {
				Expect(e.Tenant).To(Equal(fmt.Sprintf("customer-%d", c)))
				if e.RequestID != "" {
					Expect(requestIDs[c]).To(ContainElement(e.RequestID))
				}
			}
		}
	})
})

var _ = Describe("Reloading the scenario files", func() {
	It("keeps the sessions of unchanged logins and forgets those of changed ones", func() {
		srv := mocktest.NewServer(GinkgoT())
		f := fixtureOf(srv)
		nomfa, pending := login("greatday_nomfa"), login("test_pending")
		keep := f.authorize(map[string]any{"LoginId": nomfa.LoginID, "MostRecentCached": true}).Body["RequestId"]
		lose := f.authorize(map[string]any{"LoginId": pending.LoginID, "MostRecentCached": true}).Body["RequestId"]

		sources, err := scenarios.DefaultSources()
		Expect(err).NotTo(HaveOccurred())
		changed, err := scenarios.Parse("changed.yaml", []byte(fmt.Sprintf("logins:\n  - name: test_pending\n    username: test_pending\n    loginId: %s\n", pending.LoginID)))
		Expect(err).NotTo(HaveOccurred())
		lib, err := scenarios.Build(mocktest.Start, append(sources, changed)...)
		Expect(err).NotTo(HaveOccurred())

		rep := srv.Mock.Reload(lib)
		Expect(rep.Changed).To(Equal([]string{"test_pending"}))
		Expect(rep.Added).To(BeEmpty())
		Expect(f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": keep}).Status).To(Equal(200))
		Expect(f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": lose})).To(haveFlinksError(400, "SESSION_NONEXISTENT"))
	})
})

var _ = Describe("Bounds", func() {
	It("keep the journals of all tenants within the journal budget", func() {
		srv := mocktest.NewServer(GinkgoT(), mocktest.WithConfig(func(c *mockserver.Config) { c.JournalBudget = 50 }))
		f := fixtureOf(srv)
		for i := 0; i < 120; i++ {
			f.Customer = fmt.Sprintf("c%d", i%7)
			f.token()
		}
		page, err := srv.Admin.Journal(context.Background(), admin.JournalFilter{})
		Expect(err).NotTo(HaveOccurred())
		Expect(len(page.Entries)).To(BeNumerically("<=", 50))
		Expect(len(page.Entries)).To(BeNumerically(">=", 40))
		Expect(page.Dropped).To(BeNumerically("==", 120-len(page.Entries)))
		Expect(page.Total).To(BeNumerically("==", 120), "the total counts the dropped entries too")
		Expect(page.Entries[len(page.Entries)-1].Seq).To(BeNumerically("==", 120), "the newest entries are kept")
	})

	It("hand a subscriber every entry of its customer, past the journal's bound", func() {
		srv := mocktest.NewServer(GinkgoT(), mocktest.WithConfig(func(c *mockserver.Config) { c.JournalSize = 10 }))
		f := fixtureOf(srv)
		var mu sync.Mutex
		var seen []journal.Entry
		cancel := srv.Mock.Subscribe(srv.CustomerID, func(e journal.Entry) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, e)
		})
		DeferCleanup(cancel)
		for range 50 {
			f.token()
		}
		Expect(srv.Journal()).To(HaveLen(10))
		mu.Lock()
		defer mu.Unlock()
		Expect(seen).To(HaveLen(50))
		Expect(seen[0].Endpoint).To(Equal("GenerateAuthorizeToken"))
	})

	It("forget the oldest sessions past the session budget", func() {
		srv := mocktest.NewServer(GinkgoT(), mocktest.WithConfig(func(c *mockserver.Config) { c.SessionBudget = 10 }))
		f := fixtureOf(srv)
		var rids []any
		for i := 0; i < 12; i++ {
			f.Customer = fmt.Sprintf("c%d", i%3)
			rids = append(rids, f.authorize(map[string]any{"LoginId": login("greatday_nomfa").LoginID, "MostRecentCached": true}).Body["RequestId"])
		}
		f.Customer = "c0"
		Expect(f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rids[0]})).To(haveFlinksError(400, "SESSION_NONEXISTENT"))
		f.Customer = "c2"
		Expect(f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rids[11]}).Status).To(Equal(200))
	})

	It("keep a session in use while other customers open many", func() {
		srv := mocktest.NewServer(GinkgoT(), mocktest.WithConfig(func(c *mockserver.Config) { c.SessionBudget = 10 }))
		f := fixtureOf(srv)
		open := func() any {
			return f.authorize(map[string]any{"LoginId": login("greatday_nomfa").LoginID, "MostRecentCached": true}).Body["RequestId"]
		}
		f.Customer = "poller"
		polled, idle := open(), open()
		for i := 0; i < 40; i++ {
			f.Customer = fmt.Sprintf("busy-%d", i%4)
			open()
			f.Customer = "poller"
			Expect(f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": polled}).Status).To(Equal(200), "poll %d", i)
		}
		Expect(f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": idle})).To(haveFlinksError(400, "SESSION_NONEXISTENT"))
	})

	It("refuse a customer past the tenant bound, clearly", func() {
		srv := mocktest.NewServer(GinkgoT(), mocktest.WithConfig(func(c *mockserver.Config) { c.MaxTenants = 2 }))
		f := fixtureOf(srv)
		f.Customer = "a"
		f.token()
		f.Customer = "b"
		f.token()
		f.Customer = "c"
		a := f.call("POST", "GenerateAuthorizeToken", map[string]string{"flinks-auth-key": "k"}, nil)
		Expect(a).To(haveFlinksError(401, "TOO_MANY_REQUESTS"))
		Expect(a.Body["Message"]).To(ContainSubstring("/__admin/reset"))
		_, err := srv.Admin.Reset(context.Background(), "a")
		Expect(err).NotTo(HaveOccurred())
		Expect(f.call("POST", "GenerateAuthorizeToken", map[string]string{"flinks-auth-key": "k"}, nil).Status).To(Equal(200))
	})
})
