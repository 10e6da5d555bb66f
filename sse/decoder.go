package sse

import (
	"bytes"
	"io"
	"math"
	"strings"
	"time"
	"unsafe"
)

// DefaultMaxEventSize is the largest event a Decoder accepts unless told
// otherwise: 16 MiB, counted over the bytes of the block's data lines as
// received, without their line ends. Only data accumulates: comments and
// the id, event and retry fields do not add up, but no single line may be
// longer than the maximum either. It leaves room for a job's final event
// carrying thousands of books while bounding what a faulty server can make
// a client buffer.
const DefaultMaxEventSize = 16 << 20

// FrameKind says what a Frame holds.
type FrameKind uint8

// The kinds of Frame.
const (
	// FrameEvent is a dispatched event, in Frame.Event.
	FrameEvent FrameKind = iota + 1
	// FrameComment is a comment line, its text in Frame.Comment.
	FrameComment
	// FrameRetry is a retry field with a valid value, in Frame.Retry.
	FrameRetry
)

// kindLastID is what next reports for a block that dispatched no event
// but changed the last event ID (an id-only block such as "id: 7\n\n"):
// the Client publishes the new ID at once, as the WHATWG dispatch sets
// the last event ID string before it looks at the data buffer, so that a
// connection cut right after resumes from it. Next, Decode and
// DecodeBytes never return it.
const kindLastID FrameKind = 255

// String returns "event", "comment" or "retry".
func (k FrameKind) String() string {
	switch k {
	case FrameEvent:
		return "event"
	case FrameComment:
		return "comment"
	case FrameRetry:
		return "retry"
	}
	return "unknown"
}

// Frame is one thing a Decoder found in a stream: an event, a comment or a
// retry value. Which one is in Kind; the other fields are zero.
type Frame struct {
	Kind FrameKind
	// Event is the event, for FrameEvent.
	Event Event
	// Comment is the text after the colon, without one leading space, for
	// FrameComment.
	Comment string
	// Retry is the reconnection time, for FrameRetry. Values too large for a
	// time.Duration saturate at its maximum.
	Retry time.Duration
}

// EventBytes is an event as DecodeBytes and a BytesHandler see it: its
// fields are borrowed from the Decoder's buffers, with no copy. They hold
// the same bytes as Event's fields, invalid UTF-8 already replaced and
// Type already "message" when the stream named none.
//
// The slices are valid only until the next call of a method of the Decoder
// that returned them (for a BytesHandler: until HandleEventBytes returns),
// as with bufio.Scanner.Bytes: later reads overwrite them, and a quiet
// stream's read buffer goes back to a pool the process's Decoders share,
// so bytes kept past that point may come to hold another stream's data.
// This holds for the Data of an event over several data lines too: it is
// joined in a buffer the Decoder lends with the event and takes back at
// the next call, to join the next large event's data in. They must not be
// modified. To keep an event, copy it, for example with EventBytes.Event.
type EventBytes struct {
	ID   []byte
	Type []byte
	Data []byte
}

// Event returns a copy of e that may be kept: an Event whose strings share
// one allocation.
func (e EventBytes) Event() Event {
	var b strings.Builder
	b.Grow(len(e.ID) + len(e.Type) + len(e.Data))
	b.Write(e.Data)
	b.Write(e.ID)
	b.Write(e.Type)
	s := b.String()
	n, m := len(e.Data), len(e.Data)+len(e.ID)
	return Event{Data: s[:n], ID: s[n:m], Type: s[m:]}
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
// reader only inside Next, Decode and DecodeBytes. It is not safe for
// concurrent use. Time is linear in the input, however the reads split it:
// each byte read is searched once for a line end and checked once for
// UTF-8.
//
// Memory is bounded by the maximum event size (DefaultMaxEventSize unless
// SetMaxEventSize says otherwise). A data line longer than 64 KiB moves to
// the event's data buffer as it arrives instead of growing the read
// buffer; the data buffer doubles, never past what the maximum allows,
// and Decode hands it over as the event's Data string without a copy
// (unless it is less than half full). Decoding an event of n bytes of
// data (after U+FFFD replacement, which turns one invalid byte into three)
// thus peaks below 2n for the largest events (the buffer and its last
// growth; 1.6n for 15 MiB at the default maximum) and below 3n in
// general. Once an event is out, the Decoder lets go of every buffer grown
// past a few KiB: the read buffer is back to its working size before the
// next read. The exception is DecodeBytes's join buffer (see DecodeBytes),
// kept for the next large event: at most as large as the largest recent
// event's data buffer, it becomes that event's data buffer instead of a
// new one (or goes first, when too small), so the peak stays the same.
//
// The working size follows the reader. It starts at 1 KiB; a read that
// fills the room it was given makes it four times larger, up to 16 KiB,
// and four reads in a row that each bring less than a quarter of it and
// end where a frame does (an empty line, a comment line) make it four
// times smaller, down to 1 KiB again. A short read that ends elsewhere
// was cut short by the framing (a chunk's head and the start of its data,
// a TLS record, a server that flushes each line of a large event) and
// starts the count over. A busy stream thus reads 16 KiB per call, and a
// quiet or idle one (a job's progress every few hundred milliseconds,
// say) holds a read buffer of 1 KiB, taken from a pool the Decoders of a
// process share, and lets go of its block and of a large event's data
// buffer as it turns quiet. On the Client's transports a quiet stream
// holds no read buffer while it waits for the next bytes: the lean
// transport's own small read, or a small read of a net/http body, takes
// them.
//
// Decode and Next return events whose strings may be kept; the data, ID
// and type of one event up to 8 KiB share one allocation (an ID or type
// that repeats the previous event's is not copied again), so keeping one
// of them keeps the memory of all three, and a larger event's Data may
// keep up to twice its length (its buffer). While the stream is busy (its
// read buffer above 1 KiB), the strings of events up to 512 bytes are cut
// from 4 KiB blocks instead, one allocation for a few dozen events, never
// written again once handed out: keeping such an event keeps its block.
// As the stream turns quiet the Decoder lets go of its block, and each
// event gets its own allocation again. DecodeBytes returns borrowed bytes
// instead, with no allocation.
//
// A Decoder reports how the stream ends through the errors of Next,
// Decode and DecodeBytes: io.EOF at the end of the input, or the reader's
// error. Both are sticky. An *EventTooLargeError is not: the oversized
// block is skipped and the next call goes on with the block after it.
type Decoder struct {
	lineScanner // reading, line scanning and the buffers: decoder_scan.go
	fieldState  // the fields of the block being read and what next found
}

// fieldState is the field algorithm's state: the block being read, the
// last event ID and what next found. Its invariants:
//   - without hasData, inView is false and data is empty. With it, the
//     block's data (data lines joined with LF, invalid UTF-8 replaced)
//     is buf[viewStart:viewEnd] while inView (one valid data line still
//     in the read buffer), else data. fill moves a view into data
//     before it reads (beginData does when a second line comes), so a
//     view never outlives its bytes.
//   - data's capacity never passes what the maximum event size allows
//     (three times it after U+FFFD replacement); a buffer grown past
//     keepBuffer leaves with its event (evOwned) or with its discarded
//     block, and the small one kept in spare takes its place. A buffer
//     lent with an event (lent) is never data at the same time, and
//     growData takes it as data only from the next call on, when the
//     borrower's slices are no longer valid.
//   - lastID is the last event ID; idGen changes whenever it does.
//     idStr is lastID as a string while idStrOK, in published form (see
//     lastid.go) when idRef is not nil; typeStr is the type of the last
//     event handed out as a string. Strings handed out are never written
//     again.
//   - evData and evType hold the event dispatch found, read by
//     eventString or eventBytes before the next read; past that they
//     only hold memory, and moveTo drops a view of a read buffer it lets
//     go, forgetEvent what the caller now owns.
type fieldState struct {
	// The data of the current block, when hasData: buf[viewStart:viewEnd]
	// while inView (a single data line, still in the read buffer; data is
	// empty then), else data.
	hasData            bool
	inView             bool
	viewStart, viewEnd int
	data               []byte
	spare              []byte // data's small buffer, kept while data grows large
	dataHint           int    // the length of the last large event's data

	// lent is the large data buffer eventBytes lent with the last large
	// event, the Decoder's again from the next call: growData takes it
	// for the next large event instead of a new buffer. It goes after
	// lendEvents events in a row that did not take it (lentIdle counts
	// them) and as the stream turns quiet (adaptReadSize).
	lent     []byte
	lentIdle int

	typ       []byte // the current block's event type
	idPending bool   // the current block has an id field, in pendingID
	pendingID []byte
	lastID    []byte // the last event ID
	idGen     uint64 // counts the changes of lastID
	idStr     string // lastID as a string, when idStrOK
	idStrOK   bool
	idRef     *byte  // idStr in published form (see lastEventID), when idStrOK and not nil
	typeStr   string // the type of the last event handed out as a string

	// What next found: an event (evData, evType; evOwned when evData is a
	// large data buffer the Decoder has let go), a comment, a retry value.
	evData   []byte
	evType   []byte
	evOwned  bool
	comment  []byte
	retry    time.Duration
	hasRetry bool
	scratch  []byte // a comment with its invalid UTF-8 replaced
}

// NewDecoder returns a Decoder that reads from r. It buffers what it reads,
// so it may read past the last event it returns.
func NewDecoder(r io.Reader) *Decoder {
	w, _ := r.(waitReader)
	return &Decoder{lineScanner: lineScanner{r: r, w: w, max: DefaultMaxEventSize, lf: -1, cr: -1, readSize: quietReadSize}}
}

// newHeapDecoder is NewDecoder kept out of its caller's frame: inlined,
// the Decoder would live on the stack of the goroutine that reads the
// stream, and a parked idle stream would keep a stack twice as large.
//
//go:noinline
func newHeapDecoder(r io.Reader) *Decoder { return NewDecoder(r) }

// SetMaxEventSize sets the largest event the Decoder accepts, in bytes of
// data lines as received (before invalid UTF-8 is replaced), which is also
// the longest line it accepts; n <= 0 restores DefaultMaxEventSize. A
// larger event or line yields an *EventTooLargeError and its block is
// skipped. It takes effect from the next line read.
func (d *Decoder) SetMaxEventSize(n int) {
	if n <= 0 {
		n = DefaultMaxEventSize
	}
	d.max = n
}

// SetLastEventID sets the last event ID that events without an id field
// inherit, as when resuming a stream after a reconnection.
func (d *Decoder) SetLastEventID(id string) {
	d.lastID = append(d.lastID[:0], id...)
	d.idStr, d.idStrOK, d.idRef = id, true, nil
	d.idGen++
}

// LastEventID returns the last event ID string: the ID of the last
// dispatched block (a block without data counts) or the one given to
// SetLastEventID. This is what a client sends as Last-Event-ID.
func (d *Decoder) LastEventID() string {
	if !d.idStrOK {
		d.setIDString()
	}
	return d.idStr
}

// setIDString makes idStr of lastID, in published form.
func (d *Decoder) setIDString() {
	var b strings.Builder
	b.Grow(idPrefix + len(d.lastID))
	writeIDPrefix(&b, len(d.lastID))
	b.Write(d.lastID)
	s := b.String()
	d.idStr, d.idStrOK, d.idRef = s[idPrefix:], true, unsafe.StringData(s)
}

// Retry returns the reconnection time of the last valid retry field, and
// false when there has been none.
func (d *Decoder) Retry() (time.Duration, bool) { return d.retry, d.hasRetry }

// Decode returns the next event, skipping comments and retry fields (their
// effects still apply: see Retry). It returns io.EOF at the end of the
// stream.
func (d *Decoder) Decode() (Event, error) {
	for {
		k, err := d.next()
		if err != nil {
			return Event{}, err
		}
		if k == FrameEvent {
			return d.eventString(), nil
		}
	}
}

// DecodeBytes is Decode without copying: it returns the next event as
// bytes borrowed from the Decoder's buffers, valid until the next call of
// a method of the Decoder (see EventBytes). It allocates nothing once the
// buffers have grown to the stream's lines and events: the buffer that
// joins the data lines of an event past 8 KiB is lent with it and reused
// for the next such event, until 16 events in a row have not needed it
// or the stream turns quiet (as its read buffer shrinks back to 1 KiB),
// when the Decoder lets it go.
func (d *Decoder) DecodeBytes() (EventBytes, error) {
	for {
		k, err := d.next()
		if err != nil {
			return EventBytes{}, err
		}
		if k == FrameEvent {
			return d.eventBytes(), nil
		}
	}
}

// Next returns the next event, comment or valid retry field. At the end of
// the stream it returns io.EOF, discarding an incomplete block.
func (d *Decoder) Next() (Frame, error) {
	for {
		k, err := d.next()
		switch k {
		case FrameEvent:
			return Frame{Kind: FrameEvent, Event: d.eventString()}, nil
		case FrameComment:
			return Frame{Kind: FrameComment, Comment: string(d.comment)}, nil
		case FrameRetry:
			return Frame{Kind: FrameRetry, Retry: d.retry}, nil
		case kindLastID:
			continue
		}
		return Frame{}, err
	}
}

// next reads up to the next event, comment, valid retry field or change of
// the last event ID by a block without data (kindLastID), and says which
// it found: the event in evData and evType, the comment in comment, the
// retry value in retry, the ID in lastID.
func (d *Decoder) next() (FrameKind, error) {
	if d.comment != nil {
		d.comment = nil
	}
	if cap(d.scratch) > keepBuffer {
		d.scratch = nil
	}
	for {
		line, valid, err := d.readLine()
		if err != nil {
			if _, tooLarge := err.(*EventTooLargeError); !tooLarge {
				d.discardBlock()
			}
			return 0, err
		}
		if d.spilling {
			// The rest of a long data line.
			d.appendData(line, valid)
			d.spilling = false
			continue
		}
		if len(line) == 0 {
			gen := d.idGen
			if d.dispatch() {
				return FrameEvent, nil
			}
			if d.idGen != gen {
				return kindLastID, nil
			}
			continue
		}
		if k := d.field(line, valid); k != 0 {
			return k, nil
		}
	}
}

// field applies one non-empty line. It reports what it found when that is
// a comment or a valid retry field.
func (d *Decoder) field(line []byte, valid bool) FrameKind {
	// Invalid UTF-8 is replaced in values only: a field name holding some
	// is unknown either way, and colons are ASCII.
	if line[0] == ':' {
		d.comment = trimSpace(line[1:])
		if !valid {
			d.scratch = appendReplacingInvalid(d.scratch[:0], d.comment)
			d.comment = d.scratch
		}
		return FrameComment
	}
	name, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		name, value = line[:i], trimSpace(line[i+1:])
	}
	switch string(name) {
	case "data":
		if !d.hasData && valid {
			at := d.lineAt + len(line) - len(value)
			d.hasData, d.inView = true, true
			d.viewStart, d.viewEnd = at, at+len(value)
			break
		}
		d.beginData()
		d.appendData(value, valid)
	case "event":
		d.typ = appendText(d.typ[:0], value, valid)
	case "id":
		if bytes.IndexByte(value, 0) < 0 {
			d.pendingID = appendText(d.pendingID[:0], value, valid)
			d.idPending = true
		}
	case "retry":
		if r, ok := parseRetry(value); ok {
			d.retry, d.hasRetry = r, true
			return FrameRetry
		}
	}
	return 0
}

// appendText appends b to dst, replacing invalid UTF-8 unless valid.
func appendText(dst, b []byte, valid bool) []byte {
	if valid {
		return append(dst, b...)
	}
	return appendReplacingInvalid(dst, b)
}

// beginData starts a data line in the data buffer: the data so far moves
// there from the read buffer, and a LF joins it to the new line.
func (d *Decoder) beginData() {
	if d.inView {
		n := d.viewEnd - d.viewStart
		d.growData(n + 1)
		d.data = append(d.data, d.buf[d.viewStart:d.viewEnd]...)
		d.inView = false
	}
	if d.hasData {
		d.growData(1)
		d.data = append(d.data, '\n')
	}
	d.hasData = true
}

// appendData appends b to the data buffer, replacing invalid UTF-8 unless
// valid.
func (d *Decoder) appendData(b []byte, valid bool) {
	if valid {
		d.growData(len(b))
		d.data = append(d.data, b...)
		return
	}
	d.growData(repairedLen(b))
	d.data = appendReplacingInvalid(d.data, b)
}

// growData makes room for n more bytes of data. Past keepBuffer it takes
// the buffer lent with the last large event when that is large enough,
// else grows to the length of the last large event when that is close, or
// doubles, never beyond what the maximum event size allows.
func (d *Decoder) growData(n int) {
	need := len(d.data) + n
	if need <= cap(d.data) {
		return
	}
	c := max(2*cap(d.data), need, 512)
	if need > keepBuffer && d.dataHint > c && d.dataHint <= 8*need {
		c = d.dataHint
	}
	// Data holds at most max bytes when valid, three times that after
	// U+FFFD replacement.
	if limit := d.max; need <= limit {
		c = min(c, limit)
	} else {
		c = max(min(c, 3*limit), need)
	}
	if cap(d.data) <= keepBuffer && c > keepBuffer {
		if d.spare == nil {
			d.spare = d.data[:0]
		}
		// The buffer lent with the last large event is the Decoder's
		// again: the data moves there if it fits, within the maximum
		// (which may have changed since). Else it goes, so that the
		// Decoder never holds it and a new buffer at once.
		if lent := d.lent; lent != nil {
			d.lent = nil
			bound := d.max
			if need > bound {
				bound = max(3*bound, need)
			}
			if need <= cap(lent) && cap(lent) <= bound {
				d.data = append(lent[:0], d.data...)
				return
			}
		}
	}
	grown := make([]byte, len(d.data), c)
	copy(grown, d.data)
	d.data = grown
}

// dispatch ends the current block. It reports whether the block had data,
// in which case evData and evType hold the event.
func (d *Decoder) dispatch() bool {
	if d.idPending {
		if !bytes.Equal(d.pendingID, d.lastID) {
			d.lastID, d.pendingID = d.pendingID, d.lastID
			d.idGen++
			d.idStrOK = false
		}
		d.idPending = false
		if cap(d.pendingID) > keepBuffer {
			d.pendingID = nil
		}
	}
	d.size = 0
	if !d.hasData {
		d.typ = d.typ[:0]
		return false
	}
	d.hasData = false
	d.evOwned = false
	if d.inView {
		d.evData = d.buf[d.viewStart:d.viewEnd]
		d.inView = false
	} else {
		d.evData = d.data
		if cap(d.data) > keepBuffer {
			d.evOwned = true
			d.dataHint = len(d.data)
			d.data, d.spare = d.spare, nil
		} else {
			d.data = d.data[:0]
		}
	}
	if d.lent != nil && !d.evOwned {
		d.lentIdle++
		if d.lentIdle >= lendEvents {
			d.lent = nil
		}
	}
	if len(d.typ) == 0 {
		d.typ = append(d.typ, "message"...)
	}
	d.evType = d.typ
	if cap(d.typ) > keepBuffer {
		d.typ = nil
	} else {
		d.typ = d.typ[:0]
	}
	return true
}

// eventString returns the event dispatch found as an Event. Data, a new
// ID and a new type share one allocation; a large data buffer the Decoder
// has let go becomes the Data string as it is. Strings the Decoder keeps
// for the next event (ID, type) never hold a large event's memory.
//
// Which of the three the string s is, and so whether a new ID and type
// follow the data in it, is decided once, by the switch below, and read
// from packed after it: a data buffer handed over as it is may hold as
// little as 4 KiB of data (a buffer grown past keepBuffer, at most half
// empty), so the size of the data alone does not tell.
func (d *Decoder) eventString() Event {
	data, typ := d.evData, d.evType
	newType := string(typ) != d.typeStr
	if newType && string(typ) == "message" {
		d.typeStr, newType = "message", false
	}
	var s string
	packed := false // s holds data, then a new ID and type, as writeEvent writes them
	switch {
	case d.evOwned && cap(data) <= 2*len(data):
		// The buffer is the Decoder's no more: it becomes the string.
		s = unsafe.String(unsafe.SliceData(data), len(data))
	case len(data) <= keepBuffer:
		packed = true
		n := len(data)
		if !d.idStrOK {
			n += idPrefix + len(d.lastID)
		}
		if newType {
			n += len(typ)
		}
		switch {
		case n == 0:
			// Empty data, the ID and type as before: nothing to write.
			s = ""
		case d.readSize > quietReadSize && n <= blockEventMax:
			if len(d.block)-d.blockAt < n {
				d.block, d.blockAt = make([]byte, blockSize), 0
			}
			b := d.block[d.blockAt : d.blockAt+n]
			d.writeEvent(b, data, typ, newType)
			s = unsafe.String(&b[0], n)
			d.blockAt += n
		default:
			b := make([]byte, n)
			d.writeEvent(b, data, typ, newType)
			s = unsafe.String(unsafe.SliceData(b), n)
		}
	default:
		s = string(data)
	}
	ev := Event{Data: s[:len(data)]}
	rest := s[len(data):]
	if !d.idStrOK {
		if packed {
			n := idPrefix + len(d.lastID)
			d.idStr, d.idStrOK, d.idRef = rest[idPrefix:n], true, unsafe.StringData(rest)
			rest = rest[n:]
		} else {
			d.setIDString()
		}
	}
	if newType {
		if packed {
			d.typeStr = rest
		} else {
			d.typeStr = string(typ)
		}
	}
	ev.ID, ev.Type = d.idStr, d.typeStr
	d.forgetEvent()
	return ev
}

// writeEvent writes a string event's bytes to b, which has room for them
// exactly: data, then the ID in published form unless idStr holds it
// already, then the type if new.
func (d *Decoder) writeEvent(b, data, typ []byte, newType bool) {
	n := copy(b, data)
	if !d.idStrOK {
		putIDPrefix(b[n:], len(d.lastID))
		n += idPrefix
		n += copy(b[n:], d.lastID)
	}
	if newType {
		copy(b[n:], typ)
	}
}

// eventBytes returns the event dispatch found, borrowed. A large data
// buffer (the data of an event over several lines, or of a line that
// spilled) is lent, not given: it is the Decoder's again from the next
// call, for the next large event's data.
func (d *Decoder) eventBytes() EventBytes {
	e := EventBytes{ID: d.lastID, Type: d.evType, Data: d.evData}
	if d.evOwned {
		d.lent, d.lentIdle = d.evData[:0], 0
	}
	d.forgetEvent()
	return e
}

// forgetEvent drops the Decoder's hold on a large event's data (the
// caller's now) and type. A small event's stay: they are in buffers the
// Decoder keeps anyway, and moveTo drops a view of a read buffer it lets
// go.
func (d *Decoder) forgetEvent() {
	if d.evOwned {
		d.evData, d.evOwned = nil, false
	}
	if cap(d.evType) > keepBuffer {
		d.evType = nil
	}
}

// discardBlock forgets the block being read, as at the end of the stream.
func (d *Decoder) discardBlock() {
	d.hasData, d.inView, d.spilling = false, false, false
	if cap(d.data) > keepBuffer {
		d.data, d.spare = d.spare, nil
	}
	d.data = d.data[:0]
	d.typ = d.typ[:0]
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
