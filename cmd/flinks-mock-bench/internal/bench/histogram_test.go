package bench

import (
	"testing"
	"time"
)

func TestBucketBounds(t *testing.T) {
	// Every value falls in a bucket whose top is at or above it and within
	// 1/subBuckets of it, and buckets never go backwards.
	prev := -1
	for v := int64(0); v < 1<<maxBits; v = v*9/8 + 1 {
		i := bucketOf(v)
		if i < prev {
			t.Fatalf("bucketOf(%d) = %d, below bucketOf of a smaller value (%d)", v, i, prev)
		}
		prev = i
		if i < 0 || i >= bucketCount {
			t.Fatalf("bucketOf(%d) = %d, outside [0, %d)", v, i, bucketCount)
		}
		high := bucketHigh(i)
		if high < v {
			t.Fatalf("bucketHigh(bucketOf(%d)) = %d, below the value", v, high)
		}
		if float64(high-v) > float64(v)/subBuckets {
			t.Fatalf("bucketHigh(bucketOf(%d)) = %d, more than 1/%d above the value", v, high, subBuckets)
		}
	}
	if got := bucketOf(-5); got != 0 {
		t.Errorf("bucketOf(-5) = %d, want 0", got)
	}
	if got := bucketOf(1 << 50); got != bucketCount-1 {
		t.Errorf("bucketOf(2^50) = %d, want the last bucket %d", got, bucketCount-1)
	}
}

func TestPercentile(t *testing.T) {
	uniform := func(n int, step time.Duration) []time.Duration {
		out := make([]time.Duration, n)
		for i := range out {
			out[i] = time.Duration(i+1) * step
		}
		return out
	}
	tests := []struct {
		name   string
		values []time.Duration
		q      float64
		want   time.Duration
		// tolerance is the relative error allowed: the histogram's
		// resolution, or zero where values have a bucket each.
		tolerance float64
	}{
		{"empty", nil, 0.5, 0, 0},
		{"one value", []time.Duration{42 * time.Millisecond}, 0.99, 42 * time.Millisecond, 0},
		{"small values are exact", []time.Duration{3, 1, 2, 5, 4}, 0.5, 3, 0},
		{"p0 is the minimum", uniform(1000, time.Microsecond), 0, time.Microsecond, 1.0 / subBuckets},
		{"p50 of 1..1000 µs", uniform(1000, time.Microsecond), 0.5, 500 * time.Microsecond, 1.0 / subBuckets},
		{"p99 of 1..1000 µs", uniform(1000, time.Microsecond), 0.99, 990 * time.Microsecond, 1.0 / subBuckets},
		{"p100 is the maximum", uniform(1000, time.Microsecond), 1, time.Millisecond, 0},
		{"q above 1 is the maximum", uniform(10, time.Second), 7, 10 * time.Second, 0},
		{"one slow outlier sets p99 of 100", append(uniform(99, time.Microsecond), time.Second), 0.995, time.Second, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Histogram
			for _, v := range tt.values {
				h.Record(v)
			}
			got := h.Percentile(tt.q)
			diff := got - tt.want
			if diff < 0 {
				t.Fatalf("Percentile(%v) = %v, below the true %v: it must never understate", tt.q, got, tt.want)
			}
			if float64(diff) > tt.tolerance*float64(tt.want) {
				t.Fatalf("Percentile(%v) = %v, want %v (±%.1f%%)", tt.q, got, tt.want, tt.tolerance*100)
			}
		})
	}
}

func TestHistogramMerge(t *testing.T) {
	var a, b, all Histogram
	for i := range 500 {
		d := time.Duration(i*i) * time.Microsecond
		all.Record(d)
		if i%3 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
	}
	var empty Histogram
	a.Merge(&empty)
	a.Merge(&b)
	if a.Count() != all.Count() || a.Min() != all.Min() || a.Max() != all.Max() || a.Mean() != all.Mean() {
		t.Fatalf("merged count/min/max/mean = %d/%v/%v/%v, want %d/%v/%v/%v",
			a.Count(), a.Min(), a.Max(), a.Mean(), all.Count(), all.Min(), all.Max(), all.Mean())
	}
	for _, q := range []float64{0.1, 0.5, 0.9, 0.99} {
		if a.Percentile(q) != all.Percentile(q) {
			t.Errorf("merged Percentile(%v) = %v, want %v", q, a.Percentile(q), all.Percentile(q))
		}
	}
	var into Histogram
	into.Merge(&all)
	if into.Min() != all.Min() {
		t.Errorf("merging into an empty histogram: Min = %v, want %v", into.Min(), all.Min())
	}
}
