package sse

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"
)

// TestChunkedReaderAllocatesNothingPerChunk reads a body of many chunks:
// the CRLF check after each chunk's data allocates nothing, so a large
// event sent in chunks reaches a BytesHandler without an allocation per
// chunk (issue 21: at most 0.1 allocations per 64 KiB event).
func TestChunkedReaderAllocatesNothingPerChunk(t *testing.T) {
	const chunks = 64
	var body strings.Builder
	for range chunks {
		body.WriteString("400\r\n" + strings.Repeat("x", 1024) + "\r\n")
	}
	body.WriteString("0\r\n\r\n")
	in := []byte(body.String())
	src := bytes.NewReader(in)
	br := bufio.NewReaderSize(src, 4096)
	buf := make([]byte, 2048)
	allocs := testing.AllocsPerRun(20, func() {
		src.Reset(in)
		br.Reset(src)
		c := chunkedReader{br: br}
		for {
			if _, err := c.Read(buf); err == io.EOF {
				return
			} else if err != nil {
				t.Fatal(err)
			}
		}
	})
	if perChunk := allocs / chunks; perChunk > 0.01 {
		t.Fatalf("%.2f allocations per chunk (%.0f per body of %d chunks), want none", perChunk, allocs, chunks)
	}
}
