package sse_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bookstrack/bookstrack-go/sse"
)

func TestEventWriteTo(t *testing.T) {
	cases := []struct {
		name string
		e    sse.Event
		want string
	}{
		{"data only", sse.Event{Data: "x"}, "data: x\n\n"},
		{"empty data", sse.Event{}, "data: \n\n"},
		{"all fields", sse.Event{ID: "1", Type: "add", Data: "a"}, "id: 1\nevent: add\ndata: a\n\n"},
		{"message type is not written", sse.Event{Type: "message", Data: "a"}, "data: a\n\n"},
		{"LF splits data lines", sse.Event{Data: "a\nb\n"}, "data: a\ndata: b\ndata: \n\n"},
		{"CRLF and CR split data lines", sse.Event{Data: "a\r\nb\rc"}, "data: a\ndata: b\ndata: c\n\n"},
		{"empty lines in data", sse.Event{Data: "\n\n"}, "data: \ndata: \ndata: \n\n"},
		{"leading space in id, type and data", sse.Event{ID: " i", Type: " t", Data: " d"}, "id:  i\nevent:  t\ndata:  d\n\n"},
		{"NUL in type and data", sse.Event{Type: "a\x00b", Data: "\x00"}, "event: a\x00b\ndata: \x00\n\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			n, err := c.e.WriteTo(&b)
			if err != nil || b.String() != c.want || n != int64(b.Len()) {
				t.Errorf("WriteTo(%+v) wrote %q, returned %d, %v; want %q, %d, nil", c.e, b.String(), n, err, c.want, len(c.want))
			}
		})
	}
}

func TestEventWriteToInvalid(t *testing.T) {
	cases := []struct {
		name string
		e    sse.Event
	}{
		{"LF in id", sse.Event{ID: "a\nb", Data: "x"}},
		{"CR in id", sse.Event{ID: "a\rb", Data: "x"}},
		{"CRLF in id", sse.Event{ID: "a\r\n", Data: "x"}},
		{"NUL in id", sse.Event{ID: "a\x00b", Data: "x"}},
		{"NUL alone as id", sse.Event{ID: "\x00"}},
		{"LF in type", sse.Event{Type: "a\nb", Data: "x"}},
		{"CR in type", sse.Event{Type: "\r", Data: "x"}},
		{"bad id and bad type", sse.Event{ID: "\n", Type: "\n"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			n, err := c.e.WriteTo(&b)
			if !errors.Is(err, sse.ErrInvalidEvent) {
				t.Errorf("WriteTo(%+v) = %v, want an error matching ErrInvalidEvent", c.e, err)
			}
			if n != 0 || b.Len() != 0 {
				t.Errorf("WriteTo(%+v) wrote %q and returned %d, want nothing written", c.e, b.String(), n)
			}
		})
	}
}

// failingWriter accepts n bytes, then fails.
type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) <= w.n {
		w.n -= len(p)
		return len(p), nil
	}
	n := w.n
	w.n = 0
	return n, errWriteFailed
}

var errWriteFailed = errors.New("write failed")

func TestEventWriteToWriterError(t *testing.T) {
	n, err := sse.Event{ID: "1", Data: "abc"}.WriteTo(&failingWriter{n: 4})
	if err != errWriteFailed || n != 4 {
		t.Errorf("WriteTo = %d, %v; want 4, %v", n, err, errWriteFailed)
	}
}

// roundTrip writes e and reads the output with a fresh Decoder, which must
// give back exactly one event.
func roundTrip(t *testing.T, e sse.Event) sse.Event {
	t.Helper()
	var b bytes.Buffer
	if _, err := e.WriteTo(&b); err != nil {
		t.Fatalf("WriteTo(%+v): %v", e, err)
	}
	d := sse.NewDecoder(&b)
	got, err := d.Decode()
	if err != nil {
		t.Fatalf("decoding %q: %v", b.String(), err)
	}
	if _, err := d.Decode(); err != io.EOF {
		t.Fatalf("decoding the output of WriteTo(%+v): second Decode = %v, want io.EOF", e, err)
	}
	return got
}

// expectedRoundTrip is what decoding the output of e.WriteTo gives: the
// type defaults to "message", and data line ends become LF.
func expectedRoundTrip(e sse.Event) sse.Event {
	if e.Type == "" {
		e.Type = "message"
	}
	e.Data = strings.ReplaceAll(e.Data, "\r\n", "\n")
	e.Data = strings.ReplaceAll(e.Data, "\r", "\n")
	return e
}

func TestEventRoundTrip(t *testing.T) {
	events := []sse.Event{
		{},
		{Data: "x"},
		{ID: "42", Type: "book.updated", Data: `{"id":42,"title":"Dune"}`},
		{ID: " lead", Type: " lead", Data: " lead\n  two"},
		{Data: "a\n\nb\n"},
		{Data: "a\r\nb\rc\r"},
		{ID: "é", Type: "世界", Data: "😀\uFFFD\uFEFF"},
		{Type: "message", Data: "m"},
		{ID: "id: 2", Type: "event: x", Data: "data: y\n: z\nretry: 1"},
	}
	for _, e := range events {
		if got, want := roundTrip(t, e), expectedRoundTrip(e); got != want {
			t.Errorf("round trip of %+v gave %+v, want %+v", e, got, want)
		}
	}
}

// FuzzEventRoundTrip checks that an event WriteTo accepts comes back from a
// fresh Decoder, and that WriteTo refuses exactly the events the format
// cannot carry.
func FuzzEventRoundTrip(f *testing.F) {
	f.Add("", "", "")
	f.Add("1", "add", "a\nb")
	f.Add(" x", "message", "\r\n\r")
	f.Add("a\x00", "t", "d")
	f.Add("a", "t\n", "d")
	for _, data := range thresholdData() {
		f.Add("1", "t", data) // every size where the decoding changes (see TestDifferential)
	}
	f.Fuzz(func(t *testing.T, id, typ, data string) {
		e := sse.Event{ID: id, Type: typ, Data: data}
		invalid := strings.ContainsAny(id, "\r\n\x00") || strings.ContainsAny(typ, "\r\n")
		var b bytes.Buffer
		n, err := e.WriteTo(&b)
		if invalid {
			if !errors.Is(err, sse.ErrInvalidEvent) || n != 0 || b.Len() != 0 {
				t.Fatalf("WriteTo(%+v) = %d, %v, wrote %q; want an ErrInvalidEvent and nothing written", e, n, err, b.String())
			}
			return
		}
		if err != nil || n != int64(b.Len()) {
			t.Fatalf("WriteTo(%+v) = %d, %v for %d bytes written", e, n, err, b.Len())
		}
		if !utf8.ValidString(id) || !utf8.ValidString(typ) || !utf8.ValidString(data) {
			return // the Decoder replaces invalid UTF-8 with U+FFFD
		}
		if len(data) > sse.DefaultMaxEventSize/2 {
			return
		}
		if got, want := roundTrip(t, e), expectedRoundTrip(e); got != want {
			t.Fatalf("round trip of %+v through %q gave %+v", e, b.String(), got)
		}
	})
}
