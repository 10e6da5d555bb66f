// Command otel exports the figures of sse/ssestats as OpenTelemetry
// metrics, and makes a span of each connection attempt, for one CSV import
// against the fake BooksTrack API (bookstracktest) started in the
// process. The import's stream is cut once, so the figures show a
// reconnection, and the results of an unknown job are asked for, so they
// show a failed fetch (a 404).
//
//	go run .
//
// It prints the spans and the metrics it collected. A service would
// give its own MeterProvider and TracerProvider (an OTLP exporter, a
// Prometheus reader) to the same two functions: registerMetrics and
// spanObserver. This module has its own go.mod, so that the library's
// gains nothing.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssestats"
)

// library is the export the example imports.
const library = "Title,Author,ISBN13\n" +
	"Pride and Prejudice,Jane Austen,9780141439518\n" +
	"Frankenstein,Mary Shelley,9780141439624\n"

// unknownJob is a well-formed job ID the fake does not know.
const unknownJob = "5d1c7a2e-8b3f-4a6d-9e0c-2f4b6a8d0c1e"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	t, err := run(ctx, 20*time.Millisecond)
	if err != nil {
		fmt.Fprintln(os.Stderr, "otel:", err)
		os.Exit(1)
	}
	t.print(os.Stdout)
}

// telemetry is what a run collected.
type telemetry struct {
	spans   tracetest.SpanStubs
	metrics metricdata.ResourceMetrics
}

// run imports the library on a fake API whose jobs move every step,
// with the metrics and spans going to in-memory readers.
func run(ctx context.Context, step time.Duration) (*telemetry, error) {
	fake := bookstracktest.New(bookstracktest.WithStepInterval(step))
	defer fake.Close()

	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	defer tp.Shutdown(context.Background())
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())

	st := ssestats.New()
	reg, err := registerMetrics(mp.Meter("github.com/bookstrack/bookstrack-go/examples/otel"), st)
	if err != nil {
		return nil, err
	}
	defer reg.Unregister()
	tracer := tp.Tracer("github.com/bookstrack/bookstrack-go/examples/otel")
	stream := string(bookstrack.KindImport)

	// The job is paused from its start until its stream has been cut
	// and reopened, so the cut always lands before the job ends.
	var jobID string // set once Start returns, before any stream opens
	obs := spanObserver(tracer, stream, st.Observer(stream))
	open := obs.Open
	obs.Open = func(i sse.OpenInfo) {
		open(i)
		if i.Attempt > 1 {
			fake.ResumeJob(jobID)
		}
	}
	c, err := csvimport.NewClient(
		bookstrack.WithBaseURL(fake.URL),
		bookstrack.WithStreamOptions(sse.WithObserver(obs), sse.WithConstantDelay(50*time.Millisecond)),
		bookstrack.WithFetchObserver(func(f bookstrack.FetchInfo) {
			st.Stream(string(f.Kind)).Fetch(f.StatusCode, f.Duration, f.Err)
		}),
	)
	if err != nil {
		return nil, err
	}
	ctx, watch := tracer.Start(ctx, "import")
	job, err := c.Start(ctx, strings.NewReader(library))
	if err != nil {
		watch.End()
		return nil, err
	}
	jobID = job.ID
	fake.PauseJob(job.ID)
	var cut sync.Once
	_, err = c.Watch(ctx, job, bookstrack.Handlers{Progress: func(p bookstrack.Progress) {
		if p.EventID != "" {
			st.Stream(stream).Progress(p.Time)
		}
		cut.Do(func() { fake.DropStreams(job.ID) }) // as a flaky network would
	}})
	watch.End()
	if err != nil {
		return nil, err
	}
	if _, err := c.Results(ctx, job.ID); err != nil {
		return nil, err
	}
	if _, err := c.Results(ctx, unknownJob); err == nil {
		return nil, fmt.Errorf("the results of an unknown job came back")
	}

	t := &telemetry{spans: spans.GetSpans()}
	if err := reader.Collect(ctx, &t.metrics); err != nil {
		return nil, err
	}
	return t, nil
}

// print writes a line per span and per data point.
func (t *telemetry) print(out io.Writer) {
	fmt.Fprintln(out, "== Spans ==")
	for _, s := range t.spans {
		fmt.Fprintf(out, "%s %s (%v)%s\n", s.Name, attrs(s.Attributes), s.EndTime.Sub(s.StartTime).Round(time.Microsecond), status(s))
	}
	fmt.Fprintln(out, "== Metrics ==")
	var lines []string
	for _, sm := range t.metrics.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					lines = append(lines, fmt.Sprintf("%s%s %d", m.Name, attrs(p.Attributes.ToSlice()), p.Value))
				}
			case metricdata.Gauge[float64]:
				for _, p := range d.DataPoints {
					lines = append(lines, fmt.Sprintf("%s%s %.6f", m.Name, attrs(p.Attributes.ToSlice()), p.Value))
				}
			}
		}
	}
	sort.Strings(lines)
	fmt.Fprintln(out, strings.Join(lines, "\n"))
}

func attrs(kvs []attribute.KeyValue) string {
	var parts []string
	for _, kv := range kvs {
		parts = append(parts, string(kv.Key)+"="+kv.Value.String())
	}
	sort.Strings(parts)
	return "{" + strings.Join(parts, ",") + "}"
}

func status(s tracetest.SpanStub) string {
	if s.Status.Description != "" {
		return " error: " + s.Status.Description
	}
	return ""
}
