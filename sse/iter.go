package sse

import (
	"context"
	"errors"
	"io"
	"iter"
)

// Events returns the events of the stream at url as an iterator, for
// consumers that follow a stream in a for-range loop:
//
//	for ev, err := range sse.Events(ctx, url) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(ev.Data)
//	}
//
// It connects when the loop starts, with the same options and
// reconnection as a Client, and runs on the loop's goroutine: like a
// Client it reconnects after a clean end of stream too, for ever, unless
// WithStopAtEnd is given, which makes the first clean end the end of the
// sequence. To decode a body once, with no connection of its own, use
// Read. Each event is yielded with a nil error. The sequence ends when the
// stream ends for good: after a 204 or (with WithStopAtEnd) a clean end it
// just stops; otherwise it yields one last pair with
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

// Read decodes the stream in r as an iterator, once, with no connection
// and no reconnection: the for-range counterpart of a Decoder. Of the
// options only WithMaxEventSize and WithLastEventID apply; the others are
// ignored.
//
// Each event is yielded with a nil error, never an event together with an
// error. An event larger than the maximum is yielded as the zero Event
// and an *EventTooLargeError, and decoding goes on if the loop does. The
// sequence stops at the end of r; a read error other than io.EOF is
// yielded last. It reads r from where it is: ranging over it again goes on
// from there.
func Read(r io.Reader, opts ...Option) iter.Seq2[Event, error] {
	cfg, err := applyOptions(opts)
	return func(yield func(Event, error) bool) {
		if err != nil {
			yield(Event{}, err)
			return
		}
		dec := NewDecoder(r)
		dec.SetMaxEventSize(cfg.maxEventSize)
		dec.SetLastEventID(cfg.lastEventID)
		for {
			ev, err := dec.Decode()
			switch {
			case err == nil:
				if !yield(ev, nil) {
					return
				}
			case errors.Is(err, ErrEventTooLarge):
				if !yield(Event{}, err) {
					return
				}
			case err == io.EOF:
				return
			default:
				yield(Event{}, err)
				return
			}
		}
	}
}
