package sse_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// Issue 18, item 7: a block with an id and no data ("id: 7\n\n")
// dispatches no event, but the WHATWG dispatch sets the last event ID
// string before it looks at the data buffer. The Client publishes it at
// once: a connection cut right after (idle timeout, Restart) resumes from
// it, instead of from the previous event's ID, which would make the
// server replay what was already delivered.

func TestIDOnlyBlockIsTheLastEventIDOfTheNextConnection(t *testing.T) {
	for _, tc := range []struct {
		name  string
		block string
		cut   func(*sse.Client[*recorder], *ssetest.Clock)
	}{
		{"idle timeout", "id: 7\n\n", func(_ *sse.Client[*recorder], clk *ssetest.Clock) { clk.Advance(30 * time.Second) }},
		{"Restart", "id: 7\n\n", func(c *sse.Client[*recorder], _ *ssetest.Clock) { c.Restart() }},
		{"idle timeout, CRLF and a retry field", "id: 7\r\nretry: 0\r\n\r\n", func(_ *sse.Client[*recorder], clk *ssetest.Clock) { clk.Advance(30 * time.Second) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, c, rec, clk := idleSetup(t, []ssetest.Script{
				// One write: the id-only block is read with the event.
				script(ssetest.Raw("id: 1\ndata: a\n\n"+tc.block), ssetest.Hang()),
				noContent,
			})
			done := connect(t, c)
			assert.Equal(t, "1", receive(t, rec.eventCh).ID)
			// The block may be read after the event (a transport may
			// split the write): wait until it is, then until the Client
			// waits for more.
			lastIDBecomes(t, c, "7")
			armed(t, clk)
			tc.cut(c, clk)
			require.NoError(t, receive(t, done))
			reqs := srv.Requests()
			require.Len(t, reqs, 2)
			id, ok := reqs[1].LastEventID()
			assert.True(t, ok)
			assert.Equal(t, "7", id, "Last-Event-ID of the reconnection")
			assert.Len(t, rec.Events(), 1)
		})
	}
}

func TestIDOnlyBlockThatRepeatsOrClearsTheID(t *testing.T) {
	// "id\n\n" clears the last event ID: the reconnection sends none.
	srv, c, rec, clk := idleSetup(t, []ssetest.Script{
		script(ssetest.Raw("id: 1\ndata: a\n\nid: 1\n\nid\n\n"), ssetest.Hang()),
		noContent,
	})
	done := connect(t, c)
	receive(t, rec.eventCh)
	lastIDBecomes(t, c, "")
	armed(t, clk)
	clk.Advance(30 * time.Second)
	require.NoError(t, receive(t, done))
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	_, ok := reqs[1].LastEventID()
	assert.False(t, ok, "no Last-Event-ID after an empty id")
}

func TestDecoderLastEventIDFollowsIDOnlyBlocks(t *testing.T) {
	d := sse.NewDecoder(&chunkReader{chunks: []string{"id: 1\ndata: a\n\nid: 7\n\n: c\n"}})
	f, err := d.Next()
	require.NoError(t, err)
	assert.Equal(t, "1", f.Event.ID)
	f, err = d.Next()
	require.NoError(t, err)
	assert.Equal(t, sse.FrameComment, f.Kind, "Next skips the id-only block, returning no frame for it")
	assert.Equal(t, "7", d.LastEventID())
}

// lastIDBecomes waits until c's LastEventID is want, for testTimeout at
// most: the blocks after an event may come in a later read.
func lastIDBecomes(t *testing.T, c *sse.Client[*recorder], want string) {
	t.Helper()
	require.Eventually(t, func() bool { return c.LastEventID() == want }, testTimeout, time.Millisecond,
		"LastEventID never became %q (it is %q)", want, c.LastEventID())
}
