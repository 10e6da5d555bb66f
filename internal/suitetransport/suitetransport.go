// Package suitetransport starts the test servers of the sse test suites
// (sse, sse/ssetest, sse/ssestats) on the transport that
// BOOKSTRACK_SSE_TRANSPORT names: plaintext HTTP/1.1, or, with "h2", TLS
// with HTTP/2 enabled. .ci/run runs the suites each way.
package suitetransport

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
)

// OverHTTP2 is true when BOOKSTRACK_SSE_TRANSPORT=h2.
var OverHTTP2 = os.Getenv("BOOKSTRACK_SSE_TRANSPORT") == "h2"

// Start starts srv in plaintext, or over TLS with HTTP/2 enabled when
// OverHTTP2, and checks when the test ends that every request arrived over
// that protocol: a silent fall back to HTTP/1.1 would run a suite on the
// wrong path.
func Start(tb testing.TB, srv *httptest.Server) {
	tb.Helper()
	want := 1
	if OverHTTP2 {
		want = 2
	}
	var wrong atomic.Int64
	var proto atomic.Value
	inner := srv.Config.Handler
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor != want {
			wrong.Add(1)
			proto.Store(r.Proto)
		}
		inner.ServeHTTP(w, r)
	})
	tb.Cleanup(func() {
		if n := wrong.Load(); n > 0 {
			tb.Errorf("%d requests arrived over %v, want HTTP/%d", n, proto.Load(), want)
		}
	})
	StartUnchecked(srv)
}

// StartUnchecked starts srv as Start does, without the check: for a
// server that outlives the test that starts it (an example's).
func StartUnchecked(srv *httptest.Server) {
	if !OverHTTP2 {
		srv.Start()
		return
	}
	srv.EnableHTTP2 = true
	srv.StartTLS()
}

// certificate is the certificate every httptest.Server serves over TLS
// (one built-in certificate, the same for all of them).
var certificate = sync.OnceValues(func() (*x509.CertPool, []tls.Certificate) {
	s := httptest.NewUnstartedServer(http.NotFoundHandler())
	s.StartTLS()
	defer s.Close()
	roots := x509.NewCertPool()
	roots.AddCert(s.Certificate())
	return roots, s.TLS.Certificates
})

// Roots returns a pool that trusts the servers Start starts over TLS.
func Roots() *x509.CertPool {
	roots, _ := certificate()
	return roots
}

// ServerTLS returns a server TLS config with the httptest servers'
// certificate and ALPN h2, for a test's own listener.
func ServerTLS() *tls.Config {
	_, certs := certificate()
	return &tls.Config{Certificates: certs, NextProtos: []string{"h2"}}
}
