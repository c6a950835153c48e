package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit codes of flinks-mock-bench.
const (
	ExitOK = 0
	// ExitBroken: something did not work (a non-2xx answer, a server that
	// did not start, a build that failed).
	ExitBroken = 1
	// ExitUsage: the flags were wrong.
	ExitUsage = 2
	// ExitMissed: a full run met every check but missed a target.
	ExitMissed = 3
)

// Program is one run of flinks-mock-bench with its surroundings; main
// only calls Run, so tests drive it with fake arguments.
type Program struct {
	// Stdout receives the table; Stderr the progress and problems.
	Stdout, Stderr io.Writer
}

// Run parses args (without the program name), measures, prints the table
// and returns the exit code.
func (p Program) Run(ctx context.Context, args []string) int {
	if p.Stdout == nil {
		p.Stdout = io.Discard
	}
	if p.Stderr == nil {
		p.Stderr = io.Discard
	}
	cfg, jsonPath, err := parseFlags(args, p.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	if err != nil {
		fmt.Fprintln(p.Stderr, "flinks-mock-bench:", err)
		return ExitUsage
	}
	report, err := Run(ctx, cfg, p.Stderr)
	if err != nil {
		fmt.Fprintln(p.Stderr, "flinks-mock-bench:", err)
		return ExitBroken
	}
	mode := "full"
	if cfg.Quick {
		mode = "quick"
	}
	fmt.Fprintf(p.Stdout, "flinks-mock-bench, %s mode, %s, %d CPUs, %s\n\n", mode, report.Date.Format("2006-01-02 15:04 UTC"), report.Machine.CPUs, report.Machine.GoVersion)
	fmt.Fprint(p.Stdout, FormatTable(report.Rows))
	for _, n := range report.Notes {
		fmt.Fprintln(p.Stdout, "- "+n)
	}
	if jsonPath != "" {
		if err := writeJSONFile(jsonPath, report); err != nil {
			fmt.Fprintln(p.Stderr, "flinks-mock-bench:", err)
			return ExitBroken
		}
	}
	if len(report.Problems) > 0 {
		fmt.Fprintln(p.Stderr, "flinks-mock-bench: broken:")
		for _, pr := range report.Problems {
			fmt.Fprintln(p.Stderr, "  "+strings.ReplaceAll(pr, "\n", "\n  "))
		}
		return ExitBroken
	}
	if missed := report.Missed(); len(missed) > 0 && !cfg.Quick {
		fmt.Fprintf(p.Stderr, "flinks-mock-bench: %d targets missed: %s\n", len(missed), strings.Join(missed, "; "))
		return ExitMissed
	}
	return ExitOK
}

func writeJSONFile(path string, report *Report) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--json: %w", err)
	}
	if err := report.WriteJSON(f); err != nil {
		f.Close()
		return fmt.Errorf("--json %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--json %s: %w", path, err)
	}
	return nil
}

// quickDefaults gives every flag not set the quick mode's default.
func quickDefaults(cfg Config, set map[string]bool) Config {
	q := DefaultConfig(true)
	keep := func(name string, apply func()) {
		if !set[name] {
			apply()
		}
	}
	keep("duration", func() { cfg.Duration = q.Duration })
	keep("warmup", func() { cfg.Warmup = q.Warmup })
	keep("connections", func() { cfg.Connections = q.Connections })
	keep("rounds", func() { cfg.Rounds = q.Rounds })
	keep("launches", func() { cfg.Launches = q.Launches })
	keep("rss-requests", func() { cfg.RSSRequests = q.RSSRequests })
	keep("tenants", func() { cfg.Tenants = q.Tenants })
	keep("rss-cap-mib", func() { cfg.RSSCap = q.RSSCap })
	keep("max-load-time", func() { cfg.MaxLoadTime = q.MaxLoadTime })
	keep("go-bench", func() { cfg.GoBench = q.GoBench })
	keep("benchtime", func() { cfg.GoBenchTime = q.GoBenchTime })
	keep("bench-count", func() { cfg.GoBenchCount = q.GoBenchCount })
	keep("peer-warmup", func() { cfg.PeerWarmup = q.PeerWarmup })
	keep("peer-launches", func() { cfg.PeerLaunches = q.PeerLaunches })
	return cfg
}

// usage is what --help prints above the flags.
const usage = `Usage: go run ./cmd/flinks-mock-bench [--quick] [--json FILE] [--duration 10s] [--connections 32]

Builds flinks-mock and a bare net/http server, runs both as child processes
and measures them from this process with the same HTTP client: hot path
throughput and latency, complete flows per second, cold start, memory, and
the Go benchmarks' allocations. Prints a table of figures, ratios to the
bare server and targets. With --baseline DIR, the flinks-mock of another
checkout is measured in the same run, each phase in turn with this one's.
With --peers, WireMock and Prism (when installed) serve the same ~3 KB
answer and get rows of their own. Exit status: 0 fine, 1 something broke, 2 bad
flags, 3 a target missed (never in --quick mode).

Flags:`

// parseFlags reads the flags; those not given take the default of the
// mode --quick selects.
func parseFlags(args []string, out io.Writer) (Config, string, error) {
	fs := flag.NewFlagSet("flinks-mock-bench", flag.ContinueOnError)
	fs.SetOutput(out)
	var (
		quick    = fs.Bool("quick", false, "run everything in a few seconds and never judge timings (for CI)")
		jsonPath = fs.String("json", "", "also write the report as JSON to this `file`")
		full     = DefaultConfig(false)
		cfg      Config
		capMiB   int
	)
	fs.DurationVar(&cfg.Duration, "duration", full.Duration, "measured `time` of each throughput phase (quick: 500ms)")
	fs.DurationVar(&cfg.Warmup, "warmup", full.Warmup, "unmeasured `time` before each throughput phase (quick: 100ms)")
	fs.IntVar(&cfg.Connections, "connections", full.Connections, "concurrent workers, one keep-alive connection each (quick: 8)")
	fs.IntVar(&cfg.Rounds, "rounds", full.Rounds, "slices each hot path phase is cut into, run in turn with the reference's (quick: 1)")
	fs.IntVar(&cfg.Launches, "launches", full.Launches, "cold starts of each server (quick: 5)")
	fs.IntVar(&cfg.RSSRequests, "rss-requests", full.RSSRequests, "requests each server serves before its memory is read after load (quick: 10000)")
	fs.IntVar(&cfg.Tenants, "tenants", full.Tenants, "customerIds the flows rotate over (quick: 20)")
	fs.IntVar(&capMiB, "rss-cap-mib", int(full.RSSCap>>20), "stop the load when flinks-mock's RSS passes this many MiB (quick: 512)")
	fs.DurationVar(&cfg.MaxLoadTime, "max-load-time", full.MaxLoadTime, "bound on each phase that runs to a request count (quick: 30s)")
	fs.BoolVar(&cfg.GoBench, "go-bench", full.GoBench, "run 'go test -bench . -benchmem ./mockserver/' and report its figures")
	fs.IntVar(&cfg.GoBenchCount, "bench-count", full.GoBenchCount, "go test -count for --go-bench; the fastest run of each benchmark is reported (quick: 1)")
	fs.StringVar(&cfg.GoBenchTime, "benchtime", full.GoBenchTime, "go test -benchtime for --go-bench (quick: 50x; default: go test's)")
	fs.BoolVar(&cfg.Peers, "peers", false, "also measure WireMock and Prism serving the same ~3 KB answer, when installed under --peers-prefix")
	fs.StringVar(&cfg.PeersPrefix, "peers-prefix", full.PeersPrefix, "npm prefix the peers are installed under: npm install --prefix `dir` wiremock @stoplight/prism-cli")
	fs.DurationVar(&cfg.PeerWarmup, "peer-warmup", full.PeerWarmup, "load each server of --peers takes before its throughput is measured again (quick: 200ms)")
	fs.IntVar(&cfg.PeerLaunches, "peer-launches", full.PeerLaunches, "cold starts of each peer (quick: 1)")
	fs.StringVar(&cfg.Baseline, "baseline", "", "root of another flinks-mock checkout (e.g. an older commit) to build and measure beside this one, in the same run")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, "", err
	}
	if fs.NArg() > 0 {
		return Config{}, "", fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	cfg.RSSCap = int64(capMiB) << 20
	cfg.Quick = *quick
	if *quick {
		cfg = quickDefaults(cfg, set)
	}
	if err := cfg.validate(); err != nil {
		return Config{}, "", err
	}
	return cfg, *jsonPath, nil
}
