// Package compare measures the sse Client against its Go peers over
// loopback, with the server in a child process.
package compare

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/bookstrack/bookstrack-go/compare/server"
	"github.com/bookstrack/bookstrack-go/sse"
)

var base string // http://127.0.0.1:port of the child server

func itoa(n int) string { return strconv.Itoa(n) }

func TestMain(m *testing.M) {
	if os.Getenv("COMPARE_CHILD") == "1" {
		addr, err := server.Listen()
		if err != nil {
			panic(err)
		}
		fmt.Println(addr)
		select {}
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "COMPARE_CHILD=1")
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		panic(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		panic(err)
	}
	base = "http://" + line[:len(line)-1]
	code := m.Run()
	cmd.Process.Kill()
	cmd.Wait()
	os.Exit(code)
}

var peers = []struct {
	name string
	p    peer
}{
	{"ours-h1", ours(sse.TransportHTTP1)},
	{"ours-nethttp", ours(sse.TransportNetHTTP)},
	{"go-sse", goSSE},
	{"launchdarkly", launchDarkly},
	{"r3labs", r3labs},
	{"bufio-floor", bufioFloor},
	{"websocket", ws},
}

// run reads n events from path and checks count, bytes and last id.
func run(b *testing.B, p peer, path string, n, wantBytes int) {
	got, bytes, last := 0, 0, ""
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := p(ctx, base+path+"?n="+itoa(n), func(id, data string) bool {
		got++
		bytes += len(data)
		last = id
		return got < n
	})
	if err != nil {
		b.Fatal(err)
	}
	if got != n || bytes != wantBytes || last != itoa(n) {
		b.Fatalf("got %d events, %d bytes, last id %q; want %d, %d, %q", got, bytes, last, n, wantBytes, itoa(n))
	}
}

func BenchmarkSmall(b *testing.B) {
	const n = 20000
	want := 0
	for i := 1; i <= n; i++ {
		want += len(fmt.Sprintf(server.SmallEvent, i))
	}
	for _, pe := range peers {
		b.Run(pe.name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				run(b, pe.p, "/small", n, want)
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

func BenchmarkLarge(b *testing.B) {
	const n = 200
	want := n * (server.LargeLines*(server.LargeLine+1) - 1)
	for _, pe := range peers {
		b.Run(pe.name, func(b *testing.B) {
			b.ReportAllocs()
			if pe.name == "r3labs" {
				return // its 64 KiB line-scanner limit stalls it on 64 KiB events
			}
			wantB := want
			if pe.name == "websocket" {
				wantB = n * server.LargeLines * (server.LargeLine + 1)
			}
			for range b.N {
				run(b, pe.p, "/large", n, wantB)
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

func BenchmarkLatency(b *testing.B) {
	const n = 500
	for _, pe := range peers {
		b.Run(pe.name, func(b *testing.B) {
			var lat []time.Duration
			for range b.N {
				got := 0
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				pe.p(ctx, base+"/latency?n="+itoa(n), func(id, data string) bool {
					sent, _ := strconv.ParseInt(data, 10, 64)
					lat = append(lat, time.Duration(time.Now().UnixNano()-sent))
					got++
					return got < n
				})
				cancel()
				if got != n {
					b.Fatalf("got %d events", got)
				}
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}

// BenchmarkIdle holds 200 idle streams per peer and reports heap bytes
// and goroutines per stream.
func BenchmarkIdle(b *testing.B) {
	const streams = 200
	for _, pe := range peers {
		b.Run(pe.name, func(b *testing.B) {
			for range b.N {
				perStream, g := holdIdle(b, pe.p, streams)
				b.ReportMetric(perStream, "B/stream")
				b.ReportMetric(g, "goroutines/stream")
			}
		})
	}
}

func holdIdle(b testing.TB, p peer, streams int) (bytesPer, goroutinesPer float64) {
	before, g0 := heap()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, streams)
	opened := make(chan struct{}, streams)
	for range streams {
		go func() {
			defer func() { done <- struct{}{} }()
			p(ctx, base+"/idle?n=0", func(string, string) bool { return true })
		}()
	}
	_ = opened
	// The idle stream sends nothing: wait until the server's side has
	// settled by polling the goroutine count.
	deadline := time.Now().Add(10 * time.Second)
	last := -1
	for time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		n := runtime.NumGoroutine()
		if n == last && n >= g0+streams {
			break
		}
		last = n
	}
	after, g1 := heap()
	cancel()
	for range streams {
		<-done
	}
	// Each stream's driving goroutine is counted once: the one a caller
	// runs Connect (or Read) on.
	return float64(after-before) / float64(streams), float64(g1-g0) / float64(streams)
}

func heap() (uint64, int) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse + ms.StackInuse, runtime.NumGoroutine()
}
