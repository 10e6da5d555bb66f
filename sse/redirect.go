package sse

import (
	"fmt"
	"net/http"
)

// maxRedirects is how many redirects the Client follows when the
// *http.Client it was given has no CheckRedirect of its own.
const maxRedirects = 10

// streamingClient returns a copy of hc whose redirect failures are
// *RedirectError values, so the Client can tell them from network errors
// and stop instead of retrying them forever.
func streamingClient(hc *http.Client) *http.Client {
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
			code, loc = req.Response.StatusCode, req.Response.Header.Get("Location")
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
		return &RedirectError{StatusCode: code, Location: loc, Reason: err.Error()}
	}
	return &c
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
	return nil, &RedirectError{StatusCode: resp.StatusCode, Location: loc, Reason: reason}
}

// CloseIdleConnections closes the idle connections of the wrapped
// transport, so http.Client.CloseIdleConnections keeps working.
func (g redirectGuard) CloseIdleConnections() {
	if c, ok := g.rt.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
