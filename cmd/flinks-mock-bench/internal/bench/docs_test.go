package bench

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPerformanceDocCommands checks the commands of docs/performance.md
// that a reader would paste, short of running them: each run of the
// runner parses with the runner's own flags, and the npm line installs
// the peers where --peers looks for them. The runner itself is run by
// TestQuickRun; the profiles' go test and pprof lines are the Go
// toolchain's.
func TestPerformanceDocCommands(t *testing.T) {
	root, err := moduleRoot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "docs", "performance.md"))
	if err != nil {
		t.Fatal(err)
	}
	var runs, installs int
	for _, line := range shellLines(data) {
		fields := strings.Fields(line)
		switch {
		case strings.HasPrefix(line, "go run ./cmd/flinks-mock-bench"):
			runs++
			if _, _, err := parseFlags(fields[3:], &bytes.Buffer{}); err != nil && !strings.Contains(line, "--help") {
				t.Errorf("%s: %v", line, err)
			}
		case strings.HasPrefix(line, "npm install"):
			installs++
			want := []string{"npm", "install", "--prefix", DefaultPeersPrefix, "wiremock", "@stoplight/prism-cli"}
			if !slices.Equal(fields, want) {
				t.Errorf("%q installs the peers elsewhere than --peers looks: want %q", line, strings.Join(want, " "))
			}
		}
	}
	if runs < 3 || installs != 1 {
		t.Errorf("found %d runs of the runner and %d npm installs in docs/performance.md: has the page moved on?", runs, installs)
	}
}

// shellLines returns the commands of the ```sh blocks of a Markdown page,
// comments cut and continued lines joined.
func shellLines(page []byte) []string {
	var out []string
	in := false
	var cont string
	sc := bufio.NewScanner(bytes.NewReader(page))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case !in && line == "```sh":
			in = true
			continue
		case in && line == "```":
			in = false
			continue
		case !in:
			continue
		}
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if rest, ok := strings.CutSuffix(line, `\`); ok {
			cont += rest + " "
			continue
		}
		if line = strings.TrimSpace(cont + line); line != "" {
			out = append(out, line)
		}
		cont = ""
	}
	return out
}
