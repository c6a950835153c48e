package main_test

// The shell blocks of the README and of the docs pages, run as a reader
// would paste them: with the flinks-mock binary on PATH, from the module
// root, against a server started for the block, on a pinned date.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/scenarios"
	"github.com/onsi/gomega"
)

// docPages are the pages whose blocks the tests check: the README and
// every page of docs/, so that a new page is checked as soon as it exists.
func docPages(t *testing.T, root string) []string {
	t.Helper()
	pages, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := []string{"README.md"}
	for _, p := range pages {
		rel, err := filepath.Rel(root, p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, filepath.ToSlash(rel))
	}
	return out
}

// docsToday is the date every block runs on, so that what it prints does
// not depend on the machine's calendar.
const docsToday = "2026-11-02"

// docAddr is the address the docs show; a test's server has its own.
const docAddr = "127.0.0.1:8080"

// docBlock is one fenced block of a page.
type docBlock struct {
	file, lang, body string
	line             int
	// notRun is the reason given by a "<!-- not run: reason -->" line
	// right above the block.
	notRun string
	// include is the file named by "<!-- include: path -->" right above
	// the block: the block must show that file as it is.
	include string
	// from is the file named by "<!-- from: path -->" right above the
	// block: the block must be lines of that file as they are (indented
	// alike, or all less by the same amount).
	from string
}

var (
	notRunMarker  = regexp.MustCompile(`^<!-- not run: (.+) -->$`)
	includeMarker = regexp.MustCompile(`^<!-- include: (\S+) -->$`)
	fromMarker    = regexp.MustCompile(`^<!-- from: (\S+) -->$`)
)

// docBlocks returns the fenced blocks of a Markdown page.
func docBlocks(t *testing.T, root, file string) []docBlock {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, file))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var blocks []docBlock
	for i := 0; i < len(lines); i++ {
		lang, ok := strings.CutPrefix(lines[i], "```")
		if !ok {
			continue
		}
		b := docBlock{file: file, lang: lang, line: i + 1}
		if i > 0 {
			if m := notRunMarker.FindStringSubmatch(lines[i-1]); m != nil {
				b.notRun = m[1]
			}
			if m := includeMarker.FindStringSubmatch(lines[i-1]); m != nil {
				b.include = m[1]
			}
			if m := fromMarker.FindStringSubmatch(lines[i-1]); m != nil {
				b.from = m[1]
			}
		}
		var body []string
		for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
			body = append(body, lines[i])
		}
		b.body = strings.Join(body, "\n") + "\n"
		blocks = append(blocks, b)
	}
	return blocks
}

// commands returns the command lines of a shell block: continuation lines
// joined, comments and blank lines left out.
func commands(body string) []string {
	var out []string
	var cur string
	for _, l := range strings.Split(body, "\n") {
		if strings.HasSuffix(l, "\\") {
			cur += strings.TrimSuffix(l, "\\") + " "
			continue
		}
		l = cur + l
		cur = ""
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
			out = append(out, t)
		}
	}
	return out
}

// serverStart reports whether a command line starts the server (serve, the
// default command), and returns it without a trailing & or comment.
func serverStart(line string) (string, bool) {
	cmd, _, _ := strings.Cut(line, " #")
	cmd = strings.TrimSuffix(strings.TrimSpace(cmd), "&")
	f := strings.Fields(cmd)
	var rest []string
	switch {
	case len(f) >= 3 && f[0] == "go" && f[1] == "run" && f[2] == "./cmd/flinks-mock":
		rest = f[3:]
	case len(f) >= 1 && f[0] == "flinks-mock":
		rest = f[1:]
	default:
		return "", false
	}
	if len(rest) == 0 || rest[0] == "serve" || (strings.HasPrefix(rest[0], "-") && rest[0] != "--help" && rest[0] != "-h") {
		return strings.TrimSpace(cmd), true
	}
	return "", false
}

// docsRunning is set in the environment of the documented commands, so
// that a command that runs this suite again cannot run the docs again.
const docsRunning = "FLINKS_MOCK_DOCS_TEST"

// suiteCommand is the README's command that runs the whole suite: this
// test runs inside it, so it checks that CI runs it instead.
const suiteCommand = "go test ./..."

// TestDocsRun runs every ```sh block of the README and of docs/. Each block
// gets a fresh server on an address of its own, FLINKS_MOCK_ADDR, which
// serve listens on and healthcheck and examples/walkthrough.sh dial: the
// block's own server command when it has one, else flinks-mock. Every block runs with FLINKS_MOCK_TODAY
// pinned and 127.0.0.1:8080 read as the block's server.
func TestDocsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the documented commands (-short)")
	}
	if os.Getenv(docsRunning) != "" {
		t.Skip("already inside a documented command")
	}
	for _, tool := range []string{"sh", "curl", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not on PATH, and the documented commands use it", tool)
		}
	}
	root := repoRoot(t)
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "flinks-mock"), "./cmd/flinks-mock")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ran := 0
	for _, file := range docPages(t, root) {
		for _, b := range docBlocks(t, root, file) {
			if b.lang != "sh" || b.include != "" || b.from != "" {
				continue
			}
			name := strings.ReplaceAll(file, "/", "_") + ":" + strconv.Itoa(b.line)
			if b.notRun != "" {
				t.Logf("%s:%d not run: %s", file, b.line, b.notRun)
				continue
			}
			ran++
			t.Run(name, func(t *testing.T) { runBlock(t, root, bin, b) })
		}
	}
	if ran == 0 {
		t.Fatal("no block ran")
	}
}

// runBlock runs one block: its server first, then its other commands as
// one sh -e script.
func runBlock(t *testing.T, root, bin string, b docBlock) {
	addr := freeAddr(t)
	env := append(os.Environ(),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"FLINKS_MOCK_ADDR="+addr,
		"FLINKS_MOCK_TODAY="+docsToday,
		docsRunning+"=1",
		"GOFLAGS=",
	)
	body := strings.ReplaceAll(quick(b.body), docAddr, addr)
	if strings.Contains(body, docReceiver) {
		hooks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		t.Cleanup(hooks.Close)
		body = strings.ReplaceAll(body, docReceiver, hooks.Listener.Addr().String())
	}
	removeNewFiles(t, root)
	var script []string
	started := false
	for _, l := range strings.Split(body, "\n") {
		if cmd, ok := serverStart(l); ok {
			startServer(t, root, env, addr, cmd)
			started = true
			continue
		}
		if cmd, _, _ := strings.Cut(l, " #"); strings.TrimSpace(cmd) == suiteCommand {
			continue // TestCIRunsTheREADMECommands checks CI runs it
		}
		script = append(script, l)
	}
	if !started {
		startServer(t, root, env, addr, "flinks-mock")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// A documented call that gets an HTTP error fails the block, as a
	// reader would see it fail.
	prelude := `curl() { command curl --fail-with-body "$@"; }`
	cmd := exec.CommandContext(ctx, "sh", "-eu", "-c", prelude+"\n"+strings.Join(script, "\n"))
	cmd.Dir = root
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s:%d failed: %v\n--- block\n%s--- output\n%s", b.file, b.line, err, b.body, out)
	}
}

// docReceiver is the webhook receiver the docs show; a block gets one of
// its own, which answers every webhook 200.
const docReceiver = "127.0.0.1:9000"

var (
	benchRun  = regexp.MustCompile(`(?m)^go run \./cmd/flinks-mock-bench\b[^#\n]*`)
	benchTime = regexp.MustCompile(`-benchtime \S+`)
	fuzzTime  = regexp.MustCompile(`-fuzztime \S+`)
)

// quick shrinks the documented commands that measure for minutes into
// runs of seconds: the same commands, with tiny durations and counts. The
// runner leaves out the Go benchmarks, which the profiling commands run.
func quick(body string) string {
	body = benchRun.ReplaceAllStringFunc(body, func(cmd string) string {
		if strings.Contains(cmd, "--help") {
			return cmd
		}
		return strings.TrimRight(cmd, " ") + " --quick --duration 50ms --warmup 10ms --launches 1 --rss-requests 1000 --go-bench=false "
	})
	body = benchTime.ReplaceAllString(body, "-benchtime 1x")
	return fuzzTime.ReplaceAllString(body, "-fuzztime 20x")
}

// removeNewFiles removes, at the end of the test, what appeared at the top
// of the module while it ran: the files a block writes where a reader
// runs it (a report, profiles, a test binary).
func removeNewFiles(t *testing.T, root string) {
	t.Helper()
	names := func() map[string]bool {
		entries, err := os.ReadDir(root)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, e := range entries {
			out[e.Name()] = true
		}
		return out
	}
	before := names()
	t.Cleanup(func() {
		for name := range names() {
			if !before[name] {
				t.Logf("removing %s, which the block wrote", name)
				_ = os.RemoveAll(filepath.Join(root, name))
			}
		}
	})
}

// startServer runs a server-starting command line in its own process
// group, waits until it is healthy, and stops the group at the end of the
// test (go run starts the binary as a child).
func startServer(t *testing.T, root string, env []string, addr, line string) {
	t.Helper()
	var log lockedBuffer
	cmd := exec.Command("sh", "-c", "exec "+line)
	cmd.Dir = root
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = &log, &log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	proc := startProcess(t, cmd)
	t.Cleanup(func() {
		if !proc.exited() {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
			select {
			case <-proc.done:
			case <-time.After(10 * time.Second):
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			}
		}
	})
	client := &http.Client{Timeout: time.Second}
	defer client.CloseIdleConnections()
	healthy := func() error {
		if proc.exited() {
			return gomega.StopTrying(line + " exited:\n" + log.String())
		}
		resp, err := client.Get("http://" + addr + "/__admin/health")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("health answered %d", resp.StatusCode)
		}
		return nil
	}
	gomega.NewWithT(t).Eventually(healthy).WithTimeout(2*time.Minute).WithPolling(100*time.Millisecond).
		Should(gomega.Succeed(), func() string { return line + ":\n" + log.String() })
}

// TestDocsIncludes checks that a block marked "<!-- include: path -->"
// shows that file as it is, and one marked "<!-- from: path -->" lines of
// it as they are.
func TestDocsIncludes(t *testing.T) {
	root := repoRoot(t)
	for _, file := range append(docPages(t, root), "CONTRIBUTING.md") {
		for _, b := range docBlocks(t, root, file) {
			path := b.include + b.from
			if path == "" {
				continue
			}
			want, err := os.ReadFile(filepath.Join(root, path))
			if err != nil {
				t.Errorf("%s:%d shows %s: %v", file, b.line, path, err)
				continue
			}
			switch {
			case b.include != "" && b.body != string(want):
				t.Errorf("%s:%d does not show %s as it is; paste it again", file, b.line, b.include)
			case b.from != "" && !excerptOf(b.body, string(want)):
				t.Errorf("%s:%d is not lines of %s as they are (all indented alike); paste them again", file, b.line, b.from)
			}
		}
	}
}

// excerptOf reports whether the lines of block are consecutive lines of
// src, each with the same indentation removed.
func excerptOf(block, src string) bool {
	want := strings.Split(strings.TrimSuffix(block, "\n"), "\n")
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		indent, ok := strings.CutSuffix(l, want[0])
		if !ok || strings.TrimLeft(indent, " \t") != "" || i+len(want) > len(lines) {
			continue
		}
		if sameLines(lines[i+1:i+len(want)], want[1:], indent) {
			return true
		}
	}
	return false
}

// sameLines reports whether each of got is indent and the line of want
// (a blank line of want matches any blank line).
func sameLines(got, want []string, indent string) bool {
	for k, w := range want {
		if got[k] != indent+w && !(w == "" && strings.TrimSpace(got[k]) == "") {
			return false
		}
	}
	return true
}

// TestCIRunsTheREADMECommands: the README's quick start holds exactly the
// two set-up commands, the server and the suite, and CI runs that suite.
func TestCIRunsTheREADMECommands(t *testing.T) {
	root := repoRoot(t)
	var quick *docBlock
	data, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(data), "\n## Quick start\n")
	if !ok {
		t.Fatal("README.md has no ## Quick start")
	}
	startLine := strings.Count(string(data), "\n") - strings.Count(after, "\n")
	for _, b := range docBlocks(t, root, "README.md") {
		if b.lang == "sh" && b.line > startLine {
			quick = &b
			break
		}
	}
	if quick == nil {
		t.Fatal("the quick start has no ```sh block")
	}
	cmds := commands(quick.body)
	if len(cmds) != 2 {
		t.Fatalf("the quick start shows %d commands, want the two set-up commands: %q", len(cmds), cmds)
	}
	if serve, ok := serverStart(cmds[0]); !ok || serve != "go run ./cmd/flinks-mock" {
		t.Errorf("the first set-up command is %q, want go run ./cmd/flinks-mock (the embedded scenarios, no flag)", cmds[0])
	}
	if suite, _, _ := strings.Cut(cmds[1], " #"); strings.TrimSpace(suite) != suiteCommand {
		t.Errorf("the second set-up command is %q, want %s", cmds[1], suiteCommand)
	}
	ci, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^go test -race -count=1( -timeout \d+m)? \./\.\.\.$`).Match(ci) {
		t.Errorf(".ci/run does not run the README's %s (with -race -count=1)", suiteCommand)
	}
	if !strings.Contains(string(data), "go install "+modulePath+"/cmd/flinks-mock@latest") {
		t.Errorf("README.md does not show go install %s/cmd/flinks-mock@latest, which TestGoInstallLatest runs", modulePath)
	}
}

// TestREADMECheatSheet: every login of the README's cheat sheet is a login
// of the embedded library, with the LoginId shown.
func TestREADMECheatSheet(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	lib, err := scenarios.Load(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC), true)
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([^`]+)` \\| `([0-9a-f-]{36})` \\|")
	rows := row.FindAllStringSubmatch(string(data), -1)
	if len(rows) == 0 {
		t.Fatal("README.md has no cheat sheet of logins")
	}
	for _, r := range rows {
		l := lib.Login(r[2])
		if l == nil || l.Username != r[1] {
			t.Errorf("README.md shows %s with LoginId %s; the library has %v", r[1], r[2], l)
		}
	}
}
