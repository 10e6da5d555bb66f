package sse

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/bookstrack/bookstrack-go/internal/redact"
)

// maxRedirects is how many redirects the Client follows when the
// *http.Client it was given has no CheckRedirect of its own.
const maxRedirects = 10

// streamingClient returns a copy of hc whose redirect failures are
// *RedirectError values, so the Client can tell them from network errors
// and stop instead of retrying them forever. It also keeps secrets in
// their origin: see guardRedirect.
func streamingClient(hc *http.Client, queryParam string) *http.Client {
	c := *hc
	rt := c.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	c.Transport = redirectGuard{rt}
	user := hc.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		code, loc := 0, ""
		if req.Response != nil {
			code, loc = req.Response.StatusCode, redact.URL(req.Response.Header.Get("Location"))
		}
		if err := guardRedirect(req, via, queryParam); err != nil {
			err.StatusCode, err.Location = code, loc
			return err
		}
		if user == nil {
			if len(via) >= maxRedirects {
				return &RedirectError{StatusCode: code, Location: loc, Reason: fmt.Sprintf("stopped after %d redirects", maxRedirects)}
			}
			return nil
		}
		err := user(req, via)
		if err == nil || err == http.ErrUseLastResponse {
			return err
		}
		return &RedirectError{StatusCode: code, Location: loc, Reason: "refused by CheckRedirect", Err: err}
	}
	return &c
}

// guardRedirect prepares the next request of a redirect chain so that no
// secret leaves its origin: it never sends Referer (which would carry the
// full URL, query token included), refuses https to http, and drops
// Authorization and the query token when the origin (scheme, host, port)
// differs from the first request's.
func guardRedirect(req *http.Request, via []*http.Request, queryParam string) *RedirectError {
	req.Header.Del("Referer")
	if req.URL.Scheme == "http" {
		for _, prev := range via {
			if prev.URL.Scheme == "https" {
				return &RedirectError{Reason: "https to http downgrade", Err: ErrInsecureRedirect}
			}
		}
	}
	if len(via) > 0 && origin(req.URL) != origin(via[0].URL) {
		req.Header.Del("Authorization")
		if queryParam != "" {
			if q := req.URL.Query(); q.Has(queryParam) {
				q.Del(queryParam)
				req.URL.RawQuery = q.Encode()
			}
		}
	}
	return nil
}

// origin returns scheme://host:port of u, with the default port made
// explicit, so that two URLs of one origin compare equal.
func origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return u.Scheme + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// redirectGuard fails a redirect whose Location cannot be followed: one
// that does not parse, or that leads to a scheme other than http(s).
// net/http reports those with errors that cannot be told apart from
// network failures.
type redirectGuard struct{ rt http.RoundTripper }

func (g redirectGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := g.rt.RoundTrip(req)
	if err != nil || !isRedirect(resp.StatusCode) {
		return resp, err
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return resp, nil // net/http hands it back; checkResponse reports it
	}
	reason := ""
	if u, perr := req.URL.Parse(loc); perr != nil {
		reason = "Location does not parse"
	} else if u.Scheme != "http" && u.Scheme != "https" {
		reason = fmt.Sprintf("Location has scheme %q", u.Scheme)
	}
	if reason == "" {
		return resp, nil
	}
	resp.Body.Close()
	return nil, &RedirectError{StatusCode: resp.StatusCode, Location: redact.URL(loc), Reason: reason}
}

// CloseIdleConnections closes the idle connections of the wrapped
// transport, so http.Client.CloseIdleConnections keeps working.
func (g redirectGuard) CloseIdleConnections() {
	if c, ok := g.rt.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
