package sse_test

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/bookstrack/bookstrack-go/sse"
)

// largeEvents returns n events of 64 KiB of data over 64 data lines (the
// large workload of compare/), each with a new id.
func largeEvents(n int) []byte {
	line := "data: " + strings.Repeat("x", 1023) + "\n"
	var b bytes.Buffer
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "id: %d\n%s\n", i, strings.Repeat(line, 64))
	}
	return b.Bytes()
}

func TestDecodeBytesJoinsLargeEventsWithoutAnAllocationPerEvent(t *testing.T) {
	// The data of an event over several lines is joined in a buffer the
	// Decoder lends with the event and takes back at the next call.
	const n = 200
	d := sse.NewDecoder(bytes.NewReader(largeEvents(2 * n)))
	want := strings.TrimSuffix(strings.Repeat(strings.Repeat("x", 1023)+"\n", 64), "\n")
	for range n {
		e, err := d.DecodeBytes()
		if err != nil || string(e.Data) != want {
			t.Fatalf("DecodeBytes = %d bytes of data, %v", len(e.Data), err)
		}
	}
	var id []byte
	m0 := countMallocs()
	for i := range n {
		e, err := d.DecodeBytes()
		id = strconv.AppendInt(id[:0], int64(n+i+1), 10)
		if err != nil || len(e.Data) != len(want) || !bytes.Equal(e.ID, id) {
			t.Fatalf("DecodeBytes = %d bytes of data, id %q, %v", len(e.Data), e.ID, err)
		}
	}
	got := float64(countMallocs()-m0) / n
	t.Logf("DecodeBytes: %.3f allocations per 64 KiB event over 64 lines", got)
	if got > 0.1 {
		t.Errorf("DecodeBytes made %.3f allocations per 64 KiB event over 64 lines, want at most 0.1", got)
	}
}

func TestDecodeBytesLentDataIsTheEventsUntilTheNextCall(t *testing.T) {
	// Two large events over several lines in a row, the second shorter:
	// the second's data is in the buffer lent with the first, and each
	// reads as its own while it is lent.
	first := strings.Repeat(strings.Repeat("a", 999)+"\n", 20) + "end1"
	second := strings.Repeat(strings.Repeat("b", 999)+"\n", 15) + "end2"
	in := "data: " + strings.ReplaceAll(first, "\n", "\ndata: ") + "\n\n" +
		"data: " + strings.ReplaceAll(second, "\n", "\ndata: ") + "\n\n"
	d := sse.NewDecoder(strings.NewReader(in))
	for _, want := range []string{first, second} {
		e, err := d.DecodeBytes()
		if err != nil || string(e.Data) != want {
			t.Fatalf("DecodeBytes = %q, %v; want %q", shortData(e.Data), err, shortData([]byte(want)))
		}
	}
	if _, err := d.DecodeBytes(); err != io.EOF {
		t.Fatalf("DecodeBytes at the end = %v, want io.EOF", err)
	}
}

func shortData(b []byte) string {
	if len(b) > 40 {
		return string(b[:20]) + "..." + string(b[len(b)-20:])
	}
	return string(b)
}

// linesOfKiB returns an event of kib data lines of 1 KiB each, as
// received, without holding it.
func linesOfKiB(kib int) io.Reader {
	line := "data: " + strings.Repeat("y", 1024-len("data: \n")) + "\n"
	return io.MultiReader(&patternReader{pat: []byte(line), n: kib * len(line)}, strings.NewReader("\n"))
}

// heldAfter decodes in with DecodeBytes to its end and returns what the
// Decoder holds while its last Read waits, as heapSampler measures it.
func heldAfter(t *testing.T, parts ...io.Reader) int64 {
	t.Helper()
	base := liveHeap()
	s := &heapSampler{r: io.MultiReader(parts...), lastGC: base}
	d := sse.NewDecoder(s)
	for {
		_, err := d.DecodeBytes()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	runtime.KeepAlive(d)
	return int64(s.idle) - int64(base)
}

func TestDecodeBytesLetsTheLentBufferGoAfterARunOfSmallEvents(t *testing.T) {
	const fewKiB = 32 << 10
	small := func(k int) io.Reader { return strings.NewReader(strings.Repeat("data: s\n\n", k)) }
	kept := heldAfter(t, linesOfKiB(256), small(sse.LendEvents-1))
	gone := heldAfter(t, linesOfKiB(256), small(sse.LendEvents))
	t.Logf("held after a 256 KiB event and %d small events: %d bytes; after %d: %d bytes", sse.LendEvents-1, kept, sse.LendEvents, gone)
	if kept < 256<<10 {
		t.Errorf("after %d small events the Decoder holds %d bytes, want the 256 KiB buffer kept for the next large event", sse.LendEvents-1, kept)
	}
	if gone > fewKiB {
		t.Errorf("after %d small events the Decoder holds %d bytes, want at most %d", sse.LendEvents, gone, fewKiB)
	}
}

func TestDecodeBytesLetsTheLentBufferGoAsTheStreamTurnsQuiet(t *testing.T) {
	const fewKiB = 32 << 10
	// Comments in short reads: no event, but the stream turns quiet.
	quiet := shortReader{strings.NewReader(strings.Repeat(": ping\n", 20)), 7}
	held := heldAfter(t, linesOfKiB(256), quiet)
	t.Logf("held after a 256 KiB event and a quiet stream: %d bytes", held)
	if held > fewKiB {
		t.Errorf("after the stream turned quiet the Decoder holds %d bytes, want at most %d", held, fewKiB)
	}
}

func TestDecodeBytesLendingAddsNothingToThePeakHeap(t *testing.T) {
	// A 2 MiB event then an 8 MiB one, over lines of 1 KiB: the buffer
	// lent with the first is taken for the second, never held beside a
	// new one. The peak stays what Decode's is, give or take the
	// sampler's MiB of garbage.
	peak := func(decode func(*sse.Decoder) (int, error)) (uint64, int) {
		base := liveHeap()
		s := &heapSampler{r: io.MultiReader(linesOfKiB(2<<10), linesOfKiB(8<<10)), lastGC: base}
		d := sse.NewDecoder(s)
		n := 0
		for {
			k, err := decode(d)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			n = max(n, k)
		}
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		runtime.KeepAlive(d)
		return max(s.peak, m.HeapAlloc) - base, n
	}
	strPeak, n := peak(func(d *sse.Decoder) (int, error) { e, err := d.Decode(); return len(e.Data), err })
	bytesPeak, _ := peak(func(d *sse.Decoder) (int, error) { e, err := d.DecodeBytes(); return len(e.Data), err })
	t.Logf("a 2 MiB event then an 8 MiB one: peak heap %.1f MiB with Decode, %.1f MiB with DecodeBytes (%.2fx the larger)",
		float64(strPeak)/(1<<20), float64(bytesPeak)/(1<<20), float64(bytesPeak)/float64(n))
	if bytesPeak > strPeak+1<<20 {
		t.Errorf("DecodeBytes peaked at %d bytes, Decode at %d, for a largest event of %d bytes", bytesPeak, strPeak, n)
	}
}
