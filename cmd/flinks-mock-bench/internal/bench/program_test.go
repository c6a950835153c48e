package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	quick, full := DefaultConfig(true), DefaultConfig(false)
	tests := []struct {
		name     string
		args     []string
		want     func(Config) bool
		wantJSON string
		wantErr  string
	}{
		{name: "full defaults", args: nil, want: func(c Config) bool { return c == full }},
		{name: "quick defaults", args: []string{"--quick"}, want: func(c Config) bool { return c == quick }},
		{name: "a flag given wins over quick", args: []string{"--quick", "--duration", "3s", "--connections", "4"},
			want: func(c Config) bool {
				return c.Quick && c.Duration == 3*time.Second && c.Connections == 4 && c.Launches == quick.Launches
			}},
		{name: "cap in MiB", args: []string{"--rss-cap-mib", "100"}, want: func(c Config) bool { return c.RSSCap == 100<<20 }},
		{name: "json file", args: []string{"--json", "out.json"}, want: func(c Config) bool { return c == full }, wantJSON: "out.json"},
		{name: "peers", args: []string{"--peers"}, want: func(c Config) bool {
			w := full
			w.Peers = true
			return c == w
		}},
		{name: "peers, quick", args: []string{"--quick", "--peers", "--peers-prefix", "/opt/peers"}, want: func(c Config) bool {
			w := quick
			w.Peers, w.PeersPrefix = true, "/opt/peers"
			return c == w
		}},
		{name: "no peer launch", args: []string{"--peers", "--peer-launches", "0"}, wantErr: "--peer-launches must be at least 1"},
		{name: "one connection", args: []string{"--connections", "1"}, wantErr: "--connections must be at least 2"},
		{name: "zero duration", args: []string{"--duration", "0s"}, wantErr: "--duration must be positive"},
		{name: "stray argument", args: []string{"now"}, wantErr: `unexpected argument "now"`},
		{name: "unknown flag", args: []string{"--fast"}, wantErr: "flag provided but not defined"},
		{name: "baseline that is no module", args: []string{"--baseline", "/"}, wantErr: "no go.mod there"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, jsonPath, err := parseFlags(tt.args, &bytes.Buffer{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want(cfg) {
				t.Errorf("config = %+v", cfg)
			}
			if jsonPath != tt.wantJSON {
				t.Errorf("json path = %q, want %q", jsonPath, tt.wantJSON)
			}
		})
	}
}

func TestHelpAndUsageExit(t *testing.T) {
	var out bytes.Buffer
	if _, _, err := parseFlags([]string{"--help"}, &out); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: error = %v, want flag.ErrHelp", err)
	}
	if !strings.Contains(out.String(), "--quick") || !strings.Contains(out.String(), "Exit status") {
		t.Errorf("--help does not describe the flags and exit status:\n%s", out.String())
	}
	if code := (Program{}).Run(context.Background(), []string{"--help"}); code != ExitOK {
		t.Errorf("--help exits %d, want %d", code, ExitOK)
	}
	if code := (Program{}).Run(context.Background(), []string{"--connections", "0"}); code != ExitUsage {
		t.Errorf("a bad flag exits %d, want %d", code, ExitUsage)
	}
}

// TestQuickRun runs the whole runner, quick and shorter still: it builds
// both servers, loads them, and checks the report is complete. It judges
// no timing. --peers points at an empty prefix: the peers are skipped,
// and the run goes on to measure the reference and flinks-mock on the
// ~3 KB answer.
func TestQuickRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries and loads them for a few seconds")
	}
	jsonPath := filepath.Join(t.TempDir(), "report.json")
	var stdout, stderr bytes.Buffer
	code := Program{Stdout: &stdout, Stderr: &stderr}.Run(context.Background(), []string{
		"--quick", "--duration", "150ms", "--warmup", "30ms", "--connections", "4",
		"--launches", "1", "--rss-requests", "300", "--tenants", "3",
		"--go-bench=false", "--json", jsonPath,
		"--peers", "--peers-prefix", t.TempDir(), "--peer-warmup", "20ms",
	})
	if code != ExitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var report Report
	if err := json.Unmarshal(data, &report); err != nil {
		t.Fatalf("--json wrote no report: %v\n%s", err, data)
	}
	if len(report.Problems) > 0 {
		t.Fatalf("problems: %q", report.Problems)
	}
	figures := map[string]Row{}
	for _, r := range report.Rows {
		figures[r.Figure] = r
		if r.Mock <= 0 {
			t.Errorf("%s: flinks-mock value %v, want a measurement", r.Figure, r.Mock)
		}
		if r.Reference != nil && *r.Reference <= 0 {
			t.Errorf("%s: reference value %v, want a measurement", r.Figure, *r.Reference)
		}
	}
	for _, want := range []string{
		"hot path POST GetAccountsDetail: throughput",
		"hot path POST GetAccountsDetail: p99",
		"hot path GET GetAccountsDetailAsync: throughput",
		"hot path POST GetAccountsDetail, ~3 KB answer: throughput",
		"hot path GET GetAccountsDetailAsync, ~3 KB answer: p99",
		"flinks-mock, ~3 KB answer: throughput of a fresh process",
		"flinks-mock, ~3 KB answer: throughput after 20ms warm-up",
		"complete flows (Greatday, MFA, 202; 3 tenants): throughput",
		"cold start to first 200 (median of 1)",
		"RSS idle after start",
	} {
		r, ok := figures[want]
		if !ok {
			t.Errorf("the report has no %q row; rows: %v", want, report.Rows)
			continue
		}
		if r.Target != nil && r.Met == nil {
			t.Errorf("%s has a target but no verdict", want)
		}
	}
	if figures["hot path POST GetAccountsDetail: throughput"].Reference == nil {
		t.Error("the hot path has no reference figure")
	}
	if !strings.Contains(stdout.String(), "| figure") || !strings.Contains(stdout.String(), "share the machine's") {
		t.Errorf("stdout has no table or notes:\n%s", stdout.String())
	}
	checkNotes(t, stdout.String(), "- peers: WireMock: skipped: not installed", "- peers: Prism: skipped: not installed")
}

// checkNotes fails the test for each line of wants the output lacks.
func checkNotes(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("the notes do not say %q:\n%s", want, out)
		}
	}
}

// TestQuickRunWithBaseline measures this tree against itself as the
// baseline: every figure gets a baseline row beside its own.
func TestQuickRunWithBaseline(t *testing.T) {
	if testing.Short() {
		t.Skip("builds three binaries and loads them for a few seconds")
	}
	root, err := moduleRoot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	jsonPath := filepath.Join(t.TempDir(), "report.json")
	var stdout, stderr bytes.Buffer
	code := Program{Stdout: &stdout, Stderr: &stderr}.Run(context.Background(), []string{
		"--quick", "--duration", "100ms", "--warmup", "20ms", "--connections", "4",
		"--launches", "1", "--rss-requests", "200", "--tenants", "3",
		"--go-bench=false", "--json", jsonPath, "--baseline", root,
	})
	if code != ExitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	for _, want := range []string{
		"| hot path POST GetAccountsDetail: throughput",
		"| baseline: hot path POST GetAccountsDetail: throughput",
		"| baseline: complete flows (Greatday, MFA, 202; 3 tenants): throughput",
		"| baseline: cold start to first 200 (median of 1)",
		"| baseline: RSS idle after start",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("the table has no row %q:\n%s", want, stdout.String())
		}
	}
}
