package bench

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

func TestFormatValue(t *testing.T) {
	tests := []struct {
		v    float64
		unit string
		want string
	}{
		{12345.4, UnitRequestRate, "12,345 req/s"},
		{999, UnitFlowRate, "999 flows/s"},
		{1234567, UnitFlowRate, "1,234,567 flows/s"},
		{float64(850 * time.Nanosecond), UnitNanoseconds, "850 ns"},
		{float64(2500 * time.Nanosecond), UnitNanoseconds, "2.5 µs"},
		{float64(397 * time.Microsecond), UnitNanoseconds, "397 µs"},
		{float64(2720 * time.Microsecond), UnitNanoseconds, "2.72 ms"},
		{float64(42800 * time.Microsecond), UnitNanoseconds, "42.8 ms"},
		{float64(1500 * time.Millisecond), UnitNanoseconds, "1.50 s"},
		{512, UnitBytes, "512 B"},
		{7.5 * 1024, UnitBytes, "7.5 KiB"},
		{22.9 * 1024 * 1024, UnitBytes, "22.9 MiB"},
		{72, UnitAllocs, "72 allocs"},
		{math.NaN(), UnitBytes, "n/a"},
		{3, "widgets", "3 widgets"},
	}
	for _, tt := range tests {
		if got := formatValue(tt.v, tt.unit); got != tt.want {
			t.Errorf("formatValue(%v, %q) = %q, want %q", tt.v, tt.unit, got, tt.want)
		}
	}
}

func TestGroupThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1000000: "1,000,000", -12345: "-12,345"} {
		if got := groupThousands(n); got != want {
			t.Errorf("groupThousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestNewRowTargets(t *testing.T) {
	tests := []struct {
		name      string
		mock, ref float64
		refOK     bool
		target    *Target
		wantRatio float64 // NaN: no ratio
		wantMet   string  // "yes", "no", or "" for none
	}{
		{"throughput at 60% of bare", 6000, 10000, true, &Target{RatioAtLeast, 0.5}, 0.6, "yes"},
		{"throughput at 40% of bare", 4000, 10000, true, &Target{RatioAtLeast, 0.5}, 0.4, "no"},
		{"p99 at 2x bare", 2, 1, true, &Target{RatioAtMost, 3}, 2, "yes"},
		{"p99 at 4x bare", 4, 1, true, &Target{RatioAtMost, 3}, 4, "no"},
		{"flows above the floor", 6000, 0, false, &Target{AtLeast, 5000}, math.NaN(), "yes"},
		{"cold start above the ceiling", 30, 4, true, &Target{AtMost, 20}, 7.5, "no"},
		{"ratio target without reference", 10, 0, false, &Target{RatioAtLeast, 0.5}, math.NaN(), ""},
		{"zero reference has no ratio", 10, 0, true, nil, math.NaN(), ""},
		{"no target", 1, 2, true, nil, 0.5, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRow("figure", UnitBytes, tt.mock, tt.ref, tt.refOK, tt.target)
			switch {
			case math.IsNaN(tt.wantRatio) && r.Ratio != nil:
				t.Errorf("Ratio = %v, want none", *r.Ratio)
			case !math.IsNaN(tt.wantRatio) && (r.Ratio == nil || math.Abs(*r.Ratio-tt.wantRatio) > 1e-9):
				t.Errorf("Ratio = %v, want %v", r.Ratio, tt.wantRatio)
			}
			met := ""
			if r.Met != nil {
				met = map[bool]string{true: "yes", false: "no"}[*r.Met]
			}
			if met != tt.wantMet {
				t.Errorf("Met = %q, want %q", met, tt.wantMet)
			}
			if (r.Reference != nil) != tt.refOK {
				t.Errorf("Reference set = %v, want %v", r.Reference != nil, tt.refOK)
			}
		})
	}
}

func TestFormatTable(t *testing.T) {
	rows := []Row{
		NewRow("hot path: throughput", UnitRequestRate, 6000, 10000, true, &Target{RatioAtLeast, 0.5}),
		NewRow("cold start", UnitNanoseconds, float64(30*time.Millisecond), 0, false, &Target{AtMost, float64(20 * time.Millisecond)}),
		NewRow("allocs", UnitAllocs, 72, 2, true, nil),
	}
	want := `| figure               | flinks-mock | reference    | ratio  | target       | met |
|----------------------|-------------|--------------|--------|--------------|-----|
| hot path: throughput | 6,000 req/s | 10,000 req/s | 0.60×  | ≥ 0.50× bare | yes |
| cold start           | 30.0 ms     | —            | —      | ≤ 20.0 ms    | NO  |
| allocs               | 72 allocs   | 2 allocs     | 36.00× | —            |     |
`
	if got := FormatTable(rows); got != want {
		t.Errorf("FormatTable:\n%s\nwant:\n%s", got, want)
	}
}

func TestReportMissedAndJSON(t *testing.T) {
	r := &Report{Rows: []Row{
		NewRow("fast enough", UnitFlowRate, 6000, 0, false, &Target{AtLeast, 5000}),
		NewRow("too slow", UnitFlowRate, 100, 0, false, &Target{AtLeast, 5000}),
		NewRow("no target", UnitFlowRate, 100, 0, false, nil),
	}}
	if got := r.Missed(); len(got) != 1 || got[0] != "too slow" {
		t.Errorf("Missed() = %q, want [too slow]", got)
	}
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatalf("the JSON does not decode: %v\n%s", err, buf.String())
	}
	if len(back.Rows) != 3 || back.Rows[1].Figure != "too slow" || back.Rows[1].Met == nil || *back.Rows[1].Met {
		t.Errorf("decoded rows = %+v", back.Rows)
	}
	if !strings.Contains(buf.String(), `"flinksMock": 6000`) {
		t.Errorf("the JSON names the value flinksMock:\n%s", buf.String())
	}
}
