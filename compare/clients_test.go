package compare

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/coder/websocket"
	ld "github.com/launchdarkly/eventsource"
	r3 "github.com/r3labs/sse/v2"
	gosse "github.com/tmaxmax/go-sse"

	"github.com/bookstrack/bookstrack-go/sse"
)

// recv is called for each event; it returns false to stop the stream.
type recv func(id, data string) bool

// peer reads the stream at url until recv says stop or the stream ends.
type peer func(ctx context.Context, url string, on recv) error

var errStop = errors.New("stop")

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

func ours(t sse.Transport) peer {
	return func(ctx context.Context, url string, on recv) error {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		c, err := sse.NewClient(url, &ourHandler{on, cancel}, sse.WithTransport(t), sse.WithConstantDelay(0))
		if err != nil {
			return err
		}
		c.Connect(ctx)
		return nil
	}
}

func goSSE(ctx context.Context, url string, on recv) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	conn := gosse.NewConnection(req)
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
	s, err := ld.SubscribeWithRequest("", req)
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
	c := r3.NewClient(url)
	c.SubscribeRawWithContext(ctx, func(m *r3.Event) {
		if !on(string(m.ID), string(m.Data)) {
			cancel()
		}
	})
	return nil
}

// bufioFloor is the plain net/http + bufio reader: the floor.
func bufioFloor(ctx context.Context, url string, on recv) error {
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 4096), 1<<20)
	var id string
	var data []byte
	for sc.Scan() {
		l := sc.Bytes()
		switch {
		case len(l) == 0:
			if !on(id, string(data)) {
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
	return sc.Err()
}

// ws reads WebSocket messages; the id is the message's ordinal.
func ws(ctx context.Context, url string, on recv) error {
	url = "ws" + strings.TrimPrefix(url, "http")
	i := strings.LastIndex(url, "/")
	url = url[:i] + "/ws" + url[i:]
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return err
	}
	defer c.CloseNow()
	c.SetReadLimit(1 << 20)
	for n := 1; ; n++ {
		_, b, err := c.Read(ctx)
		if err != nil {
			return nil
		}
		if !on(itoa(n), string(b)) {
			return nil
		}
	}
}
