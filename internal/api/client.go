// Package api makes the BooksTrack API's calls: one template (build, do,
// check, decode) for every route, the route sets, the success envelope
// and the mapping of error responses to typed errors.
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/lenient"
	"github.com/bookstrack/bookstrack-go/internal/redact"
	"github.com/bookstrack/bookstrack-go/internal/settings"
	"github.com/bookstrack/bookstrack-go/sse"
)

// maxBody bounds a success response: results of a large import fit.
const maxBody = 64 << 20

// Client calls the API of one base URL with one route set.
type Client struct {
	base          *url.URL
	hc            *http.Client
	v2            bool
	clock         sse.Clock
	headerTimeout time.Duration // 0: none
	retries       int
	maxDelay      time.Duration
}

// New returns a Client for cfg, checking its base URL.
func New(cfg *settings.Settings) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &bookstrack.InputError{Field: "base URL", Reason: fmt.Sprintf("%q is not an absolute http(s) URL", redact.URL(cfg.BaseURL))}
	}
	return &Client{base: u, hc: cfg.HTTPClient, v2: cfg.V2, clock: cfg.Clock,
		headerTimeout: cfg.HeaderTimeout, retries: cfg.CallRetries, maxDelay: cfg.MaxRetryDelay}, nil
}

// SameOrigin reports whether the absolute URL u is on the base URL's
// origin (scheme, host and port), where the job's token may go.
func (c *Client) SameOrigin(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	return strings.EqualFold(p.Scheme, c.base.Scheme) && strings.EqualFold(hostPort(p), hostPort(c.base))
}

// Origin is the base URL's origin.
func (c *Client) Origin() string { return c.base.Scheme + "://" + c.base.Host }

func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return u.Hostname() + ":" + port
}

// URL resolves a route or a URL the server sent (possibly relative)
// against the base URL.
// A reference without a scheme is a path under the base URL's path, so a
// base URL such as http://host/prefix keeps its prefix, and its query (an
// API gateway's key, say) is kept too.
func (c *Client) URL(ref string) string {
	u, err := url.Parse(ref)
	if err != nil || u.IsAbs() {
		return ref
	}
	joined := c.base.JoinPath(u.Path)
	if u.RawQuery != "" {
		joined.RawQuery = strings.TrimPrefix(joined.RawQuery+"&"+u.RawQuery, "&")
	}
	return joined.String()
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// CheckID refuses a job ID that is not a UUID before it reaches a URL.
func CheckID(id string) error {
	if !uuidPattern.MatchString(id) {
		return &bookstrack.InputError{Field: "job ID", Reason: fmt.Sprintf("%q is not a UUID", id)}
	}
	return nil
}

// StreamURL returns the URL of a job's stream in the route set.
func (c *Client) StreamURL(kind bookstrack.Kind, id string) string {
	return c.URL(c.streamPath(kind, id))
}

// StatusURL returns the URL of a job's status in the route set, or ""
// when the set has none (V2).
func (c *Client) StatusURL(kind bookstrack.Kind, id string) string {
	if c.v2 {
		return ""
	}
	return c.URL(jobPath(kind, id))
}

// V2 reports whether the client speaks the plan's v2 routes.
func (c *Client) V2() bool { return c.v2 }

// Status fetches a job's status data from the route set's status route.
func (c *Client) Status(ctx context.Context, kind bookstrack.Kind, id string) (json.RawMessage, error) {
	return c.StatusAt(ctx, c.StatusURL(kind, id))
}

// StatusAt fetches a job's status data from statusURL (a start
// response's statusUrl or the route set's); "" is ErrNoRoute.
func (c *Client) StatusAt(ctx context.Context, statusURL string) (json.RawMessage, error) {
	if statusURL == "" {
		return nil, fmt.Errorf("%w: status", bookstrack.ErrNoRoute)
	}
	return c.retry(ctx, bookstrack.OpStatus, http.MethodGet, statusURL)
}

// Results fetches a job's results data.
func (c *Client) Results(ctx context.Context, kind bookstrack.Kind, id string) (json.RawMessage, error) {
	return c.retry(ctx, bookstrack.OpResults, http.MethodGet, c.URL(c.resultsPath(kind, id)))
}

// Cancel cancels a job.
func (c *Client) Cancel(ctx context.Context, kind bookstrack.Kind, id string) error {
	if c.v2 {
		return fmt.Errorf("%w: cancel", bookstrack.ErrNoRoute)
	}
	_, err := c.retry(ctx, bookstrack.OpCancel, http.MethodDelete, c.URL(jobPath(kind, id)))
	return err
}

// Start posts a start request and returns its data. It is never retried:
// starting a job is not idempotent.
func (c *Client) Start(ctx context.Context, kind bookstrack.Kind, contentType string, body []byte) (json.RawMessage, error) {
	return c.do(ctx, bookstrack.OpStart, http.MethodPost, c.URL(c.startPath(kind)), contentType, body)
}

// do is the template of every call: build, do, check, and unwrap the
// success envelope {"success":true,"data":...}. A body without a data
// member is returned whole, as some versions send it bare. The wait for
// the response headers is bounded by the header timeout, on the
// client's clock.
func (c *Client) do(ctx context.Context, op bookstrack.Op, method, u, contentType string, body []byte) (json.RawMessage, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var timer sse.Timer
	if c.headerTimeout > 0 {
		timer = c.clock.AfterFunc(c.headerTimeout, func() { cancel(errHeaderTimeout) })
	}
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		if timer != nil {
			timer.Stop()
		}
		return nil, fmt.Errorf("bookstrack: %s: %w", op, err)
	}
	if body != nil {
		setBody(req, body, func() {
			if timer != nil {
				timer.Reset(c.headerTimeout)
			}
		})
	}
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.hc.Do(req)
	if timer != nil {
		timer.Stop()
	}
	if err != nil {
		if errors.Is(context.Cause(ctx), errHeaderTimeout) {
			return nil, fmt.Errorf("bookstrack: %s %s: %w after %v", method, redact.URL(req.URL.String()), bookstrack.ErrTimeout, c.headerTimeout)
		}
		return nil, fmt.Errorf("bookstrack: %s %s: %w", method, redact.URL(req.URL.String()), unwrapURLError(err))
	}
	defer resp.Body.Close()
	if err := c.checkResponse(resp, op); err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("bookstrack: %s %s: reading the response: %w", method, redact.URL(req.URL.String()), err)
	}
	if len(raw) > maxBody {
		return nil, &bookstrack.DecodeError{What: "response", Err: fmt.Errorf("body larger than %d bytes", maxBody)}
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := lenient.Decode(raw, &env, "response envelope"); err != nil {
		if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
			return raw, nil
		}
		return nil, err
	}
	if env.Data == nil {
		return raw, nil
	}
	return env.Data, nil
}

// unwrapURLError drops net/http's *url.Error, whose text repeats the URL
// with its query.
func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// errHeaderTimeout is the cause of a call cut by the header timeout.
var errHeaderTimeout = errors.New("response header timeout")
