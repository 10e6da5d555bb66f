package api

import (
	"bytes"
	"io"
	"net/http"
)

// setBody makes body the request's body, calling sent each time the
// transport takes a part of it. The header timeout restarts there, so it
// bounds the wait for the server, not the time an upload takes on a slow
// link: a large upload that keeps moving is never cut, while a server
// that stops reading it, or never answers, is.
func setBody(req *http.Request, body []byte, sent func()) {
	req.ContentLength = int64(len(body))
	req.GetBody = func() (io.ReadCloser, error) {
		return io.NopCloser(&progressReader{r: bytes.NewReader(body), sent: sent}), nil
	}
	req.Body, _ = req.GetBody()
}

// progressReader reports every read that returns bytes.
type progressReader struct {
	r    io.Reader
	sent func()
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.sent()
	}
	return n, err
}
