// Command demo streams three BooksTrack jobs end to end: it imports a
// Goodreads library export, enriches the ISBNs of the imported books, and
// scans bookshelf photos, showing live progress, the results as tables,
// and the figures the iOS migration plan set objectives for (success
// rates, errors by type, connection, reconnection and first-message
// times, progress latency), gathered by sse/ssestats, against those
// objectives.
//
// With no flags it starts the fake BooksTrack API (bookstracktest) in the
// process, and cuts the import's stream once in the middle of an event to
// show the resume from Last-Event-ID:
//
//	go run ./examples/demo
//
// Against a real server:
//
//	go run ./examples/demo -base-url https://api.oooefam.net -routes v3
package main

import (
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/enrichment"
	"github.com/bookstrack/bookstrack-go/scan"
	"github.com/bookstrack/bookstrack-go/sse"
)

//go:embed data/goodreads_library_export.csv
var data embed.FS

type options struct {
	baseURL string
	routes  bookstrack.Routes
	short   bool
	csvPath string
	photos  []string
	noDrop  bool
}

func main() {
	var o options
	var routes string
	flag.StringVar(&o.baseURL, "base-url", "", "BooksTrack API base URL (default: the fake API, in the process)")
	flag.StringVar(&routes, "routes", "v3", "route set: v3 (the live API) or v2 (the iOS plan's)")
	flag.BoolVar(&o.short, "short", false, "run the fake jobs fast (for CI)")
	flag.StringVar(&o.csvPath, "csv", "", "library export to import (default: the shipped sample)")
	flag.Func("photo", "bookshelf photo to scan (repeat for up to 5; default: drawn samples)", func(p string) error {
		o.photos = append(o.photos, p)
		return nil
	})
	flag.BoolVar(&o.noDrop, "no-drop", false, "do not cut the import's stream (fake API only)")
	flag.Parse()
	switch routes {
	case "v3":
		o.routes = bookstrack.V3
	case "v2":
		o.routes = bookstrack.V2
	default:
		fmt.Fprintf(os.Stderr, "demo: -routes must be v3 or v2, not %q\n", routes)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// demo holds what the three jobs share.
type demo struct {
	out     io.Writer
	opts    []bookstrack.Option
	fake    *bookstracktest.Server // nil against a real server
	drop    bool
	figures *figures
	term    bool
}

func run(ctx context.Context, o options, out io.Writer) error {
	d := &demo{out: out, figures: newFigures(out), term: isTerminal(out), drop: !o.noDrop}
	if o.baseURL == "" {
		step := 150 * time.Millisecond
		if o.short {
			step = 5 * time.Millisecond
		}
		d.fake = bookstracktest.New(bookstracktest.WithStepInterval(step))
		defer d.fake.Close()
		o.baseURL = d.fake.URL
		fmt.Fprintf(out, "Fake BooksTrack API on %s (step %v)\n", o.baseURL, step)
	} else {
		d.drop = false
	}
	d.opts = []bookstrack.Option{
		bookstrack.WithBaseURL(o.baseURL),
		bookstrack.WithRoutes(o.routes),
		bookstrack.WithStreamOptions(
			// The server asks for 5 s between reconnections; the demo
			// waits less so the resume shows without a pause.
			sse.WithMaxDelay(300*time.Millisecond),
			sse.WithBackOff(func() sse.BackOff {
				b := backoff.NewExponentialBackOff()
				b.InitialInterval, b.MaxElapsedTime = 100*time.Millisecond, 0
				b.Reset()
				return b
			}),
		),
	}

	csv, err := readCSV(o.csvPath)
	if err != nil {
		return err
	}
	photos, err := readPhotos(o.photos)
	if err != nil {
		return err
	}

	imported, importJob, err := d.importCSV(ctx, csv)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	var isbns []string
	for _, b := range imported.Books {
		if b.ISBN != "" {
			isbns = append(isbns, b.ISBN)
		}
	}
	enrichJob, err := d.enrich(ctx, isbns)
	if err != nil {
		return fmt.Errorf("enrichment: %w", err)
	}
	scanJob, err := d.scan(ctx, photos)
	if err != nil {
		return fmt.Errorf("scan: %w", err)
	}

	d.figures.print(out)
	fmt.Fprintf(out, "\nAll 3 jobs completed: import %s, enrichment %s, scan %s\n", importJob, enrichJob, scanJob)
	return nil
}

func (d *demo) importCSV(ctx context.Context, csv []byte) (*csvimport.Results, string, error) {
	c, err := csvimport.NewClient(d.options()...)
	if err != nil {
		return nil, "", err
	}
	d.section("CSV import")
	job, err := c.Start(ctx, strings.NewReader(string(csv)))
	if err != nil {
		return nil, "", err
	}
	fmt.Fprintf(d.out, "started import %s (%d bytes)\n", job.ID, len(csv))
	if d.fake != nil {
		d.figures.resumed = func() { d.fake.ResumeJob(job.ID) }
	}
	var once sync.Once
	h := d.handlers("import", func(p bookstrack.Progress) {
		if d.drop && d.fake != nil && p.Fraction > 0 && p.Fraction < 0.5 {
			once.Do(func() {
				fmt.Fprintln(d.out, "\n-- cutting the connection in the middle of an event --")
				// The job waits until the stream is back, so the cut
				// always comes before its end.
				d.fake.PauseJob(job.ID)
				go d.fake.DropStreams(job.ID)
			})
		}
	})
	if _, err := c.Watch(ctx, job, h); err != nil {
		return nil, "", err
	}
	res, err := c.Results(ctx, job.ID)
	if err != nil {
		return nil, "", err
	}
	printImport(d.out, res)
	return res, job.ID, nil
}

func (d *demo) enrich(ctx context.Context, isbns []string) (string, error) {
	c, err := enrichment.NewClient(d.options()...)
	if err != nil {
		return "", err
	}
	d.section("Enrichment")
	if len(isbns) == 0 {
		return "", errors.New("the import found no ISBNs to enrich")
	}
	job, err := c.Start(ctx, isbns)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(d.out, "started enrichment %s (%d ISBNs)\n", job.ID, len(isbns))
	if _, err := c.Watch(ctx, job, d.handlers("enrichment", nil)); err != nil {
		return "", err
	}
	res, err := c.Results(ctx, job.ID)
	if err != nil {
		return "", err
	}
	printEnrichment(d.out, res)
	return job.ID, nil
}

func (d *demo) scan(ctx context.Context, photos [][]byte) (string, error) {
	c, err := scan.NewClient(d.options()...)
	if err != nil {
		return "", err
	}
	d.section("Bookshelf scan")
	job, err := c.Start(ctx, photos...)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(d.out, "started scan %s (%d photos)\n", job.ID, len(photos))
	bar := d.newBar("scan")
	for p, err := range c.Updates(ctx, job, bookstrack.Handlers{}) {
		if err != nil {
			bar.done()
			return "", err
		}
		bar.show(p, string(scan.StageOf(p)))
	}
	bar.done()
	res, err := c.Results(ctx, job.ID)
	if err != nil {
		return "", err
	}
	printScan(d.out, res)
	return job.ID, nil
}

// handlers shows a job's progress on a bar; also calls extra, when
// given, with each update.
func (d *demo) handlers(name string, extra func(bookstrack.Progress)) bookstrack.Handlers {
	bar := d.newBar(name)
	return bookstrack.Handlers{
		Progress: func(p bookstrack.Progress) {
			bar.show(p, "")
			if extra != nil {
				extra(p)
			}
		},
		Completed: func(c bookstrack.Completion) {
			bar.done()
			fmt.Fprintf(d.out, "%s completed at %s; results kept until %s\n", name, c.Time.Format(time.TimeOnly), c.ResultsExpireAt.Format(time.TimeOnly))
		},
		Error: func(err error) {
			var clamped *sse.DelayClampedError
			if errors.As(err, &clamped) {
				return // the demo's own cap, see run
			}
			bar.note(fmt.Sprintf("%s: %v", name, err))
		},
	}
}

// options are the client options of every job type: the shared ones and
// those feeding the figures.
func (d *demo) options() []bookstrack.Option {
	return append(slices.Clone(d.opts), d.figures.options()...)
}

func (d *demo) section(title string) {
	fmt.Fprintf(d.out, "\n== %s ==\n", title)
}

func readCSV(path string) ([]byte, error) {
	if path == "" {
		return data.ReadFile("data/goodreads_library_export.csv")
	}
	return os.ReadFile(path)
}

func readPhotos(paths []string) ([][]byte, error) {
	if len(paths) == 0 {
		return samplePhotos(3)
	}
	var photos [][]byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		photos = append(photos, b)
	}
	return photos, nil
}
