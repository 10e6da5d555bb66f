package sse_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/bookstrack/bookstrack-go/sse"
)

// countHandler is a concrete Handler with state the caller reads back
// through Client.Handler, with no type assertion.
type countHandler struct{ n int }

func (h *countHandler) HandleEvent(sse.Event) { h.n++ }
func (h *countHandler) HandleError(error)     {}

// bodyTransport answers every request with the same stream, in memory.
type bodyTransport []byte

func (b bodyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Status: "200 OK", Request: r, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"text/event-stream"}},
		Body:   io.NopCloser(bytes.NewReader(b))}, nil
}

// BenchmarkClientHandler compares Client[*countHandler], where H is the
// concrete type, with Client[sse.Handler], where each event goes through
// an interface, and with a BytesHandler, which takes borrowed events. The
// allocations include those of each connection (NewClient, request,
// response), spread over its 1000 events.
func BenchmarkClientHandler(b *testing.B) {
	stream := smallEvents(1000, "\n")
	u := (&url.URL{Scheme: "http", Host: "bench.invalid", Path: "/"}).String()
	opts := []sse.Option{sse.WithHTTPClient(&http.Client{Transport: bodyTransport(stream)}), sse.WithStopAtEnd()}
	b.Run("concrete", func(b *testing.B) {
		b.SetBytes(int64(len(stream)))
		b.ReportAllocs()
		mallocs := countMallocs()
		for range b.N {
			c, err := sse.NewClient(u, &countHandler{}, opts...)
			if err != nil {
				b.Fatal(err)
			}
			if err := c.Connect(context.Background()); err != nil {
				b.Fatal(err)
			}
			if c.Handler().n != 1000 {
				b.Fatal(c.Handler().n)
			}
		}
		b.ReportMetric(float64(countMallocs()-mallocs)/float64(b.N*1000), "allocs/event")
	})
	b.Run("bytes", func(b *testing.B) {
		// A BytesHandler: borrowed events, the zero-copy path.
		b.SetBytes(int64(len(stream)))
		b.ReportAllocs()
		mallocs := countMallocs()
		for range b.N {
			c, err := sse.NewClient(u, &countBytesHandler{}, opts...)
			if err != nil {
				b.Fatal(err)
			}
			if err := c.Connect(context.Background()); err != nil {
				b.Fatal(err)
			}
			if c.Handler().n != 1000 {
				b.Fatal(c.Handler().n)
			}
		}
		b.ReportMetric(float64(countMallocs()-mallocs)/float64(b.N*1000), "allocs/event")
	})
	b.Run("interface", func(b *testing.B) {
		b.SetBytes(int64(len(stream)))
		b.ReportAllocs()
		mallocs := countMallocs()
		for range b.N {
			c, err := sse.NewClient[sse.Handler](u, &countHandler{}, opts...)
			if err != nil {
				b.Fatal(err)
			}
			if err := c.Connect(context.Background()); err != nil {
				b.Fatal(err)
			}
			if c.Handler().(*countHandler).n != 1000 {
				b.Fatal("count")
			}
		}
		b.ReportMetric(float64(countMallocs()-mallocs)/float64(b.N*1000), "allocs/event")
	})
}
