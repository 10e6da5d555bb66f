package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
)

func columns(n int) func() int { return func() int { return n } }

func TestOnATerminalProgressIsABarRedrawnInPlace(t *testing.T) {
	var out bytes.Buffer
	d := &display{kind: bookstrack.KindScan, out: &out, term: true, width: columns(120)}
	d.progress(bookstrack.Progress{Fraction: 0.3, Message: "Processing photo 1 of 2..."})
	d.progress(bookstrack.Progress{Fraction: 0.5, Message: "Processing photo 2 of 2..."})
	d.notice(errors.New("bookstrack: unexpected EOF"))
	d.progress(bookstrack.Progress{Fraction: 1, Status: bookstrack.StatusCompleted, Message: "Scan complete"})
	d.end()
	assert.Equal(t,
		"\r\033[K[#########.....................]  30.0%  [detecting] Processing photo 1 of 2..."+
			"\r\033[K[###############...............]  50.0%  [detecting] Processing photo 2 of 2..."+
			"\n  ! unexpected EOF (the watch goes on)\n"+
			"\r\033[K[##############################] 100.0%  [done] Scan complete\n",
		out.String())
}

// drawn returns the lines a terminal shows for out: each "\r\033[K"
// starts the line again.
func drawn(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		for _, part := range strings.Split(l, "\r\033[K") {
			if part != "" {
				lines = append(lines, part)
			}
		}
	}
	return lines
}

// At 40 and 80 columns, every progress line fits in the width, less one
// column (so it never wraps and "\r" returns to its start): the message
// is cut with "…", the bar and the percentage are kept.
func TestAtAnyWidthTheProgressLineFitsAndKeepsTheBar(t *testing.T) {
	long := "Processing photo 2 of 3 of the shelf in the living room, the one by the window..."
	for _, tc := range []struct {
		cols      int
		first     string // the line of the update at 0.5
		barFilled string
	}{
		{80, "[###############...............]  50.0%  [detecting] Processing photo 2 of 3 o…", "[##############################] 100.0%"},
		{40, "[#####.....]  50.0%  [detecting] Proce…", "[##########] 100.0%"},
	} {
		t.Run(fmt.Sprintf("%d columns", tc.cols), func(t *testing.T) {
			var out bytes.Buffer
			d := &display{kind: bookstrack.KindScan, out: &out, term: true, width: columns(tc.cols)}
			d.progress(bookstrack.Progress{Fraction: 0.5, Message: long})
			d.progress(bookstrack.Progress{Fraction: 1, Status: bookstrack.StatusCompleted, Message: long})
			d.end()
			assert.Equal(t, 1, strings.Count(out.String(), "\n"), "one line, redrawn in place, ended once")
			lines := drawn(out.String())
			require.Len(t, lines, 2)
			assert.Equal(t, tc.first, lines[0])
			assert.True(t, strings.HasPrefix(lines[1], tc.barFilled), lines[1])
			for _, l := range lines {
				assert.Equal(t, tc.cols-1, utf8.RuneCountInString(l), "%q", l)
			}
		})
	}
}

// However narrow the terminal, no line is wider than it; a short message
// is not cut.
func TestNoProgressLineIsWiderThanTheTerminal(t *testing.T) {
	for cols := 1; cols <= 200; cols++ {
		for _, msg := range []string{"", "Done", "Enriched 12 of 40 books — «quotes» and ümlauts"} {
			l := barLine(0.42, "42.0%", msg, cols)
			assert.LessOrEqual(t, utf8.RuneCountInString(l), max(cols-1, 0), "cols %d: %q", cols, l)
			if cols >= 22 {
				assert.Regexp(t, `^\[#*\.*\]  42\.0%`, l, "cols %d keeps the bar", cols)
			}
			if cols >= 100 {
				assert.True(t, strings.HasSuffix(l, msg), "cols %d: %q", cols, l)
			}
		}
	}
}

func TestOffATerminalOrAtAnUnknownWidthProgressIsPlainLines(t *testing.T) {
	for _, d := range []*display{
		{kind: bookstrack.KindEnrichment},
		{kind: bookstrack.KindEnrichment, term: true, width: columns(0)},
		{kind: bookstrack.KindEnrichment, term: true},
	} {
		var out bytes.Buffer
		d.out = &out
		d.progress(bookstrack.Progress{Fraction: 0.25, Status: bookstrack.StatusProcessing, Message: "Processing 1/4\twith s3cret"})
		d.end()
		assert.Equal(t, " 25.0%  [processing] Processing 1/4 with s3cret\n", out.String(), "the server's text, not altered")
	}
}

func TestAFileIsATerminalOnlyWhenItIsACharacterDevice(t *testing.T) {
	assert.False(t, isTerminal(&bytes.Buffer{}))
	f := writeFile(t, "out.txt", nil)
	file, err := os.Open(f)
	require.NoError(t, err)
	defer file.Close()
	assert.False(t, isTerminal(file), "a regular file")
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	require.NoError(t, err)
	defer null.Close()
	assert.True(t, isTerminal(null), "a character device, as terminals are")
}
