package sse

import (
	"bytes"
	"io"
	"sync"
)

const (
	quietReadSize = 1 << 10  // the read buffer of a quiet stream, from readBuffers
	minReadSize   = 4 << 10  // the smallest read buffer outside the Decoder; a read asks for half its buffer at least
	maxReadSize   = 16 << 10 // the read buffer of a stream whose reads come back full
	quietReads    = 4        // short reads in a row before the read buffer shrinks
	maxLineBuffer = 64 << 10 // a data line longer than this moves to the data buffer as it arrives
	keepBuffer    = 8 << 10  // a buffer grown past this is let go once its event is out
	maxEmptyReads = 100      // reads returning 0, nil before io.ErrNoProgress
	blockSize     = 4 << 10  // the strings of a busy stream's small events are cut from blocks of this size
	blockEventMax = 512      // the largest event, strings together, cut from a block
	lendEvents    = 16       // events in a row that need no large data buffer before the lent one goes
)

// lineScanner is the Decoder's reading: the read buffer, its growth and
// release, the search for line ends, the UTF-8 check of what is read, the
// blocks that small events' strings are cut from, and the bounds on what
// a line or a block may make it hold.
type lineScanner struct {
	r   io.Reader
	buf []byte
	// The unread bytes are buf[start:end]. The scan positions are absolute
	// indexes into buf, shifted when fill moves the unread bytes:
	//   - lf is the first LF in buf[start:end] when lf >= start; when
	//     lf < start, no LF lies in buf[start:lfScan). cr and crScan say
	//     the same of CR.
	//   - when valid >= start, buf[start:valid] is valid UTF-8 and, if
	//     bad, an ill-formed sequence starts at valid; without bad, the
	//     bytes from valid on are not checked yet (they are when a line
	//     reaches past valid). valid < start means the line holding the
	//     ill-formed sequence has been used up: checking starts over from
	//     start.
	// So each byte is searched at most once for LF, once for CR and
	// checked once for UTF-8.
	start, end int
	lf, lfScan int
	cr, crScan int
	valid      int
	bad        bool
	lineAt     int // where the line readLine returned starts in buf

	// The read buffer's working size, readSize, adapts to the stream
	// (see the type's doc): buf comes from readBuffers at the sizes
	// readSize takes, and is resized to readSize before a read once no
	// long line needs more. shortReads counts the reads in a row that
	// brought less than a quarter of readSize and ended at a line end (a
	// read that ends inside a line leaves the count as it is).
	readSize   int
	shortReads int
	// w is r when it can wait for bytes without a buffer of ours: then an
	// empty quiet buffer goes back to readBuffers while w waits (see
	// waitQuiet), and buf is nil meanwhile.
	w waitReader

	err            error // read error, returned once the buffered lines are used up
	emptyReadCount int
	max            int
	bomChecked     bool
	skipLF         bool // the last line ended with CR, so a leading LF belongs to it
	skipping       bool // discarding an oversized block up to its blank line
	partial        bool // while skipping: inside a line whose start was discarded
	spilling       bool // the line being read is a data line whose start is in data already
	size           int  // bytes of data lines in the current block, as received

	// While the stream is busy (readSize above quietReadSize), the strings
	// of small events are cut from block[blockAt:], append-only: bytes
	// handed out are never written again, and a full block is replaced,
	// never reused.
	block   []byte
	blockAt int
}

// readLine returns the next line of the current block without its line
// end, and whether it is valid UTF-8; while spilling, the rest of the data
// line. The slice is valid until the next call. While an oversized block
// is being skipped it consumes lines without returning them.
func (d *Decoder) readLine() ([]byte, bool, error) {
	for {
		if d.skipLF && d.start < d.end {
			if d.buf[d.start] == '\n' {
				d.start++
			}
			d.skipLF = false
		}
		if !d.bomChecked && !d.checkBOM() {
			if err := d.fill(); err != nil {
				return nil, false, err
			}
			continue
		}
		if eol := d.findEOL(); eol >= 0 {
			line := d.buf[d.start:eol]
			if d.skipping {
				d.skipLF = d.buf[eol] == '\r'
				d.start = eol + 1
				if len(line) == 0 && !d.partial {
					d.skipping = false
					d.size = 0
				}
				d.partial = false
				continue
			}
			valid := d.validTo(eol)
			d.lineAt = d.start
			d.skipLF = d.buf[eol] == '\r'
			d.start = eol + 1
			if d.spilling || isDataLine(line) {
				d.size += len(line)
				if d.size > d.max {
					return nil, false, d.tooLarge(false)
				}
			} else if len(line) > d.max {
				return nil, false, d.tooLarge(false)
			}
			return line, valid, nil
		}
		// No complete line is buffered.
		if d.skipping {
			d.partial = d.partial || d.start < d.end
			d.dropBuffered()
		} else {
			n := d.end - d.start
			data := d.spilling || bytes.HasPrefix(d.buf[d.start:d.end], []byte("data:"))
			if data {
				n += d.size
			}
			if n > d.max {
				d.dropBuffered()
				return nil, false, d.tooLarge(true)
			}
			if data && (d.spilling || d.end-d.start >= maxLineBuffer-minReadSize) {
				d.spill()
			}
		}
		if err := d.fill(); err != nil {
			return nil, false, err
		}
	}
}

// isDataLine reports whether line, as received, is a data field.
func isDataLine(line []byte) bool {
	return len(line) >= 4 && string(line[:4]) == "data" && (len(line) == 4 || line[4] == ':')
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
// bytes, or -1. Each byte is searched at most once for each of the two: in
// a stream of LF line ends, the search for CR runs once per read.
func (d *Decoder) findEOL() int {
	if d.lf < d.start {
		d.lf = -1
		if from := max(d.start, d.lfScan); from < d.end {
			if i := bytes.IndexByte(d.buf[from:d.end], '\n'); i >= 0 {
				d.lf = from + i
			} else {
				d.lfScan = d.end
			}
		}
	}
	if d.cr < d.start {
		d.cr = -1
		if from := max(d.start, d.crScan); from < d.end {
			if i := bytes.IndexByte(d.buf[from:d.end], '\r'); i >= 0 {
				d.cr = from + i
			} else {
				d.crScan = d.end
			}
		}
	}
	if d.cr < 0 || (d.lf >= 0 && d.lf < d.cr) {
		return d.lf
	}
	return d.cr
}

// validTo reports whether buf[start:i] is valid UTF-8. It checks the
// bytes read since the last check, all of them at once: in a valid stream
// that is once per read, not once per line.
func (d *Decoder) validTo(i int) bool {
	if d.valid < d.start {
		d.valid, d.bad = d.start, false
	}
	if i > d.valid && !d.bad {
		n, bad := validPrefix(d.buf[d.valid:d.end])
		d.valid += n
		d.bad = bad
	}
	return i <= d.valid
}

// spill moves the data line being read, buf[start:end] with no line end
// yet, to the data buffer, all but a UTF-8 sequence that the end of the
// buffer cuts short.
func (d *Decoder) spill() {
	from := d.start
	if !d.spilling {
		from += len("data:")
		if from < d.end && d.buf[from] == ' ' {
			from++
		}
		d.beginData()
		d.spilling = true
	}
	to := d.end - incompleteTail(d.buf[from:d.end])
	d.appendData(d.buf[from:to], d.validTo(to))
	d.size += to - d.start
	d.start = to
}

// dropBuffered forgets the unread bytes.
func (d *Decoder) dropBuffered() {
	d.start, d.end = 0, 0
	d.lf, d.lfScan, d.cr, d.crScan = -1, 0, -1, 0
	d.valid, d.bad = 0, false
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
	if d.inView {
		// The read buffer is about to change: the data moves out of it.
		n := d.viewEnd - d.viewStart
		d.growData(n)
		d.data = append(d.data, d.buf[d.viewStart:d.viewEnd]...)
		d.inView = false
	}
	if d.valid < d.start {
		d.valid, d.bad = d.start, false
	}
	unread := d.end - d.start
	// A long line doubles the buffer, but unread bytes are never more
	// than max: no need to go far beyond. Once there, the buffer stays
	// (grown reports whether it would grow): replacing it at each read
	// would copy the line again each time, quadratic in small reads.
	grown := max(min(2*len(d.buf), d.max+minReadSize), unread+minReadSize)
	switch old := d.buf; {
	case len(d.buf) != d.readSize && unread <= d.readSize/2 && !d.spilling && !d.skipping:
		// The stream got busier or quieter, or a long line is over.
		d.moveTo(d.readBuffer(d.readSize))
		putReadBuffer(old)
	case len(d.buf)-unread < len(d.buf)/2 && grown > len(d.buf):
		d.moveTo(make([]byte, grown))
		putReadBuffer(old)
	case d.start > 0:
		d.moveTo(d.buf)
	}
	if d.w != nil && d.start == d.end && len(d.buf) == quietReadSize && cap(d.buf) == quietReadSize && !d.w.ready() {
		d.waitQuiet() // start and end are 0: moveTo ran, or nothing was read
	}
	asked := len(d.buf) - d.end
	n, err := d.r.Read(d.buf[d.end:])
	if n < 0 || n > asked {
		err = io.ErrShortBuffer // a broken reader: stop rather than trust it
		n = 0
	}
	d.end += n
	d.adaptReadSize(n, asked)
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

// readBuffer returns a read buffer of n bytes: one of quietBuffers for
// quietReadSize, else a new one.
func (d *Decoder) readBuffer(n int) []byte {
	if n == quietReadSize {
		return quietBuffers.Get().(*[quietReadSize]byte)[:]
	}
	return make([]byte, n)
}

// putReadBuffer puts b back in quietBuffers if it is a quiet read buffer.
// The Decoder calls it once nothing of its own points into b (moveTo
// drops its views), when it moves to another buffer or waits: what a
// caller borrowed from b (DecodeBytes, a BytesHandler's EventBytes) was
// valid until that call only.
func putReadBuffer(b []byte) {
	if len(b) == quietReadSize && cap(b) == quietReadSize {
		quietBuffers.Put((*[quietReadSize]byte)(b))
	}
}

// quietBuffers holds the read buffers of quiet streams, shared by the
// process's Decoders: an idle stream whose reader is a waitReader holds
// none (see waitQuiet).
var quietBuffers = sync.Pool{New: func() any { return new([quietReadSize]byte) }}

// A waitReader can wait for its next bytes without a buffer of the
// caller's: the lean transport's bodies, whose own small buffer (or the
// TLS connection's) takes the bytes that end the wait.
type waitReader interface {
	io.Reader
	// ready reports whether a Read would return without waiting for
	// the network: bytes are buffered, or the body has ended.
	ready() bool
	// waitRead returns once a Read would return without waiting: bytes
	// are buffered, or the read failed and the next Read returns its
	// error, as it would have.
	waitRead()
}

// waitQuiet waits, for a quiet stream whose read buffer is empty, with the
// read buffer back in quietBuffers: an idle stream then holds no buffer of
// the Decoder's (its block and lent data buffer went as it turned quiet).
// Views of the buffer go with it (as in moveTo); the caller no longer
// reads them: the next event or comment replaces them.
func (d *Decoder) waitQuiet() {
	d.evData, d.comment = nil, nil
	putReadBuffer(d.buf)
	d.buf = nil
	d.w.waitRead()
	d.buf = d.readBuffer(quietReadSize)
}

// adaptReadSize sets the size of the next read buffer after a read of n
// bytes into asked bytes of room.
func (d *Decoder) adaptReadSize(n, asked int) {
	switch {
	case n == 0:
	case n == asked:
		// The reader had this much or more at once: ask for more.
		d.shortReads = 0
		d.readSize = min(4*d.readSize, maxReadSize)
	case 4*n < d.readSize && endsFrame(d.buf[:d.end]):
		// A quiet stream's reads end where its events (or comments)
		// do. A short read that ends elsewhere was cut short by the
		// framing (a chunk's head and the start of its data, a TLS
		// record, as from a server that flushes each line of a large
		// event): the stream is not quiet, and the count starts over
		// (the default case). Else such a stream would shrink and grow
		// again every few lines, a new read buffer and data buffer each
		// time.
		d.shortReads++
		if d.shortReads >= quietReads {
			d.shortReads = 0
			d.readSize = max(d.readSize/4, quietReadSize)
			if d.readSize == quietReadSize {
				d.lent = nil
				d.releaseBlock()
			}
		}
	default:
		d.shortReads = 0
	}
}

// endsFrame reports whether b, a read buffer up to the end of what was
// read, ends where a frame does: with an empty line (the end of a block:
// an event, or fields without data) or a comment line. Each line end may
// be CR, LF or CRLF. A read buffer starts at a line start (moveTo keeps
// the unread bytes, from the start of a line).
func endsFrame(b []byte) bool {
	n := len(b)
	switch {
	case n >= 2 && b[n-1] == '\n' && b[n-2] == '\r':
		n -= 2
	case n >= 1 && (b[n-1] == '\n' || b[n-1] == '\r'):
		n--
	default:
		return false
	}
	line := b[:n]
	if i := bytes.LastIndexAny(line, "\r\n"); i >= 0 {
		line = line[i+1:]
	}
	return len(line) == 0 || line[0] == ':'
}

// releaseBlock lets go of the block as the stream turns quiet, and of the
// ID and type strings the Decoder keeps, which may be cut from it: the
// next event copies them again, on its own. A quiet stream's events thus
// keep no block alive, but those the caller keeps.
func (d *Decoder) releaseBlock() {
	if d.block == nil {
		return
	}
	d.block, d.blockAt = nil, 0
	if d.idRef != nil {
		d.idStrOK, d.idRef = false, nil
	}
	if d.typeStr != "message" {
		d.typeStr = ""
	}
}

// moveTo moves the unread bytes to the start of b, which becomes the
// buffer.
func (d *Decoder) moveTo(b []byte) {
	if len(d.buf) > 0 && &b[0] != &d.buf[0] {
		d.evData, d.comment = nil, nil // they may be views of the old buffer
	}
	n := copy(b, d.buf[d.start:d.end])
	shift := d.start
	d.buf, d.start, d.end = b, 0, n
	d.lf -= shift
	d.cr -= shift
	d.valid -= shift
	d.lfScan = max(d.lfScan-shift, 0)
	d.crScan = max(d.crScan-shift, 0)
}
