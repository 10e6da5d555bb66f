package bookstrack_test

import (
	"context"
	"os"
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
// snippet, compiled and run; TestREADMETestingSnippetIsCompiled keeps the
// two identical.
func TestScanAgainstTheFake(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	clk := ssetest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	srv := bookstracktest.NewServer(t, bookstracktest.WithClock(clk),
		bookstracktest.WithQuirks(bookstracktest.Quirks{PercentComplete: true}))
	c, err := scan.NewClient(bookstrack.WithBaseURL(srv.URL), bookstrack.WithClock(clk),
		bookstrack.WithStreamOptions(sse.WithConstantDelay(0)))
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

// The README shows the test above as it is written here, so that it
// compiles as written.
func TestREADMETestingSnippetIsCompiled(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "## Testing against BooksTrack\n")
	if !ok {
		t.Fatal(`README.md has no "## Testing against BooksTrack" section`)
	}
	_, block, ok := strings.Cut(section, "```go\n")
	if !ok {
		t.Fatal("the README's testing section has no Go code block")
	}
	block, _, ok = strings.Cut(block, "```\n")
	if !ok {
		t.Fatal("the README's testing code block is not closed")
	}
	src, err := os.ReadFile("readme_test.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), block) {
		t.Errorf("the README's testing snippet is not TestScanAgainstTheFake in readme_test.go as written; README has:\n%s", block)
	}
}
