package ssestats_test

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssestats"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// The summaries: fixed-size, allocation-free, and close to the exact
// quantiles.

func TestSummariesAreFixedSizeWhateverTheNumberOfValues(t *testing.T) {
	clk := ssetest.NewClock(testStart)
	rec := ssestats.New(ssestats.WithClock(clk)).Stream("imports")
	sent := testStart.Add(-40 * time.Millisecond)
	allocs := testing.AllocsPerRun(100_000, func() { rec.Progress(sent) })
	assert.Zero(t, allocs, "recording a value allocates nothing, so nothing grows")
	assert.Equal(t, 464, ssestats.NumBuckets, "the histogram behind each summary has a fixed number of buckets")
	s := rec.Snapshot().ProgressLatency
	assert.Equal(t, int64(100_001), s.Count) // AllocsPerRun runs the function once more first
	assert.Equal(t, 40*time.Millisecond, s.P50)
	assert.Equal(t, 40*time.Millisecond, s.Max)
}

func TestQuantilesAreWithinThreePercent(t *testing.T) {
	clk := ssetest.NewClock(testStart)
	rec := ssestats.New(ssestats.WithClock(clk)).Stream("scans")
	values := rand.New(rand.NewPCG(1, 2)).Perm(10_000)
	for _, v := range values { // 1 ms to 10 s in 1 ms steps, shuffled
		rec.Progress(testStart.Add(-time.Duration(v+1) * time.Millisecond))
	}
	s := rec.Snapshot().ProgressLatency
	assert.Equal(t, int64(10_000), s.Count)
	assert.Equal(t, time.Millisecond, s.Min)
	assert.Equal(t, 10*time.Second, s.Max)
	assert.InDelta(t, float64(5000*time.Millisecond+time.Millisecond/2), float64(s.Mean), float64(time.Millisecond))
	for _, q := range []struct {
		got  time.Duration
		want time.Duration
	}{{s.P50, 5 * time.Second}, {s.P95, 9500 * time.Millisecond}, {s.P99, 9900 * time.Millisecond}} {
		assert.InEpsilon(t, float64(q.want), float64(q.got), 0.03)
	}
}

func TestFutureTimestampsCountAsZeroAndZeroTimesAreIgnored(t *testing.T) {
	clk := ssetest.NewClock(testStart)
	rec := ssestats.New(ssestats.WithClock(clk)).Stream("scans")
	rec.Progress(testStart.Add(time.Second))
	rec.Progress(time.Time{})
	s := rec.Snapshot().ProgressLatency
	assert.Equal(t, ssestats.Summary{Count: 1}, s)
}

func TestHugeValuesShareTheLastBucketButKeepTheirMaximum(t *testing.T) {
	clk := ssetest.NewClock(testStart)
	rec := ssestats.New(ssestats.WithClock(clk)).Stream("scans")
	rec.Progress(testStart.Add(-100 * time.Hour))
	rec.Progress(testStart.Add(-200 * time.Hour))
	s := rec.Snapshot().ProgressLatency
	assert.Equal(t, 100*time.Hour, s.Min)
	assert.Equal(t, 200*time.Hour, s.Max)
	assert.Equal(t, 100*time.Hour, s.P50, "clamped to the minimum")
}

func TestRecordingFromManyGoroutinesWhileSnapshotting(t *testing.T) {
	st := ssestats.New()
	rec := st.Stream("imports")
	obs := rec.Observer()
	const workers, each = 8, 500
	var wg sync.WaitGroup
	stop := make(chan struct{})
	snapshots := make(chan struct{})
	go func() { // snapshots run alongside the recording
		defer close(snapshots)
		for {
			select {
			case <-stop:
				return
			default:
				st.Snapshot()
			}
		}
	}()
	var ids sync.Mutex
	next := uint64(0)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				ids.Lock()
				next++
				id := next
				ids.Unlock()
				obs.Attempt(sse.AttemptInfo{Attempt: 1, ID: id, Time: testStart})
				obs.Open(sse.OpenInfo{Attempt: 1, ID: id, Latency: time.Duration(w*each+i) * time.Microsecond})
				obs.Close(sse.CloseInfo{Attempt: 1, ID: id, Opened: true, Err: sse.ErrClosed})
				rec.Fetch(200, time.Millisecond, nil)
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-snapshots
	f := st.Snapshot().All
	assert.Equal(t, ssestats.Rate{Succeeded: workers * each}, f.Connections)
	assert.Equal(t, ssestats.Rate{Succeeded: workers * each}, f.Fetches)
	require.Equal(t, int64(workers*each), f.ConnectTime.Count)
	assert.Equal(t, time.Duration(workers*each-1)*time.Microsecond, f.ConnectTime.Max)
	assert.Zero(t, ssestats.InFlight(rec))
}
