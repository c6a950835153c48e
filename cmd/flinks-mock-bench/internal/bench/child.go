package bench

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// referenceSource is the bare net/http server the figures are compared
// with. It lives in refserver/ as a compiled, vetted package of its own,
// and is embedded so the runner can build it anywhere.
//
//go:embed refserver/main.go
var referenceSource []byte

// startTimeout bounds how long a child may take to print its listening
// line.
const startTimeout = 20 * time.Second

// moduleRoot returns the directory of the flinks-mock module, which the
// runner builds the server from.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("find the module with 'go env GOMOD' (is go on PATH?): %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run flinks-mock-bench from inside the flinks-mock module: 'go env GOMOD' names no go.mod")
	}
	return filepath.Dir(gomod), nil
}

// goBuild runs 'go build -o out pkg' in dir.
func goBuild(ctx context.Context, dir, out, pkg string, env ...string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s in %s: %w\n%s", pkg, dir, err, msg)
	}
	return nil
}

// buildMock builds the cmd/flinks-mock of the module at root into bin.
func buildMock(ctx context.Context, root, bin string) (string, error) {
	return bin, goBuild(ctx, root, bin, "./cmd/flinks-mock")
}

// hasGoMod reports whether dir is the root of a module.
func hasGoMod(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "go.mod"))
	return err == nil
}

// buildReference writes the reference server's source into its own module
// under dir and builds it.
func buildReference(ctx context.Context, dir string) (string, error) {
	src := filepath.Join(dir, "refserver")
	if err := os.MkdirAll(src, 0o755); err != nil {
		return "", fmt.Errorf("create %s: %w", src, err)
	}
	files := map[string][]byte{
		"go.mod":  []byte("module refserver\n\ngo 1.24\n"),
		"main.go": referenceSource,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(src, name), data, 0o644); err != nil {
			return "", fmt.Errorf("write the reference server source: %w", err)
		}
	}
	bin := filepath.Join(dir, "bare-http")
	// GOWORK=off and GOFLAGS= keep a workspace or -mod flag of the caller
	// from reaching the module, which needs nothing beyond the standard
	// library.
	return bin, goBuild(ctx, src, bin, ".", "GOWORK=off", "GOFLAGS=")
}

// child is a server process the runner started and stops.
type child struct {
	name    string
	cmd     *exec.Cmd
	URL     string
	Started time.Time // just before the process was started
	Ready   time.Time // when its listening line was read

	done    chan struct{}
	waitErr error
	mu      sync.Mutex
	tail    []string // last lines of its stderr, for error messages
}

// startChild starts bin with args and waits for the line it prints on
// stderr when it listens ("... listening url=http://127.0.0.1:PORT ...").
// Its stderr is read for as long as it runs, so its logs never block it.
func startChild(ctx context.Context, name, bin string, args ...string) (*child, error) {
	c := &child{name: name, cmd: exec.Command(bin, args...), done: make(chan struct{})}
	stderr, err := c.cmd.StderrPipe()
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	urls := make(chan string, 1)
	c.Started = time.Now()
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s (%s): %w", name, bin, err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		found := false
		for sc.Scan() {
			line := sc.Text()
			if !found {
				if u, ok := parseListening(line); ok {
					found = true
					urls <- u
				}
			}
			c.mu.Lock()
			c.tail = append(c.tail, line)
			if len(c.tail) > 20 {
				c.tail = c.tail[1:]
			}
			c.mu.Unlock()
		}
		c.waitErr = c.cmd.Wait()
		close(c.done)
	}()
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case u := <-urls:
		c.Ready = time.Now()
		c.URL = u
		return c, nil
	case <-c.done:
		return nil, fmt.Errorf("%s exited before it listened (%v):\n%s", name, c.waitErr, c.stderrTail())
	case <-timer.C:
		_ = c.stop()
		return nil, fmt.Errorf("%s printed no 'listening url=' line within %s:\n%s", name, startTimeout, c.stderrTail())
	case <-ctx.Done():
		_ = c.stop()
		return nil, fmt.Errorf("start %s: %w", name, ctx.Err())
	}
}

func (c *child) stderrTail() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.tail, "\n")
}

// Alive reports whether the process still runs.
func (c *child) Alive() bool {
	select {
	case <-c.done:
		return false
	default:
		return true
	}
}

// stop sends SIGTERM, and SIGKILL if the process has not ended 5 s later.
func (c *child) stop() error {
	if !c.Alive() {
		return nil
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
		return nil
	case <-time.After(5 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
		return fmt.Errorf("%s did not stop within 5 s of SIGTERM and was killed", c.name)
	}
}

// Memory returns the resident set size of the process and its peak, from
// /proc/PID/status.
func (c *child) Memory() (rss, peak int64, err error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		return 0, 0, fmt.Errorf("read the memory of %s: %w", c.name, err)
	}
	if rss, err = statusField(data, "VmRSS"); err != nil {
		return 0, 0, fmt.Errorf("read the memory of %s: %w", c.name, err)
	}
	if peak, err = statusField(data, "VmHWM"); err != nil {
		return 0, 0, fmt.Errorf("read the memory of %s: %w", c.name, err)
	}
	return rss, peak, nil
}

// statusField returns a "Name:   1234 kB" field of /proc/PID/status in
// bytes.
func statusField(status []byte, name string) (int64, error) {
	for line := range bytes.Lines(status) {
		rest, ok := bytes.CutPrefix(line, []byte(name+":"))
		if !ok {
			continue
		}
		fields := strings.Fields(string(rest))
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("%s line %q is not 'N kB'", name, bytes.TrimSpace(line))
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil || kb < 0 {
			return 0, fmt.Errorf("%s line %q is not 'N kB'", name, bytes.TrimSpace(line))
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("no %s line (is this Linux?)", name)
}

// parseListening finds the URL in the line a server prints when it
// listens: a log/slog text line with msg containing "listening" and a
// url=http://... attribute.
func parseListening(line string) (string, bool) {
	if !strings.Contains(line, "listening") {
		return "", false
	}
	for f := range strings.FieldsSeq(line) {
		v, ok := strings.CutPrefix(f, "url=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"`)
		if strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") {
			return v, true
		}
	}
	return "", false
}
