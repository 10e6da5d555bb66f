package sse

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httputil"
	"slices"
	"strings"
	"testing"
)

// FuzzChunkedReader checks the lean chunked reader against net/http's
// decoder: the same bytes on success, a typed or EOF error otherwise,
// never a panic or more output than input; and the two frame alike: what
// net/http refuses as malformed (a bare LF or a stray CR in a chunk line,
// data not followed by CRLF) the lean reader refuses too. net/http's
// decoder stops at the last chunk and leaves the trailer to its caller,
// so only the lean reader's errors after the last chunk are its own.
func FuzzChunkedReader(f *testing.F) {
	for _, s := range []string{
		"5\r\nhello\r\n0\r\n\r\n",
		"3;ext=1\r\nabc\r\n0\r\nTrailer: x\r\n\r\n",
		"a\nabcdefghij\n0\n\n",
		"5\r\nhello\n0\r\n\r\n",
		"5\r\r\nhello\r\n0\r\n\r\n",
		"5;a\rb\r\nhello\r\n0\r\n\r\n",
		"5\r\nhello\r\n0\r\nT: 1\n\n",
		"zz\r\n",
		"ffffffffffffffffff\r\n",
		"5\r\nhelloXX",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := io.ReadAll(newChunkedReader(bufio.NewReaderSize(bytes.NewReader(in), 16)))
		if len(got) > len(in) {
			t.Fatalf("decoded %d bytes from %d", len(got), len(in))
		}
		if err != nil && !errors.Is(err, ErrMalformedResponse) && err != io.ErrUnexpectedEOF {
			t.Fatalf("untyped error %v", err)
		}
		want, werr := io.ReadAll(httputil.NewChunkedReader(bytes.NewReader(in)))
		if err == nil && werr == nil && !bytes.Equal(got, want) {
			t.Fatalf("got %q, net/http %q", got, want)
		}
		if werr != nil && werr != io.ErrUnexpectedEOF && err == nil {
			t.Fatalf("net/http refuses (%v), the lean reader reads %q", werr, got)
		}
	})
}

// FuzzResponseHead checks the status line and header parser: a typed
// error or a response whose headers net/http would also have read.
func FuzzResponseHead(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.0 200\r\nContent-Length: 5\r\n\r\n",
		"HTTP/1.1 200 OK\r\n folded\r\n\r\n",
		"HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\t d \r\nB: e\r\n\r\n",
		"HTTP/1.1 200 OK\r\nA:\r\n  \r\n b\r\n\r\n",
		"HTTP/1.1 2x0 OK\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
		"HTTP/1.1 200 OK\nBad Name: v\n\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		resp, err := readResponseHead(bufio.NewReaderSize(bytes.NewReader(in), 16), nil)
		if err != nil {
			if !errors.Is(err, ErrMalformedResponse) && err != io.ErrUnexpectedEOF {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if resp.StatusCode < 200 || resp.StatusCode > 999 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		for k, vs := range resp.Header {
			for _, v := range vs {
				if strings.ContainsAny(k+v, "\r\n") {
					t.Fatalf("header %q: %q keeps a line break", k, v)
				}
			}
		}
		// Where net/http reads the same response head, it reads the same
		// field values, but for the framing fields both handle apart from
		// the header map, and for the whitespace of an obs-fold: RFC 9112
		// section 5.2 replaces a fold with one or more SP, and a fold of
		// whitespace alone leaves net/http an extra SP ("0 " where the
		// lean reader, trimming the value's OWS, reads "0").
		want, werr := http.ReadResponse(bufio.NewReader(bytes.NewReader(in)), nil)
		if werr != nil || want.StatusCode != resp.StatusCode {
			return
		}
		for k, vs := range resp.Header {
			switch k {
			case "Transfer-Encoding", "Content-Length", "Cache-Control":
				continue
			}
			if !slices.EqualFunc(vs, want.Header[k], func(a, b string) bool {
				return slices.Equal(strings.Fields(a), strings.Fields(b))
			}) {
				t.Fatalf("header %q: %q, net/http %q", k, vs, want.Header[k])
			}
		}
	})
}

// TestTransportAutoPicksTheLeanPathOnlyWithoutACustomTransport checks the
// selection rule.
func TestTransportAutoPicksTheLeanPathOnlyWithoutACustomTransport(t *testing.T) {
	lean := func(cfg config) bool {
		_, ok := cfg.streamHTTPClient().Transport.(leanTransport)
		return ok
	}
	cfg := defaultConfig()
	if got := lean(cfg); got != (autoTransport == TransportHTTP1) {
		t.Errorf("default config: lean = %v with autoTransport %v", got, autoTransport)
	}
	cfg.httpClient = &http.Client{Transport: http.DefaultTransport}
	if lean(cfg) {
		t.Error("custom Transport: lean path chosen")
	}
	cfg.transport = TransportHTTP1
	if !lean(cfg) {
		t.Error("TransportHTTP1: lean path not chosen")
	}
	cfg = defaultConfig()
	cfg.transport = TransportNetHTTP
	if lean(cfg) {
		t.Error("TransportNetHTTP: lean path chosen")
	}
}

// TestObsFoldIsReadAsOneSpace checks RFC 9112 section 5.2 on the lean
// path: each obs-fold and the whitespace around it become one SP, as
// net/http reads the same head.
func TestObsFoldIsReadAsOneSpace(t *testing.T) {
	const in = "HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\t d \r\nB:\r\n e\r\nC: f\r\n\r\n"
	resp, err := readResponseHead(bufio.NewReader(strings.NewReader(in)), nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := http.ReadResponse(bufio.NewReader(strings.NewReader(in)), nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"A": "b c d", "B": "e", "C": "f"} {
		if got := resp.Header.Get(k); got != v || want.Header.Get(k) != v {
			t.Errorf("%s: lean %q, net/http %q, want %q", k, got, want.Header.Get(k), v)
		}
	}
}
