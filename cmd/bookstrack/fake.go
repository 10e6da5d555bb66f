package main

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// quirkSwitches are the values of --quirk: one per switch of
// bookstracktest.Quirks (two for EnrichmentResults).
var quirkSwitches = map[string]func(*bookstracktest.Quirks){
	"percent-complete":         func(q *bookstracktest.Quirks) { q.PercentComplete = true },
	"results-field":            func(q *bookstracktest.Quirks) { q.ResultsField = "results" },
	"legacy-start":             func(q *bookstracktest.Quirks) { q.LegacyStart = true },
	"no-stream-url":            func(q *bookstracktest.Quirks) { q.NoStreamURL = true },
	"legacy-errors":            func(q *bookstracktest.Quirks) { q.LegacyErrors = true },
	"legacy-rate-limit":        func(q *bookstracktest.Quirks) { q.LegacyRateLimit = true },
	"status-named-snapshot":    func(q *bookstracktest.Quirks) { q.StatusNamedSnapshot = true },
	"comment-heartbeat":        func(q *bookstracktest.Quirks) { q.CommentHeartbeat = true },
	"terminal-snapshot":        func(q *bookstracktest.Quirks) { q.TerminalSnapshot = true },
	"epoch-timestamps":         func(q *bookstracktest.Quirks) { q.EpochTimestamps = true },
	"scan-year-as-date":        func(q *bookstracktest.Quirks) { q.ScanYearAsDate = true },
	"enrichment-results-array": func(q *bookstracktest.Quirks) { q.EnrichmentResults = "array" },
	"enrichment-results-empty": func(q *bookstracktest.Quirks) { q.EnrichmentResults = "empty" },
	"author-objects":           func(q *bookstracktest.Quirks) { q.AuthorObjects = true },
	"status-mismatch":          func(q *bookstracktest.Quirks) { q.StatusMismatch = true },
}

// quirkNames lists the --quirk values for the help, indented.
func quirkNames() string {
	names := make([]string, 0, len(quirkSwitches))
	for n := range quirkSwitches {
		names = append(names, n)
	}
	sort.Strings(names)
	var lines []string
	for len(names) > 0 {
		k := min(3, len(names))
		lines = append(lines, "  "+strings.Join(names[:k], ", "))
		names = names[k:]
	}
	return strings.Join(lines, "\n")
}

// quirkList is --quirk, repeatable.
type quirkList struct {
	names []string
	q     bookstracktest.Quirks
}

func (l *quirkList) String() string { return strings.Join(l.names, ",") }

func (l *quirkList) Set(name string) error {
	set, ok := quirkSwitches[strings.ToLower(name)]
	if !ok {
		return fmt.Errorf("unknown quirk %q; the quirks are:\n%s", name, quirkNames())
	}
	set(&l.q)
	l.names = append(l.names, name)
	return nil
}

// fakeOnly refuses the flags of the fake API without --fake.
func fakeOnly(fs *flag.FlagSet, fake bool) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "quirk", "fake-step", "drop-after", "rate-limit", "expire-token":
			if !fake && err == nil {
				err = usagef("add --fake, or leave it out", "--%s needs --fake", f.Name)
			}
		}
	})
	return err
}

// fakeOptions are the flags of the fake API.
type fakeOptions struct {
	on          bool
	quirks      quirkList
	step        time.Duration
	dropAfter   int
	rateLimit   int
	expireToken bool
	// of fake serve
	tokenTTL, resultsTTL time.Duration
}

// fake is the fake API of --fake, on a clock the command moves itself:
// one job step per --fake-step of real time, starting once the job's
// stream is open, so that every step is seen. A cut (--drop-after) moves
// the job one step while the stream is down, so the resume replays it.
type fake struct {
	srv  *bookstracktest.Server
	clk  *ssetest.Clock
	opts fakeOptions

	mu      sync.Mutex
	updates int           // updates seen by the watch
	drop    chan struct{} // asks the driver to cut the stream
	opened  chan struct{} // the watch opened a stream
	stop    context.CancelFunc
	wg      sync.WaitGroup
}

// startFake starts the fake API.
func startFake(o fakeOptions) *fake {
	step := o.step
	if step <= 0 {
		step = bookstracktest.DefaultStepInterval
	}
	o.step = step
	clk := ssetest.NewClock(time.Now())
	srv := bookstracktest.New(
		bookstracktest.WithClock(clk),
		bookstracktest.WithStepInterval(step),
		bookstracktest.WithQuirks(o.quirks.q),
	)
	return &fake{srv: srv, clk: clk, opts: o, drop: make(chan struct{}, 1), opened: make(chan struct{}, 1), stop: func() {}}
}

// started applies the faults to the job and starts driving it.
func (f *fake) started(ctx context.Context, jobID string) {
	if f.opts.expireToken {
		f.srv.ExpireToken(jobID)
	}
	if f.opts.rateLimit > 0 {
		f.srv.InjectRateLimit(bookstracktest.RateLimit{Requests: f.opts.rateLimit, RetryAfter: time.Second})
	}
	ctx, f.stop = context.WithCancel(ctx)
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		f.drive(ctx, jobID)
	}()
}

// drive moves the clock one step per step of real time while the job's
// stream is open. Asked to cut it, it moves the job one step while the
// stream is down and waits for the watch to reconnect.
func (f *fake) drive(ctx context.Context, jobID string) {
	if !f.waitOpen(ctx) {
		return
	}
	tick := time.NewTicker(f.opts.step)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			f.clk.Advance(f.opts.step)
		case <-f.drop:
			select {
			case <-f.opened: // an earlier opening: wait for the next one
			default:
			}
			f.srv.DropStreams(jobID)
			f.clk.Advance(f.opts.step) // a step the resumed stream replays
			if !f.waitOpen(ctx) {
				return
			}
		}
	}
}

// streamOpened is the watch's sse.Observer.Open: the server has
// registered the stream when the client sees its headers.
func (f *fake) streamOpened(sse.OpenInfo) {
	select {
	case f.opened <- struct{}{}:
	default:
	}
}

// waitOpen waits until the watch opened a stream.
func (f *fake) waitOpen(ctx context.Context) bool {
	select {
	case <-f.opened:
		return true
	case <-ctx.Done():
		return false
	}
}

// progressed counts an update of the watch, and asks for the cut after
// --drop-after of them.
func (f *fake) progressed() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.updates++
	if f.updates == f.opts.dropAfter {
		f.drop <- struct{}{}
	}
}

// close stops the driver and the server.
func (f *fake) close() {
	f.stop()
	f.wg.Wait()
	f.srv.Close()
}
