package ssestats

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// The histogram behind a Summary is log-linear over microseconds: values
// below 32 µs have a bucket each, and each doubling above is cut into 16
// buckets, so a bucket is at most 1/16 of its lower bound wide. Values of
// 2^32 µs (about 71 minutes) and more share the last bucket. Quantiles
// are the middle of their bucket (off by at most 1/32, about 3 %),
// clamped to the exact minimum and maximum.
const (
	subBuckets = 16
	maxMicros  = 1<<32 - 1
	numBuckets = (32-5)*subBuckets + 2*subBuckets // bucketOf(maxMicros) + 1
)

// histogram is a fixed-size summary of durations, updated with atomics
// only: recording never blocks and never allocates.
//
// Invariants: the buckets count the values recorded; min and max are
// the exact extremes in nanoseconds (min is math.MaxInt64 while nothing
// is recorded), and are updated before the bucket, so that a reader who
// sees a value in a bucket sees it in min and max too; sum is the total in
// nanoseconds, saturating.
type histogram struct {
	sum     atomic.Int64
	min     atomic.Int64
	max     atomic.Int64
	buckets [numBuckets]atomic.Int64
}

func newHistogram() *histogram {
	h := &histogram{}
	h.min.Store(math.MaxInt64)
	return h
}

// bucketOf returns the bucket of a duration.
func bucketOf(d time.Duration) int {
	us := uint64(max(d, 0) / time.Microsecond)
	if us > maxMicros {
		us = maxMicros
	}
	if us < 2*subBuckets {
		return int(us)
	}
	shift := bits.Len64(us) - 5 // us>>shift is in [16, 32)
	return shift*subBuckets + int(us>>shift)
}

// bucketBounds returns the bucket's range [lo, hi) in microseconds.
func bucketBounds(i int) (lo, hi uint64) {
	if i < 2*subBuckets {
		return uint64(i), uint64(i) + 1
	}
	shift := i/subBuckets - 1
	m := uint64(i - shift*subBuckets)
	return m << shift, (m + 1) << shift
}

// record adds a value; a negative one counts as zero.
func (h *histogram) record(d time.Duration) {
	d = max(d, 0)
	for m := h.min.Load(); int64(d) < m && !h.min.CompareAndSwap(m, int64(d)); m = h.min.Load() {
	}
	for m := h.max.Load(); int64(d) > m && !h.max.CompareAndSwap(m, int64(d)); m = h.max.Load() {
	}
	h.buckets[bucketOf(d)].Add(1)
	if s := h.sum.Add(int64(d)); s < 0 {
		h.sum.Store(math.MaxInt64) // saturate
	}
}

// counts is a copy of a histogram's state, which copies merge into.
type counts struct {
	n, sum, min, max int64
	buckets          [numBuckets]int64
}

func (h *histogram) addTo(c *counts) {
	if c.n == 0 {
		c.min = math.MaxInt64
	}
	for i := range h.buckets {
		b := h.buckets[i].Load()
		c.buckets[i] += b
		c.n += b
	}
	c.sum = satAdd(c.sum, h.sum.Load())
	c.min = min(c.min, h.min.Load())
	c.max = max(c.max, h.max.Load())
}

func satAdd(a, b int64) int64 {
	if s := a + b; s >= a {
		return s
	}
	return math.MaxInt64
}

// summary computes the Summary of the counts.
func (c *counts) summary() Summary {
	if c.n == 0 {
		return Summary{}
	}
	return Summary{
		Count: c.n,
		Min:   time.Duration(c.min),
		Max:   time.Duration(c.max),
		Mean:  time.Duration(c.sum / c.n),
		P50:   c.quantile(0.50),
		P95:   c.quantile(0.95),
		P99:   c.quantile(0.99),
	}
}

// quantile returns the middle of the bucket holding the value of rank
// ceil(q*n), clamped to [min, max].
func (c *counts) quantile(q float64) time.Duration {
	rank := int64(math.Ceil(q * float64(c.n)))
	rank = max(rank, 1)
	var seen int64
	for i, b := range c.buckets {
		if seen += b; seen >= rank {
			lo, hi := bucketBounds(i)
			mid := time.Duration(lo+hi) * time.Microsecond / 2
			return min(max(mid, time.Duration(c.min)), time.Duration(c.max))
		}
	}
	return time.Duration(c.max) // recordings in flight: the buckets lag the count
}
