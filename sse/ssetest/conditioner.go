package ssetest

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// Conditioner degrades connections the way a bad network does, like the
// Network Link Conditioner of Apple's platforms: it adds latency, caps the
// bandwidth, cuts a connection after some bytes or stalls it until
// released.
//
// It shapes one direction only, the response direction. Wrapped around a
// server's listener (Listener, ServerConn) it shapes what the server
// writes; wrapped around a client's dialer (Dialer, Transport, ClientConn)
// it shapes what the client reads. The other direction passes untouched.
// Byte counts are of the bytes on the connection, so for HTTP they include
// the status line, the headers and the chunked framing (and over TLS they
// count TLS records).
//
// The zero value does nothing. The fields are read each time a connection
// is wrapped, and each wrapped connection keeps the values it was given:
// set them before using the Conditioner and do not change them while it is
// in use. A Conditioner must not be copied after first use. Its methods
// are safe for concurrent use.
//
// Sleeps that simulate latency and bandwidth, and stalls, end early when
// the wrapped connection is closed, so no goroutine outlives a closed
// connection.
type Conditioner struct {
	// Latency is added before each write is delivered (for a shaped
	// read: before the bytes read are returned). Zero means none.
	Latency time.Duration
	// BytesPerSecond caps the bandwidth. Writes (or reads) are split into
	// pieces of at most BytesPerSecond/10 bytes (at least 1), and after
	// each piece the connection sleeps as long as the piece takes at that
	// rate. Zero means unlimited.
	BytesPerSecond int
	// CutAfter closes the connection once this many bytes have been
	// delivered: the peer sees the connection end there, as if the network
	// failed, and no byte past the limit is delivered. A shaped Write that
	// crosses the limit delivers what fits and fails with an error
	// matching net.ErrClosed; a shaped Read returns what fits, then io.EOF.
	// Zero means never.
	CutAfter int64
	// StallAfter makes the connection deliver nothing more once this many
	// bytes have been delivered, until Release is called or the connection
	// is closed. The writer (or reader) blocks meanwhile, without regard
	// to deadlines. Zero means never.
	StallAfter int64
	// Connections limits the Conditioner to the first Connections
	// connections it wraps; later ones pass untouched. Zero means all.
	Connections int

	mu           sync.Mutex
	wrapped      int
	release      chan struct{} // closed by Release
	released     bool
	stalls       int
	stallChanged chan struct{} // closed and replaced when stalls grows
}

// Listener returns a listener whose accepted connections are wrapped with
// ServerConn. Closing it closes l. It fits httptest.Server.Listener:
//
//	s := ssetest.NewUnstartedServer(t, script)
//	s.Listener = cond.Listener(s.Listener)
//	s.Start()
func (c *Conditioner) Listener(l net.Listener) net.Listener {
	return &listener{Listener: l, c: c}
}

// Dialer returns a dial function whose connections are wrapped with
// ClientConn. A nil dial means (&net.Dialer{}).DialContext. The result
// fits http.Transport.DialContext.
func (c *Conditioner) Dialer(dial func(ctx context.Context, network, addr string) (net.Conn, error)) func(ctx context.Context, network, addr string) (net.Conn, error) {
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return c.ClientConn(conn), nil
	}
}

// Transport returns a new http.Transport, a clone of
// http.DefaultTransport, whose DialContext is c.Dialer(nil): a client
// using it reads every response through c. Call its CloseIdleConnections
// when done.
func (c *Conditioner) Transport() *http.Transport {
	var t *http.Transport
	if dt, ok := http.DefaultTransport.(*http.Transport); ok {
		t = dt.Clone()
	} else {
		t = &http.Transport{Proxy: http.ProxyFromEnvironment}
	}
	t.DialContext = c.Dialer(nil)
	return t
}

// ServerConn wraps the server's end of a connection: what it writes is
// shaped. It returns conn itself when the Conditioner does nothing or the
// Connections limit has been reached.
func (c *Conditioner) ServerConn(conn net.Conn) net.Conn { return c.wrap(conn, false) }

// ClientConn wraps the client's end of a connection: what it reads is
// shaped. It returns conn itself when the Conditioner does nothing or the
// Connections limit has been reached.
func (c *Conditioner) ClientConn(conn net.Conn) net.Conn { return c.wrap(conn, true) }

// Release ends every stall, current and future: stalled connections go on
// delivering, and StallAfter no longer applies. It is idempotent.
func (c *Conditioner) Release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.initLocked()
	if !c.released {
		c.released = true
		close(c.release)
	}
}

// WaitStalled blocks until at least n connections have stalled, counting
// from the start, also those since released or closed; it returns ctx's
// error if ctx ends first. A connection stalls when it has delivered
// StallAfter bytes and is asked to deliver more before Release: from then
// on it delivers nothing until released, so a test can act knowing where
// the stream stopped.
func (c *Conditioner) WaitStalled(ctx context.Context, n int) error {
	for {
		c.mu.Lock()
		c.initLocked()
		stalls, changed := c.stalls, c.stallChanged
		c.mu.Unlock()
		if stalls >= n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (c *Conditioner) initLocked() {
	if c.release == nil {
		c.release = make(chan struct{})
		c.stallChanged = make(chan struct{})
	}
}

func (c *Conditioner) noteStall() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stalls++
	close(c.stallChanged)
	c.stallChanged = make(chan struct{})
}

func (c *Conditioner) wrap(conn net.Conn, reads bool) net.Conn {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wrapped++
	if c.Connections > 0 && c.wrapped > c.Connections {
		return conn
	}
	if c.Latency <= 0 && c.BytesPerSecond <= 0 && c.CutAfter <= 0 && c.StallAfter <= 0 {
		return conn
	}
	c.initLocked()
	sc := &shapedConn{
		Conn:    conn,
		c:       c,
		reads:   reads,
		latency: max(c.Latency, 0),
		bps:     max(c.BytesPerSecond, 0),
		cutAt:   max(c.CutAfter, 0),
		stallAt: max(c.StallAfter, 0),
		release: c.release,
		closed:  make(chan struct{}),
	}
	if sc.bps > 0 {
		sc.piece = max(sc.bps/10, 1)
	}
	return sc
}

type listener struct {
	net.Listener
	c *Conditioner
}

func (l *listener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return l.c.ServerConn(conn), nil
}

// shapedConn shapes its writes, or its reads when reads is set.
type shapedConn struct {
	net.Conn
	c       *Conditioner
	reads   bool
	latency time.Duration
	bps     int
	piece   int // largest piece when bps > 0
	cutAt   int64
	stallAt int64
	release <-chan struct{}

	closeOnce sync.Once
	closed    chan struct{}

	mu        sync.Mutex // serialises the shaped direction
	delivered int64
	cut       bool
	stalled   bool
}

func (sc *shapedConn) Close() error {
	sc.closeOnce.Do(func() { close(sc.closed) })
	return sc.Conn.Close()
}

func (sc *shapedConn) Write(p []byte) (int, error) {
	if sc.reads {
		return sc.Conn.Write(p)
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.cut {
		return 0, sc.cutError()
	}
	if len(p) == 0 {
		return sc.Conn.Write(p)
	}
	if err := sc.sleep(sc.latency); err != nil {
		return 0, err
	}
	n := 0
	for n < len(p) {
		size, err := sc.allow(len(p) - n)
		if err != nil {
			return n, err
		}
		m, err := sc.Conn.Write(p[n : n+size])
		n += m
		if err != nil {
			return n, err
		}
		if err := sc.deliver(m); err != nil {
			return n, err
		}
	}
	return n, nil
}

func (sc *shapedConn) Read(p []byte) (int, error) {
	if !sc.reads {
		return sc.Conn.Read(p)
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.cut {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return sc.Conn.Read(p)
	}
	size, err := sc.allow(len(p))
	if err != nil {
		return 0, err
	}
	n, err := sc.Conn.Read(p[:size])
	if n > 0 {
		if err := sc.sleep(sc.latency); err != nil {
			return 0, err
		}
		if err := sc.deliver(n); err != nil {
			return n, err
		}
	}
	return n, err
}

// allow waits while the connection is stalled and returns how many of the
// want bytes may be delivered next.
func (sc *shapedConn) allow(want int) (int, error) {
	if sc.cut {
		return 0, sc.cutError()
	}
	if sc.stallAt > 0 && sc.delivered >= sc.stallAt {
		if err := sc.stall(); err != nil {
			return 0, err
		}
	}
	n := int64(want)
	if sc.piece > 0 {
		n = min(n, int64(sc.piece))
	}
	if sc.cutAt > 0 {
		n = min(n, sc.cutAt-sc.delivered)
	}
	if sc.stallAt > sc.delivered {
		n = min(n, sc.stallAt-sc.delivered)
	}
	return int(n), nil
}

// deliver counts m delivered bytes, cutting the connection at the limit
// and otherwise sleeping as the bandwidth requires.
func (sc *shapedConn) deliver(m int) error {
	sc.delivered += int64(m)
	if sc.cutAt > 0 && sc.delivered >= sc.cutAt {
		sc.cut = true
		_ = sc.Close()
		return nil
	}
	if sc.bps > 0 {
		return sc.sleep(time.Duration(m) * time.Second / time.Duration(sc.bps))
	}
	return nil
}

func (sc *shapedConn) stall() error {
	select {
	case <-sc.release:
		return nil
	default:
	}
	if !sc.stalled {
		sc.stalled = true
		sc.c.noteStall()
	}
	select {
	case <-sc.release:
		return nil
	case <-sc.closed:
		return net.ErrClosed
	}
}

func (sc *shapedConn) sleep(d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-sc.closed:
		return net.ErrClosed
	}
}

func (sc *shapedConn) cutError() error {
	if sc.reads {
		return io.EOF
	}
	return fmt.Errorf("ssetest: connection cut after %d bytes: %w", sc.cutAt, net.ErrClosed)
}
