package sse_test

// Differential testing at every size (issue 18, item 2).
//
// TestDifferential generates event streams from a seed and checks that
// every way of decoding them gives what the reference gives: Next, Decode,
// DecodeBytes and Read over random chunkings (one-byte reads included),
// Decode and DecodeBytes over a reader a quiet Decoder waits on without
// its read buffer (as on the lean transport),
// and a Client over loopback with a Handler and with a BytesHandler, on
// TransportHTTP1, on TransportNetHTTP (HTTP/1.1) and on TransportNetHTTP
// over TLS with HTTP/2, whatever BOOKSTRACK_SSE_TRANSPORT says. The reference is referenceDecode (decoder_fuzz_test.go): the
// WHATWG "Parsing an event stream" and "Interpreting an event stream"
// algorithms written out plainly over the whole input (BOM strip, the
// WHATWG UTF-8 decode with one U+FFFD per maximal ill-formed subsequence,
// lines split at CRLF, LF or CR, field and value split at the first colon,
// one leading space stripped, the data buffer and its LFs, the event type,
// an id holding NUL ignored, retry of ASCII digits only, dispatch setting
// the last event ID before it looks at the data buffer), plus the
// package's maximum event size. TestReferenceDecoder holds it to the
// table of decoding rules.
//
// The generator concentrates on the sizes where the implementation changes
// behaviour (thresholdSizes): every buffer, block, arena and limit size of
// decoder.go, decoder_scan.go, utf8.go, lastid.go and options.go, each
// with its neighbours (±1, ±2), and the powers of two from 1 B to 1 MiB
// (±1), used as the data of an event, the length of one line, the bytes of
// an event's strings together, the maximum event size and the size of
// reads. Events come over one and many data lines, with new, repeated,
// empty, NUL-holding and long ids, types, comments and retry fields
// between the fields, CR, LF and CRLF, a BOM, invalid UTF-8, multi-byte
// characters that reads split, and runs of small events around a large one
// (the read buffer grows, then shrinks and lets its blocks go).
//
// The rule: a change that adds a size threshold, a buffer hand-off or a
// fast path to the decoding adds that size to thresholdSizes, or the
// input that takes the path to the generator, in the same change. The
// fuzz targets' seeds (thresholdStreams, thresholdData) follow
// thresholdSizes.
//
// Running it:
//   - by default it runs for diffDefaultBudget (diffShortBudget with
//     -short) from a fresh seed, which it prints with t.Logf, and logs the
//     number of streams and events it compared;
//   - BOOKSTRACK_DIFF_SEED=n starts from seed n: a failure prints the seed
//     of the stream that failed, and that seed reproduces it first thing;
//   - BOOKSTRACK_DIFF_DURATION=10m runs longer (any time.ParseDuration
//     value); runs of a minute or more also try events near the default
//     maximum event size (16 MiB).
//
// A failure prints the seed, the path, the reads, and a reproduction
// shrunk by dropping blocks and lines and shortening lines while it still
// fails.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bookstrack/bookstrack-go/sse"
)

const (
	diffDefaultBudget = 6 * time.Second
	diffShortBudget   = 1 * time.Second
	diffShrinkBudget  = 60 * time.Second
)

// thresholdSizes are the sizes where the decoding changes behaviour, each
// with its neighbours, and the powers of two from 1 B to 1 MiB with theirs.
func thresholdSizes() []int {
	thresholds := []int{
		4,        // idPrefix: the length before a published ID
		256,      // idArenaMax: a longer ID stored from bytes gets its own allocation
		512,      // blockEventMax: the largest event cut from a block; growData's first size
		1 << 10,  // quietReadSize: a quiet Decoder's read buffer, from readBuffers
		2 << 10,  // idArenaSize; a line across two quiet reads
		4 << 10,  // minReadSize, blockSize; half of keepBuffer: a data buffer handed over
		8 << 10,  // keepBuffer: buffers grown past it are let go
		16 << 10, // maxReadSize
		60 << 10, // maxLineBuffer-minReadSize: a data line spills into the data buffer
		64 << 10, // maxLineBuffer
		(4 << 10) + 1,
		(8 << 10) - 12, // the largest two-line event of the issue 18 panic
	}
	seen := map[int]bool{}
	var sizes []int
	add := func(n int) {
		if n >= 0 && !seen[n] {
			seen[n] = true
			sizes = append(sizes, n)
		}
	}
	for _, t := range thresholds {
		for d := -2; d <= 2; d++ {
			add(t + d)
		}
	}
	for p := 1; p <= 1<<20; p *= 2 {
		add(p - 1)
		add(p)
		add(p + 1)
	}
	slices.Sort(sizes)
	return sizes
}

// hugeSizes are the default maximum event size and its neighbours, tried
// in long runs only.
var hugeSizes = []int{sse.DefaultMaxEventSize - 2, sse.DefaultMaxEventSize - 1, sse.DefaultMaxEventSize, sse.DefaultMaxEventSize + 1, sse.DefaultMaxEventSize + 2}

// genLine is one line of a generated stream: its text and its line end.
type genLine struct {
	text, eol string
}

// genStream is a generated stream: lines that the shrinker can drop or
// shorten one by one, after an optional prefix (a BOM) and before an
// unterminated tail.
type genStream struct {
	prefix string
	lines  []genLine
	tail   string
}

func (s genStream) bytes() []byte {
	var b bytes.Buffer
	b.WriteString(s.prefix)
	for _, l := range s.lines {
		b.WriteString(l.text)
		b.WriteString(l.eol)
	}
	b.WriteString(s.tail)
	return b.Bytes()
}

// generator makes streams from one seed.
type generator struct {
	r      *rand.Rand
	sizes  []int
	small  []int // sizes up to 600: events cut from blocks and just past
	huge   bool
	eol    func() string
	lastID string
	nextID int
	types  []string
	multi  bool // block puts its data over two lines or more
}

func newGenerator(seed uint64, huge bool) *generator {
	g := &generator{r: rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15)), sizes: thresholdSizes(), huge: huge}
	for _, n := range g.sizes {
		if n <= 600 {
			g.small = append(g.small, n)
		}
	}
	return g
}

func (g *generator) pick(xs []int) int     { return xs[g.r.IntN(len(xs))] }
func (g *generator) chance(p float64) bool { return g.r.Float64() < p }

// size returns the size of an event: mostly small, often a threshold of
// any size, below the stream's budget.
func (g *generator) size(budget int) int {
	for {
		var n int
		switch x := g.r.IntN(10); {
		case x < 5:
			n = g.pick(g.small)
		case x < 6:
			n = g.r.IntN(64)
		default:
			n = g.pick(g.sizes)
		}
		if n <= budget {
			return n
		}
		budget = max(budget, 64)
	}
}

// text returns n bytes of line text: ASCII letters with, now and then,
// multi-byte characters, invalid UTF-8, NUL, colons and spaces. It never
// holds CR or LF.
func (g *generator) text(n int) string {
	var b strings.Builder
	mode := g.r.IntN(6) // 0-2 ASCII, 3 multi-byte, 4 invalid, 5 everything
	pieces := []string{"é", "世", "😀", "\uFFFD", "\xEF\xBB\xBF"}
	bad := []string{"\xFF", "\xC0\xAF", "\xE2\x82", "\xF0\x9F\x98", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80", "\xE0\x80", "\x00", ":", " "}
	letter := byte('a' + g.r.IntN(26))
	for b.Len() < n {
		left := n - b.Len()
		var p string
		switch {
		case mode >= 3 && g.chance(0.05):
			if mode == 3 || (mode == 5 && g.chance(0.5)) {
				p = pieces[g.r.IntN(len(pieces))]
			} else {
				p = bad[g.r.IntN(len(bad))]
			}
		case left > 64 && g.chance(0.9):
			run := min(left, 1+g.r.IntN(4096))
			p = strings.Repeat(string(letter), run)
		default:
			p = string(letter + byte(g.r.IntN(3)))
		}
		if len(p) > left {
			p = strings.Repeat("x", left)
		}
		b.WriteString(p)
	}
	s := b.String()
	if mode >= 3 && n >= 4 && g.chance(0.3) {
		// A multi-byte character across the end of the size.
		s = s[:n-2] + "😀"[:2]
		if g.chance(0.5) {
			s = s[:n-2] + "é"
		}
	}
	return s
}

// field returns a line of name and value in one of its forms.
func (g *generator) field(name, value string) string {
	switch x := g.r.IntN(8); {
	case x == 0 && value == "":
		return name
	case x == 1:
		return name + ":" + value
	case x == 2:
		return name + ":  " + value // the second space is part of the value
	default:
		return name + ": " + value
	}
}

// extra returns a line that may come between an event's fields: a
// comment, a retry field (valid or not), an unknown field.
func (g *generator) extra(budget int) string {
	switch g.r.IntN(9) {
	case 0:
		return ":"
	case 1:
		return ": " + g.text(g.size(min(budget, 600)))
	case 2:
		return ":" + g.text(g.size(budget))
	case 3:
		return g.field("retry", strconv.Itoa(g.r.IntN(100000)))
	case 4:
		return g.field("retry", []string{"", "1x", "-1", " 5", "99999999999999999999999", "1.5", "0"}[g.r.IntN(7)])
	case 5:
		return g.field("foo", g.text(g.r.IntN(20)))
	case 6:
		return "dat\xE1: x"
	case 7:
		return g.field("Data", "x") // names are case-sensitive
	default:
		return g.field("eventx", "y")
	}
}

// idLine returns an id field: a new ID, the same again, an empty one, one
// holding NUL (ignored), a long one around the ID arena sizes.
func (g *generator) idLine() string {
	var v string
	switch g.r.IntN(10) {
	case 0, 1, 2, 3:
		g.nextID++
		v = "id-" + strconv.Itoa(g.nextID)
	case 4:
		v = g.lastID
	case 5:
		v = ""
	case 6:
		v = "a\x00b"
		return g.field("id", v)
	case 7:
		g.nextID++
		v = strconv.Itoa(g.nextID) + g.text(g.pick([]int{250, 251, 252, 253, 254, 255, 256, 257, 258, 500, 2040, 2044, 2048, 2050}))
		v = strings.ReplaceAll(v, "\x00", "0")
	case 8:
		g.nextID++
		v = strconv.Itoa(g.nextID) + "\xFF\xC3"
	default:
		g.nextID++
		v = strconv.Itoa(g.nextID) + "é"
	}
	g.lastID = v
	return g.field("id", v)
}

// typeLine returns an event field.
func (g *generator) typeLine() string {
	switch g.r.IntN(6) {
	case 0:
		return g.field("event", "message")
	case 1:
		return g.field("event", "")
	case 2:
		t := "t" + strconv.Itoa(g.r.IntN(1000))
		g.types = append(g.types, t)
		return g.field("event", t)
	case 3:
		return g.field("event", g.text(g.pick([]int{100, 500, 508, 512, 4090, 4096})))
	default:
		if len(g.types) == 0 {
			g.types = append(g.types, "update")
		}
		return g.field("event", g.types[g.r.IntN(len(g.types))])
	}
}

// block appends one block with size bytes of data (as the event's Data,
// the raw length of a single data line, or data plus ID and type, by
// chance) and its blank line.
func (g *generator) block(s *genStream, size, budget int) {
	var head []string
	if g.chance(0.5) {
		head = append(head, g.idLine())
	}
	if g.chance(0.3) {
		head = append(head, g.typeLine())
	}
	for g.chance(0.2) {
		head = append(head, g.extra(budget))
	}
	// The data lines.
	var data []string
	n := g.r.IntN(10)
	if g.multi {
		n = 5 + n/2
	}
	switch {
	case size == 0 && g.chance(0.3):
		// No data: an id-only, type-only or empty block.
	case n < 5:
		data = []string{g.value(size)}
	case n < 8:
		// Two lines, the cut anywhere.
		if size < 1 {
			data = []string{"", ""}
			break
		}
		cut := g.r.IntN(size)
		data = []string{g.text(cut), g.text(size - cut - 1)}
	default:
		// Many lines, some empty.
		k := 3 + g.r.IntN(30)
		left := size
		for i := range k {
			if left <= 0 {
				data = append(data, "")
				continue
			}
			n := left
			if i < k-1 {
				n = g.r.IntN(left + 1)
			}
			data = append(data, g.text(n))
			left -= n + 1
		}
	}
	var lines []string
	lines = append(lines, head...)
	for _, d := range data {
		lines = append(lines, g.field("data", d))
		for g.chance(0.05) {
			lines = append(lines, g.extra(budget))
		}
	}
	// Fields after the data lines still belong to the block.
	if g.chance(0.1) {
		lines = append(lines, g.idLine())
	}
	if g.chance(0.1) {
		lines = append(lines, g.typeLine())
	}
	for _, l := range lines {
		s.lines = append(s.lines, genLine{l, g.eol()})
	}
	s.lines = append(s.lines, genLine{"", g.eol()})
}

// joinRun appends events of more than keepBuffer over several data
// lines, whose data DecodeBytes lends in a buffer it takes back for the
// next such event: sizes around each other's (the same, ±1, ±2, twice,
// half), with runs of small events between them around lendEvents, after
// which the buffer goes.
func (g *generator) joinRun(s *genStream, budget int) {
	var large []int
	for _, n := range g.sizes {
		if n >= 8<<10-2 && n <= max(budget, 16<<10) {
			large = append(large, n)
		}
	}
	base := g.pick(large)
	for range 2 + g.r.IntN(3) {
		g.multi = true
		g.block(s, max(0, base+[]int{-2, -1, 0, 1, 2, base, -base / 2}[g.r.IntN(7)]), budget)
		g.multi = false
		for range []int{0, 1, sse.LendEvents - 1, sse.LendEvents, sse.LendEvents + 1}[g.r.IntN(5)] {
			g.block(s, g.pick(g.small), budget)
		}
	}
}

// value returns a data value such that the value or (by chance) the
// whole "data: " line is size bytes.
func (g *generator) value(size int) string {
	if g.chance(0.3) && size >= len("data: ") {
		return g.text(size - len("data: "))
	}
	return g.text(size)
}

// stream generates one stream and the maximum event size to decode it
// with (0: the default).
func (g *generator) stream() (genStream, int) {
	var s genStream
	switch g.r.IntN(4) {
	case 0:
		g.eol = func() string { return "\n" }
	case 1:
		g.eol = func() string { return "\r\n" }
	case 2:
		g.eol = func() string { return "\r" }
	default:
		g.eol = func() string { return []string{"\n", "\r\n", "\r"}[g.r.IntN(3)] }
	}
	g.lastID, g.types = "", nil
	switch x := g.r.IntN(20); {
	case x == 0:
		s.prefix = "\xEF\xBB\xBF\xEF\xBB\xBF"
	case x == 1:
		s.prefix = "\xEF\xBB"
	case x < 5:
		s.prefix = "\xEF\xBB\xBF"
	}
	var budget int
	switch x := g.r.IntN(20); {
	case x < 8:
		budget = 4 << 10
	case x < 14:
		budget = 16 << 10
	case x < 17:
		budget = 64 << 10
	case x < 19:
		budget = 256 << 10
	default:
		budget = 1<<20 + 64<<10
	}
	limit := 0
	if g.chance(0.25) {
		limit = max(1, g.pick(g.sizes))
		budget = max(budget, limit+limit/8+64)
	}
	total := func() int {
		n := 0
		for _, l := range s.lines {
			n += len(l.text) + 2
		}
		return n
	}
	if g.huge && g.chance(0.02) {
		limit = 0
		s.lines = append(s.lines, genLine{"data: " + strings.Repeat("h", g.pick(hugeSizes)-len("data: ")), "\n"}, genLine{"", "\n"})
		s.lines = append(s.lines, genLine{g.field("data", g.text(g.pick(hugeSizes))), "\n"}, genLine{"", "\n"})
	}
	burst := g.chance(0.3)
	for total() < budget {
		switch {
		case burst:
			// Small events, then a large one, then small events again:
			// the read buffer grows, then shrinks.
			for range 20 + g.r.IntN(200) {
				g.block(&s, g.pick(g.small), budget)
			}
			g.block(&s, g.size(budget-total()), budget)
			for range 20 + g.r.IntN(200) {
				g.block(&s, g.pick(g.small), budget)
			}
			burst = g.chance(0.3)
		case limit > 0 && g.chance(0.3):
			// An event at the limit and its neighbours.
			g.block(&s, max(0, limit-2+g.r.IntN(5)), budget)
		case g.chance(0.05):
			g.joinRun(&s, budget)
		case g.chance(0.05):
			// A block with no data but fields: id, type, retry.
			s.lines = append(s.lines, genLine{g.idLine(), g.eol()}, genLine{"", g.eol()})
		case g.chance(0.03):
			s.lines = append(s.lines, genLine{"", g.eol()})
		default:
			g.block(&s, g.size(budget-total()), budget)
		}
		if len(s.lines) > 20000 {
			break
		}
	}
	switch g.r.IntN(6) {
	case 0:
		s.tail = g.field("data", g.text(g.size(budget)))
	case 1:
		s.lines = s.lines[:len(s.lines)-1] // the last block has no blank line
	}
	return s, limit
}

// readPattern is how a reader cuts a stream into reads: the sizes, cycled;
// 0 means whatever the Decoder asks for. A pattern applies to any stream,
// so a failure keeps it while its stream shrinks.
type readPattern struct {
	sizes    []int
	emptyAt  int  // every emptyAt-th read returns 0, nil (0: never)
	eofClose bool // the last bytes come with io.EOF
}

func (p readPattern) String() string {
	return fmt.Sprintf("reads %v (0: all asked), empty read every %d, data with EOF %v", p.sizes, p.emptyAt, p.eofClose)
}

func (g *generator) pattern(streamLen int) readPattern {
	var p readPattern
	switch x := g.r.IntN(8); {
	case x == 0:
		p.sizes = []int{0}
	case x == 1:
		p.sizes = []int{1}
	case x == 2:
		p.sizes = []int{g.pick(g.sizes) + 1}
	case x == 3:
		// Quiet, then busy, then quiet: the read buffer shrinks and grows.
		p.sizes = []int{7, 7, 7, 7, 7, 0, 0, 0, 3, 100, 5, 9, 0}
	default:
		for range 1 + g.r.IntN(12) {
			switch g.r.IntN(4) {
			case 0:
				p.sizes = append(p.sizes, 0)
			case 1:
				p.sizes = append(p.sizes, 1+g.r.IntN(16))
			default:
				p.sizes = append(p.sizes, 1+g.pick(g.sizes))
			}
		}
	}
	// No more than about 64 Ki reads per stream, or one stream could take
	// most of the budget under the race detector: streams up to 64 KiB
	// keep every read size, one of 1 MiB reads 16 bytes at least, the
	// 16 MiB events of long runs 256.
	least := streamLen >> 16
	for i, n := range p.sizes {
		if n != 0 {
			p.sizes[i] = max(n, least)
		}
	}
	if g.chance(0.1) {
		p.emptyAt = 2 + g.r.IntN(10)
	}
	p.eofClose = g.chance(0.5)
	return p
}

// diffReader reads b as p says.
type diffReader struct {
	b []byte
	p readPattern
	i int
}

func (r *diffReader) Read(buf []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	r.i++
	if r.p.emptyAt > 0 && r.i%r.p.emptyAt == 0 {
		return 0, nil
	}
	n := r.p.sizes[r.i%len(r.p.sizes)]
	if n == 0 || n > len(buf) {
		n = len(buf)
	}
	n = copy(buf, r.b[:min(n, len(r.b))])
	r.b = r.b[n:]
	if len(r.b) == 0 && r.p.eofClose {
		return n, io.EOF
	}
	return n, nil
}

// chunks cuts b into the server's writes, as p says (0: 16 KiB), in no
// more than about 2000 writes, each flushed.
func (p readPattern) chunks(b []byte) []string {
	var out []string
	least := len(b) / 2000
	for i := 0; len(b) > 0; i++ {
		n := p.sizes[i%len(p.sizes)]
		if n == 0 {
			n = 16 << 10
		}
		n = min(max(n, least), len(b))
		out = append(out, string(b[:n]))
		b = b[n:]
	}
	return out
}

// A path is one way of decoding a stream; check returns what differs from
// the reference, or nil.
type diffPath struct {
	name   string
	client bool
	check  func(d *diffRun, in []byte, p readPattern, limit int) error
}

// eventItems keeps the events and the too-large errors, what Decode,
// DecodeBytes and Read report.
func eventItems(items []frameItem) []frameItem {
	var out []frameItem
	for _, it := range items {
		if it.TooLarge != 0 || it.Frame.Kind == sse.FrameEvent {
			out = append(out, it)
		}
	}
	return out
}

// clientItems keeps what a Client's Handler sees: events, comments and
// too-large errors.
func clientItems(items []frameItem) []frameItem {
	var out []frameItem
	for _, it := range items {
		if it.TooLarge != 0 || it.Frame.Kind != sse.FrameRetry {
			out = append(out, it)
		}
	}
	return out
}

func diffItems(got, want []frameItem) error {
	if slices.Equal(got, want) {
		return nil
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	g, w := "(none)", "(none)"
	if i < len(got) {
		g = shorten(got[i].String())
	}
	if i < len(want) {
		w = shorten(want[i].String())
	}
	return fmt.Errorf("%d items, want %d; first difference at item %d:\n\tgot  %s\n\twant %s", len(got), len(want), i, g, w)
}

func shorten(s string) string {
	if len(s) > 300 {
		return s[:150] + fmt.Sprintf("...(%d bytes)...", len(s)-300) + s[len(s)-150:]
	}
	return s
}

// catch turns a panic of f into an error.
func catch(f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return f()
}

func newLimitedDecoder(r io.Reader, limit int) *sse.Decoder {
	d := sse.NewDecoder(r)
	d.SetMaxEventSize(limit)
	return d
}

var diffPaths = []diffPath{
	{name: "Next", check: func(d *diffRun, in []byte, p readPattern, limit int) error {
		want := d.reference(in, limit)
		dec := newLimitedDecoder(&diffReader{b: in, p: p}, limit)
		items, err := drainFrames(dec, len(in)+10)
		if err != io.EOF {
			return fmt.Errorf("Next ended with %v, want io.EOF", err)
		}
		if err := diffItems(items, want.items); err != nil {
			return err
		}
		if got := dec.LastEventID(); got != want.lastID {
			return fmt.Errorf("LastEventID %q at the end, want %q", shorten(got), shorten(want.lastID))
		}
		d.events += countEvents(want.items)
		return nil
	}},
	{name: "Decode", check: func(d *diffRun, in []byte, p readPattern, limit int) error {
		return d.checkDecode(in, p, limit, false, false)
	}},
	{name: "DecodeBytes", check: func(d *diffRun, in []byte, p readPattern, limit int) error {
		return d.checkDecode(in, p, limit, true, false)
	}},
	// The lean transport's path: a quiet Decoder lets go of its read
	// buffer while it waits, and takes one (maybe another) after.
	{name: "Decode/waiting", check: func(d *diffRun, in []byte, p readPattern, limit int) error {
		return d.checkDecode(in, p, limit, false, true)
	}},
	{name: "DecodeBytes/waiting", check: func(d *diffRun, in []byte, p readPattern, limit int) error {
		return d.checkDecode(in, p, limit, true, true)
	}},
	{name: "Read", check: func(d *diffRun, in []byte, p readPattern, limit int) error {
		want := eventItems(d.reference(in, limit).items)
		var got []frameItem
		for e, err := range sse.Read(&diffReader{b: in, p: p}, sse.WithMaxEventSize(limit)) {
			var tl *sse.EventTooLargeError
			switch {
			case err == nil:
				got = append(got, frameItem{Frame: sse.Frame{Kind: sse.FrameEvent, Event: e}})
			case errors.As(err, &tl):
				got = append(got, frameItem{TooLarge: tl.Limit})
			default:
				return fmt.Errorf("Read yielded %v", err)
			}
		}
		d.events += countEvents(want)
		return diffItems(got, want)
	}},
	{name: "Client/Handler/HTTP1", client: true, check: func(d *diffRun, in []byte, p readPattern, limit int) error {
		return d.checkClient(in, p, limit, sse.TransportHTTP1, false)
	}},
	{name: "Client/BytesHandler/HTTP1", client: true, check: func(d *diffRun, in []byte, p readPattern, limit int) error {
		return d.checkClient(in, p, limit, sse.TransportHTTP1, true)
	}},
	{name: "Client/Handler/NetHTTP", client: true, check: func(d *diffRun, in []byte, p readPattern, limit int) error {
		return d.checkClient(in, p, limit, sse.TransportNetHTTP, false)
	}},
	{name: "Client/BytesHandler/NetHTTP", client: true, check: func(d *diffRun, in []byte, p readPattern, limit int) error {
		return d.checkClient(in, p, limit, sse.TransportNetHTTP, true)
	}},
	{name: "Client/Handler/HTTP2", client: true, check: func(d *diffRun, in []byte, p readPattern, limit int) error {
		return d.checkClient(in, p, limit, transportHTTP2, false)
	}},
	{name: "Client/BytesHandler/HTTP2", client: true, check: func(d *diffRun, in []byte, p readPattern, limit int) error {
		return d.checkClient(in, p, limit, transportHTTP2, true)
	}},
}

// transportHTTP2 stands for net/http's HTTP/2 in checkClient: the Client
// uses TransportNetHTTP with a client that speaks HTTP/2 to a TLS server.
const transportHTTP2 sse.Transport = -1

func countEvents(items []frameItem) int {
	n := 0
	for _, it := range items {
		if it.TooLarge == 0 && it.Frame.Kind == sse.FrameEvent {
			n++
		}
	}
	return n
}

// diffRun holds what the checks share: the loopback server, the reference
// of the stream being checked, and the counts.
type diffRun struct {
	t      *testing.T
	srv    *httptest.Server
	hc     *http.Client
	h2srv  *httptest.Server // the same stream over TLS with HTTP/2
	h2c    *http.Client
	mu     sync.Mutex
	body   []string // what the server writes, one flush each
	refIn  []byte
	refLim int
	ref    decodeResult

	streams, clientStreams, events, bytes int
}

func (d *diffRun) reference(in []byte, limit int) decodeResult {
	if !bytes.Equal(in, d.refIn) || limit != d.refLim {
		d.refIn, d.refLim, d.ref = in, limit, referenceDecode(in, limit)
	}
	return d.ref
}

func (d *diffRun) checkDecode(in []byte, p readPattern, limit int, borrowed, waiting bool) error {
	want := eventItems(d.reference(in, limit).items)
	var r io.Reader = &diffReader{b: in, p: p}
	if waiting {
		r = sse.WaitingReader(r)
	}
	dec := newLimitedDecoder(r, limit)
	got, err := drainEvents(dec, borrowed, len(in)+10)
	if err != io.EOF {
		return fmt.Errorf("ended with %v, want io.EOF", err)
	}
	if err := diffItems(got, want); err != nil {
		return err
	}
	if got, want := dec.LastEventID(), d.reference(in, limit).lastID; got != want {
		return fmt.Errorf("LastEventID %q at the end, want %q", shorten(got), shorten(want))
	}
	d.events += countEvents(want)
	return nil
}

// diffHandler records what a Client delivers, and the Client's
// LastEventID during each event.
type diffHandler struct {
	items     []frameItem
	idsDuring []string
	other     []error
	lastID    func() string
}

func (h *diffHandler) HandleEvent(e sse.Event) {
	h.items = append(h.items, frameItem{Frame: sse.Frame{Kind: sse.FrameEvent, Event: e}})
	h.idsDuring = append(h.idsDuring, h.lastID())
}

func (h *diffHandler) HandleError(err error) {
	var tl *sse.EventTooLargeError
	var dc *sse.DelayClampedError
	switch {
	case errors.As(err, &tl):
		h.items = append(h.items, frameItem{TooLarge: tl.Limit})
	case errors.As(err, &dc):
		// A retry field above the maximum delay: not under test here.
	default:
		h.other = append(h.other, err)
	}
}

func (h *diffHandler) HandleComment(text string) {
	h.items = append(h.items, frameItem{Frame: sse.Frame{Kind: sse.FrameComment, Comment: text}})
}

type diffBytesHandler struct{ *diffHandler }

func (h diffBytesHandler) HandleEventBytes(e sse.EventBytes) { h.HandleEvent(e.Event()) }

func (d *diffRun) checkClient(in []byte, p readPattern, limit int, transport sse.Transport, borrowed bool) error {
	want := d.reference(in, limit)
	d.mu.Lock()
	d.body = p.chunks(in)
	d.mu.Unlock()
	h := &diffHandler{}
	url, hc := d.srv.URL, d.hc
	if transport == transportHTTP2 {
		url, hc, transport = d.h2srv.URL, d.h2c, sse.TransportNetHTTP
	}
	opts := []sse.Option{sse.WithTransport(transport), sse.WithHTTPClient(hc), sse.WithMaxEventSize(limit),
		sse.WithStopAtEnd(), sse.WithGiveUp(1, 0)}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	var err error
	var lastID string
	if borrowed {
		c, cerr := sse.NewClient(url, diffBytesHandler{h}, opts...)
		if cerr != nil {
			return cerr
		}
		h.lastID = c.LastEventID
		err = c.Connect(ctx)
		lastID = c.LastEventID()
	} else {
		c, cerr := sse.NewClient(url, h, opts...)
		if cerr != nil {
			return cerr
		}
		h.lastID = c.LastEventID
		err = c.Connect(ctx)
		lastID = c.LastEventID()
	}
	if err != nil || len(h.other) > 0 {
		return fmt.Errorf("Connect returned %v, HandleError received %v", err, h.other)
	}
	if err := diffItems(h.items, clientItems(want.items)); err != nil {
		return err
	}
	i := 0
	for _, it := range h.items {
		if it.TooLarge == 0 && it.Frame.Kind == sse.FrameEvent {
			if h.idsDuring[i] != it.Frame.Event.ID {
				return fmt.Errorf("LastEventID %q during event %d, whose ID is %q", shorten(h.idsDuring[i]), i, shorten(it.Frame.Event.ID))
			}
			i++
		}
	}
	if lastID != want.lastID {
		return fmt.Errorf("LastEventID %q at the end, want %q", shorten(lastID), shorten(want.lastID))
	}
	d.events += countEvents(want.items)
	return nil
}

func (d *diffRun) serve(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	body := d.body
	d.mu.Unlock()
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	for _, c := range body {
		if _, err := io.WriteString(w, c); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

// diffSettings reads the seed and the budget from the environment.
func diffSettings(t *testing.T) (seed uint64, budget time.Duration) {
	t.Helper()
	budget = diffDefaultBudget
	if testing.Short() {
		budget = diffShortBudget
	}
	if v := os.Getenv("BOOKSTRACK_DIFF_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			t.Fatalf("BOOKSTRACK_DIFF_DURATION=%q: want a positive duration such as 10m", v)
		}
		budget = d
	}
	seed = rand.Uint64()
	if v := os.Getenv("BOOKSTRACK_DIFF_SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("BOOKSTRACK_DIFF_SEED=%q: want an unsigned integer", v)
		}
		seed = s
	}
	return seed, budget
}

func TestDifferential(t *testing.T) {
	seed, budget := diffSettings(t)
	t.Logf("seed %d (BOOKSTRACK_DIFF_SEED=%d reproduces this run), budget %v", seed, seed, budget)
	d := &diffRun{t: t, hc: &http.Client{Transport: &http.Transport{}}}
	d.srv = httptest.NewServer(http.HandlerFunc(d.serve))
	defer d.srv.Close()
	defer d.hc.CloseIdleConnections()
	d.h2srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor != 2 {
			http.Error(w, "this server serves the differential test's HTTP/2 path only", http.StatusHTTPVersionNotSupported)
			return
		}
		d.serve(w, r)
	}))
	d.h2srv.EnableHTTP2 = true
	d.h2srv.StartTLS()
	defer d.h2srv.Close()
	d.h2c = d.h2srv.Client()
	defer d.h2c.CloseIdleConnections()

	start := time.Now()
	var clientTime time.Duration
	for i := uint64(0); ; i++ {
		if elapsed := time.Since(start); elapsed >= budget && i > 0 {
			break
		}
		streamSeed := seed + i
		g := newGenerator(streamSeed, budget >= time.Minute)
		s, limit := g.stream()
		in := s.bytes()
		d.streams++
		d.bytes += len(in)
		// The Client's paths take longer: they get about a third of the
		// time, all six on a stream.
		withClient := clientTime <= time.Since(start)/3 && len(in) <= 2<<20
		if withClient {
			d.clientStreams++
		}
		var clientStart time.Time
		for _, path := range diffPaths {
			if path.client && !withClient {
				continue
			}
			if time.Since(start) >= budget && i > 0 {
				break // the rest of the paths would run past the budget
			}
			if path.client && clientStart.IsZero() {
				clientStart = time.Now()
			}
			patterns := []readPattern{g.pattern(len(in))}
			if path.name == "Next" && len(in) <= 64<<10 {
				patterns = append(patterns, readPattern{sizes: []int{1}})
			}
			for _, p := range patterns {
				err := catch(func() error { return path.check(d, in, p, limit) })
				if err != nil {
					d.fail(streamSeed, path, s, p, limit, err)
					return
				}
			}
		}
		if withClient {
			clientTime += time.Since(clientStart)
		}
	}
	t.Logf("compared %d streams (%d of them also through the Client, 6 ways), %d MB, %d events in all over the paths, in %v",
		d.streams, d.clientStreams, d.bytes>>20, d.events, time.Since(start).Round(time.Millisecond))
}

// fail shrinks the failing stream and reports it.
func (d *diffRun) fail(seed uint64, path diffPath, s genStream, p readPattern, limit int, err error) {
	t := d.t
	t.Helper()
	fails := func(c genStream) error {
		return catch(func() error { return path.check(d, c.bytes(), p, limit) })
	}
	small, tries, serr := shrinkStream(s, fails, err)
	in := small.bytes()
	t.Fatalf("differential test failed: stream seed %d (BOOKSTRACK_DIFF_SEED=%d go test ./sse -run '^TestDifferential$' reproduces it first)\n"+
		"path %s, %v, max event size %d (0: default)\n"+
		"original (%d bytes): %v\n"+
		"shrunk in %d tries to %d bytes: %v\n"+
		"reproduction: %s\n"+
		"the reference gives:%v",
		seed, seed, path.name, p, limit, len(s.bytes()), err, tries, len(in), serr, goString(in), shorten(referenceDecode(in, limit).String()))
}

// shrinkStream drops blocks and lines and shortens lines of s while fails
// still fails, and returns the smallest failing stream, the number of
// tries and its error.
func shrinkStream(s genStream, fails func(genStream) error, err error) (genStream, int, error) {
	deadline := time.Now().Add(diffShrinkBudget)
	tries := 0
	try := func(c genStream) bool {
		if time.Now().After(deadline) {
			return false
		}
		tries++
		if e := fails(c); e != nil {
			err = e
			return true
		}
		return false
	}
	for changed := true; changed && time.Now().Before(deadline); {
		changed = false
		if s.prefix != "" {
			c := s
			c.prefix = ""
			if try(c) {
				s, changed = c, true
			}
		}
		if s.tail != "" {
			c := s
			c.tail = ""
			if try(c) {
				s, changed = c, true
			}
		}
		// Drop runs of lines, halving their length down to one line.
		for n := len(s.lines) / 2; n >= 1; n /= 2 {
			for i := 0; i+n <= len(s.lines); {
				c := s
				c.lines = slices.Concat(s.lines[:i], s.lines[i+n:])
				if try(c) {
					s, changed = c, true
					continue
				}
				i += n
			}
		}
		// Shorten lines: cut their ends, then their middles.
		for i := range s.lines {
			for cut := len(s.lines[i].text) / 2; cut >= 1; cut /= 2 {
				for len(s.lines[i].text) > cut {
					c := s
					c.lines = slices.Clone(s.lines)
					text := c.lines[i].text
					c.lines[i].text = text[:len(text)-cut]
					if !try(c) {
						mid := len(text) / 2
						if mid+cut > len(text) {
							break
						}
						c.lines[i].text = text[:mid] + text[mid+cut:]
						if !try(c) {
							break
						}
					}
					s, changed = c, true
				}
			}
			// Plain line ends.
			if s.lines[i].eol != "\n" {
				c := s
				c.lines = slices.Clone(s.lines)
				c.lines[i].eol = "\n"
				if try(c) {
					s, changed = c, true
				}
			}
		}
	}
	return s, tries, err
}

// goString writes b as a Go expression, runs of one byte as
// strings.Repeat.
func goString(b []byte) string {
	var parts []string
	lit := func(s []byte) {
		if len(s) > 0 {
			parts = append(parts, strconv.Quote(string(s)))
		}
	}
	start := 0
	for i := 0; i < len(b); {
		j := i
		for j < len(b) && b[j] == b[i] {
			j++
		}
		if j-i >= 16 {
			lit(b[start:i])
			parts = append(parts, fmt.Sprintf("strings.Repeat(%s, %d)", strconv.Quote(string(b[i:i+1])), j-i))
			start = j
		}
		i = j
	}
	lit(b[start:])
	if len(parts) == 0 {
		return `""`
	}
	return strings.Join(parts, " + ")
}

// maxSeedSize bounds the threshold sizes the fuzz targets are seeded
// with: every size where the decoding changes behaviour is at most
// maxLineBuffer (64 KiB) + 2; the larger powers of two are left to
// TestDifferential, as each seed also runs, one byte per read, in every
// go test.
const maxSeedSize = 64<<10 + 2

// thresholdStreams returns, for each threshold size up to maxSeedSize, a
// stream of an event with that many bytes of data over two data lines
// with a new ID and type, then an event that repeats them (the shapes of
// the issue 18 panics), and a single data line of that many bytes. Past
// 16 KiB (the sizes of a single line: the line buffer and the spill to the
// data buffer) only the single line, and only ±1, to keep the seeds' run
// in every go test short.
func thresholdStreams() []string {
	var out []string
	for i, n := range thresholdSizes() {
		if n > maxSeedSize {
			continue
		}
		if n > 16<<10+2 {
			sizes := thresholdSizes()
			if i == 0 || i == len(sizes)-1 || sizes[i-1] != n-1 || sizes[i+1] != n+1 {
				continue // not a threshold, or ±2 from one
			}
			out = append(out, "data:"+strings.Repeat("c", n-len("data:"))+"\n\n")
			continue
		}
		var b strings.Builder
		b.WriteString("id: 1\nevent: t\n")
		if n == 0 {
			b.WriteString("data\n")
		} else {
			first := n / 2
			b.WriteString("data: " + strings.Repeat("a", first) + "\n")
			b.WriteString("data: " + strings.Repeat("b", n-first-1) + "\n")
		}
		b.WriteString("\nevent: t\ndata:\n\n")
		if n >= len("data:") {
			b.WriteString("data:" + strings.Repeat("c", n-len("data:")) + "\n\n")
		}
		out = append(out, b.String())
	}
	return append(out, joinStreams()...)
}

// joinStreams returns streams of events over several data lines past
// keepBuffer, between runs of lendEvents-1 and lendEvents small events:
// the buffer DecodeBytes lends with the first is taken back for the
// second, then let go; a larger event, then a smaller one.
func joinStreams() []string {
	event := func(b *strings.Builder, n int) {
		for n > 0 {
			l := min(n, 1000)
			b.WriteString("data: " + strings.Repeat("j", l) + "\n")
			n -= l + 1
		}
		b.WriteString("\n")
	}
	var out []string
	for _, run := range []int{sse.LendEvents - 1, sse.LendEvents} {
		var b strings.Builder
		for _, n := range []int{9 << 10, 9<<10 + 1, 20 << 10, 9 << 10} {
			b.WriteString("id: x\n")
			event(&b, n)
			for range run {
				b.WriteString("data: s\n\n")
			}
		}
		out = append(out, b.String())
	}
	return out
}

// thresholdData returns, for each threshold size up to maxSeedSize, data
// of that many bytes over two lines.
func thresholdData() []string {
	var out []string
	for _, n := range thresholdSizes() {
		if n > maxSeedSize {
			continue
		}
		if n == 0 {
			out = append(out, "")
			continue
		}
		first := n / 2
		out = append(out, strings.Repeat("a", first)+"\n"+strings.Repeat("b", n-first-1))
	}
	return out
}
