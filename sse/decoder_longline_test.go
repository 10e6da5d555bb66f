package sse_test

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/bookstrack/bookstrack-go/sse"
)

// Found by TestDifferential (issue 18): a line that is not spilled to the
// data buffer (a comment, an event or id field, or a data line under a
// maximum below the spill size) and longer than half the maximum filled
// the read buffer past half once the buffer could grow no more, so each
// read replaced the buffer by a new one of the same size and copied the
// line into it: in small reads, time and allocation quadratic in the
// line (a 1 MiB comment under a 1 MiB maximum in 256-byte reads: 2 GiB
// allocated; a 256 KiB comment in 2-byte reads: 9 s under -race). The
// buffer now stays once it has reached its largest size.
func TestDecoderLongLineInSmallReadsAllocatesLinearly(t *testing.T) {
	const limit = 1 << 20
	line := limit - 100 // accepted: the limit is not reached
	for _, c := range []struct {
		name, in string
		max      int
		want     []frameItem
	}{
		{"comment", ":" + strings.Repeat("c", line) + "\n\ndata: b\n\n", limit, []frameItem{commentItem(strings.Repeat("c", line)), msg("", "b")}},
		{"event field", "event: " + strings.Repeat("e", line) + "\ndata: b\n\n", limit, []frameItem{ev("", strings.Repeat("e", line), "b")}},
		{"id field", "id: " + strings.Repeat("i", line) + "\n\ndata: b\n\n", limit, []frameItem{msg(strings.Repeat("i", line), "b")}},
		// Under a maximum of 60 KiB, data lines are never spilled.
		{"data line", "data: " + strings.Repeat("d", 50<<10) + "\n\n", 60 << 10, []frameItem{msg("", strings.Repeat("d", 50<<10))}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := sse.NewDecoder(shortReader{r: strings.NewReader(c.in), n: 256})
			d.SetMaxEventSize(c.max)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			got, err := drainFrames(d, 10)
			runtime.ReadMemStats(&after)
			if !slices.Equal(got, c.want) || err != io.EOF {
				t.Fatalf("got %d frames then %v; want %d then io.EOF", len(got), err, len(c.want))
			}
			// The read buffer doubles up to the maximum (about twice it in
			// all), the frame's strings take one more.
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("%s of %d bytes in 256-byte reads: %.1f MiB allocated", c.name, len(c.in), float64(alloc)/(1<<20))
			if alloc > uint64(6*c.max) {
				t.Errorf("allocated %s for a stream of %d bytes with a maximum of %d, want at most 6x the maximum", fmtBytes(alloc), len(c.in), c.max)
			}
		})
	}
}

func fmtBytes(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
