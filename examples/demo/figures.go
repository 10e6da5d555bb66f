package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssestats"
)

// kinds are the demo's job types, in the order it runs them: the columns
// of its figures table.
var kinds = []bookstrack.Kind{bookstrack.KindImport, bookstrack.KindEnrichment, bookstrack.KindScan}

// figures gathers the iOS plan's figures of every job in an
// ssestats.Stats, one stream per job type, and prints them against the
// plan's objectives.
type figures struct {
	stats *ssestats.Stats
	out   io.Writer
	// resumed, when set, runs after a stream reopens with a Last-Event-ID.
	resumed func()
}

func newFigures(out io.Writer) *figures { return &figures{stats: ssestats.New(), out: out} }

// options are the client options that feed the figures (WithStats: each
// job type records under its own name) and announce each resumed stream.
func (f *figures) options() []bookstrack.Option {
	resumes := sse.Observer{Open: func(i sse.OpenInfo) {
		if i.LastEventID != "" {
			fmt.Fprintf(f.out, "-- reconnected, resuming after event %s --\n", i.LastEventID)
			if f.resumed != nil {
				f.resumed()
			}
		}
	}}
	return []bookstrack.Option{bookstrack.WithStats(f.stats), bookstrack.WithStreamOptions(sse.WithObserver(resumes))}
}

// print writes the table: a row per figure, a column per job type, the
// aggregate, the plan's objective and whether the aggregate meets it.
func (f *figures) print(out io.Writer) {
	snap := f.stats.Snapshot()
	plan := ssestats.Plan()
	fmt.Fprintln(out, "\n== Figures (times: p95) ==")
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	figs := make([]ssestats.Figures, 0, len(kinds)+1) // the job types', then the aggregate
	head := []string{"figure"}
	for _, k := range kinds {
		figs = append(figs, snap.Streams[string(k)])
		head = append(head, string(k))
	}
	figs = append(figs, snap.All)
	cols := make([][]ssestats.Verdict, len(figs))
	for i, fig := range figs {
		cols[i] = fig.Check(plan)
	}
	fmt.Fprintln(tw, strings.Join(append(head, "all", "plan", "result"), "\t"))
	for r, v := range cols[len(figs)-1] {
		row := []string{v.Figure}
		for _, col := range cols {
			row = append(row, col[r].Value)
		}
		fmt.Fprintln(tw, strings.Join(append(row, v.Target, v.Outcome.String()), "\t"))
	}
	errs := []string{"errors 404/429/5xx"}
	drops := []string{"drops"}
	for _, fig := range figs {
		e := fig.Errors
		errs = append(errs, fmt.Sprintf("%d/%d/%d", e.NotFound, e.TooManyRequests, e.Server))
		drops = append(drops, fmt.Sprint(fig.Drops))
	}
	fmt.Fprintln(tw, strings.Join(append(errs, "-", "-"), "\t"))
	fmt.Fprintln(tw, strings.Join(append(drops, "-", "-"), "\t"))
	tw.Flush()
}
