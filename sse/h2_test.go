package sse_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bookstrack/bookstrack-go/sse"
)

// h2Server is an HTTP/2 server over TLS whose streams send events
// from after Last-Event-ID up to total; before, if set, runs after each
// event and can end the stream (return true).
type h2Server struct {
	*httptest.Server
	total  int
	before func(r *http.Request, id int, w http.ResponseWriter) bool
	conns  atomic.Int32 // TCP connections accepted
}

func newH2Server(t *testing.T, total int, before func(r *http.Request, id int, w http.ResponseWriter) bool) *h2Server {
	t.Helper()
	s := &h2Server{total: total, before: before}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/warm" {
			return
		}
		if r.ProtoMajor != 2 {
			http.Error(w, "want HTTP/2", http.StatusHTTPVersionNotSupported)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		last, _ := strconv.Atoi(r.Header.Get("Last-Event-ID"))
		for id := last + 1; id <= s.total; id++ {
			fmt.Fprintf(w, "id: %d\ndata: %s %d\n\n", id, r.URL.Path, id)
			w.(http.Flusher).Flush()
			if s.before != nil && s.before(r, id, w) {
				return
			}
		}
		<-r.Context().Done()
	}))
	s.EnableHTTP2 = true
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshakes a dropped connection cuts
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

// h2Streams opens n streams (paths /0../n-1) on srv's HTTP/2 client and
// returns, once each has received every event 1..srv.total, what each got.
func h2Streams(t *testing.T, srv *h2Server, n int) [][]string {
	t.Helper()
	hc := srv.Client()
	hc.Transport.(*http.Transport).TLSClientConfig.NextProtos = []string{"h2"}
	// One connection first, so that the streams, opened at once, share
	// it (net/http dials one per request while none is up).
	resp, err := hc.Get(srv.URL + "/warm")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ctx, cancel := context.WithCancel(testContext(t))
	defer cancel()
	got := make([][]string, n)
	var wg, done sync.WaitGroup
	for i := range n {
		wg.Add(1)
		done.Add(1)
		rec := newRecorder()
		var once sync.Once
		rec.onEvent = func(e sse.Event) {
			got[i] = append(got[i], e.Data) // HandleEvent runs on the stream's goroutine
			if e.ID == strconv.Itoa(srv.total) {
				once.Do(done.Done)
			}
		}
		c, err := sse.NewClient(srv.URL+"/"+strconv.Itoa(i), rec, sse.WithTransport(sse.TransportNetHTTP),
			sse.WithHTTPClient(hc), sse.WithNoDelay())
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			defer wg.Done()
			c.Connect(ctx)
		}()
	}
	finished := make(chan struct{})
	go func() { done.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-ctx.Done():
		t.Fatalf("not every stream got its %d events: %q", srv.total, got)
	}
	cancel()
	wg.Wait()
	return got
}

// wantAll checks that every stream got each event 1..total once, in order.
func wantAll(t *testing.T, got [][]string, total int) {
	t.Helper()
	for i, evs := range got {
		var want []string
		for id := 1; id <= total; id++ {
			want = append(want, fmt.Sprintf("/%d %d", i, id))
		}
		if fmt.Sprint(evs) != fmt.Sprint(want) {
			t.Fatalf("stream %d got %q, want %q", i, evs, want)
		}
	}
}

// An RST_STREAM (the server's handler aborts halfway through an event)
// costs its stream a reconnection that resumes after the last whole
// event, on the same multiplexed connection; the other streams go on.
func TestH2ResetStreamCostsAReconnectionNotAnEvent(t *testing.T) {
	const streams, total = 8, 10
	var reset sync.Map
	srv := newH2Server(t, total, func(r *http.Request, id int, w http.ResponseWriter) bool {
		if id == 5 && r.URL.Path != "/0" {
			if _, again := reset.LoadOrStore(r.URL.Path, true); !again {
				fmt.Fprintf(w, "id: 6\ndata: cut")
				w.(http.Flusher).Flush()
				panic(http.ErrAbortHandler) // RST_STREAM
			}
		}
		return false
	})
	wantAll(t, h2Streams(t, srv, streams), total)
	if n := srv.conns.Load(); n != 1 {
		t.Fatalf("%d connections, want the one multiplexed connection", n)
	}
}

// When the one connection that carries every stream drops, each stream
// resumes by Last-Event-ID on a new connection, nothing lost or repeated.
func TestH2DroppedConnectionResumesEveryStream(t *testing.T) {
	const streams, total = 8, 10
	var atFive atomic.Int32
	drop := make(chan struct{})
	srv := newH2Server(t, total, func(r *http.Request, id int, w http.ResponseWriter) bool {
		if id == 5 && r.Header.Get("Last-Event-ID") == "" {
			if atFive.Add(1) == streams {
				close(drop)
			}
			select {
			case <-drop:
			case <-r.Context().Done():
			}
			panic(http.ErrAbortHandler)
		}
		return false
	})
	go func() {
		<-drop
		srv.CloseClientConnections()
	}()
	wantAll(t, h2Streams(t, srv, streams), total)
	// net/http may dial one connection per stream that reconnects while
	// none is up; the streams resume whatever carries them.
	if n := srv.conns.Load(); n < 2 {
		t.Fatalf("%d connections, want the dropped one and more", n)
	}
}

// A GOAWAY (the server shuts down gracefully, ending its streams) costs
// every stream a reconnection, which resumes by Last-Event-ID on the
// server that takes over the address: nothing lost or repeated, no hang.
func TestH2GoAwayCostsAReconnectionNotAnEvent(t *testing.T) {
	const streams, total = 8, 10
	var atFive atomic.Int32
	all := make(chan struct{})
	goingAway := make(chan struct{})
	srv := newH2Server(t, total, func(r *http.Request, id int, w http.ResponseWriter) bool {
		if id == 5 && r.Header.Get("Last-Event-ID") == "" {
			if atFive.Add(1) == streams {
				close(all)
			}
			<-goingAway
			fmt.Fprintf(w, "id: 6\ndata: cut")
			return true // the stream ends halfway through an event
		}
		return false
	})
	srv.Config.RegisterOnShutdown(func() { close(goingAway) })
	addr := srv.Listener.Addr().String()
	next := httptest.NewUnstartedServer(srv.Config.Handler)
	next.EnableHTTP2 = true
	next.Config.ErrorLog = srv.Config.ErrorLog
	t.Cleanup(next.Close)
	shut := make(chan error, 1)
	go func() {
		<-all
		shut <- srv.Config.Shutdown(context.Background()) // GOAWAY, then waits for the streams to end
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			shut <- err
			return
		}
		next.Listener = ln
		next.StartTLS() // the same test certificate
		shut <- nil
	}()
	wantAll(t, h2Streams(t, srv, streams), total)
	for range 2 {
		if err := receive(t, (<-chan error)(shut)); err != nil {
			t.Fatal(err)
		}
	}
}
