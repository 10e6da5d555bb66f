package ssestats_test

import (
	"encoding/json"
	"errors"
	"expvar"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssestats"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// Snapshots per stream and aggregated, the fetch counts, the verdicts
// against objectives and the expvar publication.

func TestSnapshotAggregatesEveryStream(t *testing.T) {
	clk := ssetest.NewClock(testStart)
	st := ssestats.New(ssestats.WithClock(clk))
	st.Stream("imports").Progress(testStart.Add(-10 * time.Millisecond))
	st.Stream("scans").Progress(testStart.Add(-30 * time.Millisecond))
	st.Stream("scans").Fetch(200, time.Millisecond, nil)
	st.Stream("imports").Fetch(500, time.Millisecond, errors.New("boom"))

	snap := st.Snapshot()
	assert.Equal(t, []string{"imports", "scans"}, snap.Names())
	assert.Same(t, st.Stream("imports"), st.Stream("imports"), "one Recorder per name")
	assert.Equal(t, ssestats.Rate{Failed: 1}, snap.Streams["imports"].Fetches)
	assert.Equal(t, ssestats.Rate{Succeeded: 1}, snap.Streams["scans"].Fetches)
	assert.Equal(t, ssestats.Rate{Succeeded: 1, Failed: 1}, snap.All.Fetches)
	assert.Equal(t, ssestats.Errors{Server: 1}, snap.All.Errors)
	all := snap.All.ProgressLatency
	assert.Equal(t, int64(2), all.Count)
	assert.Equal(t, 10*time.Millisecond, all.Min)
	assert.Equal(t, 30*time.Millisecond, all.Max)
	assert.Equal(t, 20*time.Millisecond, all.Mean)
}

func TestProgressAtMeasuresAtTheTimeGivenNotByTheStatsClock(t *testing.T) {
	rec := ssestats.New(ssestats.WithClock(ssetest.NewClock(testStart))).Stream("imports")
	rec.ProgressAt(testStart, testStart.Add(40*time.Millisecond))
	rec.ProgressAt(testStart, testStart.Add(-time.Second)) // sent in the future: zero
	rec.ProgressAt(time.Time{}, testStart)                 // no server time: ignored
	got := rec.Snapshot().ProgressLatency
	assert.Equal(t, int64(2), got.Count)
	assert.Equal(t, time.Duration(0), got.Min)
	assert.Equal(t, 40*time.Millisecond, got.Max)
}

func TestFetchOutcomesAreCountedByType(t *testing.T) {
	rec := ssestats.New().Stream("imports")
	rec.Fetch(404, time.Millisecond, errors.New("not found"))
	rec.Fetch(429, time.Millisecond, errors.New("slow down"))
	rec.Fetch(0, time.Millisecond, errors.New("connection refused"))
	rec.Fetch(200, time.Millisecond, fmt.Errorf("decoding: %w", errors.New("bad json")))
	rec.Fetch(0, time.Millisecond, fmt.Errorf("bookstrack: results: %w", errCanceled))
	rec.Fetch(200, time.Millisecond, nil)
	f := rec.Snapshot()
	assert.Equal(t, ssestats.Rate{Succeeded: 1, Failed: 4}, f.Fetches, "the canceled fetch counts neither way")
	assert.Equal(t, ssestats.Errors{NotFound: 1, TooManyRequests: 1, OtherStatus: 1, NoStatus: 1}, f.Errors)
}

func TestCheckSetsEachFigureAgainstTheObjectives(t *testing.T) {
	f := ssestats.Figures{
		Connections:   ssestats.Rate{Succeeded: 199, Failed: 1},
		Reconnections: ssestats.Rate{Succeeded: 9, Failed: 1},
		ConnectTime:   ssestats.Summary{Count: 3, P95: 42 * time.Millisecond},
		ReconnectTime: ssestats.Summary{Count: 1, P95: 6 * time.Second},
	}
	got := f.Check(ssestats.Plan())
	want := []ssestats.Verdict{
		{Figure: "connection success", Value: "99.5 % (199/200)", Target: "> 99 %", Outcome: ssestats.Pass},
		{Figure: "reconnection success", Value: "90.0 % (9/10)", Target: "> 95 %", Outcome: ssestats.Miss},
		{Figure: "results-fetch success", Value: "-", Target: "> 99 %", Outcome: ssestats.NoData},
		{Figure: "connection time", Value: "42ms (n=3)", Target: "< 100ms", Outcome: ssestats.Pass},
		{Figure: "reconnection time", Value: "6s (n=1)", Target: "< 5s", Outcome: ssestats.Miss},
		{Figure: "progress latency", Value: "-", Target: "< 50ms", Outcome: ssestats.NoData},
		{Figure: "time to first message", Value: "-", Target: "< 500ms", Outcome: ssestats.NoData},
	}
	assert.Equal(t, want, got)
	assert.Equal(t, "pass", ssestats.Pass.String())
	assert.Equal(t, "miss", ssestats.Miss.String())
	assert.Equal(t, "no data", ssestats.NoData.String())

	none := f.Check(ssestats.Objectives{})
	for _, v := range none {
		assert.Equal(t, "-", v.Target, v.Figure)
		assert.Equal(t, ssestats.NoData, v.Outcome, "no target, no verdict: %s", v.Figure)
	}
}

// publishSeq makes each publication of the tests its own expvar name:
// expvar's names are process-wide and never freed, and go test -count N
// runs a test N times in one process.
var publishSeq atomic.Int64

// The body runs twice, as go test -count 2 would: a fixed name would be
// taken the second time.
func TestPublishExposesTheSnapshotThroughExpvar(t *testing.T) {
	for range 2 {
		name := fmt.Sprintf("ssestats_test_publish_%d", publishSeq.Add(1))
		st := ssestats.New()
		obs := st.Observer("imports")
		obs.Attempt(sse.AttemptInfo{Attempt: 1, ID: 1, Time: testStart})
		obs.Close(sse.CloseInfo{Attempt: 1, ID: 1, Err: &sse.StatusError{StatusCode: 429}})
		require.NoError(t, st.Publish(name))

		var got ssestats.Snapshot
		require.NoError(t, json.Unmarshal([]byte(expvar.Get(name).String()), &got))
		assert.Equal(t, st.Snapshot(), got)
		assert.Equal(t, int64(1), got.Streams["imports"].Errors.TooManyRequests)
		assert.Contains(t, expvar.Get(name).String(), `"429":1`)

		err := ssestats.New().Publish(name)
		assert.ErrorIs(t, err, ssestats.ErrNameTaken, "a second publication under a name is refused, not a panic")
		assert.ErrorIs(t, ssestats.New().Publish("memstats"), ssestats.ErrNameTaken, "expvar's own names too")
	}
}
