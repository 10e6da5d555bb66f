package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/bookstracktest"
)

// watchBuffer is a writer safe for the command's goroutines and the
// test's, which can wait until a text occurs n times in it.
type watchBuffer struct {
	mu    sync.Mutex
	buf   strings.Builder
	wrote chan struct{} // signalled after each write
}

func newWatchBuffer() *watchBuffer { return &watchBuffer{wrote: make(chan struct{}, 1)} }

func (b *watchBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	n, err := b.buf.Write(p)
	b.mu.Unlock()
	select {
	case b.wrote <- struct{}{}:
	default:
	}
	return n, err
}

func (b *watchBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// wait blocks until s occurs n times in the buffer, or ctx ends.
func (b *watchBuffer) wait(ctx context.Context, s string, n int) error {
	for strings.Count(b.String(), s) < n {
		select {
		case <-b.wrote:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// running is a run of the command in a goroutine.
type running struct {
	stdout, stderr *watchBuffer
	cancel         context.CancelFunc
	done           chan int
}

// start runs the command with args in a goroutine, until it ends or stop
// is called.
func start(t *testing.T, env map[string]string, args ...string) *running {
	ctx, cancel := context.WithCancel(testContext(t))
	r := &running{stdout: newWatchBuffer(), stderr: newWatchBuffer(), cancel: cancel, done: make(chan int, 1)}
	go func() {
		r.done <- run(ctx, args, strings.NewReader(""), r.stdout, r.stderr, func(k string) string { return env[k] })
	}()
	t.Cleanup(func() {
		cancel()
		<-r.done
	})
	return r
}

// stop interrupts the command, as Ctrl-C does, and returns its result.
func (r *running) stop() result {
	r.cancel()
	return r.wait()
}

// wait waits until the command ends by itself.
func (r *running) wait() result {
	code := <-r.done
	r.done <- code // for the cleanup
	return result{code: code, stdout: r.stdout.String(), stderr: r.stderr.String()}
}

// fakeServe runs `bookstrack fake serve` with extra flags until the test
// ends, and returns it and the base URL it printed.
func fakeServe(t *testing.T, extra ...string) (*running, string) {
	t.Helper()
	r := start(t, nil, append([]string{"fake", "serve"}, extra...)...)
	ctx := testContext(t)
	if err := r.stdout.wait(ctx, "\n", 1); err != nil {
		select {
		case code := <-r.done:
			r.done <- code
			t.Fatalf("fake serve ended with %d: %s", code, r.stderr.String())
		default:
			t.Fatal(err)
		}
	}
	return r, strings.TrimSpace(r.stdout.String())
}

// fake serve answers plain HTTP on loopback, as curl would send it: a
// start, the status, and the stream with the bearer token.
func TestFakeServeAnswersPlainHTTPOnLoopback(t *testing.T) {
	srv, base := fakeServe(t, "--fake-step", "1ms")
	u, err := url.Parse(base)
	require.NoError(t, err)
	assert.Equal(t, "http", u.Scheme)
	assert.Equal(t, "127.0.0.1", u.Hostname(), "loopback by default")
	require.NoError(t, srv.stderr.wait(testContext(t), "\n", 1))
	assert.Equal(t, "fake BooksTrack API at "+base+", listening on loopback only: other machines cannot reach it; Ctrl-C stops it\n", srv.stderr.String())

	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	resp, err := client.Post(base+"/v3/books/enrich", "application/json", strings.NewReader(`{"isbns":["`+catalogue(1)[0]+`"],"async":true}`))
	require.NoError(t, err)
	var started struct {
		Success bool
		Data    struct{ JobID, Token, StreamURL string }
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&started))
	resp.Body.Close()
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
	require.True(t, started.Success)
	assert.Equal(t, base+"/v3/jobs/enrichment/"+started.Data.JobID+"/stream", started.Data.StreamURL, "the stream on the same origin")

	resp, err = client.Get(base + "/v3/jobs/enrichment/" + started.Data.JobID)
	require.NoError(t, err)
	var status struct{ Data struct{ JobID string } }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&status))
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, started.Data.JobID, status.Data.JobID)

	req, err := http.NewRequest(http.MethodGet, started.Data.StreamURL, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+started.Data.Token)
	req.Header.Set("Accept", "text/event-stream")
	resp, err = client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/event-stream", strings.Split(resp.Header.Get("Content-Type"), ";")[0])
	var events []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if ev, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
			events = append(events, ev)
		}
	}
	require.NotEmpty(t, events)
	assert.Equal(t, "completed", events[len(events)-1], "the stream runs to the job's end: %v", events)

	r := srv.stop()
	assert.Equal(t, exitOK, r.code, "stopping the server is its normal end")
	assert.True(t, strings.HasSuffix(r.stderr, "fake BooksTrack API stopped\n"), r.stderr)
}

// Every command works against fake serve across invocations: the job one
// starts, the others find.
func TestFakeServeKeepsJobsAcrossCommands(t *testing.T) {
	_, base := fakeServe(t, "--fake-step", "1ms")
	env := map[string]string{"BOOKSTRACK_BASE_URL": base}
	r := cli(t, env, "", args([]string{"enrich", "--json", "--events"}, catalogue(2))...)
	require.Equal(t, exitOK, r.code, r.stderr)
	id := eventLines(t, r.stdout)[0].Job.ID
	for _, cmd := range []string{"status", "results"} {
		r := cli(t, env, "", cmd, "enrich", id)
		assert.Equal(t, exitOK, r.code, "%s: %s", cmd, r.stderr)
		assert.Contains(t, r.stdout, id)
	}
	line := cli(t, env, "", "cancel", "enrich", id).errorLine(t, exitServer)
	assert.Contains(t, line, "HTTP 409 CONFLICT", "a completed job cannot be canceled")
}

func TestFakeServeListensOnTheAddressGivenAndSaysWhenItIsNotLoopback(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	_, base := fakeServe(t, "--addr", addr)
	assert.Equal(t, "http://"+addr, base)

	srv, base := fakeServe(t, "--addr", ":0")
	require.NoError(t, srv.stderr.wait(testContext(t), "\n", 1))
	assert.Contains(t, srv.stderr.String(), "not only loopback: any machine that can reach this one can use it")
	assert.NotEmpty(t, base)
}

func TestFakeServeTakesQuirksAndARateLimit(t *testing.T) {
	_, base := fakeServe(t, "--quirk", "legacy-start", "--rate-limit", "1")
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	body := `{"isbns":["` + catalogue(1)[0] + `"],"async":true}`
	resp, err := client.Post(base+"/v3/books/enrich", "application/json", strings.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "the first request")
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))
	resp, err = client.Post(base+"/v3/books/enrich", "application/json", strings.NewReader(body))
	require.NoError(t, err)
	var started struct{ Data map[string]any }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&started))
	resp.Body.Close()
	assert.Equal(t, http.StatusAccepted, resp.StatusCode)
	assert.Contains(t, started.Data, "authToken", "the legacy start response")
	assert.NotContains(t, started.Data, "token")
}

func TestFakeServeRefusesBadArguments(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"fake"}, "usage: bookstrack fake serve"},
		{[]string{"fake", "start"}, `unknown command "fake start"; the only fake command is ` + "`bookstrack fake serve`"},
		{[]string{"fake", "serve", "--addr", l.Addr().String()}, "cannot listen on " + l.Addr().String() + ": "},
		{[]string{"fake", "serve", "--addr", "nowhere"}, "cannot listen on nowhere: "},
		{[]string{"fake", "serve", "--fake-step", "-1s"}, `invalid value "-1s" for flag -fake-step: want a duration of 0 or more`},
		{[]string{"fake", "serve", "--rate-limit", "-1"}, `invalid value "-1" for flag -rate-limit: want a whole number of 0 or more`},
		{[]string{"fake", "serve", "--quirk", "slow"}, `unknown quirk "slow"`},
		{[]string{"fake", "serve", "--drop-after", "2"}, "flag provided but not defined: -drop-after"},
		{[]string{"--fake", "fake", "serve"}, "fake serve is the fake API; it takes no --fake"},
	} {
		r := cli(t, nil, "", tc.args...)
		assert.Contains(t, r.errorLine(t, exitUsage), tc.want, tc.args)
	}
}

// The fake's clock for fake serve, for the tests that drive it.
func withServeOptions(t *testing.T, opts ...bookstracktest.Option) {
	serveOptions = opts
	t.Cleanup(func() { serveOptions = nil })
}

// --token-ttl and --results-ttl shorten what the real server keeps two
// hours, so that scripts can meet those errors.
func TestFakeServeTakesShortTTLs(t *testing.T) {
	_, base := fakeServe(t, "--fake-step", "1ms", "--token-ttl", "1ns")
	line := cli(t, nil, "", args([]string{"enrich", "--base-url", base}, catalogue(1))...).errorLine(t, exitAuth)
	assert.Contains(t, line, "The token has expired")

	_, base = fakeServe(t, "--fake-step", "1ms", "--results-ttl", "1ns")
	line = cli(t, nil, "", args([]string{"enrich", "--base-url", base}, catalogue(1))...).errorLine(t, exitResults)
	assert.Contains(t, line, "have expired")
}
