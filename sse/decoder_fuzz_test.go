package sse_test

import (
	"bytes"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bookstrack/bookstrack-go/sse"
)

// FuzzDecoder checks, for a stream and a list of read sizes, that the
// Decoder
//   - does not panic and ends with io.EOF;
//   - gives what a direct transcription of the WHATWG rules (reference,
//     below) gives;
//   - gives the same frames, errors and last event ID whether the stream
//     comes in one read, in reads of the fuzzed sizes or one byte at a time;
//   - gives the same events through DecodeBytes (borrowed bytes) as
//     through Decode;
//   - with a small maximum event size, yields no event longer than that.
func FuzzDecoder(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c.in), []byte{0})
	}
	// A stream at every size where the decoding changes behaviour (see
	// TestDifferential), read in pieces of 256 bytes and of 1 and 7.
	for _, s := range thresholdStreams() {
		f.Add([]byte(s), []byte{255, 0, 6})
	}
	f.Fuzz(func(t *testing.T, in, sizes []byte) {
		for _, limit := range []int{0, 256, 8} {
			c := decodeCase{in: string(in), max: limit}
			whole := decodeWith(c, bytes.NewReader(in))
			if whole.err != io.EOF || whole.again != io.EOF {
				t.Fatalf("max %d: decoding %q in one read ended with %v, then %v; want io.EOF", limit, in, whole.err, whole.again)
			}
			if ref := referenceDecode(in, limit); !whole.equal(ref) {
				t.Fatalf("max %d: decoding %q in one read\ngot:%v\nthe WHATWG rules give:%v", limit, in, whole, ref)
			}
			chunks := chunksOf(in, sizes)
			if got := decodeWith(c, &chunkReader{chunks: chunks}); !got.equal(whole) {
				t.Fatalf("max %d: decoding %q in reads %q\ngot:%v\nin one read:%v", limit, in, chunks, got, whole)
			}
			if got := decodeWith(c, &chunkReader{chunks: splitEvery(string(in), 1)}); !got.equal(whole) {
				t.Fatalf("max %d: decoding %q one byte at a time\ngot:%v\nin one read:%v", limit, in, got, whole)
			}
			d := newDecoderFor(c, &chunkReader{chunks: chunksOf(in, sizes)})
			if got, err := drainEvents(d, true, len(in)+10); !slices.Equal(got, eventsOf(whole.items)) || err != io.EOF || d.LastEventID() != whole.lastID {
				t.Fatalf("max %d: DecodeBytes over %q in reads %q gave %v then %v, LastEventID %q\nDecode in one read:%v", limit, in, chunks, got, err, d.LastEventID(), whole)
			}
			if limit == 0 {
				continue
			}
			for _, it := range whole.items {
				// The limit counts the stream's bytes; each of them
				// decodes to at most one character.
				if data := it.Frame.Event.Data; utf8.RuneCountInString(data) > limit {
					t.Fatalf("max %d: decoding %q gave an event of %d characters: %v", limit, in, utf8.RuneCountInString(data), it)
				}
			}
		}
	})
}

// chunksOf cuts in into reads of the sizes given, each size byte s meaning
// s+1 bytes, cycling through sizes; no sizes means one byte per read.
func chunksOf(in, sizes []byte) []string {
	if len(sizes) == 0 {
		sizes = []byte{0}
	}
	var chunks []string
	for i := 0; len(in) > 0; i++ {
		n := min(int(sizes[i%len(sizes)])+1, len(in))
		chunks = append(chunks, string(in[:n]))
		in = in[n:]
	}
	return chunks
}

// utf8Decode is the WHATWG Encoding standard's "UTF-8 decode": it strips
// one leading byte order mark and runs the UTF-8 decoder, which emits
// U+FFFD for each maximal ill-formed subsequence. It is written from the
// standard's algorithm, independently of the package's code.
func whatwgUTF8Decode(b []byte) string {
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	var out strings.Builder
	var cp rune
	needed, seen := 0, 0
	lower, upper := byte(0x80), byte(0xBF)
	for i := 0; i < len(b); {
		c := b[i]
		if needed == 0 {
			i++
			switch {
			case c <= 0x7F:
				out.WriteByte(c)
			case c >= 0xC2 && c <= 0xDF:
				needed, cp = 1, rune(c&0x1F)
			case c >= 0xE0 && c <= 0xEF:
				if c == 0xE0 {
					lower = 0xA0
				}
				if c == 0xED {
					upper = 0x9F
				}
				needed, cp = 2, rune(c&0x0F)
			case c >= 0xF0 && c <= 0xF4:
				if c == 0xF0 {
					lower = 0x90
				}
				if c == 0xF4 {
					upper = 0x8F
				}
				needed, cp = 3, rune(c&0x07)
			default:
				out.WriteRune(utf8.RuneError)
			}
			continue
		}
		if c < lower || c > upper {
			// The byte is not consumed: it starts over after the U+FFFD.
			cp, needed, seen = 0, 0, 0
			lower, upper = 0x80, 0xBF
			out.WriteRune(utf8.RuneError)
			continue
		}
		i++
		lower, upper = 0x80, 0xBF
		cp = cp<<6 | rune(c&0x3F)
		seen++
		if seen == needed {
			out.WriteRune(cp)
			cp, needed, seen = 0, 0, 0
		}
	}
	if needed != 0 {
		out.WriteRune(utf8.RuneError)
	}
	return out.String()
}

// reference decodes a whole stream by the WHATWG "Parsing an event stream"
// and "Interpreting an event stream" rules, plus the package's maximum
// event size (limit; 0 means the default): the data lines of a block may
// hold at most limit bytes of the stream, line ends excluded, and so may
// any single line; a larger block gives an *EventTooLargeError and is
// skipped up to its blank line. Other lines (comments, id, event, retry,
// unknown fields) do not add up.
func referenceDecode(in []byte, limit int) decodeResult {
	if limit == 0 {
		limit = sse.DefaultMaxEventSize
	}
	// The stream is decoded first; the sizes are counted over its bytes.
	// U+FFFD only ever stands for bytes of the same line, since CR and LF
	// are never part of an ill-formed subsequence, so the lines of the
	// bytes and of the text correspond one to one.
	raw := splitLines(bytes.TrimPrefix(in, []byte("\xEF\xBB\xBF")))
	text := splitLines([]byte(whatwgUTF8Decode(in)))
	if len(raw.lines) != len(text.lines) {
		panic("the byte and text lines differ")
	}

	var (
		res               decodeResult
		data              strings.Builder
		eventType, idBuf  string
		lastID            string
		size              int
		skipping, hasData bool
		discardBlock      = func() {
			data.Reset()
			hasData = false
			eventType = ""
			idBuf = lastID
			size = 0
		}
	)
	for i, line := range text.lines {
		n := len(raw.lines[i])
		if skipping {
			if n == 0 {
				skipping = false
			}
			continue
		}
		if n == 0 {
			// Dispatch.
			lastID = idBuf
			size = 0
			if !hasData {
				eventType = ""
				continue
			}
			d := strings.TrimSuffix(data.String(), "\n")
			typ := eventType
			if typ == "" {
				typ = "message"
			}
			res.items = append(res.items, ev(lastID, typ, d))
			data.Reset()
			hasData = false
			eventType = ""
			continue
		}
		if isData := raw.lines[i] == "data" || strings.HasPrefix(raw.lines[i], "data:"); isData {
			size += n
		}
		if size > limit || n > limit {
			res.items = append(res.items, tooLarge(limit))
			discardBlock()
			skipping = true
			continue
		}
		if line[0] == ':' {
			res.items = append(res.items, commentItem(strings.TrimPrefix(line[1:], " ")))
			continue
		}
		name, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch name {
		case "event":
			eventType = value
		case "data":
			data.WriteString(value)
			data.WriteByte('\n')
			hasData = true
		case "id":
			if !strings.Contains(value, "\x00") {
				idBuf = value
			}
		case "retry":
			if d, ok := retryValue(value); ok {
				res.items = append(res.items, retryItem(d))
			}
		}
	}
	// The unterminated last line never counts as a line, but the decoder
	// cannot buffer more than the limit to find out: a line longer than
	// the limit, or data beyond it once the line shows it is data.
	rest := len(raw.rest)
	if strings.HasPrefix(raw.rest, "data:") {
		rest += size
	}
	if !skipping && rest > limit {
		res.items = append(res.items, tooLarge(limit))
	}
	discardBlock()
	res.err, res.again, res.lastID = io.EOF, io.EOF, lastID
	return res
}

// retryValue reads a retry field: ASCII digits only, a number of
// milliseconds; too large values saturate.
func retryValue(v string) (time.Duration, bool) {
	if v == "" || strings.Trim(v, "0123456789") != "" {
		return 0, false
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil || ms > math.MaxInt64/int64(time.Millisecond) {
		return math.MaxInt64, true
	}
	return time.Duration(ms) * time.Millisecond, true
}

type streamLines struct {
	lines []string // the complete lines, without their line ends
	rest  string   // the unterminated last line
}

// splitLines cuts b at CRLF, LF and CR.
func splitLines(b []byte) streamLines {
	var ls streamLines
	s := string(b)
	for {
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			ls.rest = s
			return ls
		}
		ls.lines = append(ls.lines, s[:i])
		if strings.HasPrefix(s[i:], "\r\n") {
			i++
		}
		s = s[i+1:]
	}
}

// TestReferenceDecoder checks the fuzz oracle against the table, so that
// it is held to the same examples as the Decoder.
func TestReferenceDecoder(t *testing.T) {
	for _, c := range decodeCases {
		if c.seedID != "" {
			continue // the reference starts with an empty last event ID
		}
		if got, want := referenceDecode([]byte(c.in), c.max), c.wantResult(); !got.equal(want) {
			t.Errorf("%s: referenceDecode(%q)\ngot:%v\nwant:%v", c.name, c.in, got, want)
		}
	}
}

func TestReferenceUTF8Decode(t *testing.T) {
	cases := []struct{ in, want string }{
		{"\xEF\xBB\xBF\xEF\xBB\xBFa", "\uFEFFa"},
		{"a\xF1\x80\x80\xE1\x80\xC2b\x80c\x80\xBFd", "a\uFFFD\uFFFD\uFFFDb\uFFFDc\uFFFD\uFFFDd"},
		{"\xED\xA0\x80", "\uFFFD\uFFFD\uFFFD"},
		{"\xF4\x90\x80\x80", "\uFFFD\uFFFD\uFFFD\uFFFD"},
		{"\xF0\x9F\x98", "\uFFFD"},
		{"\xF0\x9F\x98\x80", "😀"},
		{"\xC0\xAF", "\uFFFD\uFFFD"},
		{"\xE2\x82\n", "\uFFFD\n"},
	}
	for _, c := range cases {
		if got := whatwgUTF8Decode([]byte(c.in)); got != c.want {
			t.Errorf("whatwgUTF8Decode(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
