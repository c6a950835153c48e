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
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

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
	// Baseline, when set, is the root of another flinks-mock tree (an
	// older commit, checked out beside this one): it is built and measured
	// in the same run, each phase in turn with this tree's, and its
	// figures get rows of their own, as ratios to the same reference.
	Baseline string
	// Peers, when set, also measures the mock servers people would pick
	// instead (WireMock, Prism), installed with npm under PeersPrefix,
	// serving the same ~3 KB answer; one not installed is skipped.
	Peers       bool
	PeersPrefix string
	// PeerWarmup is the load each server of the peers phase takes before
	// its throughput is measured again "after warm-up".
	PeerWarmup time.Duration
	// PeerLaunches is how many times each peer is started for its cold
	// start.
	PeerLaunches int
}

// DefaultPeersPrefix is where the runner looks for the peers: the prefix
// of 'npm install --prefix /tmp/peers wiremock @stoplight/prism-cli'.
const DefaultPeersPrefix = "/tmp/peers"

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
			PeersPrefix:  DefaultPeersPrefix,
			PeerWarmup:   200 * time.Millisecond,
			PeerLaunches: 1,
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
		PeersPrefix:  DefaultPeersPrefix,
		PeerWarmup:   30 * time.Second,
		PeerLaunches: 3,
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
	case c.PeerWarmup < 0:
		return errors.New("--peer-warmup must not be negative")
	case c.PeerLaunches < 1:
		return errors.New("--peer-launches must be at least 1")
	case c.MaxLoadTime <= 0:
		return errors.New("--max-load-time must be positive")
	case c.Baseline != "" && !hasGoMod(c.Baseline):
		return fmt.Errorf("--baseline %s: no go.mod there; give the root of a flinks-mock checkout", c.Baseline)
	}
	return nil
}

// Targets of the figures.
var (
	targetHotPath   = &Target{Kind: RatioAtLeast, Value: 0.85}
	targetP99       = &Target{Kind: RatioAtMost, Value: 3}
	targetFlows     = &Target{Kind: AtLeast, Value: 5000}
	targetColdStart = &Target{Kind: AtMost, Value: float64(10 * time.Millisecond)}
	targetIdleRSS   = &Target{Kind: AtMost, Value: 16 << 20}
	targetLoadedRSS = &Target{Kind: AtMost, Value: 64 << 20}
)

// runner holds one run's state.
type runner struct {
	cfg    Config
	log    io.Writer
	report *Report
	hc     client
	dir    string
	root   string

	// mocks are the flinks-mock trees measured: this one, then the
	// baseline when there is one.
	mocks       []*mockTree
	refBin      string
	smallFile   string                   // the scenario file of bench_small
	startMedian map[string]time.Duration // median cold start by child name
	refIdleRSS  int64
	answers     map[string]string
	refRequests uint64
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
				Baseline:     cfg.Baseline,
				Peers:        cfg.Peers,
				PeerWarmup:   cfg.PeerWarmup.String(),
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
	if cfg.Peers {
		r.step(r.peers(ctx))
	}
	if cfg.GoBench {
		for _, m := range r.mocks {
			r.step(r.goBench(ctx, m))
		}
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
	sectionPeers
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
	if r.smallFile, err = writeSmallScenario(r.dir); err != nil {
		os.RemoveAll(r.dir)
		return err
	}
	r.mocks = []*mockTree{{dir: r.root}}
	if r.cfg.Baseline != "" {
		r.mocks = append(r.mocks, &mockTree{label: "baseline", dir: r.cfg.Baseline})
	}
	r.progress("building flinks-mock and the bare net/http reference in %s", r.dir)
	for i, m := range r.mocks {
		if m.bin, err = buildMock(ctx, m.dir, filepath.Join(r.dir, fmt.Sprintf("flinks-mock-%d", i))); err != nil {
			os.RemoveAll(r.dir)
			return err
		}
	}
	if r.refBin, err = buildReference(ctx, r.dir); err != nil {
		os.RemoveAll(r.dir)
		return err
	}
	return nil
}

// coldStart times process start to first 200, for every binary.
func (r *runner) coldStart(ctx context.Context) error {
	n := r.cfg.Launches
	r.progress("cold start: %d launches of each server", n)
	launches := []launch{{name: "reference", bin: r.refBin, args: []string{"--addr", "127.0.0.1:0"}}}
	for _, m := range r.mocks {
		launches = append(launches, launch{name: m.name(), bin: m.bin, args: []string{"--addr", "127.0.0.1:0"}})
	}
	res, err := coldStarts(ctx, n, launches...)
	if err != nil {
		return err
	}
	r.startMedian = map[string]time.Duration{"reference": median(res[0])}
	for i, m := range r.mocks {
		r.startMedian[m.name()] = median(res[i+1])
		r.row(sectionStart, NewRow(m.figure(fmt.Sprintf("cold start to first 200 (median of %d)", n)), UnitNanoseconds,
			float64(median(res[i+1])), float64(median(res[0])), true, m.target(targetColdStart)))
	}
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
