package sse_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/bookstrack/bookstrack-go/sse"
)

// drainEvents decodes r to its end with Decode, or with DecodeBytes when
// borrowed is set (copying each event before the next call), and returns
// the events and *EventTooLargeErrors in order, then the final error.
func drainEvents(d *sse.Decoder, borrowed bool, maxCalls int) ([]frameItem, error) {
	var got []frameItem
	for range maxCalls {
		var (
			e   sse.Event
			err error
		)
		if borrowed {
			var b sse.EventBytes
			b, err = d.DecodeBytes()
			e = b.Event()
		} else {
			e, err = d.Decode()
		}
		var tl *sse.EventTooLargeError
		switch {
		case err == nil:
			got = append(got, frameItem{Frame: sse.Frame{Kind: sse.FrameEvent, Event: e}})
		case errors.As(err, &tl):
			got = append(got, frameItem{TooLarge: tl.Limit})
		default:
			return got, err
		}
	}
	return got, fmt.Errorf("no end after %d calls", maxCalls)
}

// eventsOf keeps the events and *EventTooLargeErrors of items.
func eventsOf(items []frameItem) []frameItem {
	return slices.DeleteFunc(slices.Clone(items), func(it frameItem) bool {
		return it.TooLarge == 0 && it.Frame.Kind != sse.FrameEvent
	})
}

func newDecoderFor(c decodeCase, r io.Reader) *sse.Decoder {
	d := sse.NewDecoder(r)
	if c.max != 0 {
		d.SetMaxEventSize(c.max)
	}
	if c.seedID != "" {
		d.SetLastEventID(c.seedID)
	}
	return d
}

func TestDecodeBytesGivesTheEventsDecodeGives(t *testing.T) {
	readers := map[string]func(string) io.Reader{
		"one read":       func(s string) io.Reader { return strings.NewReader(s) },
		"one byte reads": func(s string) io.Reader { return iotest.OneByteReader(strings.NewReader(s)) },
		"3 byte reads":   func(s string) io.Reader { return &chunkReader{chunks: splitEvery(s, 3)} },
	}
	for _, c := range decodeCases {
		for how, reader := range readers {
			want := eventsOf(c.want)
			d := newDecoderFor(c, reader(c.in))
			got, err := drainEvents(d, true, len(c.in)+10)
			if !slices.Equal(got, want) || err != io.EOF {
				t.Errorf("%s, %s: DecodeBytes gave %v then %v; want %v then io.EOF", c.name, how, got, err, want)
			}
			if id := d.LastEventID(); id != c.lastID {
				t.Errorf("%s, %s: after DecodeBytes, LastEventID() = %q, want %q", c.name, how, id, c.lastID)
			}
		}
	}
}

func TestEventBytesEventCopiesEveryField(t *testing.T) {
	b := sse.EventBytes{ID: []byte("7"), Type: []byte("progress"), Data: []byte("{}")}
	e := b.Event()
	for _, f := range [][]byte{b.ID, b.Type, b.Data} {
		for i := range f {
			f[i] = 'X'
		}
	}
	if want := (sse.Event{ID: "7", Type: "progress", Data: "{}"}); e != want {
		t.Errorf("Event() = %+v after its source was overwritten, want %+v", e, want)
	}
	if e := (sse.EventBytes{}).Event(); e != (sse.Event{}) {
		t.Errorf("zero EventBytes.Event() = %+v, want the zero Event", e)
	}
}

// allocsPerEvent measures the allocations of decoding a stream of n small
// events with changing ids, read through reader, as the difference between
// n and 5n events so that NewDecoder and the buffers' first growth cancel
// out.
func allocsPerEvent(t *testing.T, reader func(io.Reader) io.Reader, decode func(*sse.Decoder) error) float64 {
	t.Helper()
	run := func(n int) float64 {
		stream := smallEvents(n, "\n")
		r := bytes.NewReader(stream)
		rr := reader(r)
		return testing.AllocsPerRun(20, func() {
			r.Reset(stream)
			d := sse.NewDecoder(rr)
			for {
				if err := decode(d); err == io.EOF {
					return
				} else if err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	const n = 200
	return (run(5*n) - run(n)) / (4 * n)
}

func TestDecodeAllocatesOncePerEventWhoseIDChanges(t *testing.T) {
	// Reads of one event at a time: a quiet stream's events get their
	// own allocations.
	quiet := func(r io.Reader) io.Reader { return shortReader{r, 200} }
	got := allocsPerEvent(t, quiet, func(d *sse.Decoder) error { _, err := d.Decode(); return err })
	t.Logf("Decode: %.3f allocations per event", got)
	// The longer stream's longer ids may grow a buffer once more: 1/800.
	if got > 1.002 {
		t.Errorf("Decode made %.3f allocations per event, want at most 1 (data and id share one)", got)
	}
}

func TestDecodeBytesAllocatesNothingPerEvent(t *testing.T) {
	got := allocsPerEvent(t, func(r io.Reader) io.Reader { return r },
		func(d *sse.Decoder) error { _, err := d.DecodeBytes(); return err })
	t.Logf("DecodeBytes: %.3f allocations per event", got)
	if got > 0.05 {
		t.Errorf("DecodeBytes made %.3f allocations per event, want at most 0.05", got)
	}
}

func TestDecodeKeepsTheEventsItReturnedIntact(t *testing.T) {
	// Strings share one allocation per event and the Decoder reuses its
	// buffers: an event kept across later calls must not change.
	stream := smallEvents(300, "\r\n")
	d := sse.NewDecoder(iotest.HalfReader(bytes.NewReader(stream)))
	var kept []sse.Event
	for {
		e, err := d.Decode()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, e)
	}
	want, err := drainEvents(sse.NewDecoder(bytes.NewReader(stream)), false, 1000)
	if err != io.EOF || len(want) != len(kept) {
		t.Fatalf("reference decode: %d events, %v", len(want), err)
	}
	for i, e := range kept {
		if e != want[i].Frame.Event || e.ID != fmt.Sprint(i) || e.Type != "book.updated" {
			t.Fatalf("kept event %d = %+v, want %+v", i, e, want[i].Frame.Event)
		}
	}
}
