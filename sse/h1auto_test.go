package sse

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestTransportAutoMultiplexesManyStreamsToOneOrigin checks the rule of
// TransportAuto: past autoMultiplexAfter open lean streams to one https
// origin, a stream goes through net/http (HTTP/2 with a server that
// offers it); when streams close, the lean path serves again; an origin
// that answers net/http without HTTP/2 stays lean.
func TestTransportAutoMultiplexesManyStreamsToOneOrigin(t *testing.T) {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	h2 := httptest.NewUnstartedServer(handler)
	h2.EnableHTTP2 = true
	h2.StartTLS()
	defer h2.Close()
	h1 := httptest.NewTLSServer(handler) // HTTP/1.1 only
	defer h1.Close()

	useLeanTestRoots(t, h2.Certificate())
	autoMultiplexAfter = 2
	defer func() { autoMultiplexAfter = 100 }()

	open := func(tr leanTransport, url string) *http.Response {
		t.Helper()
		req, err := http.NewRequest("GET", url, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	protos := func(rs []*http.Response) (p []int) {
		for _, r := range rs {
			_, lean := r.Body.(*leanBody)
			if lean {
				p = append(p, 1)
			} else {
				p = append(p, r.ProtoMajor)
			}
		}
		return p
	}
	check := func(rs []*http.Response, want ...int) {
		t.Helper()
		got := protos(rs)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("protocols %v, want %v (1: lean HTTP/1.1, 2: net/http HTTP/2)", got, want)
			}
		}
	}

	auto := leanTransport{fallback: h2.Client().Transport, auto: true}
	var rs []*http.Response
	for range 4 {
		rs = append(rs, open(auto, h2.URL))
	}
	check(rs, 1, 1, 2, 2)
	for _, r := range rs {
		r.Body.Close()
	}
	r := open(auto, h2.URL)
	check([]*http.Response{r}, 1)
	r.Body.Close()

	// TransportHTTP1 chosen by the caller: always lean.
	var forced []*http.Response
	for range 3 {
		forced = append(forced, open(leanTransport{fallback: h2.Client().Transport}, h2.URL))
	}
	check(forced, 1, 1, 1)
	for _, r := range forced {
		r.Body.Close()
	}

	// A server without HTTP/2: the stream past the limit goes through
	// net/http once, which learns it; the next is lean again.
	rs = rs[:0]
	auto = leanTransport{fallback: h1.Client().Transport, auto: true}
	for range 4 {
		rs = append(rs, open(auto, h1.URL))
	}
	check(rs, 1, 1, 1, 1)
	if got := protos(rs); rs[2].ProtoMajor != 1 {
		t.Fatalf("protocols %v", got)
	}
	if _, lean := rs[2].Body.(*leanBody); lean {
		t.Fatal("the third stream did not try net/http")
	}
	if _, lean := rs[3].Body.(*leanBody); !lean {
		t.Fatal("the fourth stream to an origin without HTTP/2 is not lean")
	}
	for _, r := range rs {
		r.Body.Close()
	}
	leanOrigins.mu.Lock()
	n := len(leanOrigins.streams)
	leanOrigins.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d origins still counted after every stream closed", n)
	}
}
