package bench

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// GoBench is one line of 'go test -bench -benchmem' output.
type GoBench struct {
	// Name is the benchmark without "Benchmark" and the -GOMAXPROCS
	// suffix: "HotPath", "Flow/MFA".
	Name        string  `json:"name"`
	Iterations  int64   `json:"iterations"`
	NsPerOp     float64 `json:"nsPerOp"`
	BytesPerOp  float64 `json:"bytesPerOp"`
	AllocsPerOp float64 `json:"allocsPerOp"`
}

// ParseGoBench reads the result lines of 'go test -bench -benchmem'
// output and skips everything else (package lines, PASS, logs). A line
// that starts like a result but does not parse is skipped too: the output
// is a report for people, not a format with a grammar.
func ParseGoBench(output string) []GoBench {
	var out []GoBench
	sc := bufio.NewScanner(strings.NewReader(output))
	for sc.Scan() {
		if b, ok := parseGoBenchLine(sc.Text()); ok {
			out = append(out, b)
		}
	}
	return out
}

// parseGoBenchLine parses
// "BenchmarkHotPath-2   123   9876 ns/op   4321 B/op   45 allocs/op".
func parseGoBenchLine(line string) (GoBench, bool) {
	fields := strings.Fields(line)
	if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
		return GoBench{}, false
	}
	name := strings.TrimPrefix(fields[0], "Benchmark")
	if i := strings.LastIndexByte(name, '-'); i >= 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			name = name[:i]
		}
	}
	if name == "" {
		return GoBench{}, false
	}
	iters, err := strconv.ParseInt(fields[1], 10, 64)
	if err != nil || iters <= 0 {
		return GoBench{}, false
	}
	b := GoBench{Name: name, Iterations: iters}
	seen := false
	for i := 2; i+1 < len(fields); i += 2 {
		v, err := strconv.ParseFloat(fields[i], 64)
		if err != nil {
			return GoBench{}, false
		}
		switch fields[i+1] {
		case "ns/op":
			b.NsPerOp, seen = v, true
		case "B/op":
			b.BytesPerOp = v
		case "allocs/op":
			b.AllocsPerOp = v
		}
	}
	if !seen {
		return GoBench{}, false
	}
	return b, true
}

// runGoBench runs the Go benchmarks of package mockserver with -benchmem
// in the module at root, count times each.
func runGoBench(ctx context.Context, root, benchtime string, count int) ([]GoBench, string, error) {
	args := []string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-count", strconv.Itoa(max(count, 1))}
	if benchtime != "" {
		args = append(args, "-benchtime", benchtime)
	}
	args = append(args, "./mockserver/")
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, string(out), fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	res := ParseGoBench(string(out))
	if len(res) == 0 {
		return nil, string(out), fmt.Errorf("go %s printed no benchmark result:\n%s", strings.Join(args, " "), out)
	}
	return res, string(out), nil
}

// Fastest keeps, of the results of each benchmark, the one with the least
// time per operation, in the order the benchmarks first appear. Other work
// on the machine can only slow a run down, so the fastest of a few runs is
// the one least disturbed.
func Fastest(res []GoBench) []GoBench {
	var out []GoBench
	index := map[string]int{}
	for _, b := range res {
		i, ok := index[b.Name]
		if !ok {
			index[b.Name] = len(out)
			out = append(out, b)
			continue
		}
		if b.NsPerOp < out[i].NsPerOp {
			out[i] = b
		}
	}
	return out
}

// findGoBench returns the result named name.
func findGoBench(res []GoBench, name string) (GoBench, bool) {
	for _, b := range res {
		if b.Name == name {
			return b, true
		}
	}
	return GoBench{}, false
}
