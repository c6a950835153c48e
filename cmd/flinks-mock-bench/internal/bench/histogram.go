package bench

import (
	"math"
	"math/bits"
	"time"
)

// Histogram buckets, log-linear: values below 2×subBuckets nanoseconds
// have a bucket each; above that every power of two is cut into subBuckets
// equal buckets, so a percentile is off by less than 1/subBuckets (1.6 %)
// whatever the scale, with a fixed 17.5 KiB per histogram and no allocation
// per recorded value.
const (
	subBits    = 6
	subBuckets = 1 << subBits
	// maxValue caps what a bucket can hold: 2^40 ns is about 18 minutes,
	// far beyond any latency the runner waits for.
	maxBits     = 40
	bucketCount = (maxBits - subBits + 1) * subBuckets
)

// Histogram records latencies for percentiles. The zero value is ready to
// use; it is not safe for concurrent use (each load worker keeps its own and
// the runner merges them).
type Histogram struct {
	counts   [bucketCount]uint64
	n        uint64
	sum      time.Duration
	min, max time.Duration
}

// bucketOf returns the bucket of a value in nanoseconds.
func bucketOf(v int64) int {
	if v < 0 {
		v = 0
	}
	if v >= 1<<maxBits {
		v = 1<<maxBits - 1
	}
	if v < 2*subBuckets {
		return int(v)
	}
	shift := bits.Len64(uint64(v)) - subBits - 1
	return (shift+1)*subBuckets + int(v>>shift) - subBuckets
}

// bucketHigh returns the largest value that falls in bucket i.
func bucketHigh(i int) int64 {
	if i < 2*subBuckets {
		return int64(i)
	}
	shift := i/subBuckets - 1
	m := int64(i%subBuckets + subBuckets)
	return (m+1)<<shift - 1
}

// Record adds one latency.
func (h *Histogram) Record(d time.Duration) {
	if h.n == 0 || d < h.min {
		h.min = d
	}
	if d > h.max {
		h.max = d
	}
	h.n++
	h.sum += d
	h.counts[bucketOf(int64(d))]++
}

// Merge adds every value of o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.n == 0 {
		return
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	if o.max > h.max {
		h.max = o.max
	}
	h.n += o.n
	h.sum += o.sum
	for i, c := range o.counts {
		h.counts[i] += c
	}
}

// Count returns how many values were recorded.
func (h *Histogram) Count() uint64 { return h.n }

// Min returns the smallest value recorded (0 when empty).
func (h *Histogram) Min() time.Duration { return h.min }

// Max returns the largest value recorded (0 when empty).
func (h *Histogram) Max() time.Duration { return h.max }

// Mean returns the average of the values recorded (0 when empty).
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return h.sum / time.Duration(h.n)
}

// Percentile returns the value below or at which a fraction q (0 to 1) of
// the recorded values fall: Percentile(0.99) is the p99. It reports the top
// of the bucket that holds that rank, clamped to the recorded minimum and
// maximum, so it never understates a latency. It returns 0 when empty.
func (h *Histogram) Percentile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	q = min(max(q, 0), 1)
	rank := uint64(math.Ceil(q * float64(h.n)))
	rank = max(rank, 1)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(max(time.Duration(bucketHigh(i)), h.min), h.max)
		}
	}
	return h.max
}
