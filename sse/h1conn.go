package sse

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
)

// leanBufSize is the read buffer of a lean connection. Reads larger than
// it (the Decoder's) bypass it and go straight to the socket.
const leanBufSize = 512

// leanTransport is an http.RoundTripper that serves each request on a new
// HTTP/1.1 connection whose response body is read on the caller's
// goroutine: it starts no goroutine. The context's end closes the
// connection (context.AfterFunc), which unblocks any read.
type leanTransport struct {
	fallback http.RoundTripper // for a proxied request; nil = http.DefaultTransport
	// auto: TransportAuto chose the lean path, so a stream to an https
	// origin that already has autoMultiplexAfter lean streams open goes
	// through fallback, which multiplexes it over HTTP/2 where the server
	// offers it (see TransportAuto).
	auto bool
}

func (t leanTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if p, err := http.ProxyFromEnvironment(req); err != nil || p != nil {
		return t.fallbackTransport().RoundTrip(req)
	}
	origin := req.URL.Scheme + "://" + req.URL.Host
	if t.auto && req.URL.Scheme == "https" && leanOrigins.multiplex(origin) {
		resp, err := t.fallbackTransport().RoundTrip(req)
		if err == nil && resp.ProtoMajor != 2 {
			leanOrigins.noHTTP2(origin)
		}
		return resp, err
	}
	resp, err := t.roundTripLean(req)
	if err == nil {
		leanOrigins.open(origin)
		resp.Body.(*leanBody).origin = origin
	}
	return resp, err
}

func (t leanTransport) fallbackTransport() http.RoundTripper {
	if t.fallback == nil {
		return http.DefaultTransport
	}
	return t.fallback
}

// autoMultiplexAfter is how many lean streams to one https origin may be
// open at once before TransportAuto sends the next through net/http.
var autoMultiplexAfter = 100

// maxLeanOrigins bounds the origins remembered as not offering HTTP/2.
const maxLeanOrigins = 1024

// leanOrigins counts the open lean streams per origin and remembers the
// origins whose net/http response was not HTTP/2.
var leanOrigins = &originCounts{}

type originCounts struct {
	mu      sync.Mutex
	streams map[string]int
	noH2    map[string]bool
	closed  int // lean bodies closed, for the tests
}

// multiplex reports whether a new stream to origin should go through
// net/http: autoMultiplexAfter lean streams to it are open and it has not
// answered net/http without HTTP/2.
func (o *originCounts) multiplex(origin string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.streams[origin] >= autoMultiplexAfter && !o.noH2[origin]
}

func (o *originCounts) open(origin string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.streams == nil {
		o.streams = make(map[string]int)
	}
	o.streams[origin]++
}

func (o *originCounts) close(origin string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.closed++
	if o.streams[origin]--; o.streams[origin] <= 0 {
		delete(o.streams, origin)
	}
}

func (o *originCounts) noHTTP2(origin string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.noH2 == nil {
		o.noH2 = make(map[string]bool)
	}
	if len(o.noH2) < maxLeanOrigins {
		o.noH2[origin] = true
	}
}

// roundTripLean serves req on a lean connection of its own.
func (t leanTransport) roundTripLean(req *http.Request) (*http.Response, error) {
	// Dial, TLS handshake, request and response head run on a goroutine
	// that ends with them, and the body is read on the caller's. Their
	// call chains (key exchange, certificate verification, header
	// parsing) grow a stack to 16 KiB or more; on the caller's goroutine,
	// parked in Read for the stream's life, that stack would stay (the
	// runtime shrinks a stack by half per collection, and only while it
	// is mostly unused): an idle stream over TLS kept 16.4 KB of stack.
	type result struct {
		resp *http.Response
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		resp, err := roundTrip(req)
		ch <- result{resp, err}
	}()
	r := <-ch
	return r.resp, r.err
}

// roundTrip dials and sends req, and reads the response head.
func roundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	conn, err := dialLean(ctx, req)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	resp, err := exchange(conn, req)
	if err != nil {
		stop()
		conn.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	b := resp.Body.(*leanBody)
	b.ctx, b.stop = ctx, stop
	return resp, nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// dialLean opens the connection for req: TCP, then TLS for https.
func dialLean(ctx context.Context, req *http.Request) (net.Conn, error) {
	host, port := req.URL.Hostname(), req.URL.Port()
	tlsOn := req.URL.Scheme == "https"
	switch {
	case req.URL.Scheme != "http" && !tlsOn:
		return nil, fmt.Errorf("sse: unsupported scheme %q", req.URL.Scheme)
	case port == "" && tlsOn:
		port = "443"
	case port == "":
		port = "80"
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(host, port))
	if err != nil || !tlsOn {
		return conn, err
	}
	tc := tls.Client(conn, leanTLSConfig(host))
	if err := tc.HandshakeContext(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return tc, nil
}

// leanTLSConfigs holds one *tls.Config per server name (at most
// maxLeanTLSConfigs), shared by the lean connections to it, as an
// http.Transport shares its own: each tls.Conn keeps its config for its
// life, and 10 000 streams to one origin would keep 10 000 copies (about
// 480 B each).
var leanTLSConfigs struct {
	sync.Mutex
	m map[string]*tls.Config
}

const maxLeanTLSConfigs = 64

// leanTestRoots replaces the system roots in the sse tests (nil: the
// system roots).
var leanTestRoots *x509.CertPool

// leanTLSConfig returns the config for a lean connection to host: ALPN
// http/1.1, the system roots. It must not be modified.
func leanTLSConfig(host string) *tls.Config {
	leanTLSConfigs.Lock()
	defer leanTLSConfigs.Unlock()
	if c := leanTLSConfigs.m[host]; c != nil {
		return c
	}
	c := &tls.Config{ServerName: host, NextProtos: []string{"http/1.1"}, RootCAs: leanTestRoots}
	if leanTLSConfigs.m == nil {
		leanTLSConfigs.m = make(map[string]*tls.Config)
	}
	if len(leanTLSConfigs.m) < maxLeanTLSConfigs {
		leanTLSConfigs.m[host] = c
	}
	return c
}

// exchange writes req once and reads the response head.
func exchange(conn net.Conn, req *http.Request) (*http.Response, error) {
	w := bufio.NewWriterSize(conn, 1024)
	if err := req.Write(w); err != nil {
		return nil, err
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	body := &leanBody{conn: conn, src: replayReader{r: conn}}
	br := leanReaders.Get().(*bufio.Reader)
	br.Reset(&body.src)
	resp, err := readResponseHead(br, req)
	if err != nil {
		return nil, err
	}
	body.br = br
	body.r, err = bodyReader(br, resp)
	if err != nil {
		return nil, err
	}
	resp.Body = body
	return resp, nil
}

// bodyReader picks the framing of the response body (RFC 9112 section 6.3).
func bodyReader(br *bufio.Reader, resp *http.Response) (io.Reader, error) {
	if resp.Request != nil && resp.Request.Method == http.MethodHead ||
		resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified {
		return eofReader{}, nil
	}
	if len(resp.TransferEncoding) > 0 {
		return newChunkedReader(br), nil
	}
	if resp.ContentLength >= 0 {
		return &lengthReader{r: br, n: resp.ContentLength}, nil
	}
	return br, nil
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// lengthReader reads a Content-Length body: exactly n bytes, or
// io.ErrUnexpectedEOF if the connection ends first.
type lengthReader struct {
	r io.Reader
	n int64
}

func (l *lengthReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if err == io.EOF && l.n > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// leanReaders holds the read buffers of lean connections that wait (see
// leanBody.waitRead).
var leanReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, leanBufSize) }}

// leanBody is the response body of a lean connection; Close closes the
// connection. It is a waitReader: a quiet Decoder waits on it with no read
// buffer of its own (see Decoder.waitQuiet), and the body itself waits
// with its br back in leanReaders, reading a few bytes into wake.
type leanBody struct {
	r      io.Reader     // the body's framing over br
	br     *bufio.Reader // over src
	src    replayReader  // the connection
	wake   [16]byte      // what the read that ends a wait brings, at most
	conn   net.Conn
	ctx    context.Context
	stop   func() bool
	once   sync.Once
	origin string // counted in leanOrigins while open; "" when not counted
}

func (b *leanBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF && b.ctx != nil && b.ctx.Err() != nil {
		// The context closed the connection under the read.
		err = b.ctx.Err()
	}
	if errors.Is(err, net.ErrClosed) {
		err = fmt.Errorf("sse: read on closed body: %w", err)
	}
	return n, err
}

// ready reports whether a Read returns without waiting for the network:
// the body has ended or failed, or br holds what the next Read returns.
func (b *leanBody) ready() bool {
	switch r := b.r.(type) {
	case *chunkedReader:
		return r.ready()
	case *lengthReader:
		return r.n <= 0 || b.br.Buffered() > 0
	case *bufio.Reader:
		return r.Buffered() > 0
	}
	return true // eofReader
}

// waitRead returns once the body is ready, or once a read of the
// connection failed: its error then waits in src for the next Read, which
// returns it through the body's framing as it would have. While nothing is
// buffered but a few bytes it waits with br back in leanReaders, in a read
// of the rest of wake (over TLS the rest of the record stays decrypted in
// the tls.Conn); src then returns wake's bytes first.
func (b *leanBody) waitRead() {
	if k := b.br.Buffered(); k < len(b.wake)/2 && !b.ready() && len(b.src.pending) == 0 && b.src.err == nil {
		// What br holds (such as the CRLF after a chunk) moves to wake.
		kept, _ := b.br.Peek(k)
		copy(b.wake[:], kept)
		leanReaders.Put(b.br)
		b.setReader(nil)
		n, err := b.src.r.Read(b.wake[k:])
		b.src.pending, b.src.err = b.wake[:k+n], err
		br := leanReaders.Get().(*bufio.Reader)
		br.Reset(&b.src)
		b.setReader(br)
	}
	for !b.ready() {
		if _, err := b.br.Peek(b.br.Buffered() + 1); err != nil {
			if err != bufio.ErrBufferFull { // full: Read goes on at once
				b.src.err = err
			}
			return
		}
	}
}

// setReader makes br the body's buffered reader, in its framing too.
func (b *leanBody) setReader(br *bufio.Reader) {
	switch r := b.r.(type) {
	case *chunkedReader:
		r.br = br
	case *lengthReader:
		r.r = br
	case *bufio.Reader:
		b.r = br
	}
	b.br = br
}

// replayReader reads r, but first returns what a waitRead read of it:
// pending, then err once.
type replayReader struct {
	r       io.Reader
	pending []byte
	err     error
}

func (r *replayReader) Read(p []byte) (int, error) {
	if len(r.pending) > 0 {
		n := copy(p, r.pending)
		r.pending = r.pending[n:]
		return n, nil
	}
	if err := r.err; err != nil {
		r.err = nil
		return 0, err
	}
	return r.r.Read(p)
}

func (b *leanBody) Close() error {
	b.once.Do(func() {
		if b.stop != nil {
			b.stop()
		}
		b.conn.Close()
		if b.origin != "" {
			leanOrigins.close(b.origin)
		}
	})
	return nil
}
