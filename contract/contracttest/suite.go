package contracttest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/contract"
	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/mockserver/mocktest"
	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/openapi/toolbox"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// DefaultWebhookTimeScale is the clock scale of webhook scenarios in
// DescribeIntegration: waiting for a webhook takes real time, so those
// runs use a scaled clock (one real second is 100 mock seconds) rather
// than a virtual one.
const DefaultWebhookTimeScale = 0.01

// DefaultRunTimeout bounds one run of an integration in real time.
const DefaultRunTimeout = time.Minute

// SuiteOption changes what DescribeIntegration runs.
type SuiteOption func(*suiteConfig)

type suiteConfig struct {
	scenarios  []contract.Scenario
	opts       contract.Options
	scale      float64
	runTimeout time.Duration
	mock       []mocktest.Option
	err        error
}

func newSuiteConfig(opts []SuiteOption) suiteConfig {
	cfg := suiteConfig{scenarios: contract.DefaultScenarios(), runTimeout: DefaultRunTimeout}
	for _, o := range opts {
		o(&cfg)
	}
	cfg.opts.RequireAPIKey = true
	return cfg
}

// WithScenarios runs only the named scenarios (see Scenarios), in this
// order.
func WithScenarios(names ...string) SuiteOption {
	return func(c *suiteConfig) {
		c.scenarios = nil
		for _, n := range names {
			sc, err := contract.ScenarioByName(n)
			if err != nil {
				c.err = err
				return
			}
			c.scenarios = append(c.scenarios, sc)
		}
	}
}

// WithScenarioFile has the mock of every run serve the logins of a
// scenario file of your own (or recorded), YAML or JSON, and adds one
// scenario per login: contract.ScenarioOf says how it is run and which
// outcome it wants. name is how failures name the file.
func WithScenarioFile(name string, file []byte) SuiteOption {
	return func(c *suiteConfig) {
		src, err := scenarios.Parse(name, file)
		if err == nil {
			var lib *scenarios.Library
			if lib, err = scenarios.Build(mocktest.Start, src); err == nil {
				for _, l := range lib.Logins {
					c.scenarios = append(c.scenarios, contract.ScenarioOf(l))
				}
			}
		}
		if err != nil {
			c.err = fmt.Errorf("WithScenarioFile %s: %w", name, err)
			return
		}
		c.mock = append(c.mock, mocktest.WithScenarios(string(file)))
	}
}

// WithWebhooks adds the webhook scenarios: the integration listens on
// Target.WebhookAddr and takes its data from the webhook; in
// webhook-signed it checks the signature with Target.WebhookSecret.
func WithWebhooks() SuiteOption {
	return withScenariosWhere(func(sc contract.Scenario) bool { return sc.Webhook })
}

// WithStatementsAndCardDeletion adds the scenarios that ask for more than
// the accounts (contract.Scenario.AfterData): the PDF statements
// (Target.Statements), and the deletion of the card (Target.DeleteCard).
func WithStatementsAndCardDeletion() SuiteOption {
	return withScenariosWhere(contract.Scenario.AfterData)
}

// withScenariosWhere adds the scenarios keep selects.
func withScenariosWhere(keep func(contract.Scenario) bool) SuiteOption {
	return func(c *suiteConfig) {
		for _, sc := range contract.Scenarios() {
			if keep(sc) {
				c.scenarios = append(c.scenarios, sc)
			}
		}
	}
}

// WithRuleOptions sets the thresholds of the rules. RequireAPIKey is
// always on: the suite's mock requires x-api-key, as Flinks does.
func WithRuleOptions(o contract.Options) SuiteOption { return func(c *suiteConfig) { c.opts = o } }

// WithTimeScale runs every scenario on a scaled clock (scale real seconds
// per mock second, e.g. 0.001) instead of a virtual one: the integration
// sleeps in real time for the scaled intervals of its Target. Use it for
// clients that cannot take a Sleep function.
func WithTimeScale(scale float64) SuiteOption { return func(c *suiteConfig) { c.scale = scale } }

// WithRunTimeout bounds each run in real time (DefaultRunTimeout).
func WithRunTimeout(d time.Duration) SuiteOption { return func(c *suiteConfig) { c.runTimeout = d } }

// WithMockOptions passes options to the mock of every run, such as
// mocktest.WithScenarios. A mocktest.WithConfig given here replaces the
// suite's own, which sets the x-api-key and, with a time scale, the clock.
func WithMockOptions(opts ...mocktest.Option) SuiteOption {
	return func(c *suiteConfig) { c.mock = append(c.mock, opts...) }
}

// DescribeIntegration is a ready Ginkgo suite for a Go integration: one
// spec per scenario (DefaultScenarios unless WithScenarios says), each on
// a fresh in-process mock that requires the toolbox x-api-key. The spec
// runs the integration, then expects every rule to pass on what the mock
// journalled and the outcome to be the scenario's (the login's accounts, a
// timeout, the FlinksCode of the error).
//
// By default the mock runs on a virtual clock: Target.Sleep moves it and
// Target.Now reads it, so the 30-minute timeout scenario takes
// milliseconds. Call it at the top level of a suite file:
//
//	var _ = contracttest.DescribeIntegration("my Flinks client", func(ctx context.Context, t contract.Target) (contract.Outcome, error) {
//		c := myapp.NewFlinks(t.BaseURL, t.SecretKey, t.APIKey, myapp.WithSleep(t.Sleep), myapp.WithClock(t.Now))
//		...
//	})
func DescribeIntegration(name string, run contract.RunFunc, opts ...SuiteOption) bool {
	cfg := newSuiteConfig(opts)
	return ginkgo.Describe(name, func() {
		if cfg.err != nil {
			ginkgo.It("has a valid configuration", func() { ginkgo.Fail(cfg.err.Error()) })
			return
		}
		for _, sc := range cfg.scenarios {
			ginkgo.It(fmt.Sprintf("follows the rules and reports the outcome in scenario %s: %s", sc.Name, sc.What), func(ctx ginkgo.SpecContext) {
				res := runSuiteScenario(ctx, sc, run, cfg)
				if res.Skipped != "" {
					ginkgo.Skip(res.Skipped)
				}
				if !res.Passed() {
					ginkgo.AddReportEntry("journal of scenario "+sc.Name, quoteAll(res.Journal))
				}
				gomega.Expect(res.Err).NotTo(gomega.HaveOccurred(), "the integration failed in scenario %s", sc.Name)
				gomega.Expect(res).To(FollowAllRules(cfg.opts))
				gomega.Expect(res.OutcomeProblem).To(gomega.BeEmpty(), "scenario %s", sc.Name)
			}, ginkgo.NodeTimeout(cfg.runTimeout+30*time.Second))
		}
	})
}

// RunScenario runs an integration in one scenario (by name) on a fresh
// in-process mock and returns the judged run, for specs that assert
// more than DescribeIntegration does. Call it inside a spec: the mock
// stops when the spec ends. It fails the spec on a configuration error.
func RunScenario(ctx context.Context, scenario string, run contract.RunFunc, opts ...SuiteOption) contract.RunResult {
	ginkgo.GinkgoHelper()
	cfg := newSuiteConfig(opts)
	gomega.Expect(cfg.err).NotTo(gomega.HaveOccurred())
	for _, sc := range cfg.scenarios {
		if sc.Name == scenario {
			return runSuiteScenario(ctx, sc, run, cfg)
		}
	}
	sc, err := contract.ScenarioByName(scenario)
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	return runSuiteScenario(ctx, sc, run, cfg)
}

// runSuiteScenario starts a mock for one scenario and runs the
// integration in it.
func runSuiteScenario(ctx context.Context, sc contract.Scenario, run contract.RunFunc, cfg suiteConfig) contract.RunResult {
	ginkgo.GinkgoHelper()
	scale := cfg.scale
	if sc.Webhook && scale <= 0 {
		scale = DefaultWebhookTimeScale
	}
	var scaledClock *clock.Scaled
	if scale > 0 {
		var err error
		scaledClock, err = clock.NewScaled(mocktest.Start, scale)
		gomega.Expect(err).NotTo(gomega.HaveOccurred())
	}
	docs, err := specs()
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	mockOpts := []mocktest.Option{mocktest.WithConfig(func(c *mockserver.Config) {
		c.Spec, c.AdminSpec = docs.flinks, docs.admin
		c.APIKey = toolbox.APIKey
		if scaledClock != nil {
			c.Clock = scaledClock
		}
	})}
	if scaledClock != nil {
		mockOpts = append(mockOpts, mocktest.WithRealClock())
	}
	mockOpts = append(mockOpts, cfg.mock...)
	srv := mocktest.NewServer(ginkgo.GinkgoT(), mockOpts...)
	h := SuiteHarness(srv, cfg.opts)
	if scaledClock != nil {
		h.Scale, h.Sleep, h.Now = scale, nil, nil
		h.Mock.Now = func(context.Context) (time.Time, error) { return scaledClock.Now(), nil }
	}
	runCtx, cancel := context.WithTimeout(ctx, cfg.runTimeout)
	defer cancel()
	return h.Run(runCtx, sc, run)
}

// openapiDocs are the OpenAPI documents every mock of a test binary
// shares: loading them is most of a mock's start-up, and each run starts
// one.
type openapiDocs struct{ flinks, admin *openapi.Spec }

var specs = sync.OnceValues(func() (openapiDocs, error) {
	var d openapiDocs
	var err error
	if d.flinks, err = openapi.Load(context.Background()); err != nil {
		return d, err
	}
	d.admin, err = openapi.LoadAdmin(context.Background())
	return d, err
})

// SuiteHarness returns a harness over a mocktest server on its virtual
// clock: the customer of each run is the server's own, Target.Sleep moves
// the clock and Target.Now reads it.
func SuiteHarness(srv *mocktest.Server, opts contract.Options) *contract.Harness {
	h := &contract.Harness{
		Mock: contract.Mock{
			URL:       srv.URL,
			HTTP:      nil,
			Subscribe: srv.Mock.Subscribe,
			Now:       func(context.Context) (time.Time, error) { return time.Now(), nil },
		},
		Library:    srv.Mock.Library(),
		Options:    opts,
		CustomerID: func(contract.Scenario) string { return srv.CustomerID },
	}
	if vc := srv.Clock; vc != nil {
		h.Now = vc.Now
		h.Mock.Now = func(context.Context) (time.Time, error) { return vc.Now(), nil }
		h.Sleep = func(ctx context.Context, d time.Duration) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			_, err := vc.Advance(d)
			return err
		}
	}
	return h
}

// maxJournalShown bounds the journal a failed spec shows.
const maxJournalShown = 60

func quoteAll(entries []journal.Entry) string {
	var b strings.Builder
	for i, e := range entries {
		if i == maxJournalShown {
			fmt.Fprintf(&b, "... and %d more entries\n", len(entries)-i)
			break
		}
		b.WriteString(contract.Quote(e))
		b.WriteString("\n")
	}
	return b.String()
}
