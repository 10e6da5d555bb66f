package bookstracktest_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// TestClose: Close ends open streams cleanly, stops the job timers, can be
// called again, and WaitStreams gives up.
func TestClose(t *testing.T) {
	clock := ssetest.NewClock(t0)
	srv := bookstracktest.New(bookstracktest.WithClock(clock))
	e := &env{t: t, clock: clock, srv: srv, ctx: context.Background()}
	s := e.startEnrichment(isbns(3)...)
	c := e.openJob(s)
	c.event("progress")
	e.wait(s.JobID, 1)
	if clock.Pending() != 3 { // the job step, the ping, the stream timeout
		t.Errorf("%d timers pending", clock.Pending())
	}
	srv.Close()
	c.end()
	if clock.Pending() != 0 {
		t.Errorf("%d timers pending after Close", clock.Pending())
	}
	srv.Close()
	if err := srv.WaitStreams(context.Background(), s.JobID, 1); !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("WaitStreams after Close: %v", err)
	}
	if _, err := http.Get(srv.URL + "/"); err == nil {
		t.Error("the server still answers after Close")
	}
}

// TestCloseStalledUpload: Close does not wait for a client that stopped
// sending its body.
func TestCloseStalledUpload(t *testing.T) {
	srv := bookstracktest.New()
	pr, pw := io.Pipe()
	defer pw.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v3/jobs/imports", pr)
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	errc := make(chan error, 1)
	go func() {
		resp, err := srv.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	_, _ = pw.Write([]byte("--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nTitle\n"))
	for len(srv.Requests()) == 0 {
		runtime.Gosched() // the request is being read: Close must cut it
	}
	srv.Close()
	pw.CloseWithError(errors.New("client gave up"))
	<-errc
}

// TestNewServerCleanup: NewServer closes the Server when the test ends.
func TestNewServerCleanup(t *testing.T) {
	var srv *bookstracktest.Server
	t.Run("sub", func(t *testing.T) {
		srv = bookstracktest.NewServer(t)
		if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") || strings.HasSuffix(srv.URL, "/") {
			t.Errorf("URL %q", srv.URL)
		}
	})
	if _, err := http.Get(srv.URL + "/"); err == nil {
		t.Error("the server still answers after its test")
	}
}

// TestWithListener: the wrapper sees the connections.
func TestWithListener(t *testing.T) {
	var accepted atomic.Int32
	srv := bookstracktest.NewServer(t, bookstracktest.WithListener(func(l net.Listener) net.Listener {
		return countingListener{l, &accepted}
	}))
	resp, err := srv.Client().Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if accepted.Load() != 1 {
		t.Errorf("%d connections accepted through the wrapper", accepted.Load())
	}
}

type countingListener struct {
	net.Listener
	n *atomic.Int32
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// TestSystemClock: with the default clock, a job runs on its own.
func TestSystemClock(t *testing.T) {
	srv := bookstracktest.NewServer(t, bookstracktest.WithStepInterval(time.Millisecond), bookstracktest.WithFinalDelay(time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	e := &env{t: t, srv: srv, ctx: ctx}
	s := e.startEnrichment(isbns(2)...)
	c := e.openJob(s)
	// On the system clock a slow client may connect after the job ended:
	// whatever came first, the stream ends with the final event.
	for {
		ev, err := c.dec.Decode()
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(ev.ID, "-final") {
			break
		}
	}
	c.end()
}
