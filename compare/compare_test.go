// Package compare measures the sse Client against its Go peers over
// loopback, with the server in a child process. Every run checks the
// event count, the bytes and the last id it received; cmd/table runs the
// benchmarks and prints the ratios.
package compare

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bookstrack/bookstrack-go/compare/server"
	"github.com/bookstrack/bookstrack-go/sse"
)

var base string // the child server's base URL for the run in progress

// plainBase and tlsBase are the child server's http://127.0.0.1:port and
// https://127.0.0.1:port (a certificate made at run time, trusted through
// SSL_CERT_FILE; HTTP/2 and HTTP/1.1 offered by ALPN).
var plainBase, tlsBase string

func itoa(n int) string { return strconv.Itoa(n) }

// size is a workload's size: full, or smoke under -short, where CI runs
// every workload once for a fraction of a second so that the module
// cannot rot (no figure of a smoke run means anything).
func size(full, smoke int) int {
	if testing.Short() {
		return smoke
	}
	return full
}

func TestMain(m *testing.M) {
	if os.Getenv("COMPARE_CHILD") == "1" {
		addr, err := server.Listen()
		if err != nil {
			panic(err)
		}
		taddr, err := server.ListenTLS([]byte(os.Getenv(server.TLSEnvCert)), []byte(os.Getenv(server.TLSEnvKey)), 0)
		if err != nil {
			panic(err)
		}
		fmt.Println(addr, taddr)
		select {}
	}
	certPEM, keyPEM, err := server.Cert()
	if err != nil {
		panic(err)
	}
	dir, err := os.MkdirTemp("", "compare")
	if err != nil {
		panic(err)
	}
	if err := server.Trust(dir, certPEM); err != nil {
		panic(err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "COMPARE_CHILD=1", server.TLSEnvCert+"="+string(certPEM), server.TLSEnvKey+"="+string(keyPEM))
	cmd.Stderr = os.Stderr
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		panic(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		panic(err)
	}
	addrs := strings.Fields(line)
	plainBase, tlsBase = "http://"+addrs[0], "https://"+addrs[1]
	code := m.Run()
	cmd.Process.Kill()
	cmd.Wait()
	os.RemoveAll(dir)
	os.Exit(code)
}

type namedPeer struct {
	name string
	p    peer
}

// peers in table order; sub-benchmarks are named peer=<name> so that
// `benchstat -col /peer` compares them side by side.
var peers = []namedPeer{
	{"ours-h1", ours(sse.TransportHTTP1, nil)},
	{"ours-nethttp", ours(sse.TransportNetHTTP, nil)},
	{"ours-h1-bytes", oursBytes(sse.TransportHTTP1)},
	{"go-sse", goSSE},
	{"launchdarkly", launchDarkly},
	{"r3labs", r3labs},
	{"bufio-floor", bufioFloor(http.DefaultClient)},
	{"websocket", ws},
}

// tlsPeers are the peers over TLS, where each uses its default client:
// net/http's default Transport negotiates HTTP/2 with the server, so
// ours-nethttp, go-sse, launchdarkly and r3labs read over HTTP/2; the
// lean transport, coder/websocket (an upgrade is HTTP/1.1) and
// ours-nethttp-h1 (net/http held to HTTP/1.1) over HTTP/1.1, one
// connection per stream. The floor reads over HTTP/1.1 too: the least a
// reader of one stream can do.
var tlsPeers = []namedPeer{
	{"ours-h1", ours(sse.TransportHTTP1, nil)},
	{"ours-nethttp", ours(sse.TransportNetHTTP, nil)},
	{"ours-nethttp-h1", ours(sse.TransportNetHTTP, h1Client)},
	{"ours-h1-bytes", oursBytes(sse.TransportHTTP1)},
	{"go-sse", goSSE},
	{"launchdarkly", launchDarkly},
	{"r3labs", r3labs},
	{"bufio-floor", bufioFloor(h1Client)},
	{"websocket", ws},
}

// h1Client is net/http held to HTTP/1.1. It is a Transport of its own,
// not a Clone of http.DefaultTransport: once that has set up HTTP/2, its
// TLS config offers "h2" by ALPN, and a clone would offer it too.
var h1Client = func() *http.Client {
	t := &http.Transport{Proxy: http.ProxyFromEnvironment, MaxIdleConns: 100, IdleConnTimeout: 90 * time.Second}
	t.Protocols = new(http.Protocols)
	t.Protocols.SetHTTP1(true)
	return &http.Client{Transport: t}
}()

// mode is plaintext or TLS: the peers and the server's base URL.
type mode struct {
	name  string // "" (plaintext) or "tls", the sub-benchmark level
	base  string
	peers []namedPeer
}

// modes are the runs of each workload: plaintext, named as before, then
// TLS under a tls/ level (BenchmarkSmall/tls/peer=ours-h1).
// COMPARE_TLS=off runs plaintext alone, COMPARE_TLS=only TLS alone.
func modes() []mode {
	var ms []mode
	if os.Getenv("COMPARE_TLS") != "only" {
		ms = append(ms, mode{"", plainBase, peers})
	}
	if os.Getenv("COMPARE_TLS") != "off" {
		ms = append(ms, mode{"tls", tlsBase, tlsPeers})
	}
	return ms
}

// inModes runs f under each mode, with base set to the mode's server.
func inModes(b *testing.B, f func(b *testing.B, m mode)) {
	for _, m := range modes() {
		if m.name == "" {
			base = m.base
			f(b, m)
			continue
		}
		b.Run(m.name, func(b *testing.B) {
			base = m.base
			f(b, m)
		})
	}
}

func forPeers(b *testing.B, f func(b *testing.B, name string, p peer)) {
	inModes(b, func(b *testing.B, m mode) {
		for _, pe := range m.peers {
			b.Run("peer="+pe.name, func(b *testing.B) { f(b, pe.name, pe.p) })
		}
	})
}

// tally is what a run received.
type tally struct {
	got, bytes int
	last       string
}

func (t *tally) add(id, data string) {
	t.got++
	t.bytes += len(data)
	t.last = id
}

func (t tally) check(b *testing.B, n, wantBytes int) {
	b.Helper()
	if t.got != n || t.bytes != wantBytes || t.last != itoa(n) {
		b.Fatalf("got %d events, %d bytes, last id %q; want %d, %d, %q", t.got, t.bytes, t.last, n, wantBytes, itoa(n))
	}
}

// stream reads n events from path and checks count, bytes and last id;
// each is passed to each (which may be nil) with its receive time.
func stream(b *testing.B, p peer, path string, n, wantBytes int, each func(now time.Time, data string)) {
	b.Helper()
	var t tally
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	var half uint64
	err := p(ctx, base+path+sep+"n="+itoa(n), func(id, data string) bool {
		if each != nil {
			each(time.Now(), data)
		}
		t.add(id, data)
		switch t.got {
		case n / 2:
			half = mallocs()
		case n:
			steady.mallocs += mallocs() - half
			steady.events += uint64(n - n/2)
		}
		return t.got < n
	})
	if err != nil {
		b.Fatal(err)
	}
	t.check(b, n, wantBytes)
}

// steady counts the allocations of the second half of each stream read,
// from the handler call of its middle event to that of its last: what
// each event costs once the connection is up, without the connection's
// own allocations (dial, request, response, client), which the figures
// per event of the whole run spread over its events.
var steady struct{ mallocs, events uint64 }

// mallocs returns the process's heap allocations so far.
func mallocs() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.Mallocs
}

// perEvent runs f b.N times, each reading events, and reports events/s,
// events per second of the client process's CPU time (user + system;
// the server is another process), which a loaded machine disturbs less
// than the wall clock, and the client's allocations per event.
func perEvent(b *testing.B, events int, f func()) {
	b.ReportAllocs()
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	c0 := cpu()
	steady.mallocs, steady.events = 0, 0
	b.ResetTimer()
	for range b.N {
		f()
	}
	b.StopTimer()
	c1 := cpu()
	runtime.ReadMemStats(&m1)
	ev := float64(events * b.N)
	b.ReportMetric(ev/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(ev/(c1-c0).Seconds(), "events/cpu-s")
	b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/ev, "allocs/event")
	b.ReportMetric(float64(m1.TotalAlloc-m0.TotalAlloc)/ev, "B/event")
	if steady.events > 0 {
		b.ReportMetric(float64(steady.mallocs)/float64(steady.events), "steady-allocs/event")
	}
}

// BenchmarkSmall reads 20 000 ~140 B job-progress events with ids.
func BenchmarkSmall(b *testing.B) {
	n := size(20000, 200)
	want := 0
	for i := 1; i <= n; i++ {
		want += len(server.Small(i))
	}
	forPeers(b, func(b *testing.B, _ string, p peer) {
		perEvent(b, n, func() { stream(b, p, "/small", n, want, nil) })
	})
}

// BenchmarkLarge reads 200 events of 64 KiB in 64 data lines.
func BenchmarkLarge(b *testing.B) {
	n := size(200, 4)
	forPeers(b, func(b *testing.B, _ string, p peer) {
		perEvent(b, n, func() { stream(b, p, "/large", n, n*len(server.LargeData), nil) })
	})
}

// BenchmarkLatency reads 5000 events sent one per millisecond, each
// carrying its send time, and reports the receive latency's p50 and p99.
// All peers read their streams at the same time, so that each sees the
// same load on a shared machine: the i-th run of a peer's sub-benchmark
// reports that peer's part of round i, run when first asked for.
func BenchmarkLatency(b *testing.B) {
	inModes(b, func(b *testing.B, m mode) {
		for k, pe := range m.peers {
			b.Run("peer="+pe.name, func(b *testing.B) {
				lr := latencyRuns[m.name]
				if lr == nil {
					lr = &latencyRun{runs: make([]int, len(m.peers))}
					latencyRuns[m.name] = lr
				}
				i := lr.runs[k]
				lr.runs[k]++
				for len(lr.rounds) <= i {
					lr.rounds = append(lr.rounds, latencyRound(m))
				}
				r := lr.rounds[i][k]
				if r.err != "" {
					b.Fatal(r.err)
				}
				b.ReportMetric(float64(r.p50.Microseconds()), "p50-µs")
				b.ReportMetric(float64(r.p99.Microseconds()), "p99-µs")
			})
		}
	})
}

type latency struct {
	p50, p99 time.Duration
	err      string
}

// latencyRun is a mode's rounds and each peer's runs so far.
type latencyRun struct {
	rounds [][]latency
	runs   []int
}

var latencyRuns = map[string]*latencyRun{}

// latencyRound reads a latency stream with every peer of m at once. It
// takes 5000 events, 5 s: the p99 of 1000 (its 10th largest value) swung
// by a quarter from round to round on the 2 shared cores.
func latencyRound(m mode) []latency {
	n := size(5000, 50)
	out := make([]latency, len(m.peers))
	var wg sync.WaitGroup
	for k, pe := range m.peers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var t tally
			var lat []time.Duration
			bad := 0
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			pe.p(ctx, m.base+"/latency?n="+itoa(n), func(id, data string) bool {
				now := time.Now()
				sent, err := strconv.ParseInt(data, 10, 64)
				if err != nil {
					bad++
				}
				lat = append(lat, now.Sub(time.Unix(0, sent)))
				t.add(id, data)
				return t.got < n
			})
			if t.got != n || t.bytes != n*server.StampWidth || t.last != itoa(n) || bad > 0 {
				out[k].err = fmt.Sprintf("got %d events, %d bytes, last id %q, %d without a send time; want %d, %d, %q",
					t.got, t.bytes, t.last, bad, n, n*server.StampWidth, itoa(n))
				return
			}
			slices.Sort(lat)
			out[k].p50, out[k].p99 = lat[len(lat)/2], lat[len(lat)*99/100]
		}()
	}
	wg.Wait()
	return out
}

// BenchmarkReconnect reads 2000 events from a server that cuts the
// stream after every 100th (halfway through the next event); the client
// resumes after its last event id. It reports the gap from receiving the
// last event before a cut to receiving the next whole event, and the events lost
// and duplicated per run (an event delivered with other data than the
// server sent counts as altered, and lost unless it also comes whole).
// Ours must lose, duplicate and alter none.
func BenchmarkReconnect(b *testing.B) {
	n, every := size(2000, 300), 100
	forPeers(b, func(b *testing.B, name string, p peer) {
		var gaps []time.Duration
		lost, dup, bad := 0, 0, 0
		for range b.N {
			seen := make([]bool, n+1)
			var cutAt time.Time
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			p(ctx, base+"/drop?n="+itoa(n)+"&every="+itoa(every), func(id, data string) bool {
				now := time.Now()
				i, err := strconv.Atoi(id)
				if err != nil || i < 1 || i > n {
					bad++
					return true
				}
				if data != server.Small(i) {
					bad++ // not the event with this id: it counts as lost unless it comes whole
					return true
				}
				if seen[i] {
					dup++
				}
				seen[i] = true
				if !cutAt.IsZero() {
					gaps = append(gaps, now.Sub(cutAt))
					cutAt = time.Time{}
				}
				if i%every == 0 {
					cutAt = now
				}
				return i != n
			})
			cancel()
			for _, s := range seen[1:] {
				if !s {
					lost++
				}
			}
		}
		if strings.HasPrefix(name, "ours") && lost+dup+bad > 0 {
			b.Fatalf("%d lost, %d duplicated, %d altered events", lost, dup, bad)
		}
		if len(gaps) > 0 {
			slices.Sort(gaps)
			b.ReportMetric(float64(gaps[len(gaps)/2].Microseconds()), "gap-p50-µs")
			b.ReportMetric(float64(gaps[len(gaps)*99/100].Microseconds()), "gap-p99-µs")
		}
		b.ReportMetric(float64(lost)/float64(b.N), "lost/op")
		b.ReportMetric(float64(dup)/float64(b.N), "dup/op")
		b.ReportMetric(float64(bad)/float64(b.N), "altered/op")
	})
}

// BenchmarkIdle holds 200 idle streams per peer (COMPARE_IDLE_STREAMS
// to change) and reports heap and stack bytes, stack bytes alone and
// goroutines per stream (cmd/idle holds 10 000).
func BenchmarkIdle(b *testing.B) {
	streams := size(200, 5)
	if s, err := strconv.Atoi(os.Getenv("COMPARE_IDLE_STREAMS")); err == nil {
		streams = s
	}
	forPeers(b, func(b *testing.B, _ string, p peer) {
		for range b.N {
			perStream, stack, g := holdIdle(b, p, streams)
			b.ReportMetric(perStream, "B/stream")
			b.ReportMetric(stack, "stack-B/stream")
			b.ReportMetric(g, "goroutines/stream")
		}
	})
}

func holdIdle(b *testing.B, p peer, streams int) (bytesPer, stackPer, goroutinesPer float64) {
	before, s0, g0 := heap()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{}, streams)
	opened := make(chan struct{}, streams)
	for range streams {
		go func() {
			defer func() { done <- struct{}{} }()
			once := false
			p(ctx, base+"/idle?n=0", func(_, data string) bool {
				if !once && data == "open" {
					once = true
					opened <- struct{}{}
				}
				return true
			})
		}()
	}
	// The server sends one "open" event, then nothing.
	timeout := time.After(30 * time.Second)
	for range streams {
		select {
		case <-opened:
		case <-timeout:
			b.Fatal("streams did not open within 30 s")
		}
	}
	after, s1, g1 := heap()
	cancel()
	for range streams {
		<-done
	}
	// Each stream's driving goroutine is counted once: the one a caller
	// runs Connect (or Read) on.
	n := float64(streams)
	return (float64(after) - float64(before)) / n, (float64(s1) - float64(s0)) / n, float64(g1-g0) / n
}

// heap returns the heap spans and stacks in use, the stacks alone, and
// the goroutines, after two collections.
// cpu is the CPU time (user + system) this process has used.
func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func heap() (inuse, stack uint64, goroutines int) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse + ms.StackInuse, ms.StackInuse, runtime.NumGoroutine()
}
