package bench_test

import (
	"fmt"
	"time"

	"github.com/flinks-mock/flinks-mock/cmd/flinks-mock-bench/internal/bench"
)

func ExampleHistogram() {
	var h bench.Histogram
	for i := 1; i <= 100; i++ {
		h.Record(time.Duration(i) * time.Millisecond)
	}
	// Percentiles are the top of their bucket: never below the true value,
	// at most 1/64 above it.
	fmt.Println(h.Count(), h.Percentile(0.5), h.Percentile(0.99), h.Max())
	// Output: 100 50.331647ms 99.614719ms 100ms
}

func ExampleFormatTable() {
	rows := []bench.Row{
		bench.NewRow("hot path: throughput", bench.UnitRequestRate, 15393, 21878, true, &bench.Target{Kind: bench.RatioAtLeast, Value: 0.5}),
		bench.NewRow("RSS idle after start", bench.UnitBytes, 22.9*(1<<20), 7.1*(1<<20), true, &bench.Target{Kind: bench.AtMost, Value: 20 << 20}),
	}
	fmt.Print(bench.FormatTable(rows))
	// Output:
	// | figure               | flinks-mock  | reference    | ratio | target       | met |
	// |----------------------|--------------|--------------|-------|--------------|-----|
	// | hot path: throughput | 15,393 req/s | 21,878 req/s | 0.70× | ≥ 0.50× bare | yes |
	// | RSS idle after start | 22.9 MiB     | 7.1 MiB      | 3.23× | ≤ 20.0 MiB   | NO  |
}
