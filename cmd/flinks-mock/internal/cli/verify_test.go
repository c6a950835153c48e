package cli

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/contract"
	"github.com/flinks-mock/flinks-mock/contract/broken"
	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// testTimeScale is verify's default: the guide's 10 s between polls is
// 100 ms, its 30-minute deadline 18 s. A shorter scale magnifies the
// real-time jitter of a loaded machine past what the deadline rule can
// tell from a late client: at 0.002 a timer that fires 100 ms late puts a
// correct client's last poll 50 s past the deadline on the server clock.
const testTimeScale = "0.01"

// repoRoot is where the examples and the docs are, from this package.
const repoRoot = "../../../.."

// buildGoExample builds examples/go into a temporary directory.
func buildGoExample(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "flinks-example")
	cmd := exec.Command("go", "build", "-o", bin, "./examples/go")
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build examples/go: %v\n%s", err, out)
	}
	return bin
}

// junitDoc is JUnit XML as a CI system reads it.
type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Suites   []struct {
		Name  string `xml:"name,attr"`
		Tests int    `xml:"tests,attr"`
		Cases []struct {
			Name    string `xml:"name,attr"`
			Failure *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Skipped *struct{} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func readJUnit(t *testing.T, path string) junitDoc {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc junitDoc
	dec := xml.NewDecoder(strings.NewReader(string(raw)))
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("the JUnit file is not well-formed XML: %v\n%s", err, raw)
	}
	return doc
}

// verifyExample runs every scenario, the webhook ones included, against
// one example, one verify run per scenario in parallel subtests (their
// waits are real time), and expects every one to pass.
func verifyExample(t *testing.T, command ...string) {
	t.Helper()
	for _, sc := range contract.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			junit := filepath.Join(t.TempDir(), "verify.xml")
			args := append([]string{"verify", "--today", pinnedToday, "--time-scale", testTimeScale, "--scenario", sc.Name, "--junit", junit, "--"}, command...)
			code, stdout, stderr := run(t, nil, args...)
			if code != ExitOK {
				t.Fatalf("verify exited with %d, want 0\n%s\n%s", code, stdout, stderr)
			}
			if want := "1 scenario: 1 passed, 0 failed, 0 skipped"; !strings.Contains(stdout, want) {
				t.Errorf("report lacks %q:\n%s", want, stdout)
			}
			doc := readJUnit(t, junit)
			perScenario := 2 + len(contract.Rules())
			if len(doc.Suites) != 1 || doc.Tests != perScenario || doc.Failures != 0 {
				t.Errorf("JUnit: %d suites, %d tests, %d failures; want 1, %d, 0", len(doc.Suites), doc.Tests, doc.Failures, perScenario)
			}
		})
	}
}

func TestVerifyTheGoExample(t *testing.T) {
	t.Parallel()
	verifyExample(t, buildGoExample(t))
}

func TestVerifyTheNodeExample(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH: the Node.js example (examples/node/client.mjs, Node 20) is not verified")
	}
	verifyExample(t, node, filepath.Join(repoRoot, "examples", "node", "client.mjs"))
}

func TestVerifyThePythonExample(t *testing.T) {
	t.Parallel()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH: the Python example (examples/python/client.py) is not verified")
	}
	verifyExample(t, python, filepath.Join(repoRoot, "examples", "python", "client.py"))
}

// machineDates are the dates the doc-comparing tests take for the
// machine's today: a leap day, the last second of a year and a date years
// ahead, beside the real one. Output pinned with --today must not move.
func machineDates() map[string]time.Time {
	return map[string]time.Time{
		"leap day":    time.Date(2028, 2, 29, 23, 59, 0, 0, time.UTC),
		"year's end":  time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC),
		"years ahead": time.Date(2041, 6, 15, 8, 0, 0, 0, time.UTC),
		"the machine": time.Now(),
	}
}

// runAt runs the command as run does, on a machine whose clock reads now.
func runAt(t *testing.T, now time.Time, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	p := Program{Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }, Now: func() time.Time { return now }}
	code = p.Run(context.Background(), args)
	return code, out.String(), errOut.String()
}

// docCommand returns the arguments of the "$ flinks-mock ..." line that
// opens a block of docs/verify.md, with the paths of the repository made
// reachable from this package.
func docCommand(t *testing.T, shown string) (args []string, rest string) {
	t.Helper()
	cmdLine, rest, ok := strings.Cut(shown, "\n")
	if !ok || !strings.HasPrefix(cmdLine, "$ flinks-mock ") {
		t.Fatalf("the block does not open with the command it shows: %q", cmdLine)
	}
	for _, a := range strings.Fields(strings.TrimPrefix(cmdLine, "$ flinks-mock ")) {
		if _, err := os.Stat(filepath.Join(repoRoot, a)); err == nil && strings.Contains(a, "/") {
			a = repoRoot + "/" + a
		}
		args = append(args, a)
	}
	return args, rest
}

// TestVerifyTheBrokenExample runs the verify command docs/verify.md shows,
// on machines whose clocks read different dates, and checks each report
// against the one pasted there. The command pins --today, so the
// report holds on any day.
func TestVerifyTheBrokenExample(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not on PATH: the broken example (examples/broken/client.py) is not verified")
	}
	readme, err := os.ReadFile(filepath.Join(repoRoot, "docs", "verify.md"))
	if err != nil {
		t.Fatal(err)
	}
	args, shown := docCommand(t, readmeBlock(t, string(readme), "<!-- verify-broken-report -->"))
	if !slices.Contains(args, "--today") {
		t.Fatalf("docs/verify.md's verify command %v does not pin --today: its balances would change with the date", args)
	}
	for name, now := range machineDates() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			junit := filepath.Join(t.TempDir(), "verify.xml")
			code, stdout, stderr := runAt(t, now, append([]string{args[0], "--junit", junit}, args[1:]...)...)
			stdout = strings.ReplaceAll(stdout, repoRoot+"/", "")
			if code != ExitFailure {
				t.Fatalf("verify exited with %d, want %d\n%s\n%s", code, ExitFailure, stdout, stderr)
			}
			checkBrokenJUnit(t, junit)
			if got, want := normalizeReport(stdout), normalizeReport(shown); got != want {
				t.Errorf("on %s docs/verify.md shows another report than verify prints; replace the block after <!-- verify-broken-report --> with:\n%s", now.Format(time.DateOnly), stdout)
			}
		})
	}
}

// checkBrokenJUnit checks the JUnit file of the broken example's run:
// exactly the rules it breaks fail, each with a message and a text.
func checkBrokenJUnit(t *testing.T, junit string) {
	t.Helper()
	doc := readJUnit(t, junit)
	var failed []string
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if c.Failure != nil {
				failed = append(failed, s.Name+"/"+c.Name)
				if c.Failure.Message == "" || c.Failure.Text == "" {
					t.Errorf("failure %s/%s has no message or no text", s.Name, c.Name)
				}
			}
		}
	}
	if want := "mfa/outcome mfa/FM001-single-use-token pending/FM005-poll-interval"; strings.Join(failed, " ") != want {
		t.Errorf("JUnit failures %v, want %s", failed, want)
	}
}

// readmeBlock returns the fenced block that follows a marker.
func readmeBlock(t *testing.T, readme, marker string) string {
	t.Helper()
	_, after, ok := strings.Cut(readme, marker)
	if !ok {
		t.Fatalf("docs/verify.md has no %s", marker)
	}
	_, body, ok := strings.Cut(after, "```text\n")
	if !ok {
		t.Fatalf("no ```text block after %s", marker)
	}
	body, _, ok = strings.Cut(body, "```")
	if !ok {
		t.Fatalf("the block after %s does not end", marker)
	}
	return body
}

// normalizeReport blanks what changes from run to run: ids, times, ports,
// durations.
func normalizeReport(s string) string {
	for _, r := range []struct{ re, with string }{
		{`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`, "UUID"},
		{`\d\d:\d\d:\d\d\.\d{3}`, "TIME"},
		{`127\.0\.0\.1:\d+`, "ADDR"},
		{`\d+(\.\d+)?(ns|µs|ms|s)\b`, "DURATION"},
	} {
		s = regexp.MustCompile(r.re).ReplaceAllString(s, r.with)
	}
	return strings.TrimSpace(s)
}

// pinnedToday is the --today of the tests that start a server of their own.
const pinnedToday = "2026-11-02"

func TestVerifyAgainstARunningServer(t *testing.T) {
	t.Parallel()
	today, _ := time.Parse(time.DateOnly, pinnedToday)
	lib, err := scenarios.Load(today, true)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := mockserver.New(mockserver.Config{Library: lib, APIKey: contract.ToolboxAPIKey})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	bin := buildGoExample(t)
	code, stdout, stderr := run(t, nil, "verify", "--server", hs.URL, "--today", pinnedToday, "--scenario", "happy", "--scenario", "disabled", "--", bin)
	if code != ExitOK {
		t.Fatalf("verify --server exited with %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "against "+hs.URL+" (time scale 1:") || !strings.Contains(stdout, "2 scenarios: 2 passed") {
		t.Errorf("unexpected report:\n%s", stdout)
	}
}

func TestVerifyKillsARunPastItsTimeout(t *testing.T) {
	t.Parallel()
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep command on PATH")
	}
	code, stdout, _ := run(t, nil, "verify", "--scenario", "happy", "--timeout", "300ms", "--", sleep, "30")
	if code != ExitFailure {
		t.Fatalf("exit %d, want %d\n%s", code, ExitFailure, stdout)
	}
	for _, want := range []string{"✗ run: the command was still running after --timeout 300ms, and was killed", "killed in"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
}

func TestVerifyReportsACommandThatPrintsNoOutcome(t *testing.T) {
	t.Parallel()
	truth, err := exec.LookPath("true")
	if err != nil {
		t.Skip("no true command on PATH")
	}
	code, stdout, _ := run(t, nil, "verify", "--scenario", "happy", "--", truth)
	// It asked for nothing, so no rule fails, and the outcome is not checked.
	if code != ExitOK || !strings.Contains(stdout, "– outcome: not reported") {
		t.Errorf("exit %d\n%s", code, stdout)
	}
	code, stdout, _ = run(t, nil, "verify", "--scenario", "happy", "--", filepath.Join(t.TempDir(), "missing"))
	if code != ExitFailure || !strings.Contains(stdout, "did not start") {
		t.Errorf("a command that does not exist: exit %d\n%s", code, stdout)
	}
}

func TestVerifyUsage(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no command", []string{"verify"}, ExitUsage, "give the command to verify after --"},
		{"unknown scenario", []string{"verify", "--scenario", "nope", "--", "x"}, ExitUsage, `no scenario "nope"; the scenarios are happy, mfa`},
		{"negative scale", []string{"verify", "--time-scale", "-1", "--", "x"}, ExitUsage, "--time-scale -1"},
		{"scale with a server", []string{"verify", "--server", "http://127.0.0.1:1", "--time-scale", "0.01", "--", "x"}, ExitUsage, "the clock of --server runs at its own pace"},
		{"server down", []string{"verify", "--server", "http://127.0.0.1:1", "--", "x"}, ExitFailure, "does not answer its health check"},
		{"help", []string{"verify", "--help"}, ExitOK, "FLINKS_POLL_INTERVAL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, nil, tt.args...)
			if code == ExitOK {
				stderr = stdout // help goes to stdout
			}
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d (want %d), stderr:\n%s\nwant it to contain %q", code, tt.code, stderr, tt.stderr)
			}
		})
	}
}

func TestVerifySelectsScenarios(t *testing.T) {
	tests := []struct {
		flags []string
		want  string
	}{
		{nil, "happy mfa triple-mfa two-rounds pending dispatched long-pending timeout disabled retry-later retry-then-ok aggregation-error slow-mfa-user wrong-mfa-answer slow-answers repeat-fetch varied-shapes"},
		{[]string{"timeout", "happy"}, "timeout happy"},
		{[]string{"all"}, "happy mfa triple-mfa two-rounds pending dispatched long-pending timeout disabled retry-later retry-then-ok aggregation-error slow-mfa-user wrong-mfa-answer slow-answers repeat-fetch statements delete-card webhook webhook-signed varied-shapes"},
	}
	for _, tt := range tests {
		c := verifyConfig{scenarios: tt.flags}
		scs, err := c.selected()
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, sc := range scs {
			names = append(names, sc.Name)
		}
		if got := strings.Join(names, " "); got != tt.want {
			t.Errorf("--scenario %v selects %s, want %s", tt.flags, got, tt.want)
		}
	}
}

// A command that crashes on an error answer is told which answer it was.
func TestVerifyQuotesTheLastAnswerBeforeACrash(t *testing.T) {
	t.Parallel()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH")
	}
	script := `
import json, os, urllib.request
req = urllib.request.Request(os.environ["FLINKS_BASE_URL"] + "/BankingServices/Authorize", method="POST",
    data=json.dumps({"LoginId": os.environ["FLINKS_LOGIN_ID"], "MostRecentCached": True}).encode(),
    headers={"Content-Type": "application/json"})
urllib.request.urlopen(req)  # raises on the 401, and the program dies of it
`
	code, stdout, _ := run(t, nil, "verify", "--today", pinnedToday, "--scenario", "happy", "--", python, "-c", script)
	if code != ExitFailure {
		t.Fatalf("exit %d, want %d\n%s", code, ExitFailure, stdout)
	}
	for _, want := range []string{"printed no outcome: it crashed; the last Flinks answer it got was #", "POST Authorize (cached)", "→ 401 ACCESS_DENIED"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the report lacks %q:\n%s", want, stdout)
		}
	}
}

// flawTimeScale is the time scale a flaw is verified at. The guide's 10 s
// is 500 ms at the usual one, far above the time of a request: a flaw that
// does not wait shows on any machine. The flaws that keep polling until
// the deadline or past it take it on a fast scale: their failure does not
// hang on where the last poll falls.
func flawTimeScale(f broken.Flaw) string {
	switch f {
	case broken.NoTimeout, broken.NewRequestPerPoll:
		return "0.002"
	case broken.NoRequestTimeout:
		return "0.002" // the shortest request timeout, 1 s: its slow answers take 3 s
	case broken.LateMFAAnswer:
		return testTimeScale // the user's 9 minutes, in 5.4 s
	}
	return "0.05"
}

// TestVerifyTheBrokenVariants runs the Node.js and Python examples with
// each flaw of contract/broken (examples/broken/flaws.mjs and flaws.py):
// each fails exactly the rule it breaks, as the Go clients do.
func TestVerifyTheBrokenVariants(t *testing.T) {
	t.Parallel()
	for _, lang := range []struct{ name, interpreter, file string }{
		{"node", "node", "flaws.mjs"},
		{"python", "python3", "flaws.py"},
	} {
		t.Run(lang.name, func(t *testing.T) {
			t.Parallel()
			interpreter, err := exec.LookPath(lang.interpreter)
			if err != nil {
				t.Skipf("%s is not on PATH: the %s variants are not verified", lang.interpreter, lang.name)
			}
			for _, c := range broken.Cases() {
				t.Run(string(c.Flaw), func(t *testing.T) {
					t.Parallel()
					scale := flawTimeScale(c.Flaw)
					junit := filepath.Join(t.TempDir(), "verify.xml")
					code, stdout, stderr := run(t, nil, "verify", "--today", pinnedToday, "--time-scale", scale, "--junit", junit,
						"--scenario", c.Scenario, "--", interpreter, filepath.Join(repoRoot, "examples", "broken", lang.file), string(c.Flaw))
					if code != ExitFailure {
						t.Fatalf("verify exited with %d, want %d\n%s\n%s", code, ExitFailure, stdout, stderr)
					}
					var failed []string
					for _, s := range readJUnit(t, junit).Suites {
						for _, tc := range s.Cases {
							if tc.Failure != nil && strings.HasPrefix(tc.Name, "FM") {
								failed = append(failed, tc.Name)
							}
							if tc.Failure != nil && tc.Name == "run" {
								t.Errorf("the run itself failed: %s", tc.Failure.Message)
							}
						}
					}
					if len(failed) != 1 || failed[0] != c.Rule {
						t.Fatalf("failed rules %v, want only %s\n%s", failed, c.Rule, stdout)
					}
				})
			}
		})
	}
}

// verify --scenarios runs an integration on the logins of the user's own
// files, each with the outcome its steps call for.
func TestVerifyRunsTheLoginsOfScenarioFiles(t *testing.T) {
	t.Parallel()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH")
	}
	own := filepath.Join(t.TempDir(), "own.yaml")
	if err := os.WriteFile(own, []byte(`logins:
  - name: own_slow
    username: own_slow
    loginId: 7d1c6a0e-3b9f-4c2d-8e5a-1f0b2c3d4e5f
    accountsDetail:
      - respond: pending
        calls: 2
      - respond: ready
    generate: {seed: 7, chequing: 1}
  - name: own_locked
    username: own_locked
    loginId: 0e9d8c7b-6a5f-4e3d-9c2b-1a0f9e8d7c6b
    authorize:
      - respond: error
        flinksCode: DISABLED_LOGIN
`), 0o600); err != nil {
		t.Fatal(err)
	}
	files := []string{"--scenarios", own, "--scenarios", filepath.Join(repoRoot, "examples", "ci", "scenarios")}
	reference := filepath.Join(repoRoot, "examples", "python", "client.py")
	code, stdout, stderr := run(t, nil, append(append([]string{"verify", "--today", pinnedToday, "--time-scale", "0.05"}, files...), "--", python, reference)...)
	if code != ExitOK {
		t.Fatalf("the Python example on the files: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"✓ scenario own_slow", "✓ scenario own_locked", "✓ outcome: Flinks error DISABLED_LOGIN, as the scenario calls for", "✓ scenario ci_my_bank", "3 scenarios: 3 passed"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the report lacks %q:\n%s", want, stdout)
		}
	}
	flawed := filepath.Join(repoRoot, "examples", "broken", "flaws.py")
	code, stdout, _ = run(t, nil, append(append([]string{"verify", "--today", pinnedToday, "--time-scale", "0.05", "--scenario", "happy"}, files[:2]...), "--", python, flawed, "stop-at-202")...)
	if code != ExitFailure || !strings.Contains(stdout, "✗ scenario own_slow") || !strings.Contains(stdout, "you stopped at a 202") || !strings.Contains(stdout, "✓ scenario happy") {
		t.Errorf("a client that stops at a 202, on a file's login and a built-in scenario: exit %d\n%s", code, stdout)
	}
}
