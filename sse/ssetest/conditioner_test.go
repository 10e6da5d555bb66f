package ssetest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// pipeWrite writes data to w in one Write, in its own goroutine, and
// returns a channel that gets the result.
func pipeWrite(w net.Conn, data string) <-chan writeResult {
	ch := make(chan writeResult, 1)
	go func() {
		n, err := w.Write([]byte(data))
		ch <- writeResult{n, err}
	}()
	return ch
}

type writeResult struct {
	n   int
	err error
}

// conditionedServer starts a Server whose listener is wrapped with c. The
// Conditioner tests keep plaintext HTTP/1.1 servers on every transport of
// the suite: they count and read the bytes on the wire.
func conditionedServer(t *testing.T, c *ssetest.Conditioner, scripts ...ssetest.Script) *ssetest.Server {
	t.Helper()
	s := ssetest.NewUnstartedServer(t, scripts...)
	s.Listener = c.Listener(s.Listener)
	s.Start()
	return s
}

// rawExchange sends a GET request on a new TCP connection to s and returns
// the connection, for reading the response byte by byte.
func rawExchange(t *testing.T, s *ssetest.Server) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr(s.URL))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	_, err = fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", addr(s.URL))
	require.NoError(t, err)
	return conn
}

func bodyScript(body string) ssetest.Script {
	return ssetest.Script{Steps: []ssetest.Step{ssetest.Raw(body)}}
}

func TestConditionerCutAfterOnServerWrites(t *testing.T) {
	c, w := net.Pipe()
	defer c.Close()
	cond := &ssetest.Conditioner{CutAfter: 75}
	w = cond.ServerConn(w)

	results := make(chan []writeResult, 1)
	go func() {
		var rs []writeResult
		for range 4 {
			n, err := w.Write([]byte(strings.Repeat("x", 30)))
			rs = append(rs, writeResult{n, err})
		}
		results <- rs
	}()
	got, err := io.ReadAll(c)
	require.NoError(t, err, "the peer sees the connection end")
	assert.Len(t, got, 75)

	rs := <-results
	assert.Equal(t, 30, rs[0].n)
	assert.NoError(t, rs[0].err)
	assert.Equal(t, 30, rs[1].n)
	assert.NoError(t, rs[1].err)
	assert.Equal(t, 15, rs[2].n, "the write crossing the limit delivers what fits")
	assert.ErrorIs(t, rs[2].err, net.ErrClosed)
	assert.Equal(t, 0, rs[3].n)
	assert.ErrorIs(t, rs[3].err, net.ErrClosed)
}

func TestConditionerCutAfterExactWrite(t *testing.T) {
	c, w := net.Pipe()
	defer c.Close()
	w = (&ssetest.Conditioner{CutAfter: 10}).ServerConn(w)

	res := pipeWrite(w, "0123456789")
	got, err := io.ReadAll(c)
	require.NoError(t, err)
	assert.Equal(t, "0123456789", string(got))
	r := <-res
	assert.Equal(t, 10, r.n)
	assert.NoError(t, r.err, "a write reaching the limit exactly succeeds")

	_, err = w.Write([]byte("more"))
	assert.ErrorIs(t, err, net.ErrClosed)
}

func TestConditionerCutAfterOnClientReads(t *testing.T) {
	r, peer := net.Pipe()
	defer peer.Close()
	r = (&ssetest.Conditioner{CutAfter: 75}).ClientConn(r)

	res := pipeWrite(peer, strings.Repeat("x", 100))
	got, err := io.ReadAll(r)
	require.NoError(t, err, "reads end with io.EOF after the cut")
	assert.Len(t, got, 75)
	assert.Error(t, (<-res).err, "the peer sees the connection closed")

	_, err = r.Write([]byte("x"))
	assert.Error(t, err, "the whole connection is closed")
}

func TestConditionerCutAfterThroughListener(t *testing.T) {
	const limit = 150
	s := conditionedServer(t, &ssetest.Conditioner{CutAfter: limit}, bodyScript(strings.Repeat("x", 1000)))
	conn := rawExchange(t, s)

	got, err := io.ReadAll(conn)
	require.NoError(t, err)
	assert.Len(t, got, limit)
	assert.True(t, strings.HasPrefix(string(got), "HTTP/1.1 200 OK\r\n"), "counts start with the status line: %q", got)
}

func TestConditionerCutAfterBreaksHTTPBody(t *testing.T) {
	s := conditionedServer(t, &ssetest.Conditioner{CutAfter: 300}, bodyScript(strings.Repeat("x", 1000)))
	resp := get(t, newClient(t), s.URL)
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	body, err := readBody(t, resp)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.NotEmpty(t, body)
	assert.Less(t, len(body), 1000)
}

func TestConditionerStallUntilRelease(t *testing.T) {
	const stall = 40
	cond := &ssetest.Conditioner{StallAfter: stall}
	body := strings.Repeat("y", 500)
	s := conditionedServer(t, cond, bodyScript(body))
	conn := rawExchange(t, s)

	first := make([]byte, stall)
	_, err := io.ReadFull(conn, first)
	require.NoError(t, err)
	require.NoError(t, cond.WaitStalled(context.Background(), 1))

	// The writer is held at the stall point: nothing more is on the wire.
	require.NoError(t, conn.SetReadDeadline(time.Now()))
	_, err = conn.Read(make([]byte, 1))
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	require.NoError(t, conn.SetReadDeadline(time.Time{}))

	cond.Release()
	rest, err := io.ReadAll(conn)
	require.NoError(t, err)
	all := string(first) + string(rest)
	assert.True(t, strings.HasPrefix(all, "HTTP/1.1 200 OK\r\n"))
	assert.True(t, strings.HasSuffix(all, body+"\r\n0\r\n\r\n"), "the whole response arrives")
}

func TestConditionerStallEndsWhenWriterCloses(t *testing.T) {
	c, w := net.Pipe()
	defer c.Close()
	cond := &ssetest.Conditioner{StallAfter: 10}
	w = cond.ServerConn(w)

	res := pipeWrite(w, strings.Repeat("z", 20))
	first := make([]byte, 10)
	_, err := io.ReadFull(c, first)
	require.NoError(t, err)
	require.NoError(t, cond.WaitStalled(context.Background(), 1))

	require.NoError(t, w.Close())
	r := <-res
	assert.Equal(t, 10, r.n)
	assert.ErrorIs(t, r.err, net.ErrClosed)
}

func TestConditionerStallEndsWhenReaderCloses(t *testing.T) {
	r, peer := net.Pipe()
	defer peer.Close()
	cond := &ssetest.Conditioner{StallAfter: 10}
	r = cond.ClientConn(r)

	written := pipeWrite(peer, strings.Repeat("z", 20))
	first := make([]byte, 10)
	_, err := io.ReadFull(r, first)
	require.NoError(t, err)

	readErr := make(chan error, 1)
	go func() {
		_, err := r.Read(make([]byte, 10))
		readErr <- err
	}()
	require.NoError(t, cond.WaitStalled(context.Background(), 1))
	require.NoError(t, r.Close())
	assert.ErrorIs(t, <-readErr, net.ErrClosed)
	assert.Error(t, (<-written).err, "the peer's write fails on the closed pipe")
}

func TestConditionerReleaseBeforeStall(t *testing.T) {
	cond := &ssetest.Conditioner{StallAfter: 5}
	cond.Release()
	cond.Release() // idempotent
	c, w := net.Pipe()
	defer c.Close()
	w = cond.ServerConn(w)
	defer w.Close()

	res := pipeWrite(w, "0123456789")
	got := make([]byte, 10)
	_, err := io.ReadFull(c, got)
	require.NoError(t, err)
	assert.Equal(t, "0123456789", string(got))
	assert.NoError(t, (<-res).err)
}

func TestConditionerWaitStalledReturnsContextError(t *testing.T) {
	var cond ssetest.Conditioner
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, cond.WaitStalled(ctx, 1), context.Canceled)
	assert.NoError(t, cond.WaitStalled(ctx, 0))
}

func TestConditionerConnectionsLimit(t *testing.T) {
	cond := &ssetest.Conditioner{CutAfter: 5, Connections: 1}

	c1, w1 := net.Pipe()
	defer c1.Close()
	shaped := cond.ServerConn(w1)
	assert.NotSame(t, w1, shaped)
	res := pipeWrite(shaped, "0123456789")
	got, err := io.ReadAll(c1)
	require.NoError(t, err)
	assert.Equal(t, "01234", string(got))
	assert.ErrorIs(t, (<-res).err, net.ErrClosed)

	c2, w2 := net.Pipe()
	defer c2.Close()
	defer w2.Close()
	assert.Same(t, w2, cond.ServerConn(w2), "later connections pass untouched")
}

func TestConditionerConnectionsLimitThroughListener(t *testing.T) {
	s := conditionedServer(t, &ssetest.Conditioner{CutAfter: 20, Connections: 1}, bodyScript("data: a\n\n"))
	c := newClient(t)
	c.Transport.(*http.Transport).DisableKeepAlives = true

	_, err := c.Get(s.URL)
	require.Error(t, err, "the first connection is cut inside the headers")

	body, err := readBody(t, get(t, c, s.URL))
	require.NoError(t, err, "the second connection is not conditioned")
	assert.Equal(t, "data: a\n\n", body)
}

func TestConditionerZeroValueDoesNothing(t *testing.T) {
	var cond ssetest.Conditioner
	c, w := net.Pipe()
	defer c.Close()
	defer w.Close()
	assert.Same(t, w, cond.ServerConn(w))
	assert.Same(t, c, cond.ClientConn(c))

	s := conditionedServer(t, &cond, bodyScript("data: a\n\n"))
	body, err := readBody(t, get(t, newClient(t), s.URL))
	require.NoError(t, err)
	assert.Equal(t, "data: a\n\n", body)
}

func TestConditionerTransportShapesClientReads(t *testing.T) {
	body := strings.Repeat("x", 1000)
	s := ssetest.NewServer(t, bodyScript(body))

	t.Run("cut", func(t *testing.T) {
		tr := (&ssetest.Conditioner{CutAfter: 300}).Transport()
		t.Cleanup(tr.CloseIdleConnections)
		resp := get(t, &http.Client{Transport: tr}, s.URL)
		got, err := readBody(t, resp)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
		assert.Less(t, len(got), len(body))
	})

	t.Run("stall", func(t *testing.T) {
		cond := &ssetest.Conditioner{StallAfter: 300}
		tr := cond.Transport()
		t.Cleanup(tr.CloseIdleConnections)
		resp := get(t, &http.Client{Transport: tr}, s.URL)

		type result struct {
			body string
			err  error
		}
		read := make(chan result, 1)
		go func() {
			b, err := io.ReadAll(resp.Body)
			read <- result{string(b), err}
		}()
		require.NoError(t, cond.WaitStalled(context.Background(), 1))
		cond.Release()
		r := <-read
		require.NoError(t, r.err)
		assert.Equal(t, body, r.body)
	})
}

func TestConditionerDialerUsesGivenDial(t *testing.T) {
	s := ssetest.NewServer(t, bodyScript("data: a\n\n"))
	dials := 0
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials++
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	tr := &http.Transport{DialContext: (&ssetest.Conditioner{CutAfter: 1 << 20}).Dialer(dial)}
	t.Cleanup(tr.CloseIdleConnections)

	body, err := readBody(t, get(t, &http.Client{Transport: tr}, s.URL))
	require.NoError(t, err)
	assert.Equal(t, "data: a\n\n", body)
	assert.Equal(t, 1, dials)
}

func TestConditionerDialerReportsDialError(t *testing.T) {
	errDial := errors.New("no route")
	dial := (&ssetest.Conditioner{Latency: time.Hour}).Dialer(func(context.Context, string, string) (net.Conn, error) {
		return nil, errDial
	})
	conn, err := dial(context.Background(), "tcp", "example.invalid:80")
	assert.ErrorIs(t, err, errDial)
	assert.Nil(t, conn)
}

func TestConditionerLatencyAndBandwidthKeepData(t *testing.T) {
	body := strings.Repeat("0123456789", 300)
	for _, tc := range []struct {
		name string
		cond func() *ssetest.Conditioner
	}{
		{"latency", func() *ssetest.Conditioner { return &ssetest.Conditioner{Latency: time.Millisecond} }},
		{"bandwidth", func() *ssetest.Conditioner { return &ssetest.Conditioner{BytesPerSecond: 50_000} }},
		{"both", func() *ssetest.Conditioner {
			return &ssetest.Conditioner{Latency: time.Millisecond, BytesPerSecond: 50_000}
		}},
	} {
		t.Run(tc.name+" server side", func(t *testing.T) {
			s := conditionedServer(t, tc.cond(), ssetest.Script{Steps: []ssetest.Step{ssetest.Split(body, 700)}})
			got, err := readBody(t, get(t, newClient(t), s.URL))
			require.NoError(t, err)
			assert.Equal(t, body, got)
		})
		t.Run(tc.name+" client side", func(t *testing.T) {
			s := ssetest.NewServer(t, ssetest.Script{Steps: []ssetest.Step{ssetest.Split(body, 700)}})
			tr := tc.cond().Transport()
			t.Cleanup(tr.CloseIdleConnections)
			got, err := readBody(t, get(t, &http.Client{Transport: tr}, s.URL))
			require.NoError(t, err)
			assert.Equal(t, body, got)
		})
	}
}

func TestConditionerBandwidthSplitsWrites(t *testing.T) {
	c, w := net.Pipe()
	defer c.Close()
	w = (&ssetest.Conditioner{BytesPerSecond: 10_000}).ServerConn(w) // pieces of 1000 bytes
	defer w.Close()

	res := pipeWrite(w, strings.Repeat("b", 1500))
	var sizes []int
	buf := make([]byte, 4096)
	for total := 0; total < 1500; {
		n, err := c.Read(buf) // a net.Pipe read returns at most one write
		require.NoError(t, err)
		sizes = append(sizes, n)
		total += n
	}
	assert.Equal(t, []int{1000, 500}, sizes)
	r := <-res
	assert.NoError(t, r.err)
	assert.Equal(t, 1500, r.n)
}

func TestConditionerSleepEndsWhenClosed(t *testing.T) {
	_, w := net.Pipe()
	w = (&ssetest.Conditioner{Latency: time.Hour}).ServerConn(w)
	res := pipeWrite(w, "never")
	require.NoError(t, w.Close())
	r := <-res
	assert.Equal(t, 0, r.n)
	assert.ErrorIs(t, r.err, net.ErrClosed)
}
