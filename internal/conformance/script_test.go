package conformance_test

import (
	"net/http"

	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// scriptsFor turns a fixture's connections into the scripts of an
// ssetest.Server: the status, the headers, each chunk written and flushed,
// then the end. arrived, when not nil, is called with the connection's
// index as its script starts. One more script follows, for a request the
// fixture does not expect: it hangs, so that a client that sends one does
// not spin, and the test's count of requests reports it.
func scriptsFor(conns []connection, arrived func(int)) []ssetest.Script {
	scripts := make([]ssetest.Script, 0, len(conns)+1)
	for i, cn := range conns {
		r := cn.Response
		var steps []ssetest.Step
		if arrived != nil {
			steps = append(steps, func(*ssetest.Stream) error { arrived(i); return nil })
		}
		chunks := make([]string, len(r.chunks))
		for j, c := range r.chunks {
			chunks[j] = string(c)
		}
		steps = append(steps, ssetest.Raw(chunks...))
		switch *r.End {
		case endDrop:
			steps = append(steps, ssetest.Drop())
		case endHang:
			steps = append(steps, ssetest.Hang())
		}
		header := http.Header{}
		for k, v := range r.Headers {
			header.Set(k, v)
		}
		scripts = append(scripts, ssetest.Script{Status: *r.Status, Header: header, Steps: steps})
	}
	return append(scripts, ssetest.Script{Status: http.StatusTeapot, Steps: []ssetest.Step{ssetest.Hang()}})
}
