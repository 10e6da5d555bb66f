package main

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
)

func TestOnATerminalProgressIsABarRedrawnInPlace(t *testing.T) {
	var out bytes.Buffer
	d := &display{kind: bookstrack.KindScan, out: &out, term: true}
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

func TestOffATerminalProgressIsPlainLines(t *testing.T) {
	var out bytes.Buffer
	d := &display{kind: bookstrack.KindEnrichment, out: &out, secrets: []string{"s3cret"}}
	d.progress(bookstrack.Progress{Fraction: 0.25, Status: bookstrack.StatusProcessing, Message: "Processing 1/4\twith s3cret"})
	d.end()
	assert.Equal(t, " 25.0%  [processing] Processing 1/4 with [redacted]\n", out.String())
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
