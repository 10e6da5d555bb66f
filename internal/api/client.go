// Package api makes the BooksTrack API's calls: one template (build, do,
// check, decode) for every route, the route sets, the success envelope
// and the mapping of error responses to typed errors.
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/config"
	"github.com/bookstrack/bookstrack-go/internal/lenient"
	"github.com/bookstrack/bookstrack-go/sse"
)

// maxBody bounds a success response: results of a large import fit.
const maxBody = 64 << 20

// Client calls the API of one base URL with one route set.
type Client struct {
	base  *url.URL
	hc    *http.Client
	v2    bool
	clock sse.Clock
}

// New returns a Client for cfg, checking its base URL.
func New(cfg *config.Config) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &bookstrack.InputError{Field: "base URL", Reason: fmt.Sprintf("%q is not an absolute http(s) URL", cfg.BaseURL)}
	}
	return &Client{base: u, hc: cfg.HTTPClient, v2: cfg.V2, clock: cfg.Clock}, nil
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

// StatusURL returns the URL of a job's status.
func (c *Client) StatusURL(kind bookstrack.Kind, id string) string {
	return c.URL(jobPath(kind, id))
}

// V2 reports whether the client speaks the plan's v2 routes.
func (c *Client) V2() bool { return c.v2 }

// Status fetches a job's status data.
func (c *Client) Status(ctx context.Context, kind bookstrack.Kind, id string) (json.RawMessage, error) {
	return c.do(ctx, http.MethodGet, c.URL(jobPath(kind, id)), "", nil)
}

// Results fetches a job's results data.
func (c *Client) Results(ctx context.Context, kind bookstrack.Kind, id string) (json.RawMessage, error) {
	return c.do(ctx, http.MethodGet, c.URL(c.resultsPath(kind, id)), "", nil)
}

// Cancel cancels a job.
func (c *Client) Cancel(ctx context.Context, kind bookstrack.Kind, id string) error {
	_, err := c.do(ctx, http.MethodDelete, c.URL(jobPath(kind, id)), "", nil)
	return err
}

// Start posts a start request and returns its data.
func (c *Client) Start(ctx context.Context, kind bookstrack.Kind, contentType string, body []byte) (json.RawMessage, error) {
	return c.do(ctx, http.MethodPost, c.URL(c.startPath(kind)), contentType, body)
}

// do is the template of every call: build, do, check, and unwrap the
// success envelope {"success":true,"data":...}. A body without a data
// member is returned whole, as some versions send it bare.
func (c *Client) do(ctx context.Context, method, u, contentType string, body []byte) (json.RawMessage, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("bookstrack: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("bookstrack: %s %s: %w", method, redact(req.URL), unwrapURLError(err))
	}
	defer resp.Body.Close()
	if err := checkResponse(resp, c.clock.Now()); err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("bookstrack: %s %s: reading the response: %w", method, redact(req.URL), err)
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

// redact returns u without user info, query and fragment.
func redact(u *url.URL) string {
	r := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return r.String()
}
