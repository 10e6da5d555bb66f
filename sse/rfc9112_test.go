package sse_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/bookstrack/bookstrack-go/sse"
)

// Where the lean HTTP/1.1 reader and net/http read a response apart, the
// lean reader takes RFC 9112's reading, and both transports are run on the
// same bytes here:
//
//   - obs-fold (section 5.2): a user agent replaces each fold with SP
//     before interpreting the field, so a Content-Type carried by a fold
//     is read and the stream delivered;
//   - chunk framing (section 7.1): chunk-size lines and the end of a
//     chunk's data are CRLF; a bare LF, or a CR inside a chunk-size line,
//     is refused, and no event framed by it is delivered;
//   - trailer fields are fields, and section 2.2 lets a recipient end a
//     field line with a bare LF: the lean reader does (as in the header,
//     where net/http does too). net/http reads the body's events alike
//     but then reports the trailer ("suspiciously long trailer": it looks
//     for CRLF CRLF before reading one), after the last event.
func TestRFC9112BadInputIsReadAlikeOnBothTransports(t *testing.T) {
	const chunked = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
	cases := []struct {
		name, resp string
		want       []string // the data of the events delivered
		refused    bool     // the response is reported as an error
		nethttpErr bool     // net/http alone reports an error, after the events
	}{
		{"folded content-type", "HTTP/1.1 200 OK\r\nContent-Type:\r\n text/event-stream\r\nX-A: b\r\n\t c \r\n\r\ndata: a\n\n", []string{"a"}, false, false},
		{"folded content-type parameter", "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream;\r\n  charset=utf-8\r\n\r\ndata: a\n\n", []string{"a"}, false, false},
		{"chunk-size line ends with a bare LF", chunked + "8\ndata: a\n\r\n1\r\n\n\r\n0\r\n\r\n", nil, true, false},
		{"chunk data ends with a bare LF", chunked + "8\r\ndata: a\n\n1\r\n\n\r\n0\r\n\r\n", nil, true, false},
		{"CR inside a chunk-size line", chunked + "8;x\ry\r\ndata: a\n\r\n1\r\n\n\r\n0\r\n\r\n", nil, true, false},
		{"CRLF chunks", chunked + "8;x=y\r\ndata: a\n\r\n1\r\n\n\r\n0\r\n\r\n", []string{"a"}, false, false},
		{"trailer line ends with a bare LF", chunked + "8\r\ndata: a\n\r\n1\r\n\n\r\n0\r\nT: 1\n\r\n", []string{"a"}, false, true},
	}
	for _, tc := range cases {
		for _, tr := range []struct {
			name string
			t    sse.Transport
		}{{"h1", sse.TransportHTTP1}, {"nethttp", sse.TransportNetHTTP}} {
			t.Run(tc.name+"/"+tr.name, func(t *testing.T) {
				// A 204 ends the stream after the response under test: an
				// attempt that delivers an event without an id is progress,
				// so the same response again would be read again and again.
				url := rawServerSeq(t, tc.resp, "HTTP/1.1 204 No Content\r\n\r\n")
				rec := newRecorder()
				c, err := sse.NewClient(url, rec, sse.WithTransport(tr.t),
					sse.WithNoDelay(), sse.WithGiveUp(1, 0))
				if err != nil {
					t.Fatal(err)
				}
				err = c.Connect(testContext(t))
				var got []string
				for _, e := range rec.Events() {
					got = append(got, e.Data)
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Fatalf("events %q, want %q (Connect: %v, errors %v)", got, tc.want, err, rec.Errors())
				}
				refused := len(rec.Errors()) > 0
				if refused != (tc.refused || tc.nethttpErr && tr.t == sse.TransportNetHTTP) {
					t.Fatalf("errors %v, want refused=%v", rec.Errors(), tc.refused)
				}
				if refused && tr.t == sse.TransportHTTP1 {
					var pe *sse.ProtocolError
					if !errors.As(rec.Errors()[0], &pe) || !errors.Is(rec.Errors()[0], sse.ErrMalformedResponse) {
						t.Fatalf("error %v, want a *sse.ProtocolError", rec.Errors()[0])
					}
				}
			})
		}
	}
}
