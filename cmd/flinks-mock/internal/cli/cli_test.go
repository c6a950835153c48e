package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onsi/gomega"
)

// run runs the command with args and env and returns its exit code and
// output.
func run(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	p := Program{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }}
	code = p.Run(context.Background(), args)
	return code, out.String(), errOut.String()
}

func TestCommands(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("logins:\n  - name: x\n    username: x\n    loginId: not-a-uuid\n    colour: red\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(t.TempDir(), "good.yaml")
	if err := os.WriteFile(good, []byte("logins:\n  - name: mine\n    username: mine\n    loginId: 0f8c6a38-3a52-4a49-9d5e-0a3c6c8f1e11\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		env        map[string]string
		args       []string
		code       int
		stdout     []string // substrings
		stderr     []string
		notStdout  []string
		notStderr  []string
		stderrOnly bool
	}{
		{name: "version", args: []string{"version"}, code: ExitOK, stdout: []string{"flinks-mock ", "(go1."}},
		{name: "help lists commands", args: []string{"help"}, code: ExitOK, stdout: []string{"serve", "validate", "version", "FLINKS_MOCK_SECRET_KEY"}},
		{name: "unknown command", args: []string{"frobnicate"}, code: ExitUsage, stderr: []string{`unknown command "frobnicate"`}},
		{name: "--help lists commands on stdout", args: []string{"--help"}, code: ExitOK, stdout: []string{"Commands:", "serve", "validate", "verify", "record", "webhook", "healthcheck", "version"}, notStdout: []string{"-secret-key"}},
		{name: "-h lists commands", args: []string{"-h"}, code: ExitOK, stdout: []string{"Commands:"}},
		{name: "help of a command", args: []string{"help", "validate"}, code: ExitOK, stdout: []string{"Usage: flinks-mock validate"}},
		{name: "serve --help", args: []string{"serve", "--help"}, code: ExitOK, stdout: []string{"-addr", "-scenarios", "-no-default-scenarios", "-secret-key", "-api-key", "-log-format", "-log-level"}},
		{name: "validate --help", args: []string{"validate", "-h"}, code: ExitOK, stdout: []string{"Usage: flinks-mock validate"}},
		{name: "version --help", args: []string{"version", "--help"}, code: ExitOK, stdout: []string{"Usage: flinks-mock version"}},
		{name: "webhook --help", args: []string{"webhook", "fire", "--help"}, code: ExitOK, stdout: []string{"-webhook-url", "-server"}},
		{name: "bad flag", args: []string{"serve", "--nope"}, code: ExitUsage, stderr: []string{"flag provided but not defined: -nope", "flinks-mock serve --help"}, notStderr: []string{"-secret-key"}},
		{name: "--port suggests --addr", args: []string{"--port", "9000"}, code: ExitUsage, stderr: []string{"did you mean --addr?"}},
		{name: "a typo suggests the flag", args: []string{"serve", "--secret-kye", "k"}, code: ExitUsage, stderr: []string{"did you mean --secret-key?"}},
		{name: "--url on healthcheck suggests --server", args: []string{"healthcheck", "--url", "http://x"}, code: ExitFailure, stderr: []string{"did you mean --server?"}},
		{name: "--scenario on serve suggests --scenarios", args: []string{"serve", "--scenario", "x.yaml"}, code: ExitUsage, stderr: []string{"did you mean --scenarios?"}},
		{name: "a typo of a command", args: []string{"valdate"}, code: ExitUsage, stderr: []string{`did you mean validate?`}},
		{name: "bad log level from env", env: map[string]string{"FLINKS_MOCK_LOG_LEVEL": "loud"}, args: []string{"serve"}, code: ExitUsage, stderr: []string{`--log-level "loud"`}},
		{name: "bad log format", args: []string{"serve", "--log-format", "xml"}, code: ExitUsage, stderr: []string{`--log-format "xml"`}},
		{name: "bad shapes from env", env: map[string]string{"FLINKS_MOCK_SHAPES": "varied(x)"}, args: []string{"serve"}, code: ExitUsage, stderr: []string{`--shapes: "varied(x)" is not a shape`}},
		{name: "bad boolean from env", env: map[string]string{"FLINKS_MOCK_NO_DEFAULT_SCENARIOS": "maybe"}, args: []string{"serve"}, code: ExitUsage, stderr: []string{`FLINKS_MOCK_NO_DEFAULT_SCENARIOS="maybe"`}},
		{name: "stray argument", args: []string{"serve", "bank.yaml"}, code: ExitUsage, stderr: []string{"--scenarios"}},
		{name: "validate needs a path", args: []string{"validate"}, code: ExitUsage, stderr: []string{"name at least one scenario file"}},
		{name: "validate good file", args: []string{"validate", good}, code: ExitOK, stdout: []string{"ok: "}},
		{name: "validate bad file", args: []string{"validate", bad}, code: ExitFailure,
			stdout: []string{bad + ":4: logins[0].loginId:", bad + ":5: logins[0].colour: unknown field"}},
		{name: "serve refuses a bad scenario file", args: []string{"serve", "--addr", "127.0.0.1:0", "--scenarios", bad}, code: ExitFailure,
			stderr: []string{"the scenarios did not load", bad + ":4:"}},
		{name: "serve takes scenarios from the environment", env: map[string]string{"FLINKS_MOCK_SCENARIOS": bad}, args: []string{"serve", "--addr", "127.0.0.1:0"}, code: ExitFailure,
			stderr: []string{bad + ":5:"}},
		{name: "validate the example scenarios", args: []string{"validate", filepath.Join(repoRoot, "examples", "scenarios")}, code: ExitOK, stdout: []string{"ok: "}, notStdout: []string{"skipped"}},
		{name: "validate the scenarios package says what it skipped", args: []string{"validate", filepath.Join(repoRoot, "scenarios")}, code: ExitOK,
			stdout: []string{"skipped " + filepath.Join(repoRoot, "scenarios", "schema.json") + ": a JSON Schema", "skipped " + filepath.Join(repoRoot, "scenarios", "testdata") + ": a folder of test data", "ok: "}},
		{name: "a missing scenario path", args: []string{"validate", filepath.Join(t.TempDir(), "missing.yaml")}, code: ExitFailure, stdout: []string{"missing.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tt.env, tt.args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout, stderr)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout)
				}
			}
			for _, s := range tt.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
		})
	}
}

// TestServe starts serve on a free port, checks it answers, and stops it
// the way SIGTERM does (by cancelling its context).
func TestServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := make(chan string, 1)
	var stderr bytes.Buffer
	p := Program{Stdout: &bytes.Buffer{}, Stderr: &stderr, Getenv: func(k string) string {
		return map[string]string{"FLINKS_MOCK_ADDR": "127.0.0.1:0", "FLINKS_MOCK_API_KEY": "k"}[k]
	}, Started: func(u string) { started <- u }}
	done := make(chan int, 1)
	go func() { done <- p.Run(ctx, nil) }()

	var base string
	select {
	case base = <-started:
	case code := <-done:
		t.Fatalf("serve exited with %d before listening: %s", code, stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start within 10 s")
	}
	resp, err := http.Get(base + "/__admin/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("health answered %d", resp.StatusCode)
	}
	// The API key from the environment is in force.
	resp, err = http.Post(base+"/v3/c/BankingServices/GetAccountsDetailAsync/x", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a data call without x-api-key answered %d, want 401", resp.StatusCode)
	}
	if !strings.Contains(stderr.String(), "flinks-mock listening") || !strings.Contains(stderr.String(), "logins=") {
		t.Errorf("no startup line with the URL and the number of logins:\n%s", stderr.String())
	}

	cancel()
	select {
	case code := <-done:
		if code != ExitOK {
			t.Fatalf("serve exited with %d after shutdown: %s", code, stderr.String())
		}
	case <-time.After(ShutdownTimeout + time.Second):
		t.Fatal("serve did not stop after its context ended")
	}
}

// startServe runs serve with args until the test ends and returns its
// base URL, its log, and a function that stops it and returns its exit code.
func startServe(t *testing.T, args ...string) (base string, log *lockedBuffer, stop func() int) {
	t.Helper()
	return startProgram(t, Program{}, args...)
}

// startProgram runs p as startServe does, keeping its Getenv and Now.
func startProgram(t *testing.T, p Program, args ...string) (base string, log *lockedBuffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan string, 1)
	log = &lockedBuffer{}
	p.Stdout, p.Stderr, p.Started = io.Discard, log, func(u string) { started <- u }
	done := make(chan int, 1)
	go func() { done <- p.Run(ctx, args) }()
	select {
	case base = <-started:
	case code := <-done:
		cancel()
		t.Fatalf("serve exited with %d: %s", code, log.String())
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("serve did not start within 10 s")
	}
	stopped := false
	stop = func() int {
		if stopped {
			return ExitOK
		}
		stopped = true
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(ShutdownTimeout + time.Second):
			t.Fatal("serve did not stop")
			return -1
		}
	}
	t.Cleanup(func() { stop() })
	return base, log, stop
}

func httpDo(t *testing.T, method, url, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("flinks-auth-key", "k")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

func TestServeVirtualClockAndJournalFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "journal.jsonl")
	base, _, stop := startServe(t, "--addr", "127.0.0.1:0", "--clock", "virtual", "--journal-file", file)
	if code, body := httpDo(t, "POST", base+"/__admin/clock/advance", "", `{"by":"1h"}`); code != 200 || !strings.Contains(body, `"mode":"virtual"`) {
		t.Fatalf("advance answered %d %s", code, body)
	}
	for i := 0; i < 3; i++ {
		httpDo(t, "POST", base+"/v3/c/BankingServices/GenerateAuthorizeToken", "", "")
	}
	if code := stop(); code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 3 {
		t.Fatalf("the journal file has %d lines, want 3:\n%s", len(lines), data)
	}
	var e struct {
		Seq      uint64
		Endpoint string
		Status   int
	}
	if err := json.Unmarshal([]byte(lines[2]), &e); err != nil || e.Endpoint != "GenerateAuthorizeToken" || e.Status != 200 || e.Seq != 3 {
		t.Errorf("last line %s decodes to %+v (%v)", lines[2], e, err)
	}
}

// TestServeAppendsToTheJournalFile: a restart adds to the journal file
// and keeps what the previous run wrote, the evidence of a run that
// crashed included.
func TestServeAppendsToTheJournalFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "journal.jsonl")
	const before = `{"seq":1,"endpoint":"GenerateAuthorizeToken","status":200,"note":"written by the run that crashed"}` + "\n"
	if err := os.WriteFile(file, []byte(before), 0o600); err != nil {
		t.Fatal(err)
	}
	for run := 1; run <= 2; run++ {
		base, _, stop := startServe(t, "--addr", "127.0.0.1:0", "--journal-file", file)
		httpDo(t, "POST", base+"/v3/c/BankingServices/GenerateAuthorizeToken", "", "")
		if code := stop(); code != ExitOK {
			t.Fatalf("run %d exited %d", run, code)
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if !strings.HasPrefix(string(data), before) || len(lines) != 3 {
		t.Errorf("after two runs of one request each the journal file holds %d lines, want the previous one and 2 more:\n%s", len(lines), data)
	}
}

func TestServeRealClockRefusesToMove(t *testing.T) {
	base, _, _ := startServe(t, "--addr", "127.0.0.1:0")
	if code, _ := httpDo(t, "POST", base+"/__admin/clock/advance", "", `{"by":"1h"}`); code != http.StatusConflict {
		t.Errorf("advancing a real clock answered %d, want 409", code)
	}
}

func TestServeBeyondLoopbackNeedsAnAdminToken(t *testing.T) {
	base, log, _ := startServe(t, "--addr", "0.0.0.0:0")
	base = strings.Replace(base, "0.0.0.0", "127.0.0.1", 1)
	out := log.String()
	i := strings.Index(out, "adminToken=")
	if i < 0 {
		t.Fatalf("the log does not give the generated admin token:\n%s", out)
	}
	token := strings.Fields(out[i+len("adminToken="):])[0]
	if code, _ := httpDo(t, "GET", base+"/__admin/journal", "", ""); code != http.StatusUnauthorized {
		t.Errorf("the admin API without a token answered %d", code)
	}
	if code, body := httpDo(t, "GET", base+"/__admin/journal", token, ""); code != http.StatusOK {
		t.Errorf("the admin API with the logged token answered %d %s", code, body)
	}
	if code, _ := httpDo(t, "GET", base+"/__admin/health", "", ""); code != http.StatusOK {
		t.Errorf("health needs no token, answered %d", code)
	}
}

func TestServeWatchReloadsScenarioFiles(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "bank.yaml")
	write := func(body string) {
		t.Helper()
		if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	const login = "logins:\n  - name: watched\n    username: watched\n    loginId: 0f8c6a38-3a52-4a49-9d5e-0a3c6c8f1e11\n"
	write(login)
	base, log, _ := startServe(t, "--addr", "127.0.0.1:0", "--scenarios", dir, "--watch", "--no-default-scenarios")
	listed := func() string {
		_, body := httpDo(t, "GET", base+"/__admin/scenarios", "", "")
		return body
	}
	g := gomega.NewWithT(t)
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		g.Eventually(ok).WithTimeout(10*time.Second).WithPolling(50*time.Millisecond).
			Should(gomega.BeTrue(), func() string { return what + " did not happen within 10 s; log:\n" + log.String() })
	}
	if !strings.Contains(listed(), `"watched"`) {
		t.Fatal("the watched login is not served")
	}
	write(login + "  - name: added\n    username: added\n    loginId: 1f8c6a38-3a52-4a49-9d5e-0a3c6c8f1e11\n")
	waitFor("the reload of a good edit", func() bool { return strings.Contains(listed(), `"added"`) })
	write("logins:\n  - name: broken\n")
	waitFor("the report of a bad edit", func() bool { return strings.Contains(log.String(), "do not load") })
	if body := listed(); !strings.Contains(body, `"added"`) || strings.Contains(body, `"broken"`) {
		t.Errorf("after a bad edit the previous scenarios should stay in force: %s", body)
	}
	if !strings.Contains(log.String(), "bank.yaml:2: logins[0]") {
		t.Errorf("the log does not say where the bad edit is:\n%s", log.String())
	}
}
