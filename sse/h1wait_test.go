package sse

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

// waitTestTimeout bounds each wait of these tests.
const waitTestTimeout = 20 * time.Second

type waitTestHandler struct{ events chan Event }

func (h waitTestHandler) HandleEvent(e Event) { h.events <- e }
func (waitTestHandler) HandleError(error)     {}

// TestAnIdleStreamWaitsWithoutTheDecodersReadBuffer checks, over
// plaintext and TLS, that a lean stream with nothing to read parks in the
// Decoder's waitQuiet, with its read buffer back in readBuffers, and in
// the body's waitRead outside bufio, with the connection's read buffer
// back in leanReaders (issue 21, item 1: an idle stream's memory); and
// that a stream on net/http parks in waitQuiet too, in a small read of
// its body.
func TestAnIdleStreamWaitsWithoutTheDecodersReadBuffer(t *testing.T) {
	for _, tr := range []struct {
		name      string
		tlsOn     bool
		transport Transport
		waitsIn   string
	}{
		{"lean, plaintext", false, TransportHTTP1, "sse.(*leanBody).waitRead"},
		{"lean, TLS", true, TransportHTTP1, "sse.(*leanBody).waitRead"},
		{"net/http", false, TransportNetHTTP, "sse.(*wakeReader).waitRead"},
	} {
		tlsOn := tr.tlsOn
		t.Run(tr.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				io.WriteString(w, "id: 1\ndata: hello\n\n")
				w.(http.Flusher).Flush()
				<-r.Context().Done()
			})
			var srv *httptest.Server
			if tlsOn {
				srv = httptest.NewTLSServer(h)
				useLeanTestRoots(t, srv.Certificate())
			} else {
				srv = httptest.NewServer(h)
			}
			defer srv.Close()
			handler := waitTestHandler{make(chan Event, 1)}
			c, err := NewClient(srv.URL, handler, WithTransport(tr.transport))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- c.Connect(ctx) }()
			select {
			case e := <-handler.events:
				if e.Data != "hello" {
					t.Fatalf("event %+v", e)
				}
			case <-time.After(waitTestTimeout):
				t.Fatal("no event")
			}
			// The stream's goroutine reaches its wait on its own; poll its
			// stack until it does, within the bound.
			deadline := time.Now().Add(waitTestTimeout)
			// It waits with neither the Decoder's read buffer nor its
			// connection's: not in bufio.
			for !parkedIn("sse.(*Decoder).waitQuiet", tr.waitsIn) || tr.transport == TransportHTTP1 && parkedIn("sse.(*Decoder).waitQuiet", "bufio.(*Reader)") {
				if time.Now().After(deadline) {
					t.Fatalf("the idle stream never waited in waitQuiet; goroutines:\n%s", stacks())
				}
				time.Sleep(time.Millisecond)
			}
			cancel()
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("Connect returned %v, want context.Canceled", err)
				}
			case <-time.After(waitTestTimeout):
				t.Fatal("Connect did not return")
			}
		})
	}
}

func stacks() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

// parkedIn reports whether a goroutine's stack holds every one of frames.
func parkedIn(frames ...string) bool {
	for _, g := range strings.Split(stacks(), "\n\n") {
		all := true
		for _, f := range frames {
			all = all && strings.Contains(g, f)
		}
		if all {
			return true
		}
	}
	return false
}

// TestChunkedReaderIsReadyOnlyWhenAReadNeedsNoNetwork holds ready to what
// Read does: ready means Read returns without reading the connection.
func TestChunkedReaderIsReadyOnlyWhenAReadNeedsNoNetwork(t *testing.T) {
	for _, c := range []struct {
		name     string
		buffered string // what br holds before the Read
		read     int    // bytes of data Read first (0: none)
		ready    bool
	}{
		{"nothing buffered", "", 0, false},
		{"half a size line", "1", 0, false},
		{"a size line", "5\r\n", 0, false},
		{"a bad size line", "x\r\n", 0, true},
		{"a size line with an extension", "5;a=b\r\n", 0, false},
		{"a size line and its data", "5\r\nhello\r\n", 0, true},
		{"data of the current chunk", "5\r\nhello\r\n", 2, true},
		{"only the CRLF after the data", "5\r\nhello\r\n", 5, false},
		{"the CRLF and half a size line", "5\r\nhello\r\n3", 5, false},
		{"the CRLF and a size line", "5\r\nhello\r\n3\r\n", 5, false},
		{"the CRLF, a size line and data", "5\r\nhello\r\n3\r\nabc", 5, true},
		{"the last chunk", "0\r\n\r\n", 0, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Bytes that are not buffered yet come from a reader that
			// fails the test: ready must not be wrong about them.
			src := &scriptedConn{data: c.buffered}
			br := bufio.NewReaderSize(src, leanBufSize)
			cr := newChunkedReader(br)
			if c.read > 0 {
				p := make([]byte, c.read)
				if _, err := io.ReadFull(cr, p); err != nil {
					t.Fatal(err)
				}
			}
			if c.buffered != "" {
				br.Peek(1) // buffer what the script holds
			}
			src.blocked = true
			if got := cr.ready(); got != c.ready {
				t.Fatalf("ready() = %v, want %v", got, c.ready)
			}
			if c.ready {
				n, err := cr.Read(make([]byte, 64))
				if src.readAfterBlock {
					t.Fatalf("ready, yet Read read the connection (n=%d, err=%v)", n, err)
				}
			}
		})
	}
}

// scriptedConn returns data, then io.EOF; once blocked, a Read records
// that it came (a read of the network, which would have waited).
type scriptedConn struct {
	data           string
	blocked        bool
	readAfterBlock bool
}

func (c *scriptedConn) Read(p []byte) (int, error) {
	if c.blocked {
		c.readAfterBlock = true
		return 0, errors.New("read of the network")
	}
	if c.data == "" {
		return 0, io.EOF
	}
	n := copy(p, c.data)
	c.data = c.data[n:]
	return n, nil
}

// errConn returns data, then err once, then io.EOF: a connection reset
// after some bytes.
type errConn struct {
	net.Conn // nil: only Read and Close are called
	data     string
	err      error
}

func (c *errConn) Read(p []byte) (int, error) {
	if c.data != "" {
		n := copy(p, c.data)
		c.data = c.data[n:]
		return n, nil
	}
	if err := c.err; err != nil {
		c.err = nil
		return 0, err
	}
	return 0, io.EOF
}

func (c *errConn) Write(p []byte) (int, error) { return len(p), nil }
func (c *errConn) Close() error                { return nil }

// TestAWaitKeepsTheReadErrorForTheReadAfterIt checks that a body read
// after a waitRead ends with the very error it ends with without one, for
// every framing: a wait that meets a failed read hands the error on.
func TestAWaitKeepsTheReadErrorForTheReadAfterIt(t *testing.T) {
	reset := errors.New("connection reset by peer")
	const head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
	for _, c := range []struct {
		name, response string
	}{
		{"chunked, cut after a chunk", head + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"},
		{"chunked, cut inside a size line", head + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1"},
		{"chunked, cut inside data", head + "Transfer-Encoding: chunked\r\n\r\n9\r\nhello"},
		{"content length, cut short", head + "Content-Length: 20\r\n\r\nhello"},
		{"until close", head + "\r\nhello"},
	} {
		for _, err := range []error{reset, nil} { // nil: the connection ends (io.EOF)
			read := func(wait bool) ([]byte, error) {
				req, _ := http.NewRequest(http.MethodGet, "http://example.com/", nil)
				conn := &errConn{data: c.response, err: err}
				resp, rerr := exchange(conn, req)
				if rerr != nil {
					t.Fatal(rerr)
				}
				body := resp.Body.(*leanBody)
				var got []byte
				p := make([]byte, 3)
				for {
					if wait && !body.ready() {
						body.waitRead()
					}
					n, rerr := body.Read(p)
					got = append(got, p[:n]...)
					if rerr != nil {
						return got, rerr
					}
				}
			}
			plainData, plainErr := read(false)
			waitData, waitErr := read(true)
			if string(waitData) != string(plainData) || waitErr != plainErr {
				t.Errorf("%s, %v: with waits %q, %v; without %q, %v", c.name, err, waitData, waitErr, plainData, plainErr)
			}
			if err == reset && plainErr != reset {
				t.Errorf("%s: ended with %v, want the reset itself", c.name, plainErr)
			}
		}
	}
}

func TestEndsFrame(t *testing.T) {
	for in, want := range map[string]bool{
		"data: x\n\n":         true,
		"data: x\r\n\r\n":     true,
		"data: x\r\r":         true,
		"data: x\n\r\n":       true,
		": ping\n":            true,
		": ping\r\n":          true,
		"data: x\n: ping\n":   true,
		":\n":                 true,
		"\n":                  true,
		"data: x\n":           false,
		"data: x\r\n":         false,
		"id: 1\ndata: x":      false,
		"data: x\n\ndata: y":  false,
		"data: x\n\nid: 2\n":  false,
		"":                    false,
		"data: a:b\n":         false,
		"event: e\r\ndata:\r": false,
	} {
		if got := endsFrame([]byte(in)); got != want {
			t.Errorf("endsFrame(%q) = %v, want %v", in, got, want)
		}
	}
}
