package bench

import (
	"testing"
	"time"
)

const sampleGoBench = `goos: linux
goarch: amd64
pkg: github.com/flinks-mock/flinks-mock/mockserver
cpu: Intel(R) Xeon(R) Processor
BenchmarkBareHandler-2       	    2000	      1830 ns/op	      32 B/op	       2 allocs/op
BenchmarkHotPath-2           	    2000	     44472 ns/op	    8363 B/op	      72 allocs/op
BenchmarkFlow/MFA-16         	      10	  552604.5 ns/op
BenchmarkBroken-2            	 many	      1 ns/op
--- FAIL: BenchmarkOther
PASS
ok  	github.com/flinks-mock/flinks-mock/mockserver	1.534s
`

func TestParseGoBench(t *testing.T) {
	got := ParseGoBench(sampleGoBench)
	want := []GoBench{
		{Name: "BareHandler", Iterations: 2000, NsPerOp: 1830, BytesPerOp: 32, AllocsPerOp: 2},
		{Name: "HotPath", Iterations: 2000, NsPerOp: 44472, BytesPerOp: 8363, AllocsPerOp: 72},
		{Name: "Flow/MFA", Iterations: 10, NsPerOp: 552604.5},
	}
	if len(got) != len(want) {
		t.Fatalf("ParseGoBench found %d results, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("result %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if b, ok := findGoBench(got, "HotPath"); !ok || b.AllocsPerOp != 72 {
		t.Errorf("findGoBench(HotPath) = %+v, %v", b, ok)
	}
	if _, ok := findGoBench(got, "Missing"); ok {
		t.Error("findGoBench found a benchmark that is not there")
	}
}

func TestParseGoBenchLine(t *testing.T) {
	tests := []struct {
		line string
		ok   bool
		name string
	}{
		{"BenchmarkX-2 10 5 ns/op", true, "X"},
		{"BenchmarkX 10 5 ns/op", true, "X"},
		{"BenchmarkX-y 10 5 ns/op", true, "X-y"},
		{"BenchmarkX-2 10 5 B/op", false, ""},      // no ns/op
		{"BenchmarkX-2 0 5 ns/op", false, ""},      // no iteration
		{"BenchmarkX-2 10 five ns/op", false, ""},  // not a number
		{"Benchmark-2 10 5 ns/op", false, ""},      // no name
		{"    BenchmarkX-2 10 5 ns/op", true, "X"}, // leading space
		{"ok  pkg 1.2s", false, ""},
	}
	for _, tt := range tests {
		b, ok := parseGoBenchLine(tt.line)
		if ok != tt.ok || b.Name != tt.name {
			t.Errorf("parseGoBenchLine(%q) = %+v, %v; want name %q, %v", tt.line, b, ok, tt.name, tt.ok)
		}
	}
}

func FuzzParseGoBench(f *testing.F) {
	f.Add(sampleGoBench)
	f.Add("BenchmarkX-2 1 1 ns/op 1 B/op 1 allocs/op")
	f.Add("Benchmark 1")
	f.Fuzz(func(t *testing.T, out string) {
		for _, b := range ParseGoBench(out) {
			if b.Name == "" || b.Iterations <= 0 {
				t.Fatalf("ParseGoBench returned %+v from %q", b, out)
			}
		}
	})
}

func TestMedian(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	tests := []struct {
		in   []time.Duration
		want time.Duration
	}{
		{nil, 0},
		{ms(7), 7 * time.Millisecond},
		{ms(50, 10, 30), 30 * time.Millisecond},
		{ms(40, 10, 20, 30), 25 * time.Millisecond},
	}
	for _, tt := range tests {
		in := append([]time.Duration(nil), tt.in...)
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
		for i := range in {
			if in[i] != tt.in[i] {
				t.Fatalf("median reordered its input: %v", tt.in)
			}
		}
	}
}

func TestFastest(t *testing.T) {
	in := []GoBench{
		{Name: "A", NsPerOp: 30, AllocsPerOp: 7},
		{Name: "B", NsPerOp: 5},
		{Name: "A", NsPerOp: 20, AllocsPerOp: 8},
		{Name: "A", NsPerOp: 25, AllocsPerOp: 9},
	}
	got := Fastest(in)
	want := []GoBench{{Name: "A", NsPerOp: 20, AllocsPerOp: 8}, {Name: "B", NsPerOp: 5}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Fastest = %+v, want %+v", got, want)
	}
}
