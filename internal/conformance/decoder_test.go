package conformance_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// chunkReader returns one chunk per Read, as a network would deliver the
// writes of a server.
type chunkReader struct{ chunks [][]byte }

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.chunks) > 0 && len(r.chunks[0]) == 0 {
		r.chunks = r.chunks[1:]
	}
	if len(r.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.chunks[0])
	r.chunks[0] = r.chunks[0][n:]
	return n, nil
}

// decoded is what a stream gave.
type decoded struct {
	Events      []sse.Event
	Comments    []string
	LastEventID string
	RetryMs     *int64
}

func decodeChunks(t *testing.T, chunks [][]byte) decoded {
	t.Helper()
	dec := sse.NewDecoder(&chunkReader{chunks: chunks})
	var got decoded
	for {
		f, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		switch f.Kind {
		case sse.FrameEvent:
			got.Events = append(got.Events, f.Event)
		case sse.FrameComment:
			got.Comments = append(got.Comments, f.Comment)
		}
	}
	got.LastEventID = dec.LastEventID()
	if r, ok := dec.Retry(); ok {
		ms := r.Milliseconds()
		got.RetryMs = &ms
	}
	return got
}

func expectedEvents(events []event) []sse.Event {
	out := []sse.Event{}
	for _, e := range events {
		out = append(out, sse.Event{Type: *e.Type, Data: *e.Data, ID: *e.ID})
	}
	return out
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func checkDecoded(t *testing.T, where string, d *decoderFixture, got decoded) {
	t.Helper()
	assert.Equal(t, expectedEvents(d.Events), orEmpty(got.Events), "%s: events", where)
	if d.Comments != nil {
		assert.Equal(t, d.Comments, orEmpty(got.Comments), "%s: comments", where)
	}
	assert.Equal(t, *d.LastEventID, got.LastEventID, "%s: lastEventId", where)
	assert.Equal(t, d.retry, got.RetryMs, "%s: retryMs", where)
}

func fixturesOf(t *testing.T, kind string) []fixture {
	t.Helper()
	var out []fixture
	for _, f := range loadFixtures(t, fixturesDir) {
		if f.Kind == kind {
			out = append(out, f)
		}
	}
	require.NotEmpty(t, out, "no %s fixtures in %s", kind, fixturesDir)
	return out
}

func TestDecoderFixturesGiveTheirEventsInEveryChunkingAndEverySplit(t *testing.T) {
	for _, f := range fixturesOf(t, kindDecoder) {
		t.Run(f.Name, func(t *testing.T) { runDecoderFixture(t, f) })
	}
}

func runDecoderFixture(t *testing.T, f fixture) {
	d := f.Decoder
	for i, chunks := range d.chunkings {
		checkDecoded(t, fmt.Sprintf("%s chunkings[%d]", f.File, i), d, decodeChunks(t, cloneChunks(chunks)))
	}
	// Beyond the chunkings given: one byte per read, and every cut
	// of the stream into two reads.
	var bytewise [][]byte
	for i := range d.stream {
		bytewise = append(bytewise, d.stream[i:i+1])
	}
	checkDecoded(t, f.File+" one byte per read", d, decodeChunks(t, bytewise))
	for cut := 1; cut < len(d.stream); cut++ {
		chunks := [][]byte{append([]byte(nil), d.stream[:cut]...), append([]byte(nil), d.stream[cut:]...)}
		checkDecoded(t, fmt.Sprintf("%s cut at byte %d", f.File, cut), d, decodeChunks(t, chunks))
	}
}

func cloneChunks(chunks [][]byte) [][]byte {
	out := make([][]byte, len(chunks))
	for i, c := range chunks {
		out[i] = append([]byte(nil), c...)
	}
	return out
}

func TestDecoderFixturesGiveTheirEventsThroughTheClient(t *testing.T) {
	for _, f := range fixturesOf(t, kindDecoder) {
		t.Run(f.Name, func(t *testing.T) { runDecoderFixtureThroughClient(t, f) })
	}
}

func runDecoderFixtureThroughClient(t *testing.T, f fixture) {
	d := f.Decoder
	for i, chunks := range d.chunkings {
		where := fmt.Sprintf("%s chunkings[%d] through sse.Client", f.File, i)
		parts := make([]string, len(chunks))
		for j, c := range chunks {
			parts[j] = string(c)
		}
		srv := ssetest.NewServer(t, ssetest.Script{Steps: []ssetest.Step{ssetest.Raw(parts...)}})
		var got decoded
		h := sse.HandlerFuncs{
			Event:   func(e sse.Event) { got.Events = append(got.Events, e) },
			Comment: func(s string) { got.Comments = append(got.Comments, s) },
			Error:   func(err error) { t.Errorf("%s: HandleError: %v", where, err) },
		}
		c, err := sse.NewClient(srv.URL, h, sse.WithStopAtEnd(), sse.WithClock(ssetest.NewClock(time.Unix(0, 0))))
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), safetyTimeout)
		require.NoError(t, c.Connect(ctx), where)
		cancel()
		got.LastEventID = c.LastEventID()
		got.RetryMs = d.retry // the Client keeps the retry to itself; client fixtures check its effect
		checkDecoded(t, where, d, got)
		srv.Close()
	}
}

// safetyTimeout bounds a fixture's run in real time, so that a client that
// never does what the fixture expects fails the test instead of hanging
// it. Nothing waits for it to pass.
const safetyTimeout = 20 * time.Second
