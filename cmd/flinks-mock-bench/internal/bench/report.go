package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Units of a Row's values; each has its own rendering in the table.
const (
	UnitRequestRate = "req/s"
	UnitFlowRate    = "flows/s"
	UnitNanoseconds = "ns"
	UnitBytes       = "bytes"
	UnitAllocs      = "allocs"
)

// TargetKind says what a Target bounds: the flinks-mock value itself, or
// its ratio to the reference.
type TargetKind string

// Target kinds.
const (
	AtLeast      TargetKind = "value>="
	AtMost       TargetKind = "value<="
	RatioAtLeast TargetKind = "ratio>="
	RatioAtMost  TargetKind = "ratio<="
)

// Target is the figure a row should reach.
type Target struct {
	Kind  TargetKind `json:"kind"`
	Value float64    `json:"value"`
}

// Row is one figure of the report: the flinks-mock value, the bare
// net/http reference when there is one, their ratio (flinks-mock divided by
// reference) and the target.
type Row struct {
	Figure    string   `json:"figure"`
	Unit      string   `json:"unit"`
	Mock      float64  `json:"flinksMock"`
	Reference *float64 `json:"reference,omitempty"`
	Ratio     *float64 `json:"ratio,omitempty"`
	Target    *Target  `json:"target,omitempty"`
	// Met is whether the target was reached; absent without a target.
	Met *bool `json:"met,omitempty"`

	section int // where the table shows it
}

// NewRow builds a row and works out its ratio and whether it meets target
// (nil for none). ref is ignored when refOK is false.
func NewRow(figure, unit string, mock, ref float64, refOK bool, target *Target) Row {
	r := Row{Figure: figure, Unit: unit, Mock: mock, Target: target}
	if refOK {
		r.Reference = &ref
		if ref != 0 {
			ratio := mock / ref
			r.Ratio = &ratio
		}
	}
	if target != nil {
		if met, ok := target.met(r); ok {
			r.Met = &met
		}
	}
	return r
}

// met reports whether r reaches t; ok is false when it cannot tell (a
// ratio target without a reference).
func (t Target) met(r Row) (met, ok bool) {
	switch t.Kind {
	case AtLeast:
		return r.Mock >= t.Value, true
	case AtMost:
		return r.Mock <= t.Value, true
	case RatioAtLeast, RatioAtMost:
		if r.Ratio == nil {
			return false, false
		}
		if t.Kind == RatioAtLeast {
			return *r.Ratio >= t.Value, true
		}
		return *r.Ratio <= t.Value, true
	}
	return false, false
}

// text renders the target for the table, in the row's unit.
func (t Target) text(unit string) string {
	switch t.Kind {
	case AtLeast:
		return "≥ " + formatValue(t.Value, unit)
	case AtMost:
		return "≤ " + formatValue(t.Value, unit)
	case RatioAtLeast:
		return fmt.Sprintf("≥ %.2f× bare", t.Value)
	case RatioAtMost:
		return fmt.Sprintf("≤ %.2f× bare", t.Value)
	}
	return ""
}

// Machine describes where the figures were taken.
type Machine struct {
	CPUs      int    `json:"cpus"`
	GOOS      string `json:"goos"`
	GOARCH    string `json:"goarch"`
	GoVersion string `json:"goVersion"`
}

// Settings are the knobs of the run that produced a report.
type Settings struct {
	Quick        bool   `json:"quick"`
	Duration     string `json:"duration"`
	Warmup       string `json:"warmup"`
	Connections  int    `json:"connections"`
	Rounds       int    `json:"rounds"`
	Launches     int    `json:"launches"`
	RSSRequests  int    `json:"rssRequests"`
	Tenants      int    `json:"tenants"`
	RSSCapMiB    int    `json:"rssCapMiB"`
	GoBenchTime  string `json:"goBenchTime,omitempty"`
	GoBenchCount int    `json:"goBenchCount"`
	Baseline     string `json:"baseline,omitempty"`
	Peers        bool   `json:"peers,omitempty"`
	PeerWarmup   string `json:"peerWarmup,omitempty"`
}

// Report is what one run of the runner measured.
type Report struct {
	Date     time.Time `json:"date"`
	Machine  Machine   `json:"machine"`
	Settings Settings  `json:"settings"`
	Rows     []Row     `json:"rows"`
	// Notes explain figures: how many tenants were used, why a phase
	// stopped early.
	Notes []string `json:"notes,omitempty"`
	// Problems are what broke: a non-2xx answer, a server that did not
	// start. A report with problems makes the runner exit non-zero.
	Problems []string `json:"problems,omitempty"`
}

// Missed returns the figures whose target was not met.
func (r *Report) Missed() []string {
	var out []string
	for _, row := range r.Rows {
		if row.Met != nil && !*row.Met {
			out = append(out, row.Figure)
		}
	}
	return out
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("encode the report as JSON: %w", err)
	}
	return nil
}

// FormatTable renders rows as an aligned Markdown table, so the same text
// reads well in a terminal and pastes into docs/performance.md.
func FormatTable(rows []Row) string {
	cells := [][]string{{"figure", "flinks-mock", "reference", "ratio", "target", "met"}}
	for _, r := range rows {
		ref, ratio, target, met := "—", "—", "—", ""
		if r.Reference != nil {
			ref = formatValue(*r.Reference, r.Unit)
		}
		if r.Ratio != nil {
			ratio = fmt.Sprintf("%.2f×", *r.Ratio)
		}
		if r.Target != nil {
			target = r.Target.text(r.Unit)
		}
		if r.Met != nil {
			met = "yes"
			if !*r.Met {
				met = "NO"
			}
		}
		cells = append(cells, []string{r.Figure, formatValue(r.Mock, r.Unit), ref, ratio, target, met})
	}
	widths := make([]int, len(cells[0]))
	for _, line := range cells {
		for i, c := range line {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	writeLine := func(line []string) {
		b.WriteString("|")
		for i, c := range line {
			b.WriteString(" ")
			b.WriteString(c)
			b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)))
			b.WriteString(" |")
		}
		b.WriteString("\n")
	}
	writeLine(cells[0])
	b.WriteString("|")
	for _, w := range widths {
		b.WriteString(strings.Repeat("-", w+2))
		b.WriteString("|")
	}
	b.WriteString("\n")
	for _, line := range cells[1:] {
		writeLine(line)
	}
	return b.String()
}

// formatValue renders a value in its unit for a person: 12,345 req/s,
// 1.25 ms, 14.2 MiB.
func formatValue(v float64, unit string) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	switch unit {
	case UnitRequestRate, UnitFlowRate:
		return groupThousands(int64(math.Round(v))) + " " + unit
	case UnitNanoseconds:
		return formatDuration(time.Duration(v))
	case UnitBytes:
		switch {
		case v >= 1<<20:
			return fmt.Sprintf("%.1f MiB", v/(1<<20))
		case v >= 1<<10:
			return fmt.Sprintf("%.1f KiB", v/(1<<10))
		}
		return fmt.Sprintf("%.0f B", v)
	case UnitAllocs:
		return fmt.Sprintf("%.0f allocs", v)
	}
	return fmt.Sprintf("%g %s", v, unit)
}

// formatDuration renders a latency with three significant digits.
func formatDuration(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	case d >= 10*time.Microsecond:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	case d >= time.Microsecond:
		return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond))
	}
	return fmt.Sprintf("%d ns", int64(d))
}

// groupThousands writes n with a comma between groups of three digits.
func groupThousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
