package sse

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
)

// maxHeadBytes bounds the status line and headers of a lean response.
const maxHeadBytes = 64 << 10

// protoErr builds a ProtocolError quoting at most 64 bytes of in.
func protoErr(part, what string, in []byte) error {
	if len(in) > 64 {
		in = in[:64]
	}
	return &ProtocolError{Part: part, Detail: fmt.Sprintf("%s: %q", what, in)}
}

// headReader reads CRLF- (or LF-) terminated lines within a byte budget.
type headReader struct {
	br   *bufio.Reader
	left int
	buf  []byte
}

// line returns the next line without its terminator. Its bytes are valid
// until the next call.
func (h *headReader) line(part string) ([]byte, error) {
	h.buf = h.buf[:0]
	for {
		frag, err := h.br.ReadSlice('\n')
		h.left -= len(frag)
		if h.left < 0 {
			return nil, &ProtocolError{Part: part, Detail: fmt.Sprintf("response head over %d bytes", maxHeadBytes)}
		}
		h.buf = append(h.buf, frag...)
		if err == nil {
			break
		}
		if err != bufio.ErrBufferFull {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	l := h.buf[:len(h.buf)-1]
	if n := len(l); n > 0 && l[n-1] == '\r' {
		l = l[:n-1]
	}
	return l, nil
}

// readResponseHead reads the status line and headers of a response to
// req, skipping 1xx interim responses.
func readResponseHead(br *bufio.Reader, req *http.Request) (*http.Response, error) {
	h := &headReader{br: br, left: maxHeadBytes}
	for {
		resp, err := parseHead(h)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode == http.StatusSwitchingProtocols {
			return nil, &ProtocolError{Part: "status line", Detail: "unexpected 101 Switching Protocols"}
		}
		if resp.StatusCode >= 200 {
			resp.Request = req
			return resp, nil
		}
	}
}

func parseHead(h *headReader) (*http.Response, error) {
	line, err := h.line("status line")
	if err != nil {
		return nil, err
	}
	resp, err := parseStatusLine(line)
	if err != nil {
		return nil, err
	}
	if resp.Header, err = readHeader(h); err != nil {
		return nil, err
	}
	if err := framing(resp); err != nil {
		return nil, err
	}
	return resp, nil
}

// parseStatusLine parses "HTTP/1.x SP 3DIGIT SP reason".
func parseStatusLine(line []byte) (*http.Response, error) {
	const part = "status line"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) ||
		(line[7] != '0' && line[7] != '1') || line[8] != ' ' || (len(line) > 12 && line[12] != ' ') {
		return nil, protoErr(part, "not HTTP/1.x SP code SP reason", line)
	}
	code := 0
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return nil, protoErr(part, "bad status code", line)
		}
		code = code*10 + int(c-'0')
	}
	if code < 100 {
		return nil, protoErr(part, "bad status code", line)
	}
	for _, c := range line {
		if c < ' ' && c != '\t' || c == 0x7f {
			return nil, protoErr(part, "control byte", line)
		}
	}
	return &http.Response{
		Status:     strings.TrimSpace(string(line[9:])),
		StatusCode: code,
		Proto:      string(line[:8]),
		ProtoMajor: 1,
		ProtoMinor: int(line[7] - '0'),
		Close:      true,
	}, nil
}

// readHeader reads header fields up to the empty line.
//
// A line that starts with SP or HTAB continues the field before it
// (obs-fold). RFC 9112 section 5.2 asks a user agent that receives one in
// a response to replace each fold with one or more SP before interpreting
// the value, so the fold and the whitespace around it become one SP, as
// net/http does ("A: b\r\n c" reads "b c"). A folded line with no field
// before it (whitespace between the status line and the first field) is
// refused: section 2.2 lets a recipient reject such a message, and net/http
// does.
func readHeader(h *headReader) (http.Header, error) {
	const part = "header"
	hdr := make(http.Header, 8)
	// The last field read is kept in key and val until the next line shows
	// whether an obs-fold continues it; val is reused, so folds cost
	// linear time in the head's bytes.
	var key string
	var val []byte
	flush := func() {
		if key != "" {
			hdr[key] = append(hdr[key], string(val))
		}
	}
	for {
		line, err := h.line(part)
		if err != nil {
			return nil, err
		}
		if len(line) == 0 {
			flush()
			return hdr, nil
		}
		if line[0] == ' ' || line[0] == '\t' {
			if key == "" {
				return nil, protoErr(part, "whitespace before the first field", line)
			}
			more, err := fieldValue(line, line)
			if err != nil {
				return nil, err
			}
			if len(more) > 0 {
				if len(val) > 0 {
					val = append(val, ' ')
				}
				val = append(val, more...)
			}
			continue
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			return nil, protoErr(part, "no field name", line)
		}
		name := line[:colon]
		for _, c := range name {
			if !isTokenByte(c) {
				return nil, protoErr(part, "bad field name", line)
			}
		}
		value, err := fieldValue(line[colon+1:], line)
		if err != nil {
			return nil, err
		}
		flush()
		key = textproto.CanonicalMIMEHeaderKey(string(name))
		val = append(val[:0], value...)
	}
}

// fieldValue returns v without the whitespace around it, or an error
// quoting line if it holds a control byte.
func fieldValue(v, line []byte) ([]byte, error) {
	v = bytes.Trim(v, " \t")
	for _, c := range v {
		if c < ' ' && c != '\t' || c == 0x7f {
			return nil, protoErr("header", "control byte in value", line)
		}
	}
	return v, nil
}

func isTokenByte(c byte) bool {
	return c < 0x80 && c > ' ' && c != 0x7f && !strings.ContainsRune("\"(),/:;<=>?@[\\]{}", rune(c))
}

// framing sets TransferEncoding and ContentLength from the headers.
func framing(resp *http.Response) error {
	resp.ContentLength = -1
	if te := resp.Header.Values("Transfer-Encoding"); len(te) > 0 {
		if len(te) != 1 || !strings.EqualFold(strings.TrimSpace(te[0]), "chunked") {
			return &ProtocolError{Part: "transfer-encoding", Detail: fmt.Sprintf("unsupported %q", te)}
		}
		resp.TransferEncoding = []string{"chunked"}
		resp.Header.Del("Content-Length")
		return nil
	}
	cl := resp.Header.Values("Content-Length")
	if len(cl) == 0 {
		return nil
	}
	for _, v := range cl[1:] {
		if v != cl[0] {
			return protoErr("header", "conflicting Content-Length", []byte(strings.Join(cl, ",")))
		}
	}
	n, err := strconv.ParseInt(cl[0], 10, 64)
	if err != nil || n < 0 || cl[0][0] == '+' {
		return protoErr("header", "bad Content-Length", []byte(cl[0]))
	}
	resp.ContentLength = n
	return nil
}
