package server

import (
	"fmt"
	"strings"
	"testing"
)

// The server builds its events without fmt; they must be what fmt gave.
func TestEventsAreWhatTheFormatsSay(t *testing.T) {
	for _, i := range []int{0, 1, 9, 10, 12345, 1 << 40} {
		if got, want := Small(i), fmt.Sprintf(SmallEvent, i); got != want {
			t.Fatalf("Small(%d) = %q, want %q", i, got, want)
		}
		if got, want := string(appendSmallEvent(nil, i)), fmt.Sprintf("id: %d\ndata: "+SmallEvent+"\n\n", i, i); got != want {
			t.Fatalf("appendSmallEvent(%d) = %q, want %q", i, got, want)
		}
	}
	var want strings.Builder
	for l := range strings.SplitSeq(LargeData, "\n") {
		want.WriteString("data: " + l + "\n")
	}
	want.WriteString("\n")
	if string(largeBlock) != want.String() {
		t.Fatal("largeBlock is not LargeData's data lines and a blank line")
	}
}
