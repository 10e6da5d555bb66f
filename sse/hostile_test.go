package sse_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// A hostile server: whatever it sends, each attempt ends within the
// configured bounds, with a typed error, and no secret leaves its origin.

// streamingServer serves each request with handle, over loopback.
func streamingServer(t *testing.T, handle http.HandlerFunc) *httptest.Server {
	t.Helper()
	return newHTTPServer(t, handle)
}

// writeRepeated writes n bytes of b, a chunk at a time, without ever
// holding more than one chunk: the generator of the huge-input tests.
func writeRepeated(w http.ResponseWriter, b byte, n int64) error {
	chunk := bytes.Repeat([]byte{b}, 64<<10)
	for n > 0 {
		m := min(n, int64(len(chunk)))
		if _, err := w.Write(chunk[:m]); err != nil {
			return err
		}
		n -= m
	}
	return nil
}

func TestHostileEndlessLineIsCutAtTheLimit(t *testing.T) {
	srv := streamingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "data: ")
		for r.Context().Err() == nil {
			if writeRepeated(w, 'x', 1<<20) != nil {
				return
			}
		}
	})
	rec := newRecorder()
	c, err := sse.NewClient(srv.URL, rec, sse.WithMaxEventSize(1<<20), sse.WithNoDelay())
	require.NoError(t, err)
	done := connect(t, c)
	var tooLarge *sse.EventTooLargeError
	require.ErrorAs(t, receive(t, rec.errCh), &tooLarge)
	assert.Equal(t, 1<<20, tooLarge.Limit)
	c.Close()
	assert.ErrorIs(t, receive(t, done), sse.ErrClosed)
	assert.Empty(t, rec.Events())
}

func TestHostileHugeEventIsSkippedAndTheStreamGoesOn(t *testing.T) {
	size := int64(1 << 30) // 1 GiB, streamed, never held
	if testing.Short() {
		size = 32 << 20
	}
	if sse.TestOverHTTP2 {
		// 64 times the limit: the decoder skips it as it does 1 GiB, and
		// it crosses thousands of HTTP/2 frames and flow-control windows.
		// 1 GiB over TLS and HTTP/2 takes over 20 s with the race detector
		// (it instruments net/http's HTTP/2 framing; 2 s without), which
		// would test the machine's speed, not the Client.
		size = min(size, 64<<20)
	}
	var conns sync.Mutex
	n := 0
	srv := streamingServer(t, func(w http.ResponseWriter, r *http.Request) {
		conns.Lock()
		n++
		first := n == 1
		conns.Unlock()
		if !first {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "data: ")
		if writeRepeated(w, 'x', size) != nil {
			return
		}
		_, _ = io.WriteString(w, "\n\nid: 2\ndata: after\n\n")
	})
	rec := newRecorder()
	c, err := sse.NewClient(srv.URL, rec, sse.WithNoDelay())
	require.NoError(t, err)
	require.NoError(t, receive(t, connect(t, c)))
	require.Len(t, rec.Errors(), 1)
	assert.ErrorIs(t, rec.Errors()[0], sse.ErrEventTooLarge)
	assert.Equal(t, []sse.Event{{ID: "2", Type: "message", Data: "after"}}, rec.Events())
}

// stalledErrorBody is a 503 whose body stops after one byte.
var stalledErrorBody = ssetest.Script{Status: 503, Header: http.Header{"Content-Type": {"text/plain"}},
	Steps: []ssetest.Step{ssetest.Raw("x"), ssetest.Hang()}}

func TestHostileStalledErrorBodyIsCutByTheErrorBodyTimeout(t *testing.T) {
	clk := newTimerClock()
	// An idle timeout far longer than the error body timeout, only so that
	// each body read shows as a timer restart.
	c, rec, _ := defaultSetup(t, []ssetest.Script{stalledErrorBody}, sse.WithGiveUp(1, 0), sse.WithClock(clk),
		sse.WithIdleTimeout(time.Hour))
	done := connect(t, c)
	clk.waitTimer(t, sse.DefaultErrorBodyTimeout)
	clk.waitTimer(t, time.Hour) // the first body read, which gets "x"
	clk.waitTimer(t, time.Hour) // the second, which stalls
	clk.Advance(sse.DefaultErrorBodyTimeout)
	err := receive(t, done)
	var se *sse.StatusError
	require.ErrorAs(t, err, &se, "the status is what the attempt reports")
	assert.Equal(t, 503, se.StatusCode)
	assert.Equal(t, "x", string(se.Body), "what arrived is kept")
	assert.Len(t, rec.Errors(), 1)
}

func TestHostileStalledErrorBodyIsCutByTheIdleTimeout(t *testing.T) {
	clk := newTimerClock()
	c, _, _ := defaultSetup(t, []ssetest.Script{stalledErrorBody}, sse.WithGiveUp(1, 0), sse.WithIdleTimeout(time.Second), sse.WithClock(clk))
	done := connect(t, c)
	clk.waitTimer(t, sse.DefaultErrorBodyTimeout)
	clk.waitTimer(t, time.Second) // the first body read, which gets "x"
	clk.waitTimer(t, time.Second) // the second, which stalls
	clk.Advance(time.Second)
	var se *sse.StatusError
	require.ErrorAs(t, receive(t, done), &se)
	assert.Equal(t, "x", string(se.Body))
}

func TestHostileSilentServerFailsTheAttemptAfterTheHeaderTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	scheme := "http://"
	if sse.TestOverHTTP2 {
		// The TLS handshake (ALPN h2) completes on the first read; then the
		// server reads the client's frames and never answers.
		ln, scheme = tls.NewListener(ln, sse.TestServerTLS), "https://"
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var held []net.Conn
	wg.Add(1)
	go func() { // accepts, reads, never answers
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, conn)
			mu.Unlock()
			wg.Add(1)
			go func() { defer wg.Done(); _, _ = io.Copy(io.Discard, conn) }()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range held {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	clk := newTimerClock()
	rec := newRecorder()
	c, err := sse.NewClient(scheme+ln.Addr().String()+"/", rec, sse.WithClock(clk), sse.WithGiveUp(2, 0),
		sse.WithObserver(rec.observer()))
	require.NoError(t, err)
	done := connect(t, c)
	clk.waitTimer(t, sse.DefaultResponseHeaderTimeout)
	clk.Advance(sse.DefaultResponseHeaderTimeout)
	assert.ErrorIs(t, receive(t, rec.errCh), sse.ErrResponseHeaderTimeout, "a failed attempt, retried")
	r := receive(t, rec.reconnectCh)
	clk.waitTimer(t, r.Delay)
	clk.Advance(r.Delay)
	clk.waitTimer(t, sse.DefaultResponseHeaderTimeout)
	clk.Advance(sse.DefaultResponseHeaderTimeout)
	var gu *sse.GiveUpError
	err = receive(t, done)
	require.ErrorAs(t, err, &gu)
	assert.ErrorIs(t, err, sse.ErrResponseHeaderTimeout)
}

func TestHostileOneBytePerSecondBodyKeepsTheConnectionAndStallIsCut(t *testing.T) {
	const event = "id: 1\ndata: slow\n\n"
	tick := make(chan struct{})
	srv := streamingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		rc := http.NewResponseController(w)
		_ = rc.Flush()
		for i := range len(event) {
			select {
			case <-tick:
			case <-r.Context().Done():
				return
			}
			_, _ = io.WriteString(w, event[i:i+1])
			_ = rc.Flush()
		}
		<-r.Context().Done() // then silence
	})
	clk := newTimerClock()
	rec := newRecorder()
	c, err := sse.NewClient(srv.URL, rec, sse.WithClock(clk), sse.WithIdleTimeout(2*time.Second), sse.WithGiveUp(1, 0), sse.WithObserver(rec.observer()),
		sse.WithResponseHeaderTimeout(time.Hour))
	require.NoError(t, err)
	done := connect(t, c)
	clk.waitTimer(t, time.Hour)     // the request is out: its header timer,
	clk.waitTimer(t, 2*time.Second) // and the idle timer, stopped once the headers are in
	for range len(event) {
		clk.waitTimer(t, 2*time.Second) // the Client waits in a read
		clk.Advance(time.Second)        // a second passes: less than the idle timeout
		tick <- struct{}{}              // and one byte arrives
	}
	assert.Equal(t, sse.Event{ID: "1", Type: "message", Data: "slow"}, receive(t, rec.eventCh))
	assert.Empty(t, rec.Errors(), "1 byte a second is slow, not idle")
	clk.waitTimer(t, 2*time.Second)
	clk.Advance(2 * time.Second)
	assert.ErrorIs(t, receive(t, rec.errCh), sse.ErrIdleTimeout)
	// The connection delivered an event: progress, so even WithGiveUp(1, 0)
	// reconnects instead of giving up.
	info := receive(t, rec.reconnectCh)
	assert.ErrorIs(t, info.Cause, sse.ErrIdleTimeout)
	c.Close()
	assert.ErrorIs(t, receive(t, done), sse.ErrClosed)
}

func TestHostileRedirectLoopEnds(t *testing.T) {
	srv := newServer(t, ssetest.Script{Status: 302, Header: http.Header{"Location": {"/again?token=s3cret"}}})
	rec := newRecorder()
	c, err := sse.NewClient(srv.URL, rec, sse.WithNoDelay())
	require.NoError(t, err)
	err = receive(t, connect(t, c))
	var re *sse.RedirectError
	require.ErrorAs(t, err, &re)
	assert.NotContains(t, err.Error(), "s3cret")
	assert.NotContains(t, fmt.Sprintf("%+v %#v", err, re), "s3cret")
	assert.Len(t, srv.Requests(), 10, "10 requests in all, then it stops")
}

// leakCheck collects every place a secret could show: the log and every
// error the Client reports.
type leakCheck struct {
	log  bytes.Buffer
	rec  *recorder
	opts []sse.Option
}

func newLeakCheck(secrets ...string) *leakCheck {
	lc := &leakCheck{rec: newRecorder()}
	lc.opts = []sse.Option{
		sse.WithNoDelay(),
		sse.WithLogger(slog.New(slog.NewTextHandler(&lc.log, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		sse.WithQueryToken("token", secrets[0]),
		sse.WithBearerToken(secrets[1]),
		sse.WithObserver(lc.rec.observer()),
	}
	return lc
}

// assertNoSecret checks the log, the errors, and each request that
// reached the other origin.
func (lc *leakCheck) assertNoSecret(t *testing.T, connectErr error, reqs []ssetest.Request, secrets ...string) {
	t.Helper()
	texts := []string{lc.log.String()}
	if connectErr != nil {
		texts = append(texts, connectErr.Error(), fmt.Sprintf("%+v", connectErr))
	}
	for _, err := range lc.rec.Errors() {
		texts = append(texts, err.Error())
	}
	for _, ci := range lc.rec.Closes() {
		if ci.Err != nil {
			texts = append(texts, ci.Err.Error())
		}
	}
	for _, r := range reqs {
		texts = append(texts, r.URL.String())
		for k, vs := range r.Header {
			texts = append(texts, k+": "+strings.Join(vs, ","))
		}
	}
	for _, s := range secrets {
		for _, text := range texts {
			assert.NotContains(t, text, s)
		}
	}
}

func TestHostileCrossOriginRedirectCarriesNoSecret(t *testing.T) {
	const query, bearer = "q-s3cret", "b-s3cret"
	other := newServer(t, noContent)
	otherHost, opts := "localhost", []sse.Option(nil)
	if sse.TestOverHTTP2 {
		// The test certificate names 127.0.0.1 and *.example.com, not
		// localhost: the other host is a name of it, dialled on loopback.
		otherHost = "sse.example.com"
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			if host, port, err := net.SplitHostPort(addr); err == nil && host == otherHost {
				addr = net.JoinHostPort("127.0.0.1", port)
			}
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}
		t.Cleanup(tr.CloseIdleConnections)
		opts = append(opts, sse.WithHTTPClient(&http.Client{Transport: tr}))
	}
	for _, tc := range []struct{ name, target string }{
		{"another port of the same host", other.URL},
		{"another host", strings.Replace(other.URL, "127.0.0.1", otherHost, 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first := newServer(t, ssetest.Script{Status: 307, Header: http.Header{
				"Location": {tc.target + "/moved?token=" + query + "&keep=1"}}})
			lc := newLeakCheck(query, bearer)
			before := len(other.Requests())
			c, err := sse.NewClient(first.URL+"/stream", lc.rec, append(lc.opts, opts...)...)
			require.NoError(t, err)
			err = receive(t, connect(t, c))
			require.NoError(t, err, "the 204 of the other origin ends the stream")
			reqs := other.Requests()[before:]
			require.NotEmpty(t, reqs)
			assert.Equal(t, "1", reqs[0].URL.Query().Get("keep"), "only the token is removed from the query")
			assert.Empty(t, reqs[0].Header.Get("Referer"))
			assert.Empty(t, reqs[0].Header.Get("Authorization"))
			lc.assertNoSecret(t, err, reqs, query, bearer)
			got := first.Requests()[0]
			assert.Equal(t, query, got.URL.Query().Get("token"), "the token still goes to its own origin")
			assert.Equal(t, "Bearer "+bearer, got.Header.Get("Authorization"))
		})
	}
}

func TestHostileSameOriginRedirectKeepsTheTokenButNoReferer(t *testing.T) {
	srv := newServer(t, ssetest.Script{Status: 307, Header: http.Header{"Location": {"/moved"}}}, noContent)
	lc := newLeakCheck("q-s3cret", "b-s3cret")
	c, err := sse.NewClient(srv.URL+"/stream", lc.rec, lc.opts...)
	require.NoError(t, err)
	require.NoError(t, receive(t, connect(t, c)))
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "Bearer b-s3cret", reqs[1].Header.Get("Authorization"))
	assert.Empty(t, reqs[1].Header.Values("Referer"), "Referer would carry the query token")
}

func TestHostileDowngradeRedirectIsRefused(t *testing.T) {
	const query, bearer = "q-s3cret", "b-s3cret"
	// plain stays plaintext on every transport of the suite: the redirect
	// under test goes from https to http.
	plain := ssetest.NewServer(t, noContent)
	tls := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/plain?token="+query, http.StatusTemporaryRedirect)
	}))
	tls.EnableHTTP2 = sse.TestOverHTTP2
	tls.StartTLS()
	t.Cleanup(tls.Close)
	lc := newLeakCheck(query, bearer)
	c, err := sse.NewClient(tls.URL+"/stream", lc.rec, append(lc.opts, sse.WithHTTPClient(tls.Client()))...)
	require.NoError(t, err)
	err = receive(t, connect(t, c))
	assert.ErrorIs(t, err, sse.ErrInsecureRedirect)
	var re *sse.RedirectError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, http.StatusTemporaryRedirect, re.StatusCode)
	assert.Empty(t, plain.Requests(), "nothing goes out in cleartext")
	lc.assertNoSecret(t, err, plain.Requests(), query, bearer)
}

func TestHostileUnusableLocationIsRedacted(t *testing.T) {
	srv := newServer(t, ssetest.Script{Status: 302, Header: http.Header{"Location": {"ftp://user:pw@files/x?token=s3cret"}}})
	lc := newLeakCheck("q-s3cret", "b-s3cret")
	c, err := sse.NewClient(srv.URL, lc.rec, lc.opts...)
	require.NoError(t, err)
	err = receive(t, connect(t, c))
	var re *sse.RedirectError
	require.ErrorAs(t, err, &re)
	lc.assertNoSecret(t, err, nil, "s3cret", "pw")
	assert.NotContains(t, re.Location, "s3cret")
}

// timerClock is a fake clock that reports each timer the Client starts
// (AfterFunc) and restarts (Reset), so a test moves time only once the
// Client waits on the timer it means.
type timerClock struct {
	*ssetest.Clock
	set chan time.Duration // AfterFunc and Reset durations, in order
}

func newTimerClock() *timerClock {
	return &timerClock{Clock: ssetest.NewClock(testStart), set: make(chan time.Duration, 1<<16)}
}

func (c *timerClock) AfterFunc(d time.Duration, f func()) sse.Timer {
	t := c.Clock.AfterFunc(d, f)
	c.set <- d
	return reportingTimer{t, c.set}
}

type reportingTimer struct {
	sse.Timer
	set chan time.Duration
}

func (t reportingTimer) Reset(d time.Duration) bool {
	ok := t.Timer.Reset(d)
	t.set <- d
	return ok
}

// waitTimer waits until the Client starts or restarts a timer of d.
func (c *timerClock) waitTimer(t *testing.T, d time.Duration) {
	t.Helper()
	ctx := testContext(t)
	for {
		select {
		case got := <-c.set:
			if got == d {
				return
			}
		case <-ctx.Done():
			t.Fatalf("no timer of %v started", d)
		}
	}
}

// readerTransport answers one request with the body r, in memory, so that
// the heap a test measures is the Client's alone.
type readerTransport struct{ r io.Reader }

func (t readerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Status: "200 OK", Request: r, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"text/event-stream"}}, Body: io.NopCloser(t.r)}, nil
}

// sizeHandler keeps only the size and a check of each event's data.
type sizeHandler struct {
	sizes []int
	ok    bool
}

func (h *sizeHandler) HandleEvent(e sse.Event) {
	h.sizes = append(h.sizes, len(e.Data))
	h.ok = strings.Count(e.Data, "\uFFFD") == len(e.Data)/3
}
func (h *sizeHandler) HandleError(error) {}

func TestHostileInvalidUTF8EventOf15MiBPeaksWithinTwiceItsSize(t *testing.T) {
	// 15 MiB of bytes that are each invalid UTF-8, at the default 16 MiB
	// limit: 45 MiB of U+FFFD once decoded, handed to the Handler as one
	// string without a further copy.
	const n = 15 << 20
	base := liveHeap()
	s := &heapSampler{r: io.MultiReader(strings.NewReader("data: "), &patternReader{pat: []byte{0xFF}, n: n}, strings.NewReader("\n\n")), lastGC: base}
	h := &sizeHandler{}
	c, err := sse.NewClient("http://sse.invalid/", h, sse.WithHTTPClient(&http.Client{Transport: readerTransport{s}}), sse.WithStopAtEnd())
	require.NoError(t, err)
	require.NoError(t, c.Connect(testContext(t)))
	require.Equal(t, []int{3 * n}, h.sizes)
	require.True(t, h.ok, "the data is not all U+FFFD")
	peak := s.peak - base
	held := int64(s.idle) - int64(base)
	t.Logf("%d invalid bytes, %d bytes of data: peak heap %.1f MiB (%.2fx the data), %d bytes held while waiting after it",
		n, 3*n, float64(peak)/(1<<20), float64(peak)/float64(3*n), held)
	assert.LessOrEqual(t, peak, uint64(2*3*n), "peak heap over twice the event's data")
	assert.LessOrEqual(t, held, int64(64<<10), "heap held after the event")
}
