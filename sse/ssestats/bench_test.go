package ssestats_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssestats"
)

// BenchmarkObserverAttempt measures what the Observer adds to one attempt
// that opens, delivers a first event and closes.
func BenchmarkObserverAttempt(b *testing.B) {
	obs := ssestats.New().Observer("imports")
	var ids atomic.Uint64 // one ID per attempt, as sse gives
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := ids.Add(1)
			obs.Attempt(sse.AttemptInfo{Attempt: 1, ID: id})
			obs.Open(sse.OpenInfo{Attempt: 1, ID: id, Latency: time.Millisecond})
			obs.FirstEvent(sse.FirstEventInfo{Attempt: 1, ID: id, Latency: 2 * time.Millisecond})
			obs.Close(sse.CloseInfo{Attempt: 1, ID: id, Opened: true, Err: sse.ErrClosed})
		}
	})
}

// BenchmarkProgress measures the recording of one update's latency.
func BenchmarkProgress(b *testing.B) {
	rec := ssestats.New().Stream("imports")
	sent := time.Now()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rec.Progress(sent)
		}
	})
}

// BenchmarkSnapshot measures a snapshot of three streams.
func BenchmarkSnapshot(b *testing.B) {
	st := ssestats.New()
	for _, n := range []string{"imports", "scans", "enrichment"} {
		st.Stream(n).Progress(time.Now())
	}
	b.ReportAllocs()
	for range b.N {
		st.Snapshot()
	}
}
