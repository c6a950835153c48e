package contract_test

import (
	"context"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/contract"
	"github.com/flinks-mock/flinks-mock/contract/broken"
	"github.com/flinks-mock/flinks-mock/contract/contracttest"
	"github.com/flinks-mock/flinks-mock/contract/reference"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/mockserver/mocktest"
)

// webhookHarness is a harness over an in-process mock on its virtual
// clock, running the webhook scenario.
func webhookHarness(t *testing.T) (*contract.Harness, contract.Scenario) {
	t.Helper()
	srv := mocktest.NewServer(t)
	h := &contract.Harness{
		Mock: contract.Mock{
			URL:       srv.URL,
			Subscribe: srv.Mock.Subscribe,
			Now:       func(context.Context) (time.Time, error) { return srv.Clock.Now(), nil },
		},
		Library:    srv.Mock.Library(),
		Options:    contract.Options{RequireAPIKey: true},
		CustomerID: func(contract.Scenario) string { return srv.CustomerID },
	}
	sc, err := contract.ScenarioByName("webhook")
	if err != nil {
		t.Fatal(err)
	}
	return h, sc
}

// listenUntilCleanup serves h on addr until the test ends: the receiver
// outlives the integration, as a long-running service's does.
func listenUntilCleanup(t *testing.T, addr string, h http.Handler) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })
}

// An integration that returns as soon as the first copy of its webhook
// came must not cut the harness's second copy short: the harness waits
// for every copy it sends and judges both attempts.
func TestHarnessWaitsForTheWebhooksItSends(t *testing.T) {
	h, sc := webhookHarness(t)
	hooks := reference.NewWebhooks()
	var seen atomic.Int32
	slowSecond := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) > 1 {
			// The second copy is answered after the integration returned.
			time.Sleep(300 * time.Millisecond)
		}
		hooks.ServeHTTP(w, r)
	})
	res := h.Run(context.Background(), sc, func(ctx context.Context, tg contract.Target) (contract.Outcome, error) {
		listenUntilCleanup(t, tg.WebhookAddr, slowSecond)
		c := reference.NewClient(tg)
		return reference.OutcomeOf(c.FetchAccountsByWebhook(ctx, reference.Request{LoginID: tg.LoginID, MostRecentCached: tg.MostRecentCached}, hooks))
	})
	if !res.Passed() {
		t.Fatalf("the run failed: err=%v outcome=%q\n%s", res.Err, res.OutcomeProblem, res.Report)
	}
	var attempts int
	for _, e := range res.Journal {
		if e.Kind == journal.KindWebhook && e.Status == http.StatusOK {
			attempts++
		}
	}
	if attempts != 2 {
		t.Errorf("%d webhook attempts answered 200 were judged, want both copies", attempts)
	}
}

// An integration that leaves after its 202 without waiting for the
// webhook never passes, and is told why.
func TestHarnessFailsARunThatLeftBeforeItsWebhooks(t *testing.T) {
	h, sc := webhookHarness(t)
	res := h.Run(context.Background(), sc, func(ctx context.Context, tg contract.Target) (contract.Outcome, error) {
		c := reference.NewClient(tg)
		rid, err := c.Authorize(ctx, reference.Request{LoginID: tg.LoginID, MostRecentCached: tg.MostRecentCached})
		if err != nil {
			return contract.Outcome{}, err
		}
		if _, err := c.Conn.GetAccountsDetail(ctx, rid); err != nil {
			return contract.Outcome{}, err
		}
		return contract.Outcome{Accounts: []contract.Account{}}, nil
	})
	if res.Passed() {
		t.Fatal("a run that left after its 202 passed")
	}
	// Either the harness saw the 202 only after the integration had left,
	// or it sent the webhooks in time and nobody answered them: both are
	// the integration's doing, and each verdict says so.
	left := res.Err != nil && strings.Contains(res.Err.Error(), "must wait for the GetAccountsDetail webhook")
	unanswered := slices.Contains(res.Report.FailedIDs(), "FM010-webhooks-acknowledged")
	if !left && !unanswered {
		t.Errorf("err = %v, failed rules %v: want the integration told that it must wait for the webhook", res.Err, res.Report.FailedIDs())
	}
}

// A client that waits the guide's figures in real time on a scaled clock
// fails FM006, and the run says why: its waits match the unscaled 10 s.
func TestHarnessNamesAClientThatIgnoresTheScaledTiming(t *testing.T) {
	const scale = 0.01
	srv := mocktest.NewServer(t)
	h := contracttest.SuiteHarness(srv, contract.Options{RequireAPIKey: true})
	// A scaled clock, as verify runs: d of real time is d/scale on the mock.
	h.Scale = scale
	h.Sleep = func(ctx context.Context, d time.Duration) error {
		_, err := srv.Clock.Advance(time.Duration(float64(d) / scale))
		return err
	}
	sc, _ := contract.ScenarioByName("pending")
	res := h.Run(context.Background(), sc, broken.Run(broken.UnscaledTiming))
	if got := res.Report.FailedIDs(); !slices.Equal(got, []string{contract.IDPollDeadline}) {
		t.Fatalf("failed rules %v, want FM006 alone:\n%s", got, res.Report)
	}
	for _, want := range []string{"ignores the scaled timing", "about 10s of real time between polls", "16m40s on the mock's clock", "FLINKS_POLL_INTERVAL"} {
		if !strings.Contains(res.Timing, want) {
			t.Errorf("the run's timing note %q lacks %q", res.Timing, want)
		}
	}
	var b strings.Builder
	if err := contract.WriteRun(&b, res); err != nil || !strings.Contains(b.String(), "! timing: the integration ignores the scaled timing") {
		t.Errorf("the report does not say it:\n%s", b.String())
	}

	// The reference client, which reads the scaled figures, gets no note.
	srv2 := mocktest.NewServer(t)
	h2 := contracttest.SuiteHarness(srv2, contract.Options{RequireAPIKey: true})
	h2.Scale = scale
	h2.Sleep = func(ctx context.Context, d time.Duration) error {
		_, err := srv2.Clock.Advance(time.Duration(float64(d) / scale))
		return err
	}
	if ok := h2.Run(context.Background(), sc, reference.Run); !ok.Passed() || ok.Timing != "" {
		t.Fatalf("the reference client: passed %v, timing note %q\n%s", ok.Passed(), ok.Timing, ok.Report)
	}
}
