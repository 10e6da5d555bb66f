package sse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// Client reads a text/event-stream and hands what it reads to a Handler of
// type H, reconnecting whenever the connection ends until it is told to
// stop. It is the Go counterpart of an actor owning an EventSource:
// Connect runs the stream on the caller's goroutine, while Close, Restart
// and LastEventID may be called from any goroutine, also from inside the
// Handler.
//
// The path of an event is short: the response body is read by a Decoder,
// each dispatched event goes to Handler.HandleEvent on the Connect
// goroutine, and reconnection wraps around that loop.
//
// The type parameter H is the concrete type of the Handler. What it buys
// is a typed Handler(): the caller gets its own type back, state and all,
// with no type assertion. Each event is handed to H's methods on the
// Connect goroutine; for the pointer and interface types most Handlers
// are, Go compiles that call like an interface call, so H saves no time
// on the hot path (BenchmarkClientHandler measures both forms against
// each other: the decoding dominates). Use Client[Handler] to choose the
// handler at run time.
type Client[H Handler] struct {
	url       string
	handler   H
	onOpen    OpenHandler
	onComment CommentHandler
	onBytes   BytesHandler
	cfg       config
	http      *http.Client
	lastID    lastEventID // written by Connect only

	running   atomic.Bool
	closeOnce sync.Once
	closed    chan struct{}
	closeErr  error // what Connect returns once closed

	mu             sync.Mutex
	retry          time.Duration // the server's retry field, capped
	hasRetry       bool          // a retry field was received (0 is a value)
	cancelConn     context.CancelCauseFunc
	wake           chan struct{} // closed by Restart during a reconnection delay
	restartPending bool
}

// NewClient returns a Client for the stream at rawURL, an absolute http or
// https URL, delivering to handler. It makes no request: Connect does.
func NewClient[H Handler](rawURL string, handler H, opts ...Option) (*Client[H], error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: %q is not an absolute http(s) URL", ErrInvalidURL, redactURL(u))
	}
	if any(handler) == nil {
		return nil, errors.New("sse: nil Handler")
	}
	cfg, err := applyOptions(opts)
	if err != nil {
		return nil, err
	}
	if cfg.queryParam != "" {
		q := u.Query()
		q.Set(cfg.queryParam, cfg.queryToken)
		u.RawQuery = q.Encode()
	}
	if !validHeaderValue(cfg.lastEventID) {
		return nil, fmt.Errorf("%w: %q", ErrInvalidLastEventID, cfg.lastEventID)
	}
	if _, err := http.NewRequest(cfg.method, u.String(), nil); err != nil {
		return nil, fmt.Errorf("sse: %w", err)
	}
	if cfg.httpClient.Timeout > 0 {
		cfg.logger.Warn("sse: http.Client has a Timeout; it will cut every stream", "timeout", cfg.httpClient.Timeout)
	}
	c := &Client[H]{
		url:     u.String(),
		handler: handler,
		cfg:     cfg,
		http:    streamingClient(cfg.streamHTTPClient(), cfg.queryParam),
		closed:  make(chan struct{}),
	}
	c.lastID.storeBytes([]byte(cfg.lastEventID))
	c.onOpen, _ = any(handler).(OpenHandler)
	c.onComment, _ = any(handler).(CommentHandler)
	c.onBytes, _ = any(handler).(BytesHandler)
	return c, nil
}

// Handler returns the Client's Handler.
func (c *Client[H]) Handler() H { return c.handler }

// LastEventID returns the last event ID string: what the next request
// sends as Last-Event-ID. While HandleEvent (or HandleEventBytes) runs, it
// is that event's ID. A block with an id field and no data (such as
// "id: 7\n\n") dispatches no event but sets it as soon as the block
// ends, as the WHATWG dispatch does. It takes no lock: the Connect
// goroutine publishes each new ID through an atomic pointer.
func (c *Client[H]) LastEventID() string { return c.lastID.load() }

// Connect opens the stream and delivers its events to the Handler until
// the stream ends for good, reconnecting whenever a connection ends. It
// blocks, and returns:
//   - nil when the server answers 204 No Content (the stream is over);
//   - ErrClosed once Close has been called, or the cause given to
//     CloseWithCause;
//   - nil at the first clean end of stream with WithStopAtEnd;
//   - ctx.Err() when ctx ends;
//   - a *GiveUpError when the give-up policy (WithGiveUp) runs out;
//   - a *StatusError, *ContentTypeError, *ContentEncodingError or
//     *RedirectError for a response that will not improve by retrying,
//     or the request hook's error.
//
// It never returns ErrRestart.
//
// A Client runs one Connect at a time (another call meanwhile returns
// ErrConnecting); after Connect returns it may be called again, resuming
// from LastEventID.
func (c *Client[H]) Connect(ctx context.Context) error {
	if c.isClosed() {
		return c.closedErr()
	}
	if !c.running.CompareAndSwap(false, true) {
		return ErrConnecting
	}
	defer c.running.Store(false)
	policy := newRetryPolicy(&c.cfg, c.cfg.clock.Now())
	var downSince time.Time // when the last stream opened ended
	for n := 1; ; n++ {
		out := c.attempt(ctx, n, downSince)
		if out.opened {
			downSince = out.ended
		}
		if err := c.stopped(ctx); err != nil {
			return err
		}
		if out.err == ErrRestart {
			c.cfg.observer.reconnect(ReconnectInfo{Attempt: n + 1, Cause: ErrRestart})
			continue
		}
		if out.final {
			return out.err
		}
		if out.err == io.EOF && out.opened && c.cfg.stopAtEnd {
			return nil
		}
		if out.err != io.EOF {
			c.handler.HandleError(out.err)
		}
		retry, hasRetry := c.serverRetry()
		delay, clamped, err := policy.next(retryRequest{
			now:         c.cfg.clock.Now(),
			opened:      out.opened,
			openFor:     out.openFor,
			progress:    out.progress,
			serverRetry: retry,
			hasRetry:    hasRetry,
			retryAfter:  out.retryAfter,
			cause:       out.err,
		})
		if clamped != nil {
			c.handler.HandleError(clamped)
		}
		if err != nil {
			c.cfg.logger.Warn("sse: giving up", "url", c.redacted(), "err", err)
			return err
		}
		c.cfg.observer.reconnect(ReconnectInfo{Attempt: n + 1, Delay: delay, Cause: out.err})
		c.cfg.logger.Info("sse: reconnecting", "url", c.redacted(), "delay", delay, "cause", out.err)
		if err := c.wait(ctx, delay); err != nil {
			return err
		}
	}
}

// Close stops the Client: the current connection is dropped, no further
// event is delivered once the event being handled (if any) returns, and
// Connect returns ErrClosed. It does not wait for Connect to return, so it
// is safe to call from inside the Handler. It is idempotent and always
// returns nil.
func (c *Client[H]) Close() error {
	c.CloseWithCause(nil)
	return nil
}

// CloseWithCause is Close, with Connect returning cause instead of
// ErrClosed (ErrClosed when cause is nil). A Handler calls it to end the
// stream with its own reason, for example from HandleEvent when it has
// seen the event it was waiting for. Only the first call to Close or
// CloseWithCause has an effect.
func (c *Client[H]) CloseWithCause(cause error) {
	if cause == nil {
		cause = ErrClosed
	}
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closeErr = cause
		close(c.closed)
		if c.wake != nil {
			close(c.wake)
			c.wake = nil
		}
		if c.cancelConn != nil {
			c.cancelConn(cause)
		}
		c.mu.Unlock()
	})
}

// Restart drops the current connection and connects again at once, keeping
// the last event ID; during a reconnection delay it cuts the delay short. A
// restart does not count as a failure for the backoff or the give-up
// policy. It does nothing when Connect is not running.
func (c *Client[H]) Restart() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.running.Load() {
		return
	}
	if c.cancelConn != nil {
		c.cancelConn(ErrRestart)
		return
	}
	c.restartPending = true
	if c.wake != nil {
		close(c.wake)
		c.wake = nil
	}
}

func (c *Client[H]) isClosed() bool {
	select {
	case <-c.closed:
		return true
	default:
		return false
	}
}

// stopped returns why Connect must stop, if it must.
func (c *Client[H]) stopped(ctx context.Context) error {
	if c.isClosed() {
		return c.closedErr()
	}
	return ctx.Err()
}

// closedErr is what Connect returns once the Client is closed.
func (c *Client[H]) closedErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeErr
}

// wait sleeps d on the Client's clock, cut short by Restart and Close.
func (c *Client[H]) wait(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	if c.restartPending {
		c.restartPending = false
		c.mu.Unlock()
		return nil
	}
	if c.isClosed() { // Close closes c.wake under c.mu, once set
		c.mu.Unlock()
		return c.closedErr()
	}
	wake := make(chan struct{})
	c.wake = wake
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.wake = nil
		c.mu.Unlock()
	}()
	if err := sleep(ctx, c.cfg.clock, d, wake); err != nil {
		return err
	}
	return c.stopped(ctx) // nil unless woken by Close
}

func (c *Client[H]) serverRetry() (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.retry, c.hasRetry
}

// setRetry applies a retry field, capped at the maximum delay.
func (c *Client[H]) setRetry(d time.Duration) {
	if d > c.cfg.maxDelay {
		c.handler.HandleError(&DelayClampedError{Source: "retry", Requested: d, Used: c.cfg.maxDelay})
		d = c.cfg.maxDelay
	}
	c.mu.Lock()
	c.retry, c.hasRetry = d, true
	c.mu.Unlock()
}

func (c *Client[H]) redacted() string {
	u, _ := url.Parse(c.url)
	return redactURL(u)
}

// validHeaderValue reports whether v can be sent as an HTTP header value:
// no control characters but tab.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if b := v[i]; (b < ' ' && b != '\t') || b == 0x7f {
			return false
		}
	}
	return true
}
