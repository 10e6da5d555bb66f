package main

import (
	"context"
	"errors"
	"io"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/bookstrack/bookstrack-go/sse"
)

// spanObserver returns an Observer that makes a span of each connection
// attempt, child of the span in the context given to Connect
// (sse.AttemptInfo.Context), then calls next. The attempt's ID pairs its
// Open and Close with its span, whatever other Clients share the
// Observer.
func spanObserver(tracer trace.Tracer, stream string, next sse.Observer) sse.Observer {
	var spans sync.Map // attempt ID -> trace.Span
	span := func(id uint64) trace.Span {
		if s, ok := spans.Load(id); ok {
			return s.(trace.Span)
		}
		return trace.SpanFromContext(context.Background()) // a no-op span
	}
	return sse.Observer{
		Attempt: func(i sse.AttemptInfo) {
			_, s := tracer.Start(i.Context, "sse.attempt",
				trace.WithSpanKind(trace.SpanKindClient),
				trace.WithTimestamp(i.Time),
				trace.WithAttributes(
					attribute.String("stream", stream),
					attribute.Int("sse.attempt", i.Attempt),
					attribute.Bool("sse.reconnection", !i.DownSince.IsZero()),
					attribute.String("sse.last_event_id", i.LastEventID),
				))
			spans.Store(i.ID, s)
			call(next.Attempt, i)
		},
		Open: func(i sse.OpenInfo) {
			span(i.ID).AddEvent("open", trace.WithAttributes(attribute.Float64("sse.latency_s", i.Latency.Seconds())))
			call(next.Open, i)
		},
		FirstEvent: func(i sse.FirstEventInfo) {
			span(i.ID).AddEvent("first event", trace.WithAttributes(attribute.Float64("sse.latency_s", i.Latency.Seconds())))
			call(next.FirstEvent, i)
		},
		Close: func(i sse.CloseInfo) {
			s := span(i.ID)
			spans.Delete(i.ID)
			s.SetAttributes(attribute.Bool("sse.opened", i.Opened), attribute.Int("sse.events", i.Events))
			if i.Err != nil && !errors.Is(i.Err, io.EOF) && !errors.Is(i.Err, sse.ErrClosed) {
				s.RecordError(i.Err)
				s.SetStatus(codes.Error, i.Err.Error())
			}
			s.End()
			call(next.Close, i)
		},
		Reconnect: next.Reconnect,
	}
}

// call calls f with i unless f is nil.
func call[T any](f func(T), i T) {
	if f != nil {
		f(i)
	}
}
