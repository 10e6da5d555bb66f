package sse

import (
	"bytes"
	"io"
	"math"
	"time"
	"unicode/utf8"
)

// DefaultMaxEventSize is the largest event block a Decoder accepts unless
// told otherwise: 16 MiB, counted over the bytes of the block's lines
// without their line ends. It leaves room for a job's final event carrying
// thousands of books while bounding what a faulty server can make a
// client buffer.
const DefaultMaxEventSize = 16 << 20

const (
	minReadSize    = 4 << 10 // the smallest read the decoder asks for
	keepDataBuffer = 1 << 20 // a data buffer grown past this is dropped after its event
	maxEmptyReads  = 100     // reads returning 0, nil before io.ErrNoProgress
)

// Kind says what a Frame holds.
type Kind uint8

// The kinds of Frame.
const (
	// KindEvent is a dispatched event, in Frame.Event.
	KindEvent Kind = iota + 1
	// KindComment is a comment line, its text in Frame.Comment.
	KindComment
	// KindRetry is a retry field with a valid value, in Frame.Retry.
	KindRetry
)

// String returns "event", "comment" or "retry".
func (k Kind) String() string {
	switch k {
	case KindEvent:
		return "event"
	case KindComment:
		return "comment"
	case KindRetry:
		return "retry"
	}
	return "unknown"
}

// Frame is one thing a Decoder found in a stream: an event, a comment or a
// retry value. Which one is in Kind; the other fields are zero.
type Frame struct {
	Kind Kind
	// Event is the event, for KindEvent.
	Event Event
	// Comment is the text after the colon, without one leading space, for
	// KindComment.
	Comment string
	// Retry is the reconnection time, for KindRetry. Values too large for a
	// time.Duration saturate at its maximum.
	Retry time.Duration
}

// Decoder reads events from a text/event-stream, following the "Parsing an
// event stream" and "Interpreting an event stream" sections of the WHATWG
// HTML standard to the letter:
//
//   - one leading UTF-8 byte order mark is skipped (only the first);
//   - lines end with CRLF, LF or CR, wherever the reads split them;
//   - a line starting with a colon is a comment;
//   - a field without a colon has an empty value, and one space after the
//     colon is removed;
//   - data lines are joined with LF; event sets the type; id sets the last
//     event ID unless it holds NUL, and an empty id clears it; retry sets
//     the reconnection time when it is all ASCII digits; other fields are
//     ignored;
//   - a block whose data buffer is empty dispatches nothing, but its id
//     and retry fields still apply;
//   - an incomplete block at the end of the stream is discarded;
//   - invalid UTF-8 is replaced with U+FFFD, one for each maximal invalid
//     subsequence, as the WHATWG UTF-8 decoder does.
//
// A Decoder is a pull parser: it starts no goroutine and reads from its
// reader only inside Next and Decode. It is not safe for concurrent use.
// Memory is bounded by the maximum event size (DefaultMaxEventSize unless
// SetMaxEventSize says otherwise) and time is linear in the input, however
// the reads split it.
//
// A Decoder reports how the stream ends through the errors of Next and
// Decode: io.EOF at the end of the input, or the reader's error. Both are
// sticky. An *EventTooLargeError is not: the oversized block is skipped and
// the next call goes on with the block after it.
type Decoder struct {
	r   io.Reader
	buf []byte
	// The unread bytes are buf[start:end]. The scan positions are absolute
	// indexes into buf: no LF lies in [start, lfScan) when lf < start, lf
	// is the next LF when lf >= start, and no CR lies in [start, crScan).
	start, end     int
	lf, lfScan     int
	crScan         int
	err            error // read error, returned once the buffered lines are used up
	max            int
	bomChecked     bool
	skipLF         bool // the last line ended with CR, so a leading LF belongs to it
	skipping       bool // discarding an oversized block up to its blank line
	partial        bool // while skipping: inside a line whose start was discarded
	size           int  // bytes of line content in the current block
	data           []byte
	eventType      string
	idBuf          string // the last event ID buffer
	idPending      bool   // the current block has an id field
	lastID         string // the last event ID string
	retry          time.Duration
	hasRetry       bool
	scratch        []byte // a line with its invalid UTF-8 replaced
	emptyReadCount int
}

// NewDecoder returns a Decoder that reads from r. It buffers what it reads,
// so it may read past the last event it returns.
func NewDecoder(r io.Reader) *Decoder {
	return &Decoder{r: r, max: DefaultMaxEventSize, lf: -1}
}

// SetMaxEventSize sets the largest event block the Decoder accepts, in
// bytes of line content as received (before invalid UTF-8 is replaced);
// n <= 0 restores DefaultMaxEventSize. A larger
// block yields an *EventTooLargeError and is skipped. It takes effect from
// the next line read.
func (d *Decoder) SetMaxEventSize(n int) {
	if n <= 0 {
		n = DefaultMaxEventSize
	}
	d.max = n
}

// SetLastEventID sets the last event ID that events without an id field
// inherit, as when resuming a stream after a reconnection.
func (d *Decoder) SetLastEventID(id string) {
	if !d.idPending {
		d.idBuf = id
	}
	d.lastID = id
}

// LastEventID returns the last event ID string: the ID of the last
// dispatched block (a block without data counts) or the one given to
// SetLastEventID. This is what a client sends as Last-Event-ID.
func (d *Decoder) LastEventID() string { return d.lastID }

// Retry returns the reconnection time of the last valid retry field, and
// false when there has been none.
func (d *Decoder) Retry() (time.Duration, bool) { return d.retry, d.hasRetry }

// Decode returns the next event, skipping comments and retry fields (their
// effects still apply: see Retry). It returns io.EOF at the end of the
// stream.
func (d *Decoder) Decode() (Event, error) {
	for {
		f, err := d.Next()
		if err != nil {
			return Event{}, err
		}
		if f.Kind == KindEvent {
			return f.Event, nil
		}
	}
}

// Next returns the next event, comment or valid retry field. At the end of
// the stream it returns io.EOF, discarding an incomplete block.
func (d *Decoder) Next() (Frame, error) {
	for {
		line, err := d.readLine()
		if err != nil {
			if _, tooLarge := err.(*EventTooLargeError); !tooLarge {
				d.discardBlock()
			}
			return Frame{}, err
		}
		if len(line) == 0 {
			if ev, ok := d.dispatch(); ok {
				return Frame{Kind: KindEvent, Event: ev}, nil
			}
			continue
		}
		if f, ok := d.field(line); ok {
			return f, nil
		}
	}
}

// readLine returns the next line of the current block without its line
// end. The slice is valid until the next call. While an oversized block is
// being skipped it consumes lines without returning them.
func (d *Decoder) readLine() ([]byte, error) {
	for {
		if d.skipLF && d.start < d.end {
			if d.buf[d.start] == '\n' {
				d.start++
			}
			d.skipLF = false
		}
		if !d.bomChecked && !d.checkBOM() {
			if err := d.fill(); err != nil {
				return nil, err
			}
			continue
		}
		if eol := d.findEOL(); eol >= 0 {
			line := d.buf[d.start:eol]
			d.skipLF = d.buf[eol] == '\r'
			d.start = eol + 1
			if d.skipping {
				if len(line) == 0 && !d.partial {
					d.skipping = false
					d.size = 0
				}
				d.partial = false
				continue
			}
			if len(line) > 0 {
				d.size += len(line)
				if d.size > d.max {
					return nil, d.tooLarge(false)
				}
			}
			return line, nil
		}
		// No complete line is buffered.
		if d.skipping {
			d.partial = d.partial || d.start < d.end
			d.start, d.end = 0, 0
			d.lf, d.lfScan, d.crScan = -1, 0, 0
		} else if d.size+d.end-d.start > d.max {
			d.start, d.end = 0, 0
			d.lf, d.lfScan, d.crScan = -1, 0, 0
			return nil, d.tooLarge(true)
		}
		if err := d.fill(); err != nil {
			return nil, err
		}
	}
}

// checkBOM skips a leading byte order mark. It reports false when it needs
// more bytes to tell.
func (d *Decoder) checkBOM() bool {
	const bom = "\xEF\xBB\xBF"
	b := d.buf[d.start:d.end]
	if len(b) < len(bom) && bytes.HasPrefix([]byte(bom), b) && d.err == nil {
		return false
	}
	if bytes.HasPrefix(b, []byte(bom)) {
		d.start += len(bom)
	}
	d.bomChecked = true
	return true
}

// findEOL returns the index in buf of the first CR or LF in the unread
// bytes, or -1. Each byte is searched at most once for each of the two.
func (d *Decoder) findEOL() int {
	if d.lf < d.start {
		from := max(d.start, d.lfScan)
		if i := bytes.IndexByte(d.buf[from:d.end], '\n'); i >= 0 {
			d.lf = from + i
		} else {
			d.lf = -1
			d.lfScan = d.end
		}
	}
	limit := d.end
	if d.lf >= 0 {
		limit = d.lf
	}
	from := max(d.start, d.crScan)
	if i := bytes.IndexByte(d.buf[from:limit], '\r'); i >= 0 {
		return from + i
	}
	d.crScan = limit
	return d.lf
}

// tooLarge starts skipping the current block. partial says the line being
// read is not complete yet.
func (d *Decoder) tooLarge(partial bool) error {
	d.discardBlock()
	d.skipping = true
	d.partial = partial
	return &EventTooLargeError{Limit: d.max}
}

// fill reads more bytes into the buffer, making room first. It returns the
// sticky read error once nothing more can be read.
func (d *Decoder) fill() error {
	if d.err != nil {
		return d.err
	}
	if d.start > 0 {
		n := copy(d.buf, d.buf[d.start:d.end])
		shift := d.start
		d.start, d.end = 0, n
		if d.lf >= 0 {
			d.lf -= shift
		}
		d.lfScan = max(d.lfScan-shift, 0)
		d.crScan = max(d.crScan-shift, 0)
	}
	if len(d.buf)-d.end < minReadSize {
		grown := make([]byte, max(2*len(d.buf), d.end+minReadSize))
		copy(grown, d.buf[:d.end])
		d.buf = grown
	}
	n, err := d.r.Read(d.buf[d.end:])
	if n < 0 || n > len(d.buf)-d.end {
		err = io.ErrShortBuffer // a broken reader: stop rather than trust it
		n = 0
	}
	d.end += n
	switch {
	case err != nil:
		d.err = err
	case n == 0:
		d.emptyReadCount++
		if d.emptyReadCount >= maxEmptyReads {
			d.err = io.ErrNoProgress
		}
	default:
		d.emptyReadCount = 0
	}
	if n == 0 && d.err != nil {
		return d.err
	}
	return nil
}

// field applies one non-empty line. It returns a frame for comments and
// valid retry fields.
func (d *Decoder) field(line []byte) (Frame, bool) {
	if !utf8.Valid(line) {
		d.scratch = appendReplacingInvalid(d.scratch[:0], line)
		line = d.scratch
	}
	if line[0] == ':' {
		return Frame{Kind: KindComment, Comment: string(trimSpace(line[1:]))}, true
	}
	name, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		name, value = line[:i], trimSpace(line[i+1:])
	}
	switch string(name) {
	case "data":
		d.data = append(d.data, value...)
		d.data = append(d.data, '\n')
	case "event":
		if string(value) != d.eventType {
			d.eventType = string(value)
		}
	case "id":
		if bytes.IndexByte(value, 0) < 0 {
			if string(value) != d.idBuf {
				d.idBuf = string(value)
			}
			d.idPending = true
		}
	case "retry":
		if r, ok := parseRetry(value); ok {
			d.retry, d.hasRetry = r, true
			return Frame{Kind: KindRetry, Retry: r}, true
		}
	}
	return Frame{}, false
}

// dispatch ends the current block, returning its event if it has data.
func (d *Decoder) dispatch() (Event, bool) {
	d.lastID = d.idBuf
	d.idPending = false
	d.size = 0
	if len(d.data) == 0 {
		d.eventType = ""
		return Event{}, false
	}
	ev := Event{ID: d.lastID, Type: d.eventType, Data: string(d.data[:len(d.data)-1])}
	if ev.Type == "" {
		ev.Type = "message"
	}
	d.eventType = ""
	d.data = d.data[:0]
	if cap(d.data) > keepDataBuffer {
		d.data = nil
	}
	return ev, true
}

// discardBlock forgets the block being read, as at the end of the stream.
func (d *Decoder) discardBlock() {
	d.data = d.data[:0]
	if cap(d.data) > keepDataBuffer {
		d.data = nil
	}
	d.eventType = ""
	d.idBuf = d.lastID
	d.idPending = false
	d.size = 0
}

func trimSpace(b []byte) []byte {
	if len(b) > 0 && b[0] == ' ' {
		return b[1:]
	}
	return b
}

// parseRetry reads a retry value in milliseconds: one or more ASCII digits,
// nothing else. Huge values saturate.
func parseRetry(b []byte) (time.Duration, bool) {
	if len(b) == 0 {
		return 0, false
	}
	const limit = math.MaxInt64 / int64(time.Millisecond)
	var ms int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		if ms <= limit {
			ms = ms*10 + int64(c-'0')
		}
	}
	if ms > limit {
		return time.Duration(math.MaxInt64), true
	}
	return time.Duration(ms) * time.Millisecond, true
}
