package mockserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// These tests are meant for -race: they drive the real handler over HTTP
// from many goroutines and check what must hold whatever the interleaving.

// raceClient calls a server from many goroutines; failures are reported
// with t.Errorf, which goroutines may call.
type raceClient struct {
	t    testing.TB
	base string
	http *http.Client
	spec *openapi.Spec // when set, every Flinks answer is checked against it
}

func newRaceClient(t testing.TB, s *Server, validate bool) *raceClient {
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	c := &raceClient{t: t, base: hs.URL, http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	if validate {
		c.spec = s.spec
	}
	return c
}

// answer is a decoded answer; status 0 means the request failed.
type raceAnswer struct {
	status int
	body   map[string]any
}

func (a raceAnswer) str(key string) string { s, _ := a.body[key].(string); return s }

func (c *raceClient) call(customer, method, endpoint, key string, body any) raceAnswer {
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+"/v3/"+customer+"/BankingServices/"+endpoint, rd)
	if err != nil {
		c.t.Errorf("%s %s: %v", method, endpoint, err)
		return raceAnswer{}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("flinks-auth-key", key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Errorf("%s %s: %v", method, endpoint, err)
		return raceAnswer{}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Errorf("%s %s: read the answer: %v", method, endpoint, err)
		return raceAnswer{}
	}
	a := raceAnswer{status: resp.StatusCode}
	if err := json.Unmarshal(raw, &a.body); err != nil {
		c.t.Errorf("%s %s answered %d with no JSON: %q", method, endpoint, resp.StatusCode, raw)
	}
	if resp.StatusCode >= 500 {
		c.t.Errorf("%s %s answered %d: %s", method, endpoint, resp.StatusCode, raw)
	}
	if c.spec != nil {
		if err := c.spec.ValidateResponse(req, resp.StatusCode, resp.Header, raw); err != nil {
			c.t.Errorf("the answer breaks the contract: %v", err)
		}
	}
	return a
}

func (c *raceClient) token(customer string) string {
	return c.call(customer, "POST", "GenerateAuthorizeToken", ToolboxSecretKey, nil).str("Token")
}

// flow walks one login through Authorize (answering MFA), GetAccountsDetail
// and its Async poll, and returns the RequestId and the answers in order.
// It stops at the first answer that does not move the flow on.
func (c *raceClient) flow(customer string, l *scenarios.Login) (requestID string, got []raceAnswer) {
	a := c.call(customer, "POST", "Authorize", c.token(customer), map[string]any{"LoginId": l.LoginID, "MostRecentCached": false})
	got = append(got, a)
	for rounds := 0; a.status == http.StatusNonAuthoritativeInfo && rounds < 5; rounds++ {
		answers := map[string][]string{}
		for _, ch := range a.body["SecurityChallenges"].([]any) {
			prompt := ch.(map[string]any)["Prompt"].(string)
			answers[prompt] = answerOf(l, prompt)
		}
		a = c.call(customer, "POST", "Authorize", c.token(customer), map[string]any{"RequestId": a.str("RequestId"), "SecurityResponses": answers})
		got = append(got, a)
	}
	if a.status != http.StatusOK {
		return a.str("RequestId"), got
	}
	requestID = a.str("RequestId")
	d := c.call(customer, "POST", "GetAccountsDetail", "", map[string]any{"RequestId": requestID})
	got = append(got, d)
	for polls := 0; d.status == http.StatusAccepted && polls < 5; polls++ {
		d = c.call(customer, "GET", "GetAccountsDetailAsync/"+requestID, "", nil)
		got = append(got, d)
	}
	return requestID, got
}

func answerOf(l *scenarios.Login, prompt string) []string {
	for _, round := range l.MFA.Rounds {
		for _, ch := range round.Challenges {
			if ch.Prompt == prompt {
				return ch.Answers
			}
		}
	}
	return []string{"no answer in the scenario"}
}

func libraryLogin(t testing.TB, s *Server, name string) *scenarios.Login {
	t.Helper()
	for _, l := range s.Library().Logins {
		if l.Name == name {
			return l
		}
	}
	t.Fatalf("no login %s in the default library", name)
	return nil
}

// TestTokenIsSingleUseUnderConcurrency sends one authorize token with 64
// concurrent /Authorize calls: exactly one opens a session, the others are
// refused, and the journal says so.
func TestTokenIsSingleUseUnderConcurrency(t *testing.T) {
	const n = 64
	s := internalServer(t, Config{})
	c := newRaceClient(t, s, false)
	nomfa := libraryLogin(t, s, "greatday_nomfa")
	tok := c.token("acme")

	answers := make([]raceAnswer, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			answers[i] = c.call("acme", "POST", "Authorize", tok, map[string]any{"LoginId": nomfa.LoginID, "MostRecentCached": true})
		})
	}
	close(start)
	wg.Wait()

	statuses := map[int]int{}
	for _, a := range answers {
		statuses[a.status]++
		if a.status == http.StatusUnauthorized && a.str("FlinksCode") != "ACCESS_DENIED" {
			t.Errorf("a reused token got %v, want ACCESS_DENIED", a.body)
		}
	}
	if statuses[200] != 1 || statuses[401] != n-1 {
		t.Errorf("statuses %v, want one 200 and %d 401", statuses, n-1)
	}
	tokens := map[string]int{}
	refs := map[string]bool{}
	for _, e := range s.Journal("acme") {
		if e.Endpoint == "Authorize" {
			tokens[e.Token]++
			refs[e.TokenRef] = true
		}
	}
	if tokens[journal.TokenFresh] != 1 || tokens[journal.TokenReused] != n-1 || len(refs) != 1 {
		t.Errorf("journal token states %v over %d token refs, want 1 fresh and %d reused of one token", tokens, len(refs), n-1)
	}
}

// TestTenantsStayApartUnderLoad runs 16 customers × 20 full flows at once,
// two goroutines per customer: every answer belongs to its own flow, and
// every journal holds exactly its customer's requests.
func TestTenantsStayApartUnderLoad(t *testing.T) {
	const customers, flows, perCustomer = 16, 20, 2
	s := internalServer(t, Config{})
	c := newRaceClient(t, s, false)
	greatday := libraryLogin(t, s, "greatday")

	var mu sync.Mutex
	requestIDs := map[string][]string{}
	var wg sync.WaitGroup
	for i := range customers * perCustomer {
		customer := fmt.Sprintf("tenant-%02d", i%customers)
		wg.Go(func() {
			for range flows / perCustomer {
				rid, got := c.flow(customer, greatday)
				last := got[len(got)-1]
				if last.status != http.StatusOK || len(got) != 4 {
					t.Errorf("%s: the flow ended with %d after %d answers: %v", customer, last.status, len(got), last.body)
					return
				}
				for _, a := range got {
					if a.str("RequestId") != rid {
						t.Errorf("%s: an answer of flow %s carries RequestId %s", customer, rid, a.str("RequestId"))
					}
				}
				if id := last.body["Login"].(map[string]any)["Id"]; id != greatday.LoginID {
					t.Errorf("%s: the accounts of login %v, want %s", customer, id, greatday.LoginID)
				}
				mu.Lock()
				requestIDs[customer] = append(requestIDs[customer], rid)
				mu.Unlock()
			}
		})
	}
	wg.Wait()

	seqs := map[uint64]bool{}
	for i := range customers {
		customer := fmt.Sprintf("tenant-%02d", i)
		entries := s.Journal(customer)
		// token, 203, token, 200, 202, 200 per flow
		if len(entries) != flows*6 {
			t.Errorf("%s: %d journal entries, want %d", customer, len(entries), flows*6)
		}
		fresh := 0
		for _, e := range entries {
			if e.Tenant != customer {
				t.Errorf("%s's journal holds an entry of %q", customer, e.Tenant)
			}
			if e.RequestID != "" && !slices.Contains(requestIDs[customer], e.RequestID) {
				t.Errorf("%s's journal holds RequestId %s of another customer", customer, e.RequestID)
			}
			if e.Token == journal.TokenFresh {
				fresh++
			}
			if seqs[e.Seq] {
				t.Errorf("sequence number %d is used twice", e.Seq)
			}
			seqs[e.Seq] = true
		}
		if fresh != flows*2 {
			t.Errorf("%s: %d fresh tokens journalled, want %d", customer, fresh, flows*2)
		}
	}
	checkBudgets(t, s)
}

// TestAdminCallsDuringTraffic resets customers, replaces their scenarios,
// moves the clock and reads the journal while full flows run: no answer
// is a 5xx or breaks the contract, and once traffic stops every budget
// counts exactly what the tenants hold.
func TestAdminCallsDuringTraffic(t *testing.T) {
	const customers, workers, flows, adminRounds = 4, 8, 6, 30
	vc := clock.NewVirtual(internalStart)
	s := internalServer(t, Config{Clock: vc, SessionBudget: 40, TokenBudget: 60, JournalBudget: 150})
	c := newRaceClient(t, s, true)
	greatday := libraryLogin(t, s, "greatday")
	nomfa := libraryLogin(t, s, "greatday_nomfa")
	replacement := fmt.Sprintf("logins:\n  - name: greatday_nomfa\n    username: greatday_nomfa\n    loginId: %s\n    accountsDetail:\n      - respond: pending\n        calls: 1\n      - respond: ready\n", nomfa.LoginID)

	admin := func(method, path, contentType, body string) {
		req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			t.Errorf("%s %s: %v", method, path, err)
			return
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s %s answered %d: %s", method, path, resp.StatusCode, raw)
		}
	}

	var traffic, control sync.WaitGroup
	for i := range workers {
		customer := fmt.Sprintf("busy-%d", i%customers)
		traffic.Go(func() {
			for f := range flows {
				l := greatday
				if f%2 == 1 {
					l = nomfa
				}
				c.flow(customer, l)
			}
		})
	}
	stop := make(chan struct{})
	control.Go(func() {
		// At least adminRounds calls, and more for as long as the
		// traffic lasts.
		for i := 0; ; i++ {
			select {
			case <-stop:
				if i >= adminRounds {
					return
				}
			default:
			}
			customer := fmt.Sprintf("busy-%d", i%customers)
			switch i % 5 {
			case 0:
				admin("POST", "/__admin/reset?customerId="+customer, "", "")
			case 1:
				admin("POST", "/__admin/scenarios?customerId="+customer, "application/yaml", replacement)
			case 2:
				admin("POST", "/__admin/clock/advance", "application/json", `{"by":"1m"}`)
			case 3:
				admin("GET", "/__admin/journal?limit=5", "", "")
			case 4:
				admin("DELETE", "/__admin/scenarios?customerId="+customer, "", "")
			}
		}
	})
	traffic.Wait()
	close(stop)
	control.Wait()
	checkBudgets(t, s)
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// checkBudgets checks that the server-wide budgets count exactly the
// sessions, tokens and journal entries the tenants hold: a count that
// drifts makes the server trim on every request, or never.
func checkBudgets(t *testing.T, s *Server) {
	t.Helper()
	heldSessions, heldTokens, heldEntries := s.tenants.Held()
	sessions, tokens, entries := s.tenants.Holding()
	if heldSessions != sessions {
		t.Errorf("the session budget counts %d sessions; the tenants hold %d", heldSessions, sessions)
	}
	if heldTokens != tokens {
		t.Errorf("the token budget counts %d tokens; the tenants hold %d", heldTokens, tokens)
	}
	if heldEntries != entries {
		t.Errorf("the journal budget counts %d entries; the journals hold %d", heldEntries, entries)
	}
	bs, be, br := s.tenants.HeldBytes()
	hs, he, hr := s.tenants.HoldingBytes()
	if bs != hs || be != he || br != hr {
		t.Errorf("the budgets count %d, %d, %d bytes of sessions, entries, records; the tenants hold %d, %d, %d", bs, be, br, hs, he, hr)
	}
}
