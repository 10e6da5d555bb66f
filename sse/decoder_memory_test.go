package sse_test

import (
	"errors"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/bookstrack/bookstrack-go/sse"
)

// patternReader returns n bytes of pat repeated, then io.EOF, without ever
// holding more than pat.
type patternReader struct {
	pat []byte
	off int
	n   int
}

func (r *patternReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	p = p[:min(len(p), r.n)]
	for i := range p {
		p[i] = r.pat[r.off]
		r.off = (r.off + 1) % len(r.pat)
	}
	r.n -= len(p)
	return len(p), nil
}

// heapSampler reads from r and samples the heap at each Read. It forces
// a collection whenever the heap has grown by a MiB since the last one, so
// that a sample of HeapAlloc is at most a MiB of garbage above what was
// live: the largest sample bounds the peak of the reader's caller, from
// above. After r's end, the live heap during the first Read that finds it
// is what the caller holds while it waits for more bytes.
type heapSampler struct {
	r      io.Reader
	peak   uint64
	lastGC uint64
	idle   uint64
	done   bool
}

func (s *heapSampler) Read(p []byte) (int, error) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	s.peak = max(s.peak, m.HeapAlloc)
	if m.HeapAlloc > s.lastGC+1<<20 {
		s.lastGC = liveHeap()
	}
	n, err := s.r.Read(p)
	if n == 0 && err == io.EOF && !s.done {
		s.done = true
		s.idle = liveHeap()
	}
	return n, err
}

// liveHeap returns the live heap after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// bigStream is a stream of one large event and how to check its data
// without copying it.
type bigStream struct {
	name  string
	parts func() []io.Reader
	check func(data string) bool
}

const bigSize = 15 << 20 // 15 MiB, under DefaultMaxEventSize

var bigStreams = []bigStream{
	{
		name: "15 MiB data line of invalid UTF-8 (each byte one U+FFFD)",
		parts: func() []io.Reader {
			return []io.Reader{strings.NewReader("data: "), &patternReader{pat: []byte{0xFF}, n: bigSize}, strings.NewReader("\n\n")}
		},
		check: func(data string) bool {
			return len(data) == 3*bigSize && strings.Count(data, "\uFFFD") == bigSize
		},
	},
	{
		name: "15 MiB data line of ASCII",
		parts: func() []io.Reader {
			return []io.Reader{strings.NewReader("data:"), &patternReader{pat: []byte{'x'}, n: bigSize}, strings.NewReader("\n\n")}
		},
		check: func(data string) bool { return len(data) == bigSize && strings.Count(data, "x") == bigSize },
	},
	{
		name: "15 MiB in data lines of 1 KiB, truncated sequences between them",
		parts: func() []io.Reader {
			line := "data:" + strings.Repeat("y", 1024-len("data:")-len("\xE2\x82\n")) + "\xE2\x82\n"
			return []io.Reader{&patternReader{pat: []byte(line), n: bigSize}, strings.NewReader("\n")}
		},
		check: func(data string) bool {
			lines := bigSize / 1024
			return strings.Count(data, "\n") == lines-1 && strings.Count(data, "\uFFFD") == lines
		},
	},
}

func TestDecoderPeakHeapStaysWithinTwiceTheEvent(t *testing.T) {
	for _, bs := range bigStreams {
		t.Run(bs.name, func(t *testing.T) {
			base := liveHeap()
			s := &heapSampler{r: io.MultiReader(bs.parts()...), lastGC: base}
			d := sse.NewDecoder(s)
			e, err := d.Decode()
			if err != nil {
				t.Fatal(err)
			}
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			peak := max(s.peak, m.HeapAlloc) - base
			if !bs.check(e.Data) {
				t.Fatalf("the event's data is wrong (%d bytes)", len(e.Data))
			}
			t.Logf("%d bytes of data: peak heap %.1f MiB, %.2fx the data", len(e.Data), float64(peak)/(1<<20), float64(peak)/float64(len(e.Data)))
			if peak > uint64(2*len(e.Data)) {
				t.Errorf("decoding an event of %d bytes of data peaked at %d bytes of heap, more than twice the event", len(e.Data), peak)
			}
			runtime.KeepAlive(d)
		})
	}
}

func TestDecoderReturnsToAFewKiBAfterALargeEvent(t *testing.T) {
	// A large event fills every read: the read buffer is at its busiest,
	// 16 KiB, when the next read waits.
	const fewKiB = 32 << 10
	streams := slices.Clone(bigStreams)
	streams = append(streams, bigStream{
		name: "1 MiB comment line of invalid UTF-8, then a small event",
		parts: func() []io.Reader {
			return []io.Reader{strings.NewReader(":"), &patternReader{pat: []byte{0xC0}, n: 1 << 20}, strings.NewReader("\ndata: ok\n\n")}
		},
		check: func(data string) bool { return data == "ok" },
	})
	for _, bs := range streams {
		t.Run(bs.name, func(t *testing.T) {
			base := liveHeap()
			s := &heapSampler{r: io.MultiReader(bs.parts()...), lastGC: base}
			d := sse.NewDecoder(s)
			e, err := d.Decode()
			if err != nil {
				t.Fatal(err)
			}
			if !bs.check(e.Data) {
				t.Fatalf("the event's data is wrong (%d bytes)", len(e.Data))
			}
			e = sse.Event{}
			// The next Decode waits in Read for more; that is when the
			// sampler measures what the Decoder holds.
			if _, err := d.Decode(); err != io.EOF {
				t.Fatalf("second Decode = %v, want io.EOF", err)
			}
			held := int64(s.idle) - int64(base)
			t.Logf("held while waiting after the event: %d bytes", held)
			if held > fewKiB {
				t.Errorf("after a large event the Decoder holds %d bytes while it waits, want at most %d", held, fewKiB)
			}
			runtime.KeepAlive(d)
			_ = e
		})
	}
}

func TestDecoderLongRunOfCommentsDoesNotMakeTheNextEventTooLarge(t *testing.T) {
	// 20 MiB of comments between two events, over the 16 MiB default: only
	// data accumulates, so neither event is too large.
	comment := ": " + strings.Repeat("c", 1021) + "\n"
	r := io.MultiReader(strings.NewReader("data: a\n\n"), &patternReader{pat: []byte(comment), n: 20 << 20}, strings.NewReader("data: b\n\n"))
	d := sse.NewDecoder(r)
	got, err := drainEvents(d, false, 10)
	if want := []frameItem{msg("", "a"), msg("", "b")}; !slices.Equal(got, want) || err != io.EOF {
		t.Errorf("got %v then %v; want %v then io.EOF", got, err, want)
	}
}

func TestDecoderEndlessCommentLineIsCutAtTheLimit(t *testing.T) {
	const limit = 1 << 20
	r := io.MultiReader(strings.NewReader("data: a\n\n:"), &patternReader{pat: []byte{'c'}, n: 8 * limit}, strings.NewReader("\n\ndata: b\n\n"))
	d := sse.NewDecoder(r)
	d.SetMaxEventSize(limit)
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	got, err := drainEvents(d, false, 10)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if want := []frameItem{msg("", "a"), tooLarge(limit), msg("", "b")}; !slices.Equal(got, want) || err != io.EOF {
		t.Errorf("got %v then %v; want %v then io.EOF", got, err, want)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("an 8 MiB comment line with a limit of 1 MiB: %.1f MiB allocated", float64(alloc)/(1<<20))
	// The read buffer doubles up to the limit (about three times the limit
	// in all), no further, and is not replaced while the rest of the line
	// is skipped.
	if alloc > 4*limit {
		t.Errorf("an endless comment line allocated %d bytes with a limit of %d, want at most 4x the limit", alloc, limit)
	}
}

func TestDecoderEndlessDataLineIsCutAtTheLimitWithoutGrowingTheReadBuffer(t *testing.T) {
	const limit = 1 << 20
	r := io.MultiReader(strings.NewReader("data:"), &patternReader{pat: []byte{'x'}, n: 8 * limit}, strings.NewReader("\n\ndata: b\n\n"))
	d := sse.NewDecoder(r)
	d.SetMaxEventSize(limit)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := d.Decode()
	runtime.ReadMemStats(&after)
	if !errors.Is(err, sse.ErrEventTooLarge) {
		t.Fatalf("Decode = %v, want ErrEventTooLarge", err)
	}
	if e, err := d.Decode(); err != nil || e.Data != "b" {
		t.Fatalf("Decode after the oversized line = %+v, %v; want the event b", e, err)
	}
	// The data buffer doubles up to the limit (about twice the limit in
	// all); the read buffer stays at 64 KiB.
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("an 8 MiB data line with a limit of 1 MiB: %.1f MiB allocated", float64(alloc)/(1<<20))
	if alloc > 4*limit {
		t.Errorf("an endless data line allocated %d bytes with a limit of %d, want at most 4x the limit", alloc, limit)
	}
}

// eventsReader returns one small event per Read, after a 1 MiB event
// read as fast as the Decoder asks when big.
type eventsReader struct {
	big     bool
	bigLeft int
	asked   []int // len(p) of each Read after the big event
}

func (r *eventsReader) Read(p []byte) (int, error) {
	if r.big {
		r.big, r.bigLeft = false, 1<<20
		return copy(p, "data: "), nil
	}
	if r.bigLeft > 0 {
		n := min(len(p), r.bigLeft)
		for i := range n {
			p[i] = 'x'
		}
		r.bigLeft -= n
		if r.bigLeft == 0 && len(p)-n >= 2 {
			n += copy(p[n:], "\n\n")
		} else if r.bigLeft == 0 {
			r.bigLeft = -1 // the blank line is next
		}
		return n, nil
	}
	if r.bigLeft < 0 {
		r.bigLeft = 0
		return copy(p, "\n\n"), nil
	}
	r.asked = append(r.asked, len(p))
	return copy(p, "id: 777\ndata: {\"processed\":1,\"total\":9}\n\n"), nil
}

func TestDecoderOfAQuietStreamHoldsNoReadBufferBeyondItsOwnKiB(t *testing.T) {
	const decoders, events = 1000, 20
	for _, big := range []bool{false, true} {
		name := "quiet from the start"
		if big {
			name = "quiet after a 1 MiB event"
		}
		t.Run(name, func(t *testing.T) {
			base := liveHeap()
			ds := make([]*sse.Decoder, decoders)
			var last *eventsReader
			for i := range ds {
				last = &eventsReader{big: big}
				ds[i] = sse.NewDecoder(last)
				for j := range events + btoi(big) {
					e, err := ds[i].Decode()
					if err != nil {
						t.Fatal(err)
					}
					if j == 0 && big && len(e.Data) != 1<<20 {
						t.Fatalf("the 1 MiB event came out as %d bytes", len(e.Data))
					}
				}
			}
			// Each Decoder is between two events, as a quiet stream's is
			// while its next read waits.
			held := (int64(liveHeap()) - int64(base)) / decoders
			t.Logf("held per Decoder between events: %d bytes; reads asked for %v", held, last.asked)
			// The Decoder itself with its 1 KiB quiet buffer, its reader
			// and the last event's id and type: a 4 KiB read buffer is too
			// much.
			if held > 2560 {
				t.Errorf("a quiet stream's Decoder holds %d bytes between events, want at most 2.5 KiB", held)
			}
			if n := last.asked[len(last.asked)-1]; n > 1<<10 {
				t.Errorf("a quiet stream's last read asked for %d bytes, want at most 1 KiB", n)
			}
			runtime.KeepAlive(ds)
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// busyEvent is the event a fillingReader repeats.
const busyEvent = "data: 0123456789abcdef0123456789abcdef\n\n"

// fillingReader fills every Read with busyEvent repeated and records how
// much each asked for.
type fillingReader struct {
	left, off int
	asked     []int
}

func (r *fillingReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	r.asked = append(r.asked, len(p))
	n := min(len(p), r.left)
	for i := range n {
		p[i] = busyEvent[(r.off+i)%len(busyEvent)]
	}
	r.left -= n
	r.off += n
	return n, nil
}

func TestDecoderReadsUpTo16KiBAtOnceFromABusyReader(t *testing.T) {
	const events = 2000
	r := &fillingReader{left: events * len(busyEvent)}
	d := sse.NewDecoder(r)
	n := 0
	for {
		_, err := d.Decode()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != events {
		t.Fatalf("decoded %d events, want %d", n, events)
	}
	// A read asks for the room after the partial event it keeps.
	if got := slices.Max(r.asked); got <= 16<<10-len(busyEvent) || got > 16<<10 {
		t.Errorf("reads asked for %v bytes; want them to reach 16 KiB less a partial event, and no more", r.asked)
	}
}
