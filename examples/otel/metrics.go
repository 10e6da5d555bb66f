package main

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/bookstrack/bookstrack-go/sse/ssestats"
)

// Metric names. Counters are cumulative sums; the times are gauges, in
// seconds, of each summary's p50, p95, p99 and max (attribute quantile),
// since an ssestats summary is already aggregated.
const (
	metricAttempts        = "bookstrack.sse.attempts"
	metricDrops           = "bookstrack.sse.drops"
	metricFetches         = "bookstrack.results.fetches"
	metricErrors          = "bookstrack.errors"
	metricConnectTime     = "bookstrack.sse.connect_time"
	metricReconnectTime   = "bookstrack.sse.reconnect_time"
	metricProgressLatency = "bookstrack.progress.latency"
	metricFirstMessage    = "bookstrack.sse.first_message_time"
)

// registerMetrics exports st's figures through meter: each collection
// takes one Snapshot and observes every stream's figures, with the
// stream's name as attribute "stream". Unregister the returned
// registration to stop.
func registerMetrics(meter metric.Meter, st *ssestats.Stats) (metric.Registration, error) {
	attempts, err := meter.Int64ObservableCounter(metricAttempts, metric.WithUnit("{attempt}"),
		metric.WithDescription("Connection attempts by kind (connection, reconnection) and outcome (success, failure)."))
	if err != nil {
		return nil, err
	}
	drops, err := meter.Int64ObservableCounter(metricDrops, metric.WithUnit("{stream}"),
		metric.WithDescription("Streams that opened and then ended other than by the client."))
	if err != nil {
		return nil, err
	}
	fetches, err := meter.Int64ObservableCounter(metricFetches, metric.WithUnit("{fetch}"),
		metric.WithDescription("Results fetches by outcome (success, failure)."))
	if err != nil {
		return nil, err
	}
	errs, err := meter.Int64ObservableCounter(metricErrors, metric.WithUnit("{error}"),
		metric.WithDescription("Failed attempts and fetches by type (404, 429, 5xx, other_status, no_status)."))
	if err != nil {
		return nil, err
	}
	times := map[string]metric.Float64ObservableGauge{}
	for name, desc := range map[string]string{
		metricConnectTime:     "Time from an attempt's start to its response headers.",
		metricReconnectTime:   "Time from the end of a stream to the next one's response headers.",
		metricProgressLatency: "Time from the server's timestamp of an update to its delivery.",
		metricFirstMessage:    "Time from an attempt's start to its first event.",
	} {
		g, err := meter.Float64ObservableGauge(name, metric.WithUnit("s"), metric.WithDescription(desc))
		if err != nil {
			return nil, err
		}
		times[name] = g
	}
	instruments := []metric.Observable{attempts, drops, fetches, errs}
	for _, g := range times {
		instruments = append(instruments, g)
	}
	return meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		snap := st.Snapshot()
		for name, f := range snap.Streams {
			stream := attribute.String("stream", name)
			rate := func(inst metric.Int64Observable, r ssestats.Rate, extra ...attribute.KeyValue) {
				o.ObserveInt64(inst, r.Succeeded, metric.WithAttributes(append(extra, stream, attribute.String("outcome", "success"))...))
				o.ObserveInt64(inst, r.Failed, metric.WithAttributes(append(extra, stream, attribute.String("outcome", "failure"))...))
			}
			rate(attempts, f.Connections, attribute.String("kind", "connection"))
			rate(attempts, f.Reconnections, attribute.String("kind", "reconnection"))
			rate(fetches, f.Fetches)
			o.ObserveInt64(drops, f.Drops, metric.WithAttributes(stream))
			for typ, n := range map[string]int64{
				"404": f.Errors.NotFound, "429": f.Errors.TooManyRequests, "5xx": f.Errors.Server,
				"other_status": f.Errors.OtherStatus, "no_status": f.Errors.NoStatus,
			} {
				o.ObserveInt64(errs, n, metric.WithAttributes(stream, attribute.String("type", typ)))
			}
			for name, s := range map[string]ssestats.Summary{
				metricConnectTime: f.ConnectTime, metricReconnectTime: f.ReconnectTime,
				metricProgressLatency: f.ProgressLatency, metricFirstMessage: f.FirstMessage,
			} {
				if s.Count == 0 {
					continue // no value yet: nothing to say
				}
				for q, d := range map[string]time.Duration{"p50": s.P50, "p95": s.P95, "p99": s.P99, "max": s.Max} {
					o.ObserveFloat64(times[name], d.Seconds(), metric.WithAttributes(stream, attribute.String("quantile", q)))
				}
			}
		}
		return nil
	}, instruments...)
}
