package sse_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/bookstrack/bookstrack-go/sse"
)

// rawServer answers every connection on loopback with resp and closes it.
// It writes HTTP/1.1 bytes in plaintext whatever BOOKSTRACK_SSE_TRANSPORT
// says: its tests check the lean reader and how each transport reads
// those bytes (RFC 9112), which HTTP/2 does not frame.
func rawServer(t *testing.T, resp string) string {
	t.Helper()
	return rawServerSeq(t, resp)
}

// rawServerSeq answers connection i on loopback with resps[i], or the last
// of resps past the end, and closes it.
func rawServerSeq(t *testing.T, resps ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4096)
			_, _ = conn.Read(buf) // the request head
			_, _ = io.WriteString(conn, resps[0])
			if len(resps) > 1 {
				resps = resps[1:]
			}
			conn.Close()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return "http://" + ln.Addr().String() + "/stream"
}

func TestLeanPathGivesTypedErrorsForMalformedResponses(t *testing.T) {
	for name, resp := range map[string]string{
		"status line":        "HTTP/1.1 2x0 OK\r\n\r\n",
		"not HTTP":           "SSH-2.0-OpenSSH\r\n\r\n",
		"header":             "HTTP/1.1 200 OK\r\nBad Name: v\r\n\r\n",
		"fold before fields": "HTTP/1.1 200 OK\r\n c\r\nA: b\r\n\r\n",
		"chunk size":         "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\ndata: x\n\n",
		"transfer-encoding":  "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			url := rawServer(t, resp)
			c, err := sse.NewClient(url, newRecorder(), sse.WithTransport(sse.TransportHTTP1),
				sse.WithNoDelay(), sse.WithGiveUp(1, 0))
			if err != nil {
				t.Fatal(err)
			}
			err = c.Connect(testContext(t))
			var pe *sse.ProtocolError
			if !errors.Is(err, sse.ErrMalformedResponse) || !errors.As(err, &pe) {
				t.Fatalf("Connect = %v, want a *sse.ProtocolError", err)
			}
		})
	}
}

func TestLeanPathReadsChunkedEventsAndEndsAtTheTerminatingChunk(t *testing.T) {
	body := ""
	for i, part := range []string{"data: a\n", "\n", "id: 7\nda", "ta: b\n\n"} {
		ext := ""
		if i == 0 {
			ext = ";x=y"
		}
		body += fmt.Sprintf("%x%s\r\n%s\r\n", len(part), ext, part)
	}
	url := rawServer(t, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"+
		body+"0\r\nTrailer: z\r\n\r\n")
	rec := newRecorder()
	c, err := sse.NewClient(url, rec, sse.WithTransport(sse.TransportHTTP1), sse.WithNoDelay(), sse.WithGiveUp(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	_ = c.Connect(testContext(t))
	evs := rec.Events()
	if len(evs) < 2 || evs[0].Data != "a" || evs[1].Data != "b" || evs[1].ID != "7" {
		t.Fatalf("events %+v", evs)
	}
}
