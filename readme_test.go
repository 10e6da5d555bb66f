package bookstrack_test

import (
	"context"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/scan"
	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// TestScanAgainstTheFake is the README's "Testing against BooksTrack"
// snippet, compiled and run; TestREADMEGoBlocksAreInTheFilesTheyName keeps
// the two identical.
func TestScanAgainstTheFake(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	clk := ssetest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	srv := bookstracktest.NewServer(t, bookstracktest.WithClock(clk),
		bookstracktest.WithQuirks(bookstracktest.Quirks{PercentComplete: true}))
	c, err := scan.NewClient(bookstrack.WithBaseURL(srv.URL), bookstrack.WithClock(clk),
		bookstrack.WithStreamOptions(sse.WithNoDelay()))
	if err != nil {
		t.Fatal(err)
	}
	job, err := c.Start(ctx, []byte("a photo of a shelf"))
	if err != nil {
		t.Fatal(err)
	}

	// The fake's jobs move only when its clock does: one step per
	// DefaultStepInterval. Nothing else has a timer on clk yet, so the
	// pending timer is the job's next step: advance until the job ends.
	for info, _ := srv.Job(job.ID); info.CompletedAt.IsZero(); info, _ = srv.Job(job.ID) {
		if err := clk.WaitPending(ctx, 1); err != nil {
			t.Fatal(err)
		}
		clk.Advance(bookstracktest.DefaultStepInterval)
	}

	// The stream's first request gets a 429; the client retries at once.
	srv.InjectRateLimit(bookstracktest.RateLimit{Requests: 1, RetryAfter: 2 * time.Second})
	var problems []error
	comp, err := c.Watch(ctx, job, bookstrack.Handlers{Error: func(err error) { problems = append(problems, err) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 {
		t.Errorf("problems = %v, want the one 429", problems)
	}
	res, err := c.Results(ctx, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Books) == 0 || len(res.Books) != comp.Books {
		t.Errorf("%d books in the results, %d in the completed event", len(res.Books), comp.Books)
	}
}

// Every Go block of README.md is code of the repository as written: the
// text after the block names the Go file (in backquotes) that holds it,
// as whole declarations or, one tab deeper, as the body of a function.
// So the README's snippets compile, and the examples among them run.
func TestREADMEGoBlocksAreInTheFilesTheyName(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := readmeGoBlocks(t, string(readme))
	if len(blocks) == 0 {
		t.Fatal("README.md has no Go block")
	}
	for _, b := range blocks {
		first, _, _ := strings.Cut(b.code, "\n")
		if b.file == "" {
			t.Errorf("README.md line %d: the Go block %q names no Go file in the text after it", b.line, first)
			continue
		}
		src, err := os.ReadFile(filepath.FromSlash(b.file))
		if err != nil {
			t.Errorf("README.md line %d: the Go block %q names %s: %v", b.line, first, b.file, err)
			continue
		}
		// A newcomer copies the block and the imports of its file: none may
		// be internal to the module.
		if f, err := parser.ParseFile(token.NewFileSet(), b.file, src, parser.ImportsOnly); err != nil {
			t.Errorf("README.md line %d: %s: %v", b.line, b.file, err)
		} else {
			for _, imp := range f.Imports {
				if strings.Contains(imp.Path.Value, "/internal/") {
					t.Errorf("README.md line %d: the Go block %q is in %s, which imports %s: a user cannot", b.line, first, b.file, imp.Path.Value)
				}
			}
		}
		if strings.Contains(b.code, "/internal/") || strings.Contains(b.code, "jobtest.") {
			t.Errorf("README.md line %d: the Go block %q uses a package internal to the module", b.line, first)
		}
		// Whole lines only: a block is not found inside longer lines.
		file := "\n" + string(src)
		if !strings.Contains(file, "\n"+b.code) && !strings.Contains(file, "\n"+indent(b.code)) {
			t.Errorf("README.md line %d: the Go block %q is not in %s as written", b.line, first, b.file)
		}
	}
}

// readmeBlock is a Go block of the README: its code (with its final
// newline), the line its opening fence is on, and the first Go file that
// the text after it names, up to the next block or heading.
type readmeBlock struct {
	code, file string
	line       int
}

// readmeFileName matches a repository Go file named in backquotes.
var readmeFileName = regexp.MustCompile("`([A-Za-z0-9_./-]+\\.go)`")

// readmeGoBlocks returns the README's Go blocks in order.
func readmeGoBlocks(t *testing.T, readme string) []readmeBlock {
	t.Helper()
	const open, fence = "```go\n", "```\n"
	var blocks []readmeBlock
	rest := readme
	for {
		before, after, ok := strings.Cut(rest, open)
		if !ok {
			return blocks
		}
		line := strings.Count(readme[:len(readme)-len(rest)+len(before)], "\n") + 1
		code, tail, ok := strings.Cut(after, fence)
		if !ok {
			t.Fatalf("README.md line %d: the Go block is not closed", line)
		}
		prose, _, _ := strings.Cut(tail, "```")
		prose, _, _ = strings.Cut(prose, "\n#")
		b := readmeBlock{code: code, line: line}
		if m := readmeFileName.FindStringSubmatch(prose); m != nil {
			b.file = m[1]
		}
		blocks = append(blocks, b)
		rest = tail
	}
}

// indent puts a tab before every line of code that is not empty.
func indent(code string) string {
	lines := strings.SplitAfter(code, "\n")
	for i, l := range lines {
		if l != "\n" && l != "" {
			lines[i] = "\t" + l
		}
	}
	return strings.Join(lines, "")
}
