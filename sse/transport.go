package sse

import (
	"net/http"
)

// Transport chooses how a Client speaks HTTP. The zero value,
// TransportAuto, is the default.
type Transport int

const (
	// TransportAuto uses the lean HTTP/1.1 path when it can serve the
	// stream (the *http.Client has no custom Transport and no proxy is set
	// in the environment for the URL) and net/http otherwise. Many streams
	// to one https origin go through net/http, which multiplexes them over
	// HTTP/2 where the server offers it: a connection attempt made while
	// 100 lean streams to its origin are open in the process goes through
	// http.DefaultTransport, unless that origin has answered net/http
	// without HTTP/2 before (then it stays lean). Over HTTP/2 a stream
	// costs no file descriptor of its own (a connection carries up to the
	// server's limit, 250 for a Go server) and about the memory of a lean
	// stream over TLS, but a second goroutine.
	TransportAuto Transport = iota
	// TransportHTTP1 always uses the lean HTTP/1.1 path: one connection per
	// stream, dialled with net.Dialer and crypto/tls (ALPN http/1.1, system
	// roots), read on the Connect goroutine with small buffers. The
	// *http.Client still handles redirects, its Jar and CheckRedirect; its
	// Transport is not used.
	TransportHTTP1
	// TransportNetHTTP always sends through the *http.Client's Transport
	// (http.DefaultTransport if nil): use it for HTTP/2 or custom dialling.
	TransportNetHTTP
)

// WithTransport chooses the HTTP path (default TransportAuto).
func WithTransport(t Transport) Option {
	return func(cfg *config) {
		if t < TransportAuto || t > TransportNetHTTP {
			cfg.refuse("WithTransport", int(t), "TransportAuto (0, the default), TransportHTTP1 or TransportNetHTTP")
			return
		}
		cfg.transport = t
	}
}

// autoTransport is what TransportAuto resolves to when the lean path can
// serve; the sse tests set it to run the whole suite over each path.
var autoTransport = TransportHTTP1

// streamHTTPClient returns the *http.Client the Client sends through: the
// configured one, on the lean transport when cfg selects it.
func (cfg *config) streamHTTPClient() *http.Client {
	t := cfg.transport
	if t == TransportAuto {
		t = TransportNetHTTP
		if cfg.httpClient.Transport == nil {
			t = autoTransport
		}
	}
	if t != TransportHTTP1 {
		return cfg.httpClient
	}
	c := *cfg.httpClient
	c.Transport = leanTransport{fallback: cfg.httpClient.Transport, auto: cfg.transport == TransportAuto}
	return &c
}
