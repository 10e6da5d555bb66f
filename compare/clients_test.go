package compare

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	neturl "net/url"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/coder/websocket"
	ld "github.com/launchdarkly/eventsource"
	r3 "github.com/r3labs/sse/v2"
	gosse "github.com/tmaxmax/go-sse"
	"gopkg.in/cenkalti/backoff.v1"

	"github.com/bookstrack/bookstrack-go/sse"
)

// recv is called for each event; it returns false to stop the stream.
type recv func(id, data string) bool

// peer reads the stream at url until recv says stop or ctx ends,
// reconnecting at once (resuming after the last event id) when the
// stream is cut. Every peer is set to its smallest reconnection delay, so
// the reconnect workload measures the mechanics, not a default backoff.
type peer func(ctx context.Context, url string, on recv) error

type ourHandler struct {
	on     recv
	cancel context.CancelFunc
}

func (h *ourHandler) HandleEvent(e sse.Event) {
	if !h.on(e.ID, e.Data) {
		h.cancel()
	}
}
func (h *ourHandler) HandleError(error) {}

// ourBytesHandler reads the stream through the zero-copy path: the
// borrowed ID and data are passed on as strings over the borrowed bytes,
// valid for the call only; the last event's ID, which the run keeps, is
// copied.
type ourBytesHandler struct {
	on       recv
	cancel   context.CancelFunc
	n, count int
}

func (h *ourBytesHandler) HandleEvent(sse.Event) {}
func (h *ourBytesHandler) HandleError(error)     {}
func (h *ourBytesHandler) HandleEventBytes(e sse.EventBytes) {
	h.count++
	id := unsafe.String(unsafe.SliceData(e.ID), len(e.ID))
	if h.count >= h.n {
		id = strings.Clone(id)
	}
	if !h.on(id, unsafe.String(unsafe.SliceData(e.Data), len(e.Data))) {
		h.cancel()
	}
}

// oursBytes is ours with a BytesHandler; n, the events the run expects,
// is read from the URL so that only the last ID is copied.
func oursBytes(t sse.Transport) peer {
	return func(ctx context.Context, u string, on recv) error {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		pu, err := neturl.Parse(u)
		if err != nil {
			return err
		}
		n, _ := strconv.Atoi(pu.Query().Get("n"))
		c, err := sse.NewClient(u, &ourBytesHandler{on: on, cancel: cancel, n: n}, sse.WithTransport(t), sse.WithNoDelay())
		if err != nil {
			return err
		}
		c.Connect(ctx)
		return nil
	}
}

// ours reads with the sse Client on transport t, through hc if not nil.
func ours(t sse.Transport, hc *http.Client) peer {
	return func(ctx context.Context, url string, on recv) error {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		c, err := sse.NewClient(url, &ourHandler{on, cancel}, sse.WithTransport(t), sse.WithNoDelay(), sse.WithHTTPClient(hc))
		if err != nil {
			return err
		}
		c.Connect(ctx)
		return nil
	}
}

// goSSEClient reconnects after 1 ns (go-sse treats 0 as its 500 ms default).
var goSSEClient = &gosse.Client{Backoff: gosse.Backoff{InitialInterval: time.Nanosecond, Multiplier: 1}}

func goSSE(ctx context.Context, url string, on recv) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	conn := goSSEClient.NewConnection(req)
	conn.Buffer(nil, 1<<20)
	conn.SubscribeMessages(func(e gosse.Event) {
		if !on(e.LastEventID, e.Data) {
			cancel()
		}
	})
	conn.Connect()
	return nil
}

func launchDarkly(ctx context.Context, url string, on recv) error {
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	s, err := ld.SubscribeWithRequestAndOptions(req, ld.StreamOptionInitialRetry(0))
	if err != nil {
		return err
	}
	defer s.Close()
	for {
		select {
		case e := <-s.Events:
			if !on(e.Id(), e.Data()) {
				return nil
			}
		case <-s.Errors:
		case <-ctx.Done():
			return nil
		}
	}
}

func r3labs(ctx context.Context, url string, on recv) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := r3.NewClient(url, r3.ClientMaxBufferSize(1<<20))
	c.ReconnectStrategy = backoff.WithContext(&backoff.ZeroBackOff{}, ctx)
	c.SubscribeRawWithContext(ctx, func(m *r3.Event) {
		if !on(string(m.ID), string(m.Data)) {
			cancel()
		}
	})
	return nil
}

// bufioFloor is a plain net/http + bufio.Scanner reader of the fields the
// workloads use (id, data; blank line dispatches; an event cut short is
// dropped), resuming with Last-Event-ID: the floor. It reads through hc.
func bufioFloor(hc *http.Client) peer {
	return func(ctx context.Context, url string, on recv) error { return floor(ctx, hc, url, on) }
}

func floor(ctx context.Context, hc *http.Client, url string, on recv) error {
	var last string
	var data []byte
	for ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
		req.Header.Set("Accept", "text/event-stream")
		if last != "" {
			req.Header.Set("Last-Event-ID", last)
		}
		resp, err := hc.Do(req)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 4096), 1<<20)
		id := last
		data = data[:0]
		for sc.Scan() {
			l := sc.Bytes()
			switch {
			case len(l) == 0:
				last = id
				if !on(id, string(data)) {
					resp.Body.Close()
					return nil
				}
				data = data[:0]
			case bytes.HasPrefix(l, []byte("id: ")):
				id = string(l[4:])
			case bytes.HasPrefix(l, []byte("data: ")):
				if len(data) > 0 {
					data = append(data, '\n')
				}
				data = append(data, l[6:]...)
			}
		}
		resp.Body.Close()
	}
	return nil
}

// ws reads WebSocket messages; the id is the message's ordinal, and a
// cut stream resumes with ?last= (the WebSocket has no protocol for it).
func ws(ctx context.Context, url string, on recv) error {
	url = "ws" + strings.TrimPrefix(url, "http")
	i := strings.LastIndex(url, "/")
	url = url[:i] + "/ws" + url[i:]
	last := 0
	for ctx.Err() == nil {
		if wsConn(ctx, url+"&last="+strconv.Itoa(last), &last, on) {
			return nil
		}
	}
	return nil
}

// wsConn reads one connection; it reports whether on said stop. It is
// apart from ws so that a parked reader's stack is what a plain
// Dial-and-Read program's is (a larger frame can double it).
func wsConn(ctx context.Context, url string, last *int, on recv) (stop bool) {
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return false
	}
	defer c.CloseNow()
	c.SetReadLimit(1 << 20)
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			return false
		}
		*last++
		if !on(itoa(*last), string(b)) {
			return true
		}
	}
}
