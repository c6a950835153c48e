// Package bench is flinks-mock-bench: it builds flinks-mock and a bare
// net/http reference server, runs both as child processes, loads them from
// this process with the same HTTP client settings, and reports throughput,
// latency percentiles, complete flows per second, cold start, memory and
// the Go benchmarks' allocations, each as a ratio to the reference where
// one exists. Figures from one run are compared with each other, never with
// figures of another machine or another day.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync/atomic"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// Config is what one run measures and for how long.
type Config struct {
	// Quick runs everything briefly and never judges timings: only a
	// broken server (a non-2xx answer, a process that does not start)
	// fails the run.
	Quick bool
	// Duration is the measured time of each throughput phase; Warmup runs
	// before each, unmeasured.
	Duration time.Duration
	Warmup   time.Duration
	// Connections is the number of concurrent workers, each with its own
	// keep-alive connection.
	Connections int
	// Rounds cuts each hot path phase into this many slices, run in turn
	// with the reference's.
	Rounds int
	// Launches is how many times each server is started for the cold
	// start.
	Launches int
	// RSSRequests is how many requests flinks-mock (and the reference)
	// serve in all before their memory is read "after load".
	RSSRequests int
	// Tenants is the number of customerIds the flows rotate over.
	Tenants int
	// RSSCap stops the load early when flinks-mock's resident memory
	// passes it, so an unbounded store cannot exhaust the machine.
	RSSCap int64
	// MaxLoadTime bounds each phase that runs to a request count.
	MaxLoadTime time.Duration
	// GoBench runs 'go test -bench . -benchmem ./mockserver/' with
	// GoBenchTime (go test's -benchtime; empty for its default).
	GoBench      bool
	GoBenchTime  string
	GoBenchCount int
}

// DefaultConfig returns the settings of the full run, or of the quick one.
func DefaultConfig(quick bool) Config {
	if quick {
		return Config{
			Quick:        true,
			Duration:     500 * time.Millisecond,
			Warmup:       100 * time.Millisecond,
			Connections:  8,
			Rounds:       1,
			Launches:     5,
			RSSRequests:  10_000,
			Tenants:      20,
			RSSCap:       512 << 20,
			MaxLoadTime:  30 * time.Second,
			GoBench:      true,
			GoBenchTime:  "50x",
			GoBenchCount: 1,
		}
	}
	return Config{
		Duration:     10 * time.Second,
		Warmup:       2 * time.Second,
		Connections:  32,
		Rounds:       5,
		Launches:     21,
		RSSRequests:  1_000_000,
		Tenants:      1_000,
		RSSCap:       4 << 30,
		MaxLoadTime:  5 * time.Minute,
		GoBench:      true,
		GoBenchTime:  "",
		GoBenchCount: 3,
	}
}

func (c Config) validate() error {
	switch {
	case c.Duration <= 0:
		return errors.New("--duration must be positive")
	case c.Warmup < 0:
		return errors.New("--warmup must not be negative")
	case c.Connections < 2:
		return errors.New("--connections must be at least 2 (half of them run flows under mixed load)")
	case c.Rounds < 1:
		return errors.New("--rounds must be at least 1")
	case c.Launches < 1:
		return errors.New("--launches must be at least 1")
	case c.RSSRequests < 1:
		return errors.New("--rss-requests must be at least 1")
	case c.Tenants < 1:
		return errors.New("--tenants must be at least 1")
	case c.RSSCap <= 0:
		return errors.New("--rss-cap-mib must be positive")
	case c.GoBenchCount < 1:
		return errors.New("--bench-count must be at least 1")
	case c.MaxLoadTime <= 0:
		return errors.New("--max-load-time must be positive")
	}
	return nil
}

// Targets of the figures.
var (
	targetHotPath   = &Target{Kind: RatioAtLeast, Value: 0.5}
	targetP99       = &Target{Kind: RatioAtMost, Value: 3}
	targetFlows     = &Target{Kind: AtLeast, Value: 5000}
	targetColdStart = &Target{Kind: AtMost, Value: float64(20 * time.Millisecond)}
	targetIdleRSS   = &Target{Kind: AtMost, Value: 20 << 20}
	targetLoadedRSS = &Target{Kind: AtMost, Value: 64 << 20}
)

// runner holds one run's state.
type runner struct {
	cfg    Config
	log    io.Writer
	report *Report
	hc     *http.Client
	dir    string
	root   string

	mockBin, refBin string
	answers         map[string]string
	mockRequests    uint64 // every request sent to the long-lived flinks-mock
	refRequests     uint64
	flows           atomic.Uint64 // complete flows that flinks-mock answered
}

// Run measures flinks-mock and the reference as cfg says, writing
// progress to log, and returns the report. Problems that make a figure
// impossible are in Report.Problems; the error is for a run that could
// not start at all.
func Run(ctx context.Context, cfg Config, log io.Writer) (*Report, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	r := &runner{
		cfg: cfg,
		log: log,
		report: &Report{
			Date: time.Now().UTC(),
			Machine: Machine{
				CPUs:      runtime.NumCPU(),
				GOOS:      runtime.GOOS,
				GOARCH:    runtime.GOARCH,
				GoVersion: runtime.Version(),
			},
			Settings: Settings{
				Quick:        cfg.Quick,
				Duration:     cfg.Duration.String(),
				Warmup:       cfg.Warmup.String(),
				Connections:  cfg.Connections,
				Rounds:       cfg.Rounds,
				Launches:     cfg.Launches,
				RSSRequests:  cfg.RSSRequests,
				Tenants:      cfg.Tenants,
				RSSCapMiB:    int(cfg.RSSCap >> 20),
				GoBenchTime:  cfg.GoBenchTime,
				GoBenchCount: cfg.GoBenchCount,
			},
		},
		hc: newClient(cfg.Connections),
	}
	defer r.hc.CloseIdleConnections()
	r.note("client and server share the machine's %d cores: every throughput figure includes the load generator's own CPU use, for flinks-mock and the reference alike", runtime.NumCPU())

	if err := r.prepare(ctx); err != nil {
		return nil, err
	}
	defer os.RemoveAll(r.dir)

	r.step(r.coldStart(ctx))
	r.step(r.load(ctx))
	if cfg.GoBench {
		r.step(r.goBench(ctx))
	} else {
		r.note("Go benchmarks not run (--go-bench=false); run 'go test -run XXX -bench . -benchmem ./mockserver/'")
	}
	slices.SortStableFunc(r.report.Rows, func(a, b Row) int { return a.section - b.section })
	return r.report, nil
}

// Sections of the table, in the order it shows them.
const (
	sectionHotPath = iota
	sectionFlows
	sectionStart
	sectionMemory
	sectionGoBench
)

// step records the error of a phase as a problem of the report.
func (r *runner) step(err error) {
	if err != nil {
		r.report.Problems = append(r.report.Problems, err.Error())
	}
}

func (r *runner) note(format string, args ...any) {
	r.report.Notes = append(r.report.Notes, fmt.Sprintf(format, args...))
}

func (r *runner) progress(format string, args ...any) {
	fmt.Fprintf(r.log, "flinks-mock-bench: "+format+"\n", args...)
}

func (r *runner) row(section int, row Row) {
	row.section = section
	r.report.Rows = append(r.report.Rows, row)
}

// countFlows counts the flows of u that flinks-mock answered in full.
func (r *runner) countFlows(u unit) unit {
	return func(ctx context.Context, w, i int) (int, error) {
		n, err := u(ctx, w, i)
		if err == nil {
			r.flows.Add(1)
		}
		return n, err
	}
}

// prepare builds both servers and reads the MFA answers of Greatday.
func (r *runner) prepare(ctx context.Context) error {
	lib, err := scenarios.Load(time.Now(), true)
	if err != nil {
		return fmt.Errorf("load the default library: %w", err)
	}
	if lib.Login(NoMFALoginID) == nil {
		return fmt.Errorf("the default library has no greatday_nomfa (%s)", NoMFALoginID)
	}
	if r.answers, err = mfaAnswers(lib, MFALoginID); err != nil {
		return err
	}
	if r.root, err = moduleRoot(ctx); err != nil {
		return err
	}
	if r.dir, err = os.MkdirTemp("", "flinks-mock-bench-"); err != nil {
		return fmt.Errorf("create a temporary directory: %w", err)
	}
	r.progress("building flinks-mock and the bare net/http reference in %s", r.dir)
	if r.mockBin, err = buildMock(ctx, r.root, r.dir); err != nil {
		os.RemoveAll(r.dir)
		return err
	}
	if r.refBin, err = buildReference(ctx, r.dir); err != nil {
		os.RemoveAll(r.dir)
		return err
	}
	return nil
}

// coldStart times process start to first 200, for both binaries.
func (r *runner) coldStart(ctx context.Context) error {
	n := r.cfg.Launches
	r.progress("cold start: %d launches of each server", n)
	res, err := coldStarts(ctx, n,
		launch{name: "flinks-mock", bin: r.mockBin, args: []string{"--addr", "127.0.0.1:0"}},
		launch{name: "reference", bin: r.refBin, args: []string{"--addr", "127.0.0.1:0"}},
	)
	if err != nil {
		return err
	}
	r.row(sectionStart, NewRow(fmt.Sprintf("cold start to first 200 (median of %d)", n), UnitNanoseconds,
		float64(median(res[0])), float64(median(res[1])), true, targetColdStart))
	return nil
}

// phase is one load measured in slices by measureInterleaved.
type phase struct {
	what string
	u    unit
	res  *loadResult
}

// measureInterleaved warms each phase up, then measures them in turn, a
// slice of cfg.Duration at a time, for Rounds rounds: a moment when the
// machine is busy with something else then hits every phase alike, and
// their ratios hold better than with one long phase after the other.
func (r *runner) measureInterleaved(ctx context.Context, phases ...*phase) error {
	rounds := max(r.cfg.Rounds, 1)
	slice := r.cfg.Duration / time.Duration(rounds)
	for _, p := range phases {
		r.progress("%s: %s warm-up, then %d × %s measured, %d connections", p.what, r.cfg.Warmup, rounds, slice, r.cfg.Connections)
		p.res = &loadResult{}
		if r.cfg.Warmup > 0 {
			w := drive(ctx, loadPlan{Workers: r.cfg.Connections, Duration: r.cfg.Warmup}, p.u)
			p.res.Requests += w.Requests
			if w.Err != nil {
				return fmt.Errorf("%s (warm-up): %w", p.what, w.Err)
			}
		}
	}
	for round := range rounds {
		if rounds > 1 {
			r.progress("measuring: round %d of %d", round+1, rounds)
		}
		for _, p := range phases {
			res := drive(ctx, loadPlan{Workers: r.cfg.Connections, Duration: slice}, p.u)
			p.res.add(res)
			if res.Err != nil {
				return fmt.Errorf("%s: %w", p.what, res.Err)
			}
		}
	}
	for _, p := range phases {
		if p.res.Units == 0 {
			return fmt.Errorf("%s: not one request finished in %s", p.what, r.cfg.Duration)
		}
	}
	return nil
}

// load runs the throughput phases and the memory phases against one
// long-lived flinks-mock and one long-lived reference.
func (r *runner) load(ctx context.Context) error {
	mock, err := startChild(ctx, "flinks-mock", r.mockBin, "--addr", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer func() { _ = mock.stop() }()
	fc := &flinksClient{hc: r.hc, base: mock.URL}
	requestID, ready, err := fc.readySession(ctx, hotCustomerID)
	if err != nil {
		return err
	}
	r.mockRequests += 3
	r.note("hot path: one ready session of greatday_nomfa in one tenant, shared by all %d connections; its 200 body is %s", r.cfg.Connections, formatValue(float64(len(ready)), UnitBytes))

	bodyFile := filepath.Join(r.dir, "ready.json")
	if err := os.WriteFile(bodyFile, ready, 0o644); err != nil {
		return fmt.Errorf("write the ready body for the reference: %w", err)
	}
	ref, err := startChild(ctx, "reference", r.refBin, "--addr", "127.0.0.1:0", "--body", bodyFile)
	if err != nil {
		return err
	}
	defer func() { _ = ref.stop() }()
	refPost := request{Method: http.MethodPost, URL: ref.URL + "/v3/" + hotCustomerID + "/BankingServices/GetAccountsDetail", Body: detailBody(requestID), Want: http.StatusOK}
	if _, err := send(ctx, r.hc, refPost); err != nil {
		return fmt.Errorf("the reference server: %w", err)
	}
	r.refRequests++

	// Idle memory: both have served their first answers and settled.
	time.Sleep(200 * time.Millisecond)
	mockIdle, _, err := mock.Memory()
	if err != nil {
		return err
	}
	refIdle, _, err := ref.Memory()
	if err != nil {
		return err
	}
	r.row(sectionMemory, NewRow("RSS idle after start", UnitBytes, float64(mockIdle), float64(refIdle), true, targetIdleRSS))

	post := request{Method: http.MethodPost, URL: fc.url(hotCustomerID, "GetAccountsDetail"), Body: detailBody(requestID), Want: http.StatusOK}
	async := request{Method: http.MethodGet, URL: fc.url(hotCustomerID, "GetAccountsDetailAsync/"+requestID), Want: http.StatusOK}

	refPhase := &phase{what: "reference", u: requestUnit(r.hc, refPost)}
	postPhase := &phase{what: "hot path POST GetAccountsDetail", u: requestUnit(r.hc, post)}
	asyncPhase := &phase{what: "hot path GET GetAccountsDetailAsync", u: requestUnit(r.hc, async)}
	err = r.measureInterleaved(ctx, refPhase, postPhase, asyncPhase)
	r.refRequests += refPhase.res.Requests
	r.mockRequests += postPhase.res.Requests + asyncPhase.res.Requests
	if err != nil {
		return err
	}
	r.latencyRows(postPhase.what, postPhase.res, refPhase.res)
	r.latencyRows(asyncPhase.what, asyncPhase.res, refPhase.res)
	if r.cfg.Rounds > 1 {
		r.note("the reference and the two hot path loads ran in turn, %d rounds of %s each, so that other work on the machine weighs on all three alike", r.cfg.Rounds, r.cfg.Duration/time.Duration(r.cfg.Rounds))
	}

	flowPhase := &phase{what: fmt.Sprintf("complete flows over %d tenants", r.cfg.Tenants), u: r.countFlows(fc.flowUnit(r.cfg.Connections, r.cfg.Tenants, r.answers))}
	err = r.measureInterleaved(ctx, flowPhase)
	flowRes := flowPhase.res
	r.mockRequests += flowRes.Requests
	if err != nil {
		return err
	}
	flows := fmt.Sprintf("complete flows (Greatday, MFA, 202; %d tenants)", r.cfg.Tenants)
	r.row(sectionFlows, NewRow(flows+": throughput", UnitFlowRate, flowRes.Rate(), 0, false, targetFlows))
	r.row(sectionFlows, NewRow(flows+": p50 per flow", UnitNanoseconds, float64(flowRes.Latency.Percentile(0.5)), 0, false, nil))
	r.row(sectionFlows, NewRow(flows+": p99 per flow", UnitNanoseconds, float64(flowRes.Latency.Percentile(0.99)), 0, false, nil))

	// Memory after load. The reference first, alone, then flinks-mock under
	// mixed load: half the connections on the hot path, half running flows
	// over the tenants.
	want := uint64(r.cfg.RSSRequests)
	if r.refRequests < want {
		r.progress("reference: %d more requests before its memory is read", want-r.refRequests)
		res := drive(ctx, loadPlan{Workers: r.cfg.Connections, MaxRequests: want - r.refRequests, MaxDuration: r.cfg.MaxLoadTime}, requestUnit(r.hc, refPost))
		r.refRequests += res.Requests
		if res.Err != nil {
			return fmt.Errorf("reference under load: %w", res.Err)
		}
	}
	refLoaded, _, err := ref.Memory()
	if err != nil {
		return err
	}
	_ = ref.stop()

	flowWorkers := r.cfg.Connections / 2
	hs := &hotSession{fc: fc, id: requestID}
	hot, hotAsync := hs.unit(false), hs.unit(true)
	flow := r.countFlows(fc.flowUnit(flowWorkers, r.cfg.Tenants, r.answers))
	mixed := func(ctx context.Context, w, i int) (int, error) {
		if w%2 == 1 {
			return flow(ctx, w/2, i)
		}
		if i%2 == 0 {
			return hot(ctx, w, i)
		}
		return hotAsync(ctx, w, i)
	}
	var capped bool
	overCap := func() bool {
		rss, _, err := mock.Memory()
		capped = err == nil && rss > r.cfg.RSSCap
		return capped
	}
	if r.mockRequests < want {
		r.progress("flinks-mock: %d more requests (mixed: hot path and flows over %d tenants) before its memory is read", want-r.mockRequests, r.cfg.Tenants)
		res := drive(ctx, loadPlan{Workers: r.cfg.Connections, MaxRequests: want - r.mockRequests, MaxDuration: r.cfg.MaxLoadTime, Stop: overCap}, mixed)
		r.mockRequests += res.Requests
		if res.Err != nil {
			return fmt.Errorf("flinks-mock under mixed load: %w", res.Err)
		}
		if res.Stopped != "" {
			r.note("the mixed load on flinks-mock stopped early (%s) after %s requests in all", res.Stopped, groupThousands(int64(r.mockRequests)))
		}
	}
	if n := hs.Reopened(); n > 0 {
		r.note("under mixed load flinks-mock forgot the hot path session %d times (SESSION_NONEXISTENT) although it was polled all the time: the session bound evicts the oldest session created, not the least recently used; the runner opened a new one each time", n)
	}
	mockLoaded, mockPeak, err := mock.Memory()
	if err != nil {
		return err
	}
	if !mock.Alive() {
		return fmt.Errorf("flinks-mock exited during the load:\n%s", mock.stderrTail())
	}
	label := fmt.Sprintf("RSS after %s requests", groupThousands(int64(r.mockRequests)))
	if capped {
		label = fmt.Sprintf("RSS after %s requests (stopped: RSS passed %d MiB)", groupThousands(int64(r.mockRequests)), r.cfg.RSSCap>>20)
	}
	r.row(sectionMemory, NewRow(label, UnitBytes, float64(mockLoaded), float64(refLoaded), true, targetLoadedRSS))
	r.row(sectionMemory, NewRow("peak RSS (VmHWM) of the same run", UnitBytes, float64(mockPeak), 0, false, nil))
	flowsDone := r.flows.Load()
	r.note("memory after load: flinks-mock served %s requests (hot path on one tenant, %s complete flows over %d tenants), the reference %s",
		groupThousands(int64(r.mockRequests)), groupThousands(int64(flowsDone)), r.cfg.Tenants, groupThousands(int64(r.refRequests)))
	if flowsDone > 0 && mockLoaded > mockIdle {
		r.note("flinks-mock grew by %s per complete flow: what its sessions, tokens and journal entries keep until their bounds evict them (%d sessions per tenant by default, and the cross-tenant bounds of mockserver.Config)",
			formatValue(float64(mockLoaded-mockIdle)/float64(flowsDone), UnitBytes), mockserver.DefaultMaxSessions)
	}
	return nil
}

// latencyRows adds the throughput, p50 and p99 rows of a hot path phase.
func (r *runner) latencyRows(what string, mock, ref *loadResult) {
	r.row(sectionHotPath, NewRow(what+": throughput", UnitRequestRate, mock.Rate(), ref.Rate(), true, targetHotPath))
	r.row(sectionHotPath, NewRow(what+": p50", UnitNanoseconds, float64(mock.Latency.Percentile(0.5)), float64(ref.Latency.Percentile(0.5)), true, nil))
	r.row(sectionHotPath, NewRow(what+": p99", UnitNanoseconds, float64(mock.Latency.Percentile(0.99)), float64(ref.Latency.Percentile(0.99)), true, targetP99))
}

// goBench runs the Go benchmarks and adds their per-request figures.
func (r *runner) goBench(ctx context.Context) error {
	r.progress("go test -bench . -benchmem -count %d ./mockserver/ (benchtime %q)", r.cfg.GoBenchCount, r.cfg.GoBenchTime)
	res, _, err := runGoBench(ctx, r.root, r.cfg.GoBenchTime, r.cfg.GoBenchCount)
	if err != nil {
		return err
	}
	res = Fastest(res)
	if r.cfg.GoBenchCount > 1 {
		r.note("Go benchmarks: the fastest of %d runs of each (-count %d)", r.cfg.GoBenchCount, r.cfg.GoBenchCount)
	}
	bare, bareOK := findGoBench(res, "BareHandler")
	for _, c := range []struct{ name, label string }{
		{"HotPath", "in-process POST GetAccountsDetail (Go bench)"},
		{"HotPathAsync", "in-process GET GetAccountsDetailAsync (Go bench)"},
	} {
		b, ok := findGoBench(res, c.name)
		if !ok {
			return fmt.Errorf("go test -bench printed no Benchmark%s", c.name)
		}
		r.row(sectionGoBench, NewRow(c.label+": time/op", UnitNanoseconds, b.NsPerOp, bare.NsPerOp, bareOK, nil))
		r.row(sectionGoBench, NewRow(c.label+": allocs/op", UnitAllocs, b.AllocsPerOp, bare.AllocsPerOp, bareOK, nil))
		r.row(sectionGoBench, NewRow(c.label+": bytes/op", UnitBytes, b.BytesPerOp, bare.BytesPerOp, bareOK, nil))
	}
	if b, ok := findGoBench(res, "Flow"); ok {
		r.row(sectionGoBench, NewRow("in-process complete flow (Go bench): time/flow", UnitNanoseconds, b.NsPerOp, 0, false, nil))
		r.row(sectionGoBench, NewRow("in-process complete flow (Go bench): allocs/flow", UnitAllocs, b.AllocsPerOp, 0, false, nil))
		r.row(sectionGoBench, NewRow("in-process complete flow (Go bench): bytes/flow", UnitBytes, b.BytesPerOp, 0, false, nil))
	}
	if b, ok := findGoBench(res, "Startup"); ok {
		r.row(sectionGoBench, NewRow("in-process startup: library, contract, New (Go bench)", UnitNanoseconds, b.NsPerOp, 0, false, nil))
	}
	return nil
}
