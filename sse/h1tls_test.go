package sse

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

type tlsTestHandler struct {
	mu     sync.Mutex
	got    []string
	cancel context.CancelFunc
	want   int
}

func (h *tlsTestHandler) HandleEvent(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.got = append(h.got, e.Data)
	if len(h.got) == h.want {
		h.cancel()
	}
}
func (h *tlsTestHandler) HandleError(error) {}

// TestLeanPathOverTLSReadsStreamsSharingOneConfig reads streams over TLS
// on the lean path (the dial, handshake and response head on a goroutine
// that ends before the body is read, so the stream's goroutine keeps
// none of the handshake's stack) and checks that the connections to one
// server name share one *tls.Config, as an http.Transport does.
func TestLeanPathOverTLSReadsStreamsSharingOneConfig(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := range 3 {
			fmt.Fprintf(w, "id: %d\ndata: e%d\n\n", i, i)
			w.(http.Flusher).Flush()
		}
		<-r.Context().Done()
	}))
	defer srv.Close()
	useLeanTestRoots(t, srv.Certificate())
	for range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		h := &tlsTestHandler{cancel: cancel, want: 3}
		c, err := NewClient(srv.URL+"/stream", h, WithTransport(TransportHTTP1), WithGiveUp(1, 0))
		if err != nil {
			t.Fatal(err)
		}
		c.Connect(ctx)
		deadline := ctx.Err() == context.DeadlineExceeded
		cancel()
		if deadline || fmt.Sprint(h.got) != "[e0 e1 e2]" {
			t.Fatalf("events %q (deadline: %v)", h.got, deadline)
		}
	}
	leanTLSConfigs.Lock()
	n := len(leanTLSConfigs.m)
	leanTLSConfigs.Unlock()
	if n != 1 {
		t.Fatalf("%d configs for one server name, want 1", n)
	}
	if a, b := leanTLSConfig("127.0.0.1"), leanTLSConfig("127.0.0.1"); a != b {
		t.Fatal("two configs for one server name")
	}
}

// useLeanTestRoots makes the lean transport trust cert for the test.
func useLeanTestRoots(t *testing.T, cert *x509.Certificate) {
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	prevRoots := leanTestRoots // set by BOOKSTRACK_SSE_TRANSPORT=h2
	leanTestRoots = roots
	resetLeanTLSConfigs()
	t.Cleanup(func() {
		leanTestRoots = prevRoots
		resetLeanTLSConfigs()
	})
}

func resetLeanTLSConfigs() {
	leanTLSConfigs.Lock()
	leanTLSConfigs.m = nil
	leanTLSConfigs.Unlock()
}
