package main

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/sse"
)

// figures gathers the iOS plan's figures for each job: connect time, time
// to first event, reconnect time and event latency. The jobs run one
// after the other, so connection events belong to the job whose progress
// came last.
type figures struct {
	mu      sync.Mutex
	current string
	order   []string
	jobs    map[string]*jobFigures
	dropped time.Time // when a connection that had opened ended in error

	// The figures of the last stream to open, claimed by the job whose
	// first update it brings.
	pendingConnect, pendingFirst time.Duration
}

type jobFigures struct {
	connect, firstEvent time.Duration
	reconnects          []time.Duration
	latencies           []time.Duration
}

func newFigures() *figures { return &figures{jobs: map[string]*jobFigures{}} }

func (f *figures) job(name string) *jobFigures {
	j, ok := f.jobs[name]
	if !ok {
		j = &jobFigures{}
		f.jobs[name] = j
		f.order = append(f.order, name)
	}
	return j
}

// observer feeds the figures from every stream.
func (f *figures) observer(out io.Writer) sse.Observer {
	return sse.Observer{
		Open: func(i sse.OpenInfo) {
			f.mu.Lock()
			defer f.mu.Unlock()
			if !f.dropped.IsZero() {
				took := time.Since(f.dropped)
				if j := f.jobs[f.current]; j != nil {
					j.reconnects = append(j.reconnects, took)
				}
				f.dropped = time.Time{}
				fmt.Fprintf(out, "-- reconnected in %v, resuming after event %s --\n", round(took), i.LastEventID)
			}
			f.pendingConnect = i.Latency
		},
		FirstEvent: func(i sse.FirstEventInfo) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.pendingFirst = i.Latency
		},
		Close: func(i sse.CloseInfo) {
			f.mu.Lock()
			defer f.mu.Unlock()
			if i.Opened && i.Err != nil && !errors.Is(i.Err, sse.ErrClosed) {
				f.dropped = time.Now()
			}
		},
	}
}

// progress notes an update of the named job: its latency from the
// server's timestamp, and, for its first update, the connection figures
// of the stream that brought it.
func (f *figures) progress(name string, p bookstrack.Progress) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.current != name {
		f.current = name
		j := f.job(name)
		j.connect, j.firstEvent = f.pendingConnect, f.pendingFirst
	}
	if !p.Time.IsZero() && p.EventID != "" {
		f.job(name).latencies = append(f.job(name).latencies, max(time.Since(p.Time), 0))
	}
}

func (f *figures) print(out io.Writer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fmt.Fprintln(out, "\n== Figures ==")
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "job\tconnect\tfirst event\treconnect\tevent latency (median / max)\tevents")
	for _, name := range f.order {
		j := f.jobs[name]
		reconnect := "-"
		if len(j.reconnects) > 0 {
			reconnect = round(j.reconnects[0]).String()
		}
		med, mx := stats(j.latencies)
		fmt.Fprintf(tw, "%s\t%v\t%v\t%s\t%v / %v\t%d\n", name, round(j.connect), round(j.firstEvent), reconnect, round(med), round(mx), len(j.latencies))
	}
	tw.Flush()
}

func stats(ds []time.Duration) (median, maximum time.Duration) {
	if len(ds) == 0 {
		return 0, 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, k int) bool { return s[i] < s[k] })
	return s[len(s)/2], s[len(s)-1]
}

func round(d time.Duration) time.Duration {
	if d > 10*time.Millisecond {
		return d.Round(time.Millisecond)
	}
	return d.Round(10 * time.Microsecond)
}
