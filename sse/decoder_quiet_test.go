package sse_test

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/bookstrack/bookstrack-go/sse"
)

// piecesReader returns its pieces one per Read, then io.EOF.
type piecesReader struct{ pieces []string }

func (r *piecesReader) Read(p []byte) (int, error) {
	if len(r.pieces) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.pieces[0])
	if r.pieces[0] = r.pieces[0][n:]; r.pieces[0] == "" {
		r.pieces = r.pieces[1:]
	}
	return n, nil
}

// TestAStreamOfMidSizeEventsTurnsQuietAgainAfterABurst checks that a
// stream whose read buffer grew in a burst (a snapshot and a backlog at
// once) turns quiet again once its events come one per read, events of
// 300 bytes included, and then waits without its read buffer (issue 21,
// item 1). (Reads that end inside an event do not make it quiet:
// TestLeanPathAllocatesAlmostNothingPerLargeEvent.)
func TestAStreamOfMidSizeEventsTurnsQuietAgainAfterABurst(t *testing.T) {
	event := func(i int) string {
		return fmt.Sprintf("id: %d\ndata: {\"progress\":%d,\"message\":%q}\n\n", i, i, strings.Repeat("m", 260))
	}
	var burst strings.Builder
	for i := range 8 {
		burst.WriteString(event(i))
	}
	pieces := []string{burst.String()}
	for i := 8; i < 20; i++ {
		pieces = append(pieces, event(i))
	}
	r := sse.WaitingReader(&piecesReader{pieces: pieces})
	d := sse.NewDecoder(r)
	waitsAt := map[int]int{} // events read: waits so far
	for i := 0; ; i++ {
		if _, err := d.Decode(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		waitsAt[i+1] = sse.Waits(r)
	}
	if waitsAt[20] <= waitsAt[8] {
		t.Fatalf("the Decoder never waited after the burst: its read buffer stayed busy (waits %d after 8 events, %d after 20)", waitsAt[8], waitsAt[20])
	}
	t.Logf("waits after 8, 12, 16, 20 events: %d, %d, %d, %d", waitsAt[8], waitsAt[12], waitsAt[16], waitsAt[20])

}
