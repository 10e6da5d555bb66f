package sse

import (
	"fmt"
	"io"
	"strings"
)

// Event is one event dispatched from a text/event-stream.
//
// The zero Type never comes out of a Decoder: a stream that names no type
// yields "message", as the WHATWG specification requires.
type Event struct {
	// ID is the last event ID in effect when the event was dispatched (the
	// specification's lastEventId). It is carried over from earlier events
	// when this one has no id field, and is empty after an empty id field.
	ID string
	// Type is the event type: the value of the last event field in the
	// event's block, or "message" when the block had none or an empty one.
	Type string
	// Data is the event's data: its data lines joined with "\n".
	Data string
}

// WriteTo writes e in the text/event-stream format: an id line when ID is
// not empty, an event line when Type is neither empty nor "message", one
// data line for each line of Data (split at CRLF, LF or CR), and a blank
// line. A fresh Decoder reading the output gives e back, with any CR or
// CRLF in Data read as LF. It implements io.WriterTo, so servers and tests
// can emit events without formatting them by hand.
//
// An ID or Type that holds CR or LF, or an ID that holds NUL, cannot be
// written in the format: WriteTo writes nothing and returns an error
// matching ErrInvalidEvent.
func (e Event) WriteTo(w io.Writer) (int64, error) {
	if strings.ContainsAny(e.ID, "\r\n\x00") {
		return 0, fmt.Errorf("%w: id %q holds CR, LF or NUL", ErrInvalidEvent, e.ID)
	}
	if strings.ContainsAny(e.Type, "\r\n") {
		return 0, fmt.Errorf("%w: type %q holds CR or LF", ErrInvalidEvent, e.Type)
	}
	var b strings.Builder
	if e.ID != "" {
		b.WriteString("id: ")
		b.WriteString(e.ID)
		b.WriteByte('\n')
	}
	if e.Type != "" && e.Type != "message" {
		b.WriteString("event: ")
		b.WriteString(e.Type)
		b.WriteByte('\n')
	}
	data := e.Data
	for {
		line, rest, found := cutLine(data)
		b.WriteString("data: ")
		b.WriteString(line)
		b.WriteByte('\n')
		if !found {
			break
		}
		data = rest
	}
	b.WriteByte('\n')
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// cutLine splits s at its first line end (CRLF, LF or CR).
func cutLine(s string) (line, rest string, found bool) {
	i := strings.IndexAny(s, "\r\n")
	if i < 0 {
		return s, "", false
	}
	if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
		return s[:i], s[i+2:], true
	}
	return s[:i], s[i+1:], true
}
