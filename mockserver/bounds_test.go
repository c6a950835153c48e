package mockserver_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/mockserver/mocktest"
)

// boundsClient makes the requests of the bounds tests.
type boundsClient struct {
	t   *testing.T
	srv *mocktest.Server
}

func (c boundsClient) post(customer, endpoint, key, body string) (int, map[string]any) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.srv.URL+"/v3/"+customer+"/BankingServices/"+endpoint, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("flinks-auth-key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		c.t.Fatal(err)
	}
	if code, ok := out["HttpStatusCode"].(float64); !ok || int(code) != resp.StatusCode {
		c.t.Errorf("%s answered %d with HttpStatusCode %v", endpoint, resp.StatusCode, out["HttpStatusCode"])
	}
	return resp.StatusCode, out
}

func (c boundsClient) token(customer string) string {
	c.t.Helper()
	status, out := c.post(customer, "GenerateAuthorizeToken", mockserver.ToolboxSecretKey, "")
	if status != http.StatusOK {
		c.t.Fatalf("GenerateAuthorizeToken for %s answered %d: %v", customer, status, out)
	}
	return out["Token"].(string)
}

func (c boundsClient) authorize(customer, token string) (int, map[string]any) {
	c.t.Helper()
	return c.post(customer, "Authorize", token, `{"LoginId":"`+c.srv.Login("greatday_nomfa").LoginID+`","MostRecentCached":true}`)
}

func (c boundsClient) session(customer string) string {
	c.t.Helper()
	status, out := c.authorize(customer, c.token(customer))
	if status != http.StatusOK {
		c.t.Fatalf("Authorize for %s answered %d: %v", customer, status, out)
	}
	return out["RequestId"].(string)
}

func (c boundsClient) expect(what string, status int, out map[string]any, wantStatus int, wantCode string) {
	c.t.Helper()
	if status != wantStatus || out["FlinksCode"] != wantCode {
		c.t.Errorf("%s: %d %v, want %d %s", what, status, out, wantStatus, wantCode)
	}
}

// TestBounds fills each bound of the server past its limit: the oldest
// items go (and answer as unknown), or the newest are refused with a
// message that says what to do, and dropped journal entries are counted.
func TestBounds(t *testing.T) {
	nth := func(i int) string { return fmt.Sprintf("customer-%d", i) }
	tests := []struct {
		name string
		cfg  func(*mockserver.Config)
		run  func(c boundsClient)
	}{
		{"tenants", func(cfg *mockserver.Config) { cfg.MaxTenants = 3 }, func(c boundsClient) {
			for i := range 3 {
				c.token(nth(i))
			}
			status, out := c.post(nth(3), "GenerateAuthorizeToken", "k", "")
			c.expect("a customer past MaxTenants", status, out, 401, "TOO_MANY_REQUESTS")
			if msg, _ := out["Message"].(string); !strings.Contains(msg, "/__admin/reset") || !strings.Contains(msg, "--max-tenants") {
				c.t.Errorf("the message %q does not say how to make room", msg)
			}
			_, err := c.srv.Admin.AddScenarios(context.Background(), nth(4), []byte("logins: []\n"))
			var ae *admin.Error
			if !errors.As(err, &ae) || ae.Status != http.StatusConflict {
				c.t.Errorf("adding scenarios for a customer past MaxTenants: %v, want 409", err)
			}
			c.token(nth(0)) // known customers go on
		}},
		{"sessions of a tenant", func(cfg *mockserver.Config) { cfg.MaxSessions = 5 }, func(c boundsClient) {
			var rids []string
			for range 7 {
				rids = append(rids, c.session(nth(0)))
			}
			for i, rid := range rids {
				status, out := c.post(nth(0), "GetAccountsDetail", "", `{"RequestId":"`+rid+`"}`)
				if i < 2 {
					c.expect("a session past MaxSessions", status, out, 400, "SESSION_NONEXISTENT")
				} else if status != http.StatusOK {
					c.t.Errorf("session %d of 7 answered %d, want 200", i+1, status)
				}
			}
		}},
		{"sessions of all tenants", func(cfg *mockserver.Config) { cfg.SessionBudget = 10 }, func(c boundsClient) {
			var rids []string
			for i := range 12 {
				rids = append(rids, c.session(nth(i%3)))
			}
			status, out := c.post(nth(0), "GetAccountsDetail", "", `{"RequestId":"`+rids[0]+`"}`)
			c.expect("the oldest session past SessionBudget", status, out, 400, "SESSION_NONEXISTENT")
			if status, _ := c.post(nth(11%3), "GetAccountsDetail", "", `{"RequestId":"`+rids[11]+`"}`); status != http.StatusOK {
				c.t.Errorf("the newest session answered %d, want 200", status)
			}
		}},
		{"tokens of a tenant", func(cfg *mockserver.Config) { cfg.MaxTokens = 5 }, func(c boundsClient) {
			var toks []string
			for range 7 {
				toks = append(toks, c.token(nth(0)))
			}
			status, out := c.authorize(nth(0), toks[0])
			c.expect("a token past MaxTokens", status, out, 401, "ACCESS_DENIED")
			if status, out := c.authorize(nth(0), toks[6]); status != http.StatusOK {
				c.t.Errorf("the newest token answered %d %v, want 200", status, out)
			}
			entries := c.srv.Mock.Journal(nth(0))
			if e := entries[len(entries)-2]; e.Token != journal.TokenUnknown {
				c.t.Errorf("the journal calls the forgotten token %q, want %q", e.Token, journal.TokenUnknown)
			}
		}},
		{"tokens of all tenants", func(cfg *mockserver.Config) { cfg.TokenBudget = 6 }, func(c boundsClient) {
			var toks []string
			for i := range 8 {
				toks = append(toks, c.token(nth(i%2)))
			}
			status, out := c.authorize(nth(0), toks[0])
			c.expect("the oldest token past TokenBudget", status, out, 401, "ACCESS_DENIED")
			if status, _ := c.authorize(nth(1), toks[7]); status != http.StatusOK {
				c.t.Errorf("the newest token answered %d, want 200", status)
			}
		}},
		{"journal of a tenant", func(cfg *mockserver.Config) { cfg.JournalSize = 10 }, func(c boundsClient) {
			for range 15 {
				c.token(nth(0))
			}
			page, err := c.srv.Admin.Journal(context.Background(), admin.JournalFilter{CustomerID: nth(0)})
			if err != nil {
				c.t.Fatal(err)
			}
			if len(page.Entries) != 10 || page.Dropped != 5 || page.Entries[9].Seq != 15 {
				c.t.Errorf("journal of %d entries (newest %d), %d dropped; want the newest 10 and 5 dropped", len(page.Entries), page.Entries[len(page.Entries)-1].Seq, page.Dropped)
			}
		}},
		{"journals of all tenants", func(cfg *mockserver.Config) { cfg.JournalBudget = 20 }, func(c boundsClient) {
			for i := range 50 {
				c.token(nth(i % 4))
			}
			page, err := c.srv.Admin.Journal(context.Background(), admin.JournalFilter{})
			if err != nil {
				c.t.Fatal(err)
			}
			if n := len(page.Entries); n > 20 || n < 16 || page.Dropped != uint64(50-n) || page.Entries[n-1].Seq != 50 {
				c.t.Errorf("journals of %d entries, %d dropped; want at most 20, the newest kept, the rest counted", n, page.Dropped)
			}
		}},
		{"sessions of all tenants, in bytes", func(cfg *mockserver.Config) { cfg.SessionBytes = 256 << 10 }, func(c boundsClient) {
			tag := strings.Repeat("t", 4000)
			var rids []string
			for i := range 30 {
				status, out := c.post(nth(i%3), "Authorize", c.token(nth(i%3)), `{"LoginId":"`+c.srv.Login("greatday_nomfa").LoginID+`","MostRecentCached":true,"Tag":"`+tag+`"}`)
				if status != http.StatusOK {
					c.t.Fatalf("Authorize answered %d: %v", status, out)
				}
				rids = append(rids, out["RequestId"].(string))
			}
			status, out := c.post(nth(0), "GetAccountsDetail", "", `{"RequestId":"`+rids[0]+`"}`)
			c.expect("the oldest session past SessionBytes", status, out, 400, "SESSION_NONEXISTENT")
			if status, _ := c.post(nth(29%3), "GetAccountsDetail", "", `{"RequestId":"`+rids[29]+`"}`); status != http.StatusOK {
				c.t.Errorf("the newest session answered %d, want 200", status)
			}
		}},
		{"journals of all tenants, in bytes", func(cfg *mockserver.Config) { cfg.JournalBytes = 32 << 10 }, func(c boundsClient) {
			for i := range 200 {
				c.token(nth(i % 4))
			}
			page, err := c.srv.Admin.Journal(context.Background(), admin.JournalFilter{})
			if err != nil {
				c.t.Fatal(err)
			}
			if n := len(page.Entries); n >= 100 || n < 10 || page.Dropped != uint64(200-n) || page.Entries[n-1].Seq != 200 {
				c.t.Errorf("journals of %d entries, %d dropped; want what 32 KiB holds, the newest kept, the rest counted", n, page.Dropped)
			}
		}},
		{"run-time scenarios, in bytes", func(cfg *mockserver.Config) { cfg.ScenarioBytes = 17 << 10 }, func(c boundsClient) {
			file := func(i int) []byte {
				return []byte(fmt.Sprintf("logins:\n  - name: extra_%d\n    username: extra_%d\n    loginId: 5f2a0e6c-%04d-4c31-8c44-08da172863b5\n    description: %s\n", i, i, i, strings.Repeat("d", 900)))
			}
			ctx := context.Background()
			for i := range 4 {
				if _, err := c.srv.Admin.AddScenarios(ctx, nth(i), file(i)); err != nil {
					c.t.Fatalf("file %d of 4: %v", i, err)
				}
			}
			_, err := c.srv.Admin.AddScenarios(ctx, nth(4), file(4))
			var ae *admin.Error
			if !errors.As(err, &ae) || ae.Status != http.StatusConflict || !strings.Contains(ae.Error(), "DELETE /__admin/scenarios") {
				c.t.Errorf("a file past ScenarioBytes: %v, want 409 saying how to make room", err)
			}
			if _, err := c.srv.Admin.RemoveScenarios(ctx, nth(0), ""); err != nil {
				c.t.Fatal(err)
			}
			if _, err := c.srv.Admin.AddScenarios(ctx, nth(4), file(4)); err != nil {
				c.t.Errorf("once a customer's files are removed, a new one: %v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(boundsClient{t: t, srv: mocktest.NewServer(t, mocktest.WithConfig(tt.cfg))})
		})
	}
}
