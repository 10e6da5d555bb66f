package sse_test

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/bookstrack/bookstrack-go/sse"
)

// smallEvents returns n events of about 150 bytes of one-line JSON each,
// with id and event fields, their lines ended by eol.
func smallEvents(n int, eol string) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, "id: %d%sevent: book.updated%s", i, eol, eol)
		fmt.Fprintf(&b, `data: {"id":%d,"isbn":"978-0-441-17271-9","title":"Dune","author":"Frank Herbert","status":"reading","progress":0.42,"updated":"2025-01-02T03:04:05Z"}`, i)
		b.WriteString(eol + eol)
	}
	return b.Bytes()
}

// bigEvents returns n events of 64 KiB of data each, in lines of lineLen
// bytes.
func bigEvents(n, lineLen int) []byte {
	line := "data: " + strings.Repeat("x", lineLen) + "\n"
	block := strings.Repeat(line, (64<<10)/lineLen) + "\n"
	return []byte(strings.Repeat(block, n))
}

// countMallocs returns the number of heap allocations so far.
func countMallocs() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.Mallocs
}

func BenchmarkDecoder(b *testing.B) {
	benches := []struct {
		name   string
		stream []byte
		events int
		wrap   func(io.Reader) io.Reader
	}{
		{name: "small_JSON_LF", stream: smallEvents(1000, "\n"), events: 1000},
		{name: "small_JSON_CRLF", stream: smallEvents(1000, "\r\n"), events: 1000},
		{name: "small_JSON_CR", stream: smallEvents(1000, "\r"), events: 1000},
		{name: "64KiB_one_line", stream: bigEvents(16, 64<<10), events: 16},
		{name: "64KiB_1024_lines_of_64B", stream: bigEvents(16, 64), events: 16},
		{name: "small_JSON_one_byte_reads", stream: smallEvents(100, "\n"), events: 100, wrap: iotest.OneByteReader},
	}
	// Decode returns strings the caller may keep; DecodeBytes lends the
	// Decoder's buffers (the zero-copy path).
	decoders := []struct {
		name   string
		decode func(*sse.Decoder) error
	}{
		{"Decode", func(d *sse.Decoder) error { _, err := d.Decode(); return err }},
		{"DecodeBytes", func(d *sse.Decoder) error { _, err := d.DecodeBytes(); return err }},
	}
	for _, bb := range benches {
		for _, dd := range decoders {
			b.Run(dd.name+"/"+bb.name, func(b *testing.B) {
				b.SetBytes(int64(len(bb.stream)))
				b.ReportAllocs()
				r := bytes.NewReader(bb.stream)
				mallocs := countMallocs()
				for range b.N {
					r.Reset(bb.stream)
					var src io.Reader = r
					if bb.wrap != nil {
						src = bb.wrap(r)
					}
					d := sse.NewDecoder(src)
					n := 0
					for {
						err := dd.decode(d)
						if err == io.EOF {
							break
						}
						if err != nil {
							b.Fatal(err)
						}
						n++
					}
					if n != bb.events {
						b.Fatalf("decoded %d events, want %d", n, bb.events)
					}
				}
				b.ReportMetric(float64(bb.events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
				b.ReportMetric(float64(countMallocs()-mallocs)/float64(b.N*bb.events), "allocs/event")
			})
		}
	}
}
