package sse

import (
	"bufio"
	"bytes"
	"io"
)

// maxChunkLine bounds a chunk-size line with its extensions, and a
// trailer line.
const maxChunkLine = 4 << 10

// chunkedReader decodes a chunked body (RFC 9112 section 7.1). It reads
// data straight into the caller's buffer and allocates nothing per chunk.
//
// Line ends: a chunk-size line and the end of a chunk's data must be CRLF;
// a bare LF there, or a CR anywhere else in a chunk-size line, is a
// ProtocolError. Section 7.1's grammar has CRLF only, and the leniency of
// section 2.2 (a recipient MAY take a single LF as a line terminator)
// covers the start line and fields, not chunk framing: erratum 7633, which
// proposed extending it to chunk lines, was rejected. A reader that took a
// bare LF where its peer (a proxy, a cache) does not would frame the body
// differently from it, which is how request and response smuggling starts;
// net/http refuses the same bytes. Trailer fields are fields, so there
// section 2.2 applies and a bare LF ends a line, as in the header.
//
// Invariant: n is what is left of the current chunk's data; when n is 0
// and !eof, the next bytes are a chunk-size line (after the CRLF that ends
// the previous chunk's data if inData was true).
type chunkedReader struct {
	br     *bufio.Reader
	n      uint64
	inData bool // a chunk's data was read and its CRLF is still to come
	eof    bool
	err    error
}

func newChunkedReader(br *bufio.Reader) *chunkedReader { return &chunkedReader{br: br} }

func (c *chunkedReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if c.n == 0 {
		if c.err = c.next(); c.err != nil {
			return 0, c.err
		}
	}
	if len(p) == 0 {
		return 0, nil
	}
	if uint64(len(p)) > c.n {
		p = p[:c.n]
	}
	n, err := c.br.Read(p)
	c.n -= uint64(n)
	c.inData = true
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	c.err = err
	return n, err
}

// ready reports whether Read returns without reading the network: the
// body has ended or failed, or br holds the current chunk's next bytes,
// or a chunk-size line and a byte after it, or a size line that Read
// refuses or that ends the chunks (Read may then still wait for the
// trailer), or br is full.
func (c *chunkedReader) ready() bool {
	if c.err != nil || c.eof {
		return true
	}
	n := c.br.Buffered()
	if n == 0 {
		return false
	}
	if c.n > 0 || n == c.br.Size() {
		return true
	}
	b, _ := c.br.Peek(n)
	if c.inData {
		if len(b) <= 2 {
			return false
		}
		b = b[2:]
	}
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return false
	}
	if i+1 < len(b) {
		return true
	}
	size := b[:i]
	if j := bytes.IndexByte(size, ';'); j >= 0 {
		size = size[:j]
	}
	size = bytes.TrimRight(bytes.TrimSuffix(size, []byte("\r")), " \t")
	// Only the size line is buffered: Read waits for the data after a
	// size above 0, and returns at once after any other line.
	return !positiveSize(size)
}

// positiveSize reports whether b is a chunk size next accepts, above 0.
func positiveSize(b []byte) bool {
	if len(b) == 0 || len(b) > 16 {
		return false
	}
	positive := false
	for _, c := range b {
		d, ok := unhex(c)
		if !ok {
			return false
		}
		positive = positive || d != 0
	}
	return positive
}

// next reads up to the next chunk's data, or to the end of the body.
func (c *chunkedReader) next() error {
	if c.eof {
		return io.EOF
	}
	if c.inData {
		if err := c.crlf(); err != nil {
			return err
		}
		c.inData = false
	}
	line, err := c.line("chunk size", true)
	if err != nil {
		return err
	}
	if i := bytes.IndexByte(line, ';'); i >= 0 {
		line = line[:i] // chunk extensions are ignored
	}
	line = bytes.TrimRight(line, " \t")
	if len(line) == 0 || len(line) > 16 {
		return protoErr("chunk size", "not 1 to 16 hex digits", line)
	}
	var n uint64
	for _, b := range line {
		d, ok := unhex(b)
		if !ok {
			return protoErr("chunk size", "not hex", line)
		}
		n = n<<4 | uint64(d)
	}
	if n == 0 {
		for { // trailer section, then the empty line
			t, err := c.line("chunk", false)
			if err != nil {
				return err
			}
			if len(t) == 0 {
				c.eof = true
				return io.EOF
			}
		}
	}
	c.n = n
	return nil
}

// crlf reads the CRLF that ends a chunk's data. It reads byte by byte: a
// [2]byte passed to io.ReadFull would escape, one allocation per chunk.
func (c *chunkedReader) crlf() error {
	cr, err := c.br.ReadByte()
	if err != nil {
		return unexpected(err)
	}
	lf, err := c.br.ReadByte()
	if err != nil {
		return unexpected(err)
	}
	if cr != '\r' || lf != '\n' {
		return protoErr("chunk", "data not followed by CRLF", []byte{cr, lf})
	}
	return nil
}

// line reads one line of at most maxChunkLine bytes, without its
// terminator. With crlf (a chunk-size line) the line must end in CRLF and
// hold no other CR; otherwise (a trailer line) a bare LF ends it too.
func (c *chunkedReader) line(part string, crlf bool) ([]byte, error) {
	var acc []byte
	for {
		frag, err := c.br.ReadSlice('\n')
		if len(acc)+len(frag) > maxChunkLine {
			return nil, protoErr(part, "line too long", frag)
		}
		if err == nil {
			if acc != nil {
				frag = append(acc, frag...)
			}
			line := frag[:len(frag)-1]
			if n := len(line); n > 0 && line[n-1] == '\r' {
				line = line[:n-1]
			} else if crlf {
				return nil, protoErr(part, "line ends with a bare LF", frag)
			}
			if crlf && bytes.IndexByte(line, '\r') >= 0 {
				return nil, protoErr(part, "CR inside the line", frag)
			}
			return line, nil
		}
		if err != bufio.ErrBufferFull {
			return nil, unexpected(err)
		}
		acc = append(acc, frag...)
	}
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func unhex(b byte) (byte, bool) {
	switch {
	case '0' <= b && b <= '9':
		return b - '0', true
	case 'a' <= b && b <= 'f':
		return b - 'a' + 10, true
	case 'A' <= b && b <= 'F':
		return b - 'A' + 10, true
	}
	return 0, false
}
