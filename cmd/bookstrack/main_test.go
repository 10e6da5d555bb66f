package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// result is what a run of the command left.
type result struct {
	code           int
	stdout, stderr string
}

// syncBuffer is a writer safe for the command's goroutines and the
// test's; seen is closed once the output contains the text wait names.
type syncBuffer struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	wait string
	seen chan struct{}
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	if b.seen != nil && b.wait != "" && strings.Contains(b.buf.String(), b.wait) {
		close(b.seen)
		b.seen = nil
	}
	return n, err
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testContext ends with the test, and after a minute at most, so that a
// bug fails the test instead of hanging it.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// cli runs the command in the process with args, an empty environment
// but for env, and stdin.
func cli(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	return cliContext(testContext(t), env, stdin, &syncBuffer{}, args...)
}

func cliContext(ctx context.Context, env map[string]string, stdin string, stdout *syncBuffer, args ...string) result {
	var stderr syncBuffer
	code := run(ctx, args, strings.NewReader(stdin), stdout, &stderr, func(k string) string { return env[k] })
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// errorLine checks that the run failed with code, printing one error
// line, last, with no stack trace, and returns it.
func (r result) errorLine(t *testing.T, code int) string {
	t.Helper()
	require.Equal(t, code, r.code, "exit code; stderr:\n%s", r.stderr)
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	var errs []string
	for _, l := range lines {
		if strings.HasPrefix(l, "bookstrack: ") {
			errs = append(errs, l)
		}
	}
	require.Len(t, errs, 1, "one error line in:\n%s", r.stderr)
	require.Equal(t, errs[0], lines[len(lines)-1], "the error line comes last")
	require.NotContains(t, r.stderr, "goroutine ")
	require.NotContains(t, r.stderr, "panic")
	return errs[0]
}

// line is one line of --events, as a script reads it.
type line struct {
	Type       string
	Job        *struct{ ID, Kind, Status string }
	Stage      string
	Progress   *bookstrack.Progress
	Completion *bookstrack.Completion
	Results    json.RawMessage
	Message    string
	Exit       int
}

// eventLines decodes the JSON lines of --events.
func eventLines(t *testing.T, out string) []line {
	t.Helper()
	var lines []line
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var l line
		require.NoError(t, dec.Decode(&l), "in:\n%s", out)
		lines = append(lines, l)
	}
	return lines
}

func progressOf(lines []line) []bookstrack.Progress {
	var ps []bookstrack.Progress
	for _, l := range lines {
		if l.Type == "progress" {
			ps = append(ps, *l.Progress)
		}
	}
	return ps
}

// writeFile writes a file in a temporary directory and returns its path.
func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, data, 0o600))
	return p
}

// catalogue returns n ISBN-13s the fake knows.
func catalogue(n int) []string {
	var isbns []string
	for _, b := range bookstracktest.Catalogue()[:n] {
		isbns = append(isbns, b.ISBN13)
	}
	return isbns
}

// libraryCSV is a Goodreads-style export of n catalogue books.
func libraryCSV(n int) string {
	var b strings.Builder
	b.WriteString("Title,Author,ISBN13\n")
	for _, book := range bookstracktest.Catalogue()[:n] {
		fmt.Fprintf(&b, "%s,%s,=\"%s\"\n", book.Title, book.Authors[0], book.ISBN13)
	}
	return b.String()
}

// photo draws a small PNG that seed makes distinct.
func photo(t *testing.T, seed int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 8))
	for x := 0; x < 16; x++ {
		for y := 0; y < 8; y++ {
			img.Set(x, y, color.RGBA{uint8(seed * 40), uint8(x * 16), uint8(y * 30), 255})
		}
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

// photoFiles writes n photos and returns their paths.
func photoFiles(t *testing.T, n int) []string {
	var paths []string
	for i := range n {
		paths = append(paths, writeFile(t, fmt.Sprintf("shelf%d.png", i+1), photo(t, i+1)))
	}
	return paths
}

// frozen starts a fake API whose clock only the test moves: its jobs stay
// queued until then.
func frozen(t *testing.T, opts ...bookstracktest.Option) (*bookstracktest.Server, *ssetest.Clock) {
	clk := ssetest.NewClock(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	return bookstracktest.NewServer(t, append([]bookstracktest.Option{bookstracktest.WithClock(clk)}, opts...)...), clk
}

// fast starts a fake API whose jobs step every millisecond.
func fast(t *testing.T) *bookstracktest.Server {
	return bookstracktest.NewServer(t, bookstracktest.WithStepInterval(time.Millisecond))
}

// closedURL is a base URL where nothing listens.
func closedURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	u := "http://" + l.Addr().String()
	require.NoError(t, l.Close())
	return u
}
