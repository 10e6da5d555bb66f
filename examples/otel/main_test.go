package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestExportsTheFiguresAndASpanPerAttempt runs the example against the
// fake API and checks what reached the in-memory reader and exporter.
func TestExportsTheFiguresAndASpanPerAttempt(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tel, err := run(ctx, 5*time.Millisecond)
	require.NoError(t, err)

	imports := attribute.String("stream", "imports")
	counter := func(name string, kvs ...attribute.KeyValue) int64 {
		t.Helper()
		want := attribute.NewSet(append(kvs, imports)...)
		for _, p := range find(t, tel.metrics, name).Data.(metricdata.Sum[int64]).DataPoints {
			if p.Attributes.Equals(&want) {
				return p.Value
			}
		}
		t.Fatalf("%s has no point %v", name, want.ToSlice())
		return 0
	}
	ok, failed := attribute.String("outcome", "success"), attribute.String("outcome", "failure")
	conn, reconn := attribute.String("kind", "connection"), attribute.String("kind", "reconnection")
	assert.Equal(t, int64(1), counter(metricAttempts, conn, ok))
	assert.Equal(t, int64(0), counter(metricAttempts, conn, failed))
	assert.Equal(t, int64(1), counter(metricAttempts, reconn, ok), "the cut gives one reconnection")
	assert.Equal(t, int64(1), counter(metricDrops))
	assert.Equal(t, int64(1), counter(metricFetches, ok))
	assert.Equal(t, int64(1), counter(metricFetches, failed), "the unknown job's results")
	assert.Equal(t, int64(1), counter(metricErrors, attribute.String("type", "404")))
	assert.Equal(t, int64(0), counter(metricErrors, attribute.String("type", "429")))

	for _, name := range []string{metricConnectTime, metricReconnectTime, metricFirstMessage, metricProgressLatency} {
		points := find(t, tel.metrics, name).Data.(metricdata.Gauge[float64]).DataPoints
		assert.Len(t, points, 4, "%s: p50, p95, p99 and max", name)
		for _, p := range points {
			assert.GreaterOrEqual(t, p.Value, 0.0, name)
		}
	}
	reconnect := find(t, tel.metrics, metricReconnectTime).Data.(metricdata.Gauge[float64]).DataPoints
	assert.GreaterOrEqual(t, reconnect[0].Value, 0.05, "at least the 50 ms delay")

	require.Len(t, tel.spans, 3, "two attempts and the watch")
	first, second, watch := tel.spans[0], tel.spans[1], tel.spans[2]
	assert.Equal(t, "import", watch.Name)
	for i, s := range []struct {
		reconnection bool
		status       codes.Code
	}{{false, codes.Error}, {true, codes.Unset}} {
		span := tel.spans[i]
		assert.Equal(t, "sse.attempt", span.Name)
		assert.Equal(t, watch.SpanContext.SpanID(), span.Parent.SpanID(), "a child of the span in Connect's context")
		assert.Contains(t, span.Attributes, attribute.Bool("sse.reconnection", s.reconnection))
		assert.Contains(t, span.Attributes, attribute.Bool("sse.opened", true))
		assert.Equal(t, s.status, span.Status.Code)
	}
	assert.Contains(t, first.Attributes, attribute.Int("sse.attempt", 1))
	assert.Contains(t, second.Attributes, attribute.Int("sse.attempt", 2))

	var out bytes.Buffer
	tel.print(&out)
	assert.Contains(t, out.String(), `bookstrack.results.fetches{outcome=failure,stream=imports} 1`)
}

func find(t *testing.T, rm metricdata.ResourceMetrics, name string) metricdata.Metrics {
	t.Helper()
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m
			}
		}
	}
	t.Fatalf("no metric %s", name)
	return metricdata.Metrics{}
}
