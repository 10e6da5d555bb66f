package sse

import (
	"crypto/tls"
	"net/http"
	"os"

	"github.com/bookstrack/bookstrack-go/internal/suitetransport"
)

// BOOKSTRACK_SSE_TRANSPORT chooses the path the whole sse test suite runs
// on (.ci/run runs all three):
//   - h1 or unset: TransportAuto resolves to the lean HTTP/1.1 path, over
//     plaintext test servers;
//   - nethttp: TransportAuto resolves to net/http, over the same plaintext
//     servers (HTTP/1.1);
//   - h2: TransportAuto resolves to net/http and the test servers made
//     through the tests' helpers (newServer, newHTTPServer in
//     helpers_test.go) serve TLS with HTTP/2 enabled, so every stream goes
//     over net/http's HTTP/2. http.DefaultTransport, which a Client with no
//     custom Transport sends through, and the lean path (for the tests that
//     ask for TransportHTTP1) trust the test certificate.
//
// Tests of HTTP/1.1-specific behaviour (raw TCP servers, chunked framing,
// the lean reader) run on their own transport whatever the switch, and
// say why.
func init() {
	switch os.Getenv("BOOKSTRACK_SSE_TRANSPORT") {
	case "nethttp":
		autoTransport = TransportNetHTTP
	case "h2":
		autoTransport = TransportNetHTTP
		TestOverHTTP2 = true
		TestServerTLS = suitetransport.ServerTLS()
		roots := suitetransport.Roots()
		leanTestRoots = roots
		// net/http has already set up HTTP/2 on http.DefaultTransport
		// (httptest.Server.Close closes its idle connections), so the
		// new config offers h2 itself.
		http.DefaultTransport.(*http.Transport).TLSClientConfig = &tls.Config{
			RootCAs: roots, NextProtos: []string{"h2", "http/1.1"},
		}
	case "", "h1":
		autoTransport = TransportHTTP1
	default:
		panic("BOOKSTRACK_SSE_TRANSPORT must be h1, nethttp or h2")
	}
}

// TestOverHTTP2 is true when BOOKSTRACK_SSE_TRANSPORT=h2: the tests'
// server helpers then start TLS servers with HTTP/2 enabled.
var TestOverHTTP2 bool

// TestServerTLS is, when BOOKSTRACK_SSE_TRANSPORT=h2, a server TLS config
// with the certificate of the httptest servers and ALPN h2, for the
// tests' own listeners.
var TestServerTLS *tls.Config
