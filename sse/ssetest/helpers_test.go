package ssetest_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/internal/suitetransport"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// newServer is ssetest.NewServer on the suite's transport (see
// internal/suitetransport): TLS with HTTP/2 enabled with
// BOOKSTRACK_SSE_TRANSPORT=h2. The tests of bytes on the wire (rawGet,
// the Conditioner's byte counts) and the examples keep plaintext HTTP/1.1
// servers.
func newServer(t *testing.T, scripts ...ssetest.Script) *ssetest.Server {
	t.Helper()
	s := ssetest.NewUnstartedServer(t, scripts...)
	suitetransport.Start(t, s.Server)
	return s
}

// newClient returns an HTTP client with its own transport, whose idle
// connections are closed when the test ends. Over HTTP/2 it trusts the
// servers newServer starts and offers HTTP/2.
func newClient(t *testing.T) *http.Client {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if suitetransport.OverHTTP2 {
		tr.TLSClientConfig = &tls.Config{RootCAs: suitetransport.Roots(), NextProtos: []string{"h2", "http/1.1"}}
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// get makes a GET request with c and returns the response, whose body is
// closed when the test ends.
func get(t *testing.T, c *http.Client, url string) *http.Response {
	t.Helper()
	return do(t, c, mustRequest(t, context.Background(), http.MethodGet, url, ""))
}

func mustRequest(t *testing.T, ctx context.Context, method, url, body string) *http.Request {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	require.NoError(t, err)
	return req
}

func do(t *testing.T, c *http.Client, req *http.Request) *http.Response {
	t.Helper()
	resp, err := c.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// readBody reads the whole body of resp.
func readBody(t *testing.T, resp *http.Response) (string, error) {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// rawResponse is an HTTP/1.1 response read off the wire.
type rawResponse struct {
	Head   string   // the status line and headers, up to the blank line
	Chunks []string // the chunks of the chunked body, in order
}

// rawGet sends a GET request for path on a new TCP connection to addr and
// reads the response with its HTTP/1.1 chunked framing, so a test sees
// how the body was flushed.
func rawGet(t *testing.T, addr, path string) rawResponse {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, addr)
	require.NoError(t, err)

	br := bufio.NewReader(conn)
	var res rawResponse
	var head strings.Builder
	for {
		line, err := br.ReadString('\n')
		require.NoError(t, err)
		head.WriteString(line)
		if line == "\r\n" {
			break
		}
	}
	res.Head = head.String()
	require.Contains(t, res.Head, "\r\nTransfer-Encoding: chunked\r\n")
	for {
		line, err := br.ReadString('\n')
		require.NoError(t, err)
		size, err := strconv.ParseInt(strings.TrimSuffix(line, "\r\n"), 16, 64)
		require.NoError(t, err, "chunk size line %q", line)
		if size == 0 {
			end, err := br.ReadString('\n')
			require.NoError(t, err)
			require.Equal(t, "\r\n", end, "end of the chunked body")
			return res
		}
		chunk := make([]byte, size+2)
		_, err = io.ReadFull(br, chunk)
		require.NoError(t, err)
		require.Equal(t, "\r\n", string(chunk[size:]), "end of a chunk")
		res.Chunks = append(res.Chunks, string(chunk[:size]))
	}
}

// addr returns the host:port of a server URL.
func addr(url string) string { return strings.TrimPrefix(url, "http://") }
