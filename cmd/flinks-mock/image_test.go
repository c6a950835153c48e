package main_test

// The container image in tests that need no Docker engine: the binary the
// Dockerfile builds (with the same build script), run the way the image runs
// it, and the Dockerfile read line by line.

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/onsi/gomega"
)

// buildScript is the one place the release build command lives, relative
// to the module root; the Dockerfile's builder stage must call it too.
const buildScript = "build/flinks-mock.sh"

// maxBinarySize keeps the image, which is the binary and the CA
// certificates on scratch, under 20 MB.
const maxBinarySize = 20 << 20

// stampedVersion is what the test build stamps into the binary.
const stampedVersion = "v0.0.0-imagetest"

// repoRoot is the module root, found from the test's working directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's working directory")
		}
		dir = parent
	}
}

// TestBinary builds flinks-mock as the image does and checks what the
// image relies on: a static binary, the version stamp, the size, serving
// with no files and no environment, a clean stop on SIGTERM, and a fast
// failure on a bad scenario file.
func TestBinary(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go is not on PATH, so the release build cannot run: " + err.Error())
	}
	root := repoRoot(t)

	// Built from another directory with a relative output path, as the
	// Dockerfile does, to show the script finds the module on its own.
	buildDir := t.TempDir()
	start := time.Now()
	build := exec.Command("sh", filepath.Join(root, buildScript), "flinks-mock", stampedVersion)
	build.Dir = buildDir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("%s failed: %v\n%s", buildScript, err, out)
	}
	t.Logf("%s built the binary in %v", buildScript, time.Since(start).Round(time.Millisecond))
	bin := filepath.Join(buildDir, "flinks-mock")

	t.Run("static and stripped", func(t *testing.T) { checkStatic(t, bin) })

	t.Run("size", func(t *testing.T) {
		info, err := os.Stat(bin)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("binary size: %d bytes (%.1f MiB)", info.Size(), float64(info.Size())/(1<<20))
		if info.Size() > maxBinarySize {
			t.Errorf("the binary is %d bytes, over the %d the image allows", info.Size(), maxBinarySize)
		}
	})

	t.Run("version stamped", func(t *testing.T) {
		out, err := exec.Command(bin, "version").Output()
		if err != nil {
			t.Fatalf("flinks-mock version: %v", err)
		}
		if !strings.Contains(string(out), "flinks-mock "+stampedVersion+" ") {
			t.Errorf("flinks-mock version printed %q, want the stamped %s", out, stampedVersion)
		}
	})

	t.Run("serves from an empty directory and stops on SIGTERM", func(t *testing.T) {
		checkServeAndStop(t, bin)
	})

	t.Run("admin API with the token the recipes use", func(t *testing.T) {
		checkAdminToken(t, bin)
	})

	t.Run("bad scenario file exits 1 with file:line", func(t *testing.T) {
		checkBadScenario(t, bin)
	})
}

// checkStatic fails unless bin needs no dynamic loader and no shared
// library (scratch has neither) and carries no symbols.
func checkStatic(t *testing.T, bin string) {
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary has a PT_INTERP program header: it needs a dynamic loader; is cgo on?")
		}
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		t.Fatalf("read DT_NEEDED: %v", err)
	}
	if len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %v (DT_NEEDED)", libs)
	}
	for _, name := range []string{".symtab", ".debug_info"} {
		if f.Section(name) != nil {
			t.Errorf("the binary has a %s section: -ldflags \"-s -w\" did not apply", name)
		}
	}
}

// checkServeAndStop runs bin as the image does (no arguments, no files, an
// environment with FLINKS_MOCK_ADDR alone), waits for its own healthcheck,
// calls a Flinks endpoint, and stops it with SIGTERM.
func checkServeAndStop(t *testing.T, bin string) {
	addr := freeAddr(t)
	cmd, proc, stderr := serveHealthy(t, bin, addr, "FLINKS_MOCK_ADDR="+addr)

	client := &http.Client{Timeout: 5 * time.Second}
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/v3/x/BankingServices/GenerateAuthorizeToken", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("flinks-auth-key", "anything")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("POST GenerateAuthorizeToken: %v", err)
	}
	var body struct{ Token string }
	decodeErr := json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	client.CloseIdleConnections()
	if resp.StatusCode != http.StatusOK || decodeErr != nil || body.Token == "" {
		t.Fatalf("POST GenerateAuthorizeToken = %d with token %q (%v), want 200 with a token", resp.StatusCode, body.Token, decodeErr)
	}

	// Docker stops a container with SIGTERM and kills it 10s later; a
	// sidecar must go long before that. One second is a bound on
	// correctness (no request is open), not a measure of speed.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-proc.done:
	case <-time.After(time.Second):
		t.Fatalf("serve still runs 1s after SIGTERM; stderr:\n%s", stderr.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("serve exited with %d after SIGTERM, want 0; stderr:\n%s", code, stderr.String())
	}
}

// checkAdminToken fetches the journal as the CI recipes do: with the
// admin token the mock was given, as a bearer token.
func checkAdminToken(t *testing.T, bin string) {
	addr := freeAddr(t)
	const token = "ci-admin-token"
	_, _, stderr := serveHealthy(t, bin, addr, "FLINKS_MOCK_ADDR="+addr, "FLINKS_MOCK_ADMIN_TOKEN="+token)
	client := &http.Client{Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	for _, tt := range []struct {
		auth string
		want int
	}{
		{"", http.StatusUnauthorized},
		{"Bearer wrong", http.StatusUnauthorized},
		{"Bearer " + token, http.StatusOK},
	} {
		req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/__admin/journal", nil)
		if err != nil {
			t.Fatal(err)
		}
		if tt.auth != "" {
			req.Header.Set("Authorization", tt.auth)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET /__admin/journal: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("GET /__admin/journal with Authorization %q = %d, want %d; stderr:\n%s", tt.auth, resp.StatusCode, tt.want, stderr.String())
		}
	}
}

// serveHealthy starts bin with no argument in an empty directory with env
// as its whole environment, and waits until 'flinks-mock healthcheck'
// (the image's HEALTHCHECK) passes against addr.
func serveHealthy(t *testing.T, bin, addr string, env ...string) (*exec.Cmd, *process, *lockedBuffer) {
	t.Helper()
	dir := t.TempDir()
	stderr := &lockedBuffer{}
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stderr = stderr
	proc := startProcess(t, cmd)

	healthy := func() error {
		if proc.exited() {
			return gomega.StopTrying("serve exited before it was healthy; stderr:\n" + stderr.String()).Wrap(proc.err)
		}
		hc := exec.Command(bin, "healthcheck", "--addr", addr, "--timeout", "1s")
		hc.Dir = dir
		hc.Env = []string{}
		if out, err := hc.CombinedOutput(); err != nil {
			return fmt.Errorf("flinks-mock healthcheck --addr %s: %w %s", addr, err, out)
		}
		return nil
	}
	gomega.NewWithT(t).Eventually(healthy).WithTimeout(10*time.Second).WithPolling(50*time.Millisecond).
		Should(gomega.Succeed(), func() string { return "serve stderr:\n" + stderr.String() })
	return cmd, proc, stderr
}

// checkBadScenario starts bin with a scenario directory given the way the
// image documents it (FLINKS_MOCK_SCENARIOS) holding a file that does not
// validate: serve must exit 1 without listening and name the file and line.
func checkBadScenario(t *testing.T, bin string) {
	dir := t.TempDir()
	bad := "logins:\n  - name: broken\n    username: broken\n    loginId: 5f2a0e6c-3333-4c31-8c44-08da172863b5\n    accountsDetail:\n      - respond: pending\n"
	if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = []string{"FLINKS_MOCK_ADDR=127.0.0.1:0", "FLINKS_MOCK_SCENARIOS=" + dir}
	cmd.Stderr = &stderr
	proc := startProcess(t, cmd)
	select {
	case <-proc.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("serve still runs 10s after start with a bad scenario file; stderr:\n%s", stderr.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Errorf("serve exited with %d, want 1; stderr:\n%s", code, stderr.String())
	}
	if !regexp.MustCompile(`bad\.yaml:6: `).MatchString(stderr.String()) {
		t.Errorf("stderr does not name bad.yaml:6:\n%s", stderr.String())
	}
	if strings.Contains(stderr.String(), "listening") {
		t.Errorf("serve listened before its scenarios loaded:\n%s", stderr.String())
	}
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// process is a started command whose Wait runs in the background.
type process struct {
	done chan struct{}
	err  error // set before done closes
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// startProcess starts cmd and kills it at the end of the test if it still
// runs.
func startProcess(t *testing.T, cmd *exec.Cmd) *process {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		if !p.exited() {
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// lockedBuffer is a bytes.Buffer that a running command writes while the
// test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	line int    // where it starts
	cmd  string // upper case, e.g. "RUN"
	args string
}

// stage is one FROM and the instructions after it.
type stage struct {
	base, name string // image and "AS" name
	instrs     []instruction
}

// parseDockerfile splits a Dockerfile into stages. It knows what the checks
// need: comments, blank lines, backslash continuations (with comment lines
// inside them) and "FROM [--platform=...] image [AS name]"; heredocs and
// the escape directive are not used here.
func parseDockerfile(src string) ([]stage, error) {
	var stages []stage
	var cur *instruction
	flush := func() error {
		if cur == nil {
			return nil
		}
		in := *cur
		cur = nil
		if in.cmd == "FROM" {
			var words []string
			for _, w := range strings.Fields(in.args) {
				if !strings.HasPrefix(w, "--") {
					words = append(words, w)
				}
			}
			st := stage{}
			switch {
			case len(words) == 1:
				st.base = words[0]
			case len(words) == 3 && strings.EqualFold(words[1], "AS"):
				st.base, st.name = words[0], words[2]
			default:
				return fmt.Errorf("line %d: FROM %s: want FROM image [AS name]", in.line, in.args)
			}
			stages = append(stages, st)
			return nil
		}
		if len(stages) == 0 {
			if in.cmd == "ARG" {
				return nil // a global ARG, read by globalArgs
			}
			return fmt.Errorf("line %d: %s before the first FROM", in.line, in.cmd)
		}
		last := &stages[len(stages)-1]
		last.instrs = append(last.instrs, in)
		return nil
	}
	for i, raw := range strings.Split(src, "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		more := strings.HasSuffix(line, `\`)
		line = strings.TrimSpace(strings.TrimSuffix(line, `\`))
		if cur == nil {
			cmd, args, _ := strings.Cut(line, " ")
			cur = &instruction{line: i + 1, cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)}
		} else {
			cur.args = strings.TrimSpace(cur.args + " " + line)
		}
		if !more {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if cur != nil {
		return nil, fmt.Errorf("line %d: %s ends with a continuation backslash", cur.line, cur.cmd)
	}
	if len(stages) == 0 {
		return nil, errors.New("no FROM")
	}
	return stages, nil
}

// globalArgs returns the ARGs declared before the first FROM, with their
// defaults: what a FROM ${NAME} reads.
func globalArgs(src string) map[string]string {
	args := map[string]string{}
	for _, raw := range strings.Split(src, "\n") {
		line := strings.TrimSpace(raw)
		cmd, rest, _ := strings.Cut(line, " ")
		switch strings.ToUpper(cmd) {
		case "FROM":
			return args
		case "ARG":
			name, def, _ := strings.Cut(strings.TrimSpace(rest), "=")
			args[name] = def
		}
	}
	return args
}

// execForm parses the JSON array of an exec-form instruction.
func execForm(args string) ([]string, bool) {
	var argv []string
	if err := json.Unmarshal([]byte(args), &argv); err != nil || len(argv) == 0 {
		return nil, false
	}
	return argv, true
}

// last returns the last cmd instruction of s.
func (s stage) last(cmd string) (instruction, bool) {
	for i := len(s.instrs) - 1; i >= 0; i-- {
		if s.instrs[i].cmd == cmd {
			return s.instrs[i], true
		}
	}
	return instruction{}, false
}

// checkDockerfile returns what is wrong with a Dockerfile for a sidecar
// image of flinks-mock, one problem a line.
func checkDockerfile(src string) []string {
	stages, err := parseDockerfile(src)
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	bad := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	final := stages[len(stages)-1]

	if final.base != "scratch" {
		bad("the runtime stage is FROM %s, want scratch: the binary is static and needs nothing else, and an image with no base to pull builds where the tests run", final.base)
	}

	if u, ok := final.last("USER"); !ok {
		bad("the runtime stage has no USER: it would run as root")
	} else {
		user, _, _ := strings.Cut(u.args, ":")
		if user == "" || user == "root" || user == "0" {
			bad("line %d: USER %s runs as root", u.line, u.args)
		}
	}

	entry, ok := final.last("ENTRYPOINT")
	var binary string
	if argv, isExec := execForm(entry.args); !ok || !isExec {
		bad("the runtime stage needs ENTRYPOINT in exec form, [\"/flinks-mock\"]: the image has no shell")
	} else {
		binary = argv[0]
	}

	if hc, ok := final.last("HEALTHCHECK"); !ok {
		bad("the runtime stage has no HEALTHCHECK")
	} else {
		_, after, found := strings.Cut(hc.args, "CMD ")
		argv, isExec := execForm(strings.TrimSpace(after))
		switch {
		case !found || !isExec:
			bad("line %d: HEALTHCHECK %s: want CMD in exec form [\"/flinks-mock\", \"healthcheck\"]: the image has no shell", hc.line, hc.args)
		case len(argv) < 2 || argv[1] != "healthcheck":
			bad("line %d: HEALTHCHECK runs %q, want the healthcheck subcommand", hc.line, argv)
		case binary != "" && argv[0] != binary:
			bad("line %d: HEALTHCHECK runs %s but the ENTRYPOINT is %s", hc.line, argv[0], binary)
		}
	}

	exposed := false
	for _, in := range final.instrs {
		if in.cmd == "EXPOSE" {
			for _, p := range strings.Fields(in.args) {
				exposed = exposed || p == "8080" || p == "8080/tcp"
			}
		}
	}
	if !exposed {
		bad("the runtime stage does not EXPOSE 8080")
	}

	listens := false
	for _, in := range final.instrs {
		if in.cmd == "ENV" && strings.Contains(in.args, "FLINKS_MOCK_ADDR=0.0.0.0:8080") {
			listens = true
		}
	}
	if !listens {
		bad("the runtime stage does not set ENV FLINKS_MOCK_ADDR=0.0.0.0:8080: serve would listen on the container's loopback only")
	}

	// The stages a COPY --from may name: a stage "FROM ${ARG} AS name"
	// stands for the stage the ARG's default names.
	globals := globalArgs(src)
	byName := map[string]stage{}
	for _, s := range stages[:len(stages)-1] {
		byName[s.name] = s
	}
	resolve := func(name string) (stage, bool) {
		for range len(stages) {
			s, ok := byName[name]
			if !ok {
				return stage{}, false
			}
			arg, isArg := strings.CutPrefix(s.base, "${")
			if !isArg {
				return s, true
			}
			name = globals[strings.TrimSuffix(arg, "}")]
		}
		return stage{}, false
	}
	copied, certs := false, false
	for _, in := range final.instrs {
		if in.cmd != "COPY" || !strings.Contains(in.args, "--from=") {
			continue
		}
		fields := strings.Fields(in.args)
		from := strings.TrimPrefix(fields[0], "--from=")
		certs = certs || strings.HasSuffix(fields[len(fields)-1], "/etc/ssl/certs/ca-certificates.crt")
		s, ok := resolve(from)
		if !ok {
			bad("line %d: COPY --from=%s names no stage of this Dockerfile", in.line, from)
			continue
		}
		copied = copied || fields[len(fields)-1] == "/flinks-mock"
		built := false
		for _, r := range s.instrs {
			built = built || (r.cmd == "RUN" && strings.Contains(r.args, buildScript))
		}
		if !built {
			bad("the %s stage does not RUN %s, so the image is not built like the tested binary", from, buildScript)
		}
	}
	if !copied {
		bad("the runtime stage copies no /flinks-mock from a builder stage")
	}
	if !certs {
		bad("the runtime stage has no /etc/ssl/certs/ca-certificates.crt: record could not reach an https upstream")
	}
	if _, ok := byName["prebuilt"]; !ok {
		bad("no prebuilt stage: %s builds the image from dist/ with no base image to pull", imageScript)
	}
	return problems
}

func TestDockerfile(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(repoRoot(t), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range checkDockerfile(string(src)) {
		t.Error("Dockerfile: " + p)
	}
}

// TestCheckDockerfile shows each check of the Dockerfile can fail: every
// case breaks the real Dockerfile in one way.
func TestCheckDockerfile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	good := string(data)
	tests := []struct {
		name, old, new, want string
	}{
		{"root user", "USER 65532:65532", "USER root", "runs as root"},
		{"numeric root", "USER 65532:65532", "USER 0:0", "runs as root"},
		{"no user", "USER 65532:65532", "", "has no USER"},
		{"debian runtime", "FROM scratch\nARG VERSION", "FROM debian:bookworm-slim\nARG VERSION", "want scratch"},
		{"no certificates", "/etc/ssl/certs/ca-certificates.crt\n", "/etc/ssl/certs/\n", "no /etc/ssl/certs/ca-certificates.crt"},
		{"binary from an unknown stage", "FROM ${BINARY} AS binary", "FROM ${BINARY} AS bin", "names no stage"},
		{"default binary without the script", "ARG BINARY=compile", "ARG BINARY=prebuilt", "the binary stage does not RUN"},
		{"shell-form healthcheck", `CMD ["/flinks-mock", "healthcheck"]`, "CMD /flinks-mock healthcheck", "exec form"},
		{"healthcheck of another command", `CMD ["/flinks-mock", "healthcheck"]`, `CMD ["/flinks-mock", "version"]`, "want the healthcheck subcommand"},
		{"healthcheck of another binary", `CMD ["/flinks-mock", "healthcheck"]`, `CMD ["/bin/flinks-mock", "healthcheck"]`, "but the ENTRYPOINT is /flinks-mock"},
		{"no healthcheck", "HEALTHCHECK --interval", "# HEALTHCHECK --interval", "has no HEALTHCHECK"},
		{"other port", "EXPOSE 8080", "EXPOSE 80", "does not EXPOSE 8080"},
		{"loopback only", "ENV FLINKS_MOCK_ADDR=0.0.0.0:8080", "ENV FLINKS_MOCK_ADDR=127.0.0.1:8080", "loopback only"},
		{"builder without the script", "sh " + buildScript, "go build", "does not RUN " + buildScript},
		{"nothing copied", "COPY --from=binary /out/flinks-mock", "COPY /out/flinks-mock", "copies no /flinks-mock"},
		{"shell-form entrypoint", `ENTRYPOINT ["/flinks-mock"]`, "ENTRYPOINT /flinks-mock", "ENTRYPOINT in exec form"},
		{"dangling continuation", `CMD ["serve"]`, `CMD ["serve"] \`, "continuation backslash"},
	}
	if p := checkDockerfile(good); len(p) > 0 {
		t.Fatalf("the real Dockerfile fails the checks: %q", p)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(good, tt.old) {
				t.Fatalf("the Dockerfile has no %q to break", tt.old)
			}
			problems := checkDockerfile(strings.Replace(good, tt.old, tt.new, 1))
			if !strings.Contains(strings.Join(problems, "\n"), tt.want) {
				t.Errorf("after replacing %q by %q, problems = %q, want one containing %q", tt.old, tt.new, problems, tt.want)
			}
		})
	}
}
