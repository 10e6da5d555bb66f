package sse_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/bookstrack/bookstrack-go/sse"
)

// shortReader returns at most n bytes per Read, as a stream whose events
// arrive one at a time.
type shortReader struct {
	r io.Reader
	n int
}

func (s shortReader) Read(p []byte) (int, error) { return s.r.Read(p[:min(len(p), s.n)]) }

// variedEvents returns a stream of n events and the events it holds: data
// from empty to past the size cut from a block, in one or two lines, an
// ID that changes on most events, a type that changes on some.
func variedEvents(n int) ([]byte, []sse.Event) {
	var b bytes.Buffer
	want := make([]sse.Event, n)
	id := ""
	for i := range n {
		if i%3 != 0 {
			id = fmt.Sprintf("ev-%d", i)
			fmt.Fprintf(&b, "id: %s\n", id)
		}
		typ := "message"
		if i%4 == 0 {
			typ = fmt.Sprintf("type-%d", i%7)
			fmt.Fprintf(&b, "event: %s\n", typ)
		}
		data := strings.Repeat(string(rune('a'+i%26)), (i*37)%700)
		if i%5 == 0 {
			data += "\nsecond line"
		}
		for _, line := range strings.Split(data, "\n") {
			fmt.Fprintf(&b, "data: %s\n", line)
		}
		b.WriteString("\n")
		want[i] = sse.Event{ID: id, Type: typ, Data: data}
	}
	return b.Bytes(), want
}

func TestDecodeKeepsTheEventsOfABusyStreamIntact(t *testing.T) {
	// A busy stream's small events are cut from shared blocks: every
	// event kept to the end must still read as it was sent, whatever
	// came after it in the same block or the next.
	stream, want := variedEvents(3000)
	for _, c := range []struct {
		name string
		r    io.Reader
	}{
		{"busy", bytes.NewReader(stream)},
		{"quiet", shortReader{bytes.NewReader(stream), 100}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := sse.NewDecoder(c.r)
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
			if len(kept) != len(want) {
				t.Fatalf("decoded %d events, want %d", len(kept), len(want))
			}
			for i, e := range kept {
				if e != want[i] {
					t.Fatalf("kept event %d = %.60q, want %.60q", i, e, want[i])
				}
			}
			if got := d.LastEventID(); got != want[len(want)-1].ID {
				t.Errorf("LastEventID() = %q, want %q", got, want[len(want)-1].ID)
			}
		})
	}
}

func TestDecodeOfABusyStreamAllocatesOnceForManyEvents(t *testing.T) {
	// Reads that fill the read buffer: small events share 4 KiB blocks.
	got := allocsPerEvent(t, func(r io.Reader) io.Reader { return r },
		func(d *sse.Decoder) error { _, err := d.Decode(); return err })
	t.Logf("Decode of a busy stream: %.3f allocations per event", got)
	if got > 0.1 {
		t.Errorf("Decode of a busy stream made %.3f allocations per event, want at most 0.1", got)
	}
}
