package sse

import (
	"context"
	"errors"
	"iter"
)

// Events returns the events of the stream at url as an iterator, for
// consumers that read one stream from start to end in a for-range loop:
//
//	for ev, err := range sse.Events(ctx, url) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(ev.Data)
//	}
//
// It connects when the loop starts, with the same options and
// reconnection as a Client, and runs on the loop's goroutine. Each event is
// yielded with a nil error. The sequence ends when the stream ends for
// good: after a 204 it just stops; otherwise it yields one last pair with
// the zero Event and the error Connect returned (ctx.Err() when ctx ends, a
// *GiveUpError, a *StatusError, ...). Problems that do not end the stream
// are not yielded; pass WithLogger to see them. Breaking out of the loop
// closes the connection. The sequence is single-use: ranging over it again
// opens a new stream from the start (or from WithLastEventID).
func Events(ctx context.Context, url string, opts ...Option) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		h := &yieldHandler{yield: yield}
		c, err := NewClient(url, h, opts...)
		if err != nil {
			yield(Event{}, err)
			return
		}
		h.client = c
		err = c.Connect(ctx)
		if h.stopped || err == nil || errors.Is(err, ErrClosed) {
			return
		}
		yield(Event{}, err)
	}
}

// yieldHandler feeds a range loop from the Connect goroutine, which is the
// loop's own goroutine.
type yieldHandler struct {
	yield   func(Event, error) bool
	client  *Client[*yieldHandler]
	stopped bool
}

func (h *yieldHandler) HandleEvent(e Event) {
	if h.stopped {
		return
	}
	if !h.yield(e, nil) {
		h.stopped = true
		h.client.Close()
	}
}

func (h *yieldHandler) HandleError(err error) {
	h.client.cfg.logger.Debug("sse: stream problem", "err", err)
}
