package sse_test

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

// chunkReader returns its chunks one Read at a time, then io.EOF. An empty
// chunk is an empty read (0, nil); a chunk longer than the caller's buffer
// is returned over several Reads.
type chunkReader struct {
	chunks []string
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.chunks[0])
	if n < len(r.chunks[0]) {
		r.chunks[0] = r.chunks[0][n:]
	} else {
		r.chunks = r.chunks[1:]
	}
	return n, nil
}

// splitEvery returns s cut into pieces of n bytes (the last may be shorter).
func splitEvery(s string, n int) []string {
	var chunks []string
	for len(s) > n {
		chunks = append(chunks, s[:n])
		s = s[n:]
	}
	return append(chunks, s)
}

// TestDecoderChunking checks that every case of the table gives the same
// frames however the reads split its stream.
func TestDecoderChunking(t *testing.T) {
	for _, c := range decodeCases {
		t.Run(c.name, func(t *testing.T) {
			want := c.wantResult()
			check := func(t *testing.T, how string, chunks []string) {
				t.Helper()
				if got := decodeWith(c, &chunkReader{chunks: chunks}); !got.equal(want) {
					t.Errorf("%s: reads %q\ngot:%v\nwant:%v", how, chunks, got, want)
				}
			}
			t.Run("whole", func(t *testing.T) {
				check(t, "one read", []string{c.in})
			})
			t.Run("byte_by_byte", func(t *testing.T) {
				check(t, "one byte per read", splitEvery(c.in, 1))
			})
			for _, n := range []int{2, 3, 5} {
				t.Run(fmt.Sprintf("%d_bytes_per_read", n), func(t *testing.T) {
					check(t, fmt.Sprintf("%d bytes per read", n), splitEvery(c.in, n))
				})
			}
			for i := 0; i <= len(c.in); i++ {
				t.Run(fmt.Sprintf("split_at_%d", i), func(t *testing.T) {
					check(t, fmt.Sprintf("two reads split at %d", i), []string{c.in[:i], c.in[i:]})
				})
			}
			if len(c.in) <= 80 {
				t.Run("three_reads", func(t *testing.T) {
					for i := 1; i < len(c.in); i++ {
						for j := i + 1; j < len(c.in); j++ {
							check(t, fmt.Sprintf("three reads split at %d and %d", i, j), []string{c.in[:i], c.in[i:j], c.in[j:]})
						}
					}
				})
			}
		})
	}
}

// TestDecoderChunkingSplitStrings checks the chunking helpers themselves.
func TestDecoderChunkingSplitStrings(t *testing.T) {
	if got := strings.Join(splitEvery("abcde", 2), "|"); got != "ab|cd|e" {
		t.Errorf("splitEvery = %q", got)
	}
	r := &chunkReader{chunks: []string{"abc", "", "d"}}
	b, err := io.ReadAll(r)
	if string(b) != "abcd" || err != nil {
		t.Errorf("ReadAll(chunkReader) = %q, %v", b, err)
	}
}
