package sse

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"
)

// outcome is how one attempt ended.
type outcome struct {
	err        error // why it ended: io.EOF for a clean end of stream
	final      bool  // Connect returns err
	opened     bool
	openFor    time.Duration
	progress   bool // it dispatched a new event (retryPolicy.next says which)
	retryAfter time.Duration
	ended      time.Time // when the stream ended, if it opened
}

// attemptIDs numbers the attempts of every Client in the process.
var attemptIDs atomic.Uint64

// attempt makes one request and, if it opens a stream, reads it to its
// end. downSince is when the last stream of this Connect ended (zero
// before one opened).
func (c *Client[H]) attempt(ctx context.Context, n int, downSince time.Time) (out outcome) {
	clock, obs := c.cfg.clock, &c.cfg.observer
	connCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	c.mu.Lock()
	c.cancelConn = cancel
	c.restartPending = false
	c.mu.Unlock()
	lastID := c.lastID.load()
	defer func() {
		c.mu.Lock()
		c.cancelConn = nil
		c.mu.Unlock()
	}()
	if c.isClosed() {
		cancel(c.closedErr()) // Close ran before cancelConn was set
	}

	start := clock.Now()
	id := attemptIDs.Add(1)
	c.noteAttempt(AttemptInfo{Attempt: n, ID: id, Context: ctx, DownSince: downSince, LastEventID: lastID, Time: start})
	events := 0
	defer func() {
		out.err = stopCause(connCtx, out.err)
		obs.close(CloseInfo{Attempt: n, ID: id, Opened: out.opened, Duration: out.openFor, Events: events, Err: out.err})
	}()

	stopHeaders := func() bool { return false }
	if c.cfg.headerTimeout > 0 { // 0: off
		stopHeaders = clock.AfterFunc(c.cfg.headerTimeout, func() { cancel(ErrResponseHeaderTimeout) }).Stop
	}
	idle := c.newIdleTimer(cancel)
	defer idle.stop()
	resp, final, err := c.send(connCtx, lastID)
	stopHeaders()
	idle.stop() // from now on it runs during reads only
	if err != nil {
		c.logFailed(n, err)
		return outcome{err: err, final: final}
	}
	defer resp.Body.Close()
	var body io.Reader = resp.Body
	if _, ok := body.(waitReader); !ok {
		body = &wakeReader{replayReader: replayReader{r: resp.Body}}
	}
	if idle != nil {
		body = idleReader{r: body, t: idle}
	}
	if resp.StatusCode != http.StatusOK {
		// Bound the time an error body may take, whatever the server does.
		t := clock.AfterFunc(c.cfg.errorBodyTimeout, func() { cancel(errErrorBodyTimeout) })
		defer t.Stop()
	}
	if err, final := checkResponse(resp, body, clock.Now()); err != nil || final {
		failed := outcome{err: err, final: final}
		var se *StatusError
		if errors.As(err, &se) {
			failed.retryAfter = se.RetryAfter
		}
		return failed
	}
	body, err = decodedBody(resp, body)
	if err != nil {
		return outcome{err: err, final: true}
	}

	openedAt := clock.Now()
	c.noteOpen(OpenInfo{Attempt: n, ID: id, Latency: openedAt.Sub(start), Header: resp.Header, LastEventID: lastID})
	var first func(Event)
	if obs.FirstEvent != nil {
		first = func(e Event) {
			now := clock.Now()
			obs.firstEvent(FirstEventInfo{Attempt: n, ID: id, Latency: now.Sub(start), SinceOpen: now.Sub(openedAt), Event: e})
		}
	}
	err = c.read(connCtx, body, lastID, &events, first)
	ended := clock.Now()
	// A new event moved the last event ID, or the stream has no ids.
	progress := events > 0 && (lastID == "" || c.lastID.load() != lastID)
	return outcome{err: err, opened: true, openFor: ended.Sub(openedAt), progress: progress, ended: ended}
}

// noteAttempt, logFailed and noteOpen keep the Observer's and the
// logger's values out of attempt's frame, which stays on the stack of a
// parked stream for as long as it is open: with them inlined, an idle
// stream's stack does not shrink below 16 KiB.

//go:noinline
func (c *Client[H]) noteAttempt(i AttemptInfo) { c.cfg.observer.attempt(i) }

//go:noinline
func (c *Client[H]) logFailed(n int, err error) {
	c.cfg.logger.Warn("sse: request failed", "url", c.redacted(), "attempt", n, "err", err)
}

//go:noinline
func (c *Client[H]) noteOpen(open OpenInfo) {
	c.cfg.observer.open(open)
	if c.onOpen != nil {
		c.onOpen.HandleOpen(open)
	}
	c.cfg.logger.Debug("sse: connected", "url", c.redacted(), "attempt", open.Attempt, "latency", open.Latency)
}

// errErrorBodyTimeout cuts the reading of an error body that takes longer
// than the error body timeout. It never leaves the package: the response's
// *StatusError is what the attempt reports.
var errErrorBodyTimeout = errors.New("sse: error body timeout")

// stopCause replaces the error of an attempt whose context was cancelled
// with the reason it was: Close, Restart, the idle timeout, or the caller's
// context ending. A response that failed with a status keeps its
// *StatusError when only the reading of its body was cut short by a
// timeout.
func stopCause(connCtx context.Context, err error) error {
	if connCtx.Err() == nil {
		return err
	}
	cause := context.Cause(connCtx)
	var se *StatusError
	if (cause == ErrIdleTimeout || cause == errErrorBodyTimeout) && errors.As(err, &se) {
		return err
	}
	return cause
}

// send sends the request, refreshing it through the hook once after a 401.
// final reports an error that retrying cannot mend.
func (c *Client[H]) send(ctx context.Context, lastID string) (resp *http.Response, final bool, err error) {
	for refresh := false; ; refresh = true {
		req, err := c.newRequest(ctx, lastID)
		if err != nil {
			return nil, true, err
		}
		if c.cfg.hook != nil {
			if err := c.cfg.hook(req, refresh); err != nil {
				return nil, true, fmt.Errorf("sse: request hook: %w", err)
			}
		}
		resp, err = c.http.Do(req)
		if err != nil {
			redactError(err)
			return nil, permanent(err), err
		}
		if resp.StatusCode != http.StatusUnauthorized || c.cfg.hook == nil || refresh {
			return resp, false, nil
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
	}
}

func (c *Client[H]) newRequest(ctx context.Context, lastID string) (*http.Request, error) {
	var body io.Reader
	if c.cfg.hasBody {
		body = bytes.NewReader(c.cfg.body)
	}
	req, err := http.NewRequestWithContext(ctx, c.cfg.method, c.url, body)
	if err != nil {
		return nil, fmt.Errorf("sse: %w", err)
	}
	if c.cfg.header != nil { // else the request's own, empty
		req.Header = c.cfg.header.Clone()
	}
	req.Header.Del("Last-Event-ID") // the Client owns it
	req.Header.Del("Referer")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Cache-Control", "no-cache")
	if c.cfg.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.bearer)
	}
	if lastID != "" {
		if validHeaderValue(lastID) {
			req.Header.Set("Last-Event-ID", lastID)
		} else {
			c.handler.HandleError(fmt.Errorf("%w: %q; connecting without it", ErrInvalidLastEventID, lastID))
		}
	}
	return req, nil
}

// permanent reports whether a request error will not go away by retrying:
// a redirect that cannot be followed, or a certificate that does not
// verify.
func permanent(err error) bool {
	var (
		re  *RedirectError
		cve *tls.CertificateVerificationError
		uae x509.UnknownAuthorityError
		he  x509.HostnameError
		cie x509.CertificateInvalidError
	)
	return errors.As(err, &re) || errors.As(err, &cve) || errors.As(err, &uae) ||
		errors.As(err, &he) || errors.As(err, &cie)
}

// redactError strips the query (where a token may be) from the URL that
// net/http puts in its errors.
func redactError(err error) {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			ue.URL = redactURL(u)
		}
	}
}

// read decodes the stream and dispatches what it finds until the stream
// ends, counting the events it delivers in events and passing the first to
// first (when not nil). It returns io.EOF at a clean end.
//
// Per event it takes no lock: the stop checks are atomic loads, and the
// last event ID is published only when it changes, through lastEventID,
// with no allocation for string events (the ID shares the event's
// allocation).
func (c *Client[H]) read(ctx context.Context, body io.Reader, lastID string, events *int, first func(Event)) error {
	dec := newHeapDecoder(body)
	dec.SetMaxEventSize(c.cfg.maxEventSize)
	dec.SetLastEventID(lastID)
	gen := dec.idGen
	var published *byte // what c.lastID holds, when the Decoder published it
	for {
		k, err := dec.next()
		if k == kindLastID {
			// A block without data changed the last event ID: it is
			// the stream's position now, also if the connection is
			// cut before the next event.
			c.lastID.storeBytes(dec.lastID)
			published, gen = nil, dec.idGen
			continue
		}
		if c.isClosed() || ctx.Err() != nil {
			// Stopped (Close, Restart, idle timeout) while reading: what
			// was read since is neither delivered nor counted in the
			// last event ID, so a resuming server sends it again.
			return ErrClosed
		}
		newID := dec.idGen != gen
		gen = dec.idGen
		if newID && (err != nil || k != FrameEvent || c.onBytes != nil) {
			c.lastID.storeBytes(dec.lastID)
			published = nil
		}
		if err != nil {
			if errors.Is(err, ErrEventTooLarge) {
				c.handler.HandleError(err)
				continue
			}
			return err
		}
		switch k {
		case FrameEvent:
			*events++
			if c.onBytes != nil {
				e := dec.eventBytes()
				if *events == 1 && first != nil {
					first(e.Event())
				}
				c.onBytes.HandleEventBytes(e)
				break
			}
			e := dec.eventString()
			if dec.idRef != nil && dec.idRef != published {
				// The ID in published form shares the event's
				// allocation. The Decoder copies an unchanged ID again
				// when it lets go of the block it was cut from: so
				// does the published one.
				c.lastID.storePublished(dec.idRef)
				published = dec.idRef
			} else if newID {
				c.lastID.storeBytes(dec.lastID)
				published = nil
			}
			if *events == 1 && first != nil {
				first(e)
			}
			c.handler.HandleEvent(e)
		case FrameComment:
			if c.onComment != nil {
				c.onComment.HandleComment(string(dec.comment))
			}
		case FrameRetry:
			c.setRetry(dec.retry)
		}
	}
}

// wakeReader makes any body a waitReader (the lean transport's bodies are
// one already): it waits in a read of at most len(wake) bytes, which Read
// returns first, then the read's error. A quiet Decoder on net/http's
// bodies, HTTP/2's included, thus holds no read buffer while it waits.
type wakeReader struct {
	replayReader
	wake [16]byte
}

func (w *wakeReader) ready() bool { return len(w.pending) > 0 || w.err != nil }

func (w *wakeReader) waitRead() {
	n, err := w.r.Read(w.wake[:])
	w.pending, w.err = w.wake[:n], err
}

// idleTimer cancels a connection when it fires. It runs while the Client
// waits for response headers and during each read of the body.
type idleTimer struct {
	t      Timer
	d      time.Duration
	waited bool // a waitRead started t for the Read that follows it
}

func (c *Client[H]) newIdleTimer(cancel context.CancelCauseFunc) *idleTimer {
	if c.cfg.idleTimeout <= 0 {
		return nil
	}
	d := c.cfg.idleTimeout
	return &idleTimer{t: c.cfg.clock.AfterFunc(d, func() { cancel(ErrIdleTimeout) }), d: d}
}

func (t *idleTimer) stop() {
	if t != nil {
		t.t.Stop()
	}
}

// idleReader runs the idle timer during each read.
type idleReader struct {
	r io.Reader
	t *idleTimer
}

func (r idleReader) Read(p []byte) (int, error) {
	if !r.t.waited {
		r.t.t.Reset(r.t.d)
	}
	r.t.waited = false
	n, err := r.r.Read(p)
	r.t.t.Stop()
	return n, err
}

// ready and waitRead make an idleReader a waitReader when r is one (it
// always is in attempt). The idle timer starts with the wait and runs on
// through the Read after it, which is one read as far as the timer is
// concerned.
func (r idleReader) ready() bool {
	w, ok := r.r.(waitReader)
	return !ok || w.ready()
}

func (r idleReader) waitRead() {
	r.t.t.Reset(r.t.d)
	r.t.waited = true
	r.r.(waitReader).waitRead()
}
