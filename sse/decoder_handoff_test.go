package sse_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// Issue 18, item 1: an event of 4 KiB to 8 KiB of data over several data
// lines grows the Decoder's data buffer past 8 KiB, at most half empty,
// and that buffer is handed over as the Data string. The string then
// holds the data only, while the code that reads a new ID and type from
// after the data judged by the data's size alone: Decode and Next
// panicked (slice bounds out of range) on a new ID, and a new type came
// out empty.

// handoffSizes are data sizes around the hand-off of a data buffer grown
// past 8 KiB (4 097 to 8 192 bytes), every size near its edges.
func handoffSizes() []int {
	var sizes []int
	for n := 4085; n <= 4110; n++ {
		sizes = append(sizes, n)
	}
	for n := 4111; n < 8170; n += 97 {
		sizes = append(sizes, n)
	}
	for n := 8170; n <= 8200; n++ {
		sizes = append(sizes, n)
	}
	return sizes
}

// twoLineEvent returns a stream of one event whose data (n bytes, n >= 2)
// comes over two data lines, with the fields given before it, and the
// event.
func twoLineEvent(fields string, n int) (string, string) {
	first := strings.Repeat("y", n/2)
	second := strings.Repeat("z", n-n/2-1)
	return fields + "data: " + first + "\ndata: " + second + "\n\n", first + "\n" + second
}

func TestDecodeHandsOverAMultiLineEventOf4To8KiBWithItsIDAndType(t *testing.T) {
	for _, n := range handoffSizes() {
		for _, fields := range []string{"id: 1\n", "event: a\n", "id: 1\nevent: a\n", ""} {
			in, data := twoLineEvent(fields, n)
			want := sse.Event{Data: data, Type: "message"}
			if strings.Contains(fields, "id:") {
				want.ID = "1"
			}
			if strings.Contains(fields, "event:") {
				want.Type = "a"
			}
			// A first small event makes the ID and type the second one
			// repeats not new, the path the lost type took.
			stream := fields + "data: x\n\n" + in
			first := sse.Event{ID: want.ID, Type: want.Type, Data: "x"}
			name := fmt.Sprintf("%d bytes after %q", n, fields)
			for _, s := range []struct {
				stream string
				want   []sse.Event
			}{{in, []sse.Event{want}}, {stream, []sse.Event{first, want}}} {
				d := sse.NewDecoder(strings.NewReader(s.stream))
				var got []sse.Event
				require.NotPanics(t, func() {
					for {
						e, err := d.Decode()
						if err != nil {
							break
						}
						got = append(got, e)
					}
				}, "Decode: %s", name)
				assert.Equal(t, s.want, got, "Decode: %s", name)

				d = sse.NewDecoder(strings.NewReader(s.stream))
				require.NotPanics(t, func() {
					got = got[:0]
					for {
						f, err := d.Next()
						if err != nil {
							break
						}
						got = append(got, f.Event)
					}
				}, "Next: %s", name)
				assert.Equal(t, s.want, got, "Next: %s", name)

				got = got[:0]
				require.NotPanics(t, func() {
					for e, err := range sse.Read(strings.NewReader(s.stream)) {
						require.NoError(t, err)
						got = append(got, e)
					}
				}, "Read: %s", name)
				assert.Equal(t, s.want, got, "Read: %s", name)
			}
		}
	}
}

// The two reproductions of the issue, as written there.
func TestReadTheIssue18Reproductions(t *testing.T) {
	y := strings.Repeat("y", 2050)
	var got []sse.Event
	require.NotPanics(t, func() {
		for e, err := range sse.Read(strings.NewReader("id: 1\ndata: " + y + "\ndata: " + y + "\n\n")) {
			require.NoError(t, err)
			got = append(got, e)
		}
	})
	assert.Equal(t, []sse.Event{{ID: "1", Type: "message", Data: y + "\n" + y}}, got)

	got = nil
	for e, err := range sse.Read(strings.NewReader("event: a\ndata:" + strings.Repeat("a", 4096) + "\ndata: a\n\n")) {
		require.NoError(t, err)
		got = append(got, e)
	}
	assert.Equal(t, []sse.Event{{Type: "a", Data: strings.Repeat("a", 4096) + "\na"}}, got)
}

func TestClientDeliversAMultiLineEventOf4To8KiBWithItsIDAndType(t *testing.T) {
	in1, data1 := twoLineEvent("id: 1\n", 4101)
	in2, data2 := twoLineEvent("event: a\n", 4098)
	in3, data3 := twoLineEvent("event: a\nid: 2\n", 8180)
	_, c, rec := setup(t, []ssetest.Script{script(ssetest.Raw(in1 + in2 + in3)), noContent})
	require.NoError(t, c.Connect(testContext(t)))
	assert.Equal(t, []sse.Event{
		{ID: "1", Type: "message", Data: data1},
		{ID: "1", Type: "a", Data: data2},
		{ID: "2", Type: "a", Data: data3},
	}, rec.Events())
	assert.Equal(t, "2", c.LastEventID())
}

// Found by TestDifferential (stream seed 14862834977887698943): on a busy
// stream (reads that fill the read buffer, so events are cut from 4 KiB
// blocks), an event with empty data whose ID and type repeat the previous
// event's has nothing to write, and taking the address of its first byte
// in the block panicked (index out of range).
func TestDecodeAnEmptyEventOnABusyStream(t *testing.T) {
	busy := strings.Repeat("id: 1\nevent: t\ndata: x\n\n", 200)
	for tail, data := range map[string]string{"data:\n\n": "", "data\n\n": "", "data: \n\n": "", "data:\ndata:\n\n": "\n"} {
		want := sse.Event{ID: "1", Type: "t", Data: data}
		stream := busy + "event: t\n" + tail
		var got []sse.Event
		require.NotPanics(t, func() {
			for e, err := range sse.Read(strings.NewReader(stream)) {
				require.NoError(t, err)
				got = append(got, e)
			}
		}, "Read: %q", tail)
		require.Len(t, got, 201, "Read: %q", tail)
		assert.Equal(t, want, got[200], "Read: %q", tail)

		d := sse.NewDecoder(strings.NewReader(stream))
		got = got[:0]
		require.NotPanics(t, func() {
			for {
				f, err := d.Next()
				if err != nil {
					break
				}
				got = append(got, f.Event)
			}
		}, "Next: %q", tail)
		require.Len(t, got, 201, "Next: %q", tail)
		assert.Equal(t, want, got[200], "Next: %q", tail)
	}
}
