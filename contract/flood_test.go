package contract_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/flinks-mock/flinks-mock/contract"
	"github.com/flinks-mock/flinks-mock/contract/contracttest"
	"github.com/flinks-mock/flinks-mock/contract/reference"
	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/mocktest"
)

// The flood: a client that polls in a tight loop, far more often than the
// mock's journal keeps entries.
const (
	floodJournalSize = 500
	floodPolls       = 6_000
)

// flood is an integration that authorizes, asks for the accounts and then
// polls floodPolls times without a pause (the mock's clock never moves, so
// the data stays pending) before it reports a timeout, then asks for one
// more token it never uses: floodPolls+4 requests in all, a count that
// no bound rounds to.
func flood(ctx context.Context, t contract.Target) (contract.Outcome, error) {
	conn := reference.Conn{BaseURL: t.BaseURL, SecretKey: t.SecretKey, APIKey: t.APIKey}
	token, err := conn.GenerateAuthorizeToken(ctx)
	if err != nil {
		return contract.Outcome{}, err
	}
	cached := true
	a, err := conn.Authorize(ctx, token, reference.AuthorizeRequest{LoginId: t.LoginID, MostRecentCached: &cached})
	if err != nil {
		return contract.Outcome{}, err
	}
	if _, err := conn.GetAccountsDetail(ctx, a.RequestId); err != nil {
		return contract.Outcome{}, err
	}
	for range floodPolls {
		p, err := conn.GetAccountsDetailAsync(ctx, a.RequestId)
		if err != nil {
			return contract.Outcome{}, err
		}
		if p.Status != http.StatusAccepted {
			return contract.Outcome{}, fmt.Errorf("a poll answered %d; the flood needs data that stays pending", p.Status)
		}
	}
	if _, err := conn.GenerateAuthorizeToken(ctx); err != nil {
		return contract.Outcome{}, err
	}
	return contract.Outcome{Error: &contract.OutcomeError{Kind: contract.ErrorTimeout}}, nil
}

const floodRequests = floodPolls + 4

func floodServer(t *testing.T) *mocktest.Server {
	return mocktest.NewServer(t, mocktest.WithConfig(func(c *mockserver.Config) {
		c.JournalSize = floodJournalSize
		c.APIKey = contract.ToolboxAPIKey
	}))
}

// A run twelve times longer than the mock's journal is judged on all of
// it: the one rule it breaks fails, with the exact count, and no rule
// fails for want of the entries the journal dropped.
func TestAFloodPastTheJournalsBoundIsJudgedWhole(t *testing.T) {
	srv := floodServer(t)
	h := contracttest.SuiteHarness(srv, contract.Options{RequireAPIKey: true})
	h.MaxPollsWithoutWait = -1 // the flood polls without a wait on purpose
	sc, err := contract.ScenarioByName("timeout")
	if err != nil {
		t.Fatal(err)
	}
	res := h.Run(context.Background(), sc, flood)
	if res.Err != nil || res.OutcomeProblem != "" {
		t.Fatalf("the run failed: %v %s", res.Err, res.OutcomeProblem)
	}
	if got := srv.Journal(); len(got) != floodJournalSize {
		t.Fatalf("the mock's journal holds %d entries, want its bound %d: the flood did not go past it", len(got), floodJournalSize)
	}
	if res.Report.Entries != floodRequests || res.Report.Lost != 0 || len(res.Journal) != floodRequests {
		t.Fatalf("the report judged %d entries (%d lost, %d kept), want all %d", res.Report.Entries, res.Report.Lost, len(res.Journal), floodRequests)
	}
	if got := strings.Join(res.Report.FailedIDs(), " "); got != contract.IDPollInterval {
		t.Fatalf("failed rules %q, want only %s:\n%s", got, contract.IDPollInterval, res.Report)
	}
	fm005, _ := res.Report.Result(contract.IDPollInterval)
	if want := fmt.Sprintf("was polled %d times sooner than 10s", floodPolls-1); !strings.Contains(fm005.Violations[0].Problem, want) {
		t.Fatalf("FM005 says %q, want the exact count %q", fm005.Violations[0].Problem, want)
	}
	for _, id := range []string{contract.IDDataAfterAuthorize, contract.IDPollSameRequest, contract.IDPollDeadline} {
		if r, _ := res.Report.Result(id); r.Verdict != contract.Pass {
			t.Errorf("%s: %s, want pass", id, r.Verdict)
		}
	}

	// What the mock's own journal would have said: the /Authorize and the
	// 202 of GetAccountsDetail are gone from it, so judging it would make
	// up failures. The matchers refuse it instead.
	truncated := contract.Check(srv.Journal(), contract.Options{RequireAPIKey: true})
	if got := strings.Join(truncated.FailedIDs(), " "); !strings.Contains(got, contract.IDDataAfterAuthorize) {
		t.Fatalf("on the truncated journal alone the rules fail %q; the test no longer shows what it guards against", got)
	}
	m := contracttest.FollowAllRules(contract.Options{RequireAPIKey: true})
	if ok, err := m.Match(srv); ok || err != nil {
		t.Fatalf("the matchers judged the truncated journal of the mock: %v %v", ok, err)
	}
	want := fmt.Sprintf("%d of its %d entries were lost", floodRequests-floodJournalSize, floodRequests)
	if msg := m.FailureMessage(srv); !strings.Contains(msg, want) || strings.Contains(msg, contract.IDDataAfterAuthorize+":") {
		t.Fatalf("the matcher's message does not say what was lost (%q), or judges a rule:\n%s", want, msg)
	}
	if ok, _ := m.Match(res); ok {
		t.Fatal("the matchers pass the whole run, which polls too fast")
	}
	if msg := m.FailureMessage(res); !strings.Contains(msg, contract.IDPollInterval+":") || strings.Contains(msg, contract.IDDataAfterAuthorize+":") {
		t.Fatalf("on the whole run the matchers must fail FM005 alone:\n%s", msg)
	}
}

// gatedTransport holds every admin journal read until the gate opens, so
// that a harness that follows the journal through the admin API reads it
// only after the flood, when the mock has dropped most of it.
type gatedTransport struct {
	gate <-chan struct{}
}

func (g gatedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/__admin/journal") {
		select {
		case <-g.gate:
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

// A harness that could not read the journal before the mock dropped part
// of it says exactly how much it lost and judges no rule.
func TestAFloodTheHarnessCouldNotReadIsNotJudged(t *testing.T) {
	srv := floodServer(t)
	h := contracttest.SuiteHarness(srv, contract.Options{RequireAPIKey: true})
	h.MaxPollsWithoutWait = -1 // the flood polls without a wait on purpose
	gate := make(chan struct{})
	var once sync.Once
	open := func() { once.Do(func() { close(gate) }) }
	t.Cleanup(open)
	h.Mock.Subscribe = nil // follow through the admin API, as with --server
	h.Mock.HTTP = &http.Client{Transport: gatedTransport{gate: gate}}
	sc, _ := contract.ScenarioByName("timeout")
	res := h.Run(context.Background(), sc, func(ctx context.Context, t contract.Target) (contract.Outcome, error) {
		defer open()
		return flood(ctx, t)
	})
	if res.Err != nil && !errors.Is(res.Err, contract.ErrNoOutcome) {
		t.Fatalf("the run failed: %v", res.Err)
	}
	if res.Report.Lost != floodRequests-floodJournalSize || res.Report.Entries != floodJournalSize {
		t.Fatalf("the report says %d entries judged and %d lost, want %d and %d", res.Report.Entries, res.Report.Lost, floodJournalSize, floodRequests-floodJournalSize)
	}
	if res.Passed() || len(res.Report.FailedIDs()) != 0 {
		t.Fatalf("an incomplete run passed, or a rule was judged on it: %v", res.Report.FailedIDs())
	}
	for _, r := range res.Report.Results {
		if r.Verdict != contract.NotJudged {
			t.Errorf("%s: %s, want not judged", r.Rule.ID, r.Verdict)
		}
	}
	want := fmt.Sprintf("✗ the journal of the run is incomplete: %d of its %d entries were lost", floodRequests-floodJournalSize, floodRequests)
	if got := res.Report.Compact(); !strings.HasPrefix(got, want) {
		t.Fatalf("the report reads\n%s\nwant it to open with %q", got, want)
	}
}
