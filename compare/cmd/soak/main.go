// Command soak runs -streams sse Clients (default 1000, half on the lean
// HTTP/1.1 transport, half on net/http) against a loopback server in a
// child process that sends an event every -ms milliseconds per stream and
// cuts each stream at a random byte with probability -p per mille per
// event. Every stream must receive every event once, unaltered and in
// order across the cuts. After -duration the streams close, and the
// goroutines and live heap must be back to the baseline taken after a
// warm-up round of the same streams. It exits 1 on any failure. Opt-in and
// bounded: nothing runs it in CI.
//
//	go run ./cmd/soak -streams 1000 -duration 2m
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bookstrack/bookstrack-go/compare/internal/machine"
	"github.com/bookstrack/bookstrack-go/compare/server"
	"github.com/bookstrack/bookstrack-go/sse"
)

func main() {
	streams := flag.Int("streams", 1000, "streams held at once")
	duration := flag.Duration("duration", 2*time.Minute, "length of the measured round")
	warmup := flag.Duration("warmup", 10*time.Second, "length of the warm-up round, after which the baseline is taken")
	ms := flag.Int("ms", 50, "milliseconds between events of a stream")
	p := flag.Int("p", 10, "per-mille probability of a cut before each event")
	retry := flag.Int("retry", 10, "the server's retry field, in milliseconds")
	transport := flag.String("transport", "mixed", "h1, nethttp or mixed (even streams h1, odd net/http)")
	slack := flag.Int("heap-slack", 1<<20, "live heap bytes allowed above the baseline after the round")
	flag.Parse()
	if os.Getenv("SOAK_CHILD") == "1" {
		machine.RaiseFileLimit(uint64(*streams + 200)) // as high as it goes
		addr, err := server.Listen()
		if err != nil {
			fail(err)
		}
		fmt.Println(addr)
		select {}
	}
	machine.RaiseFileLimit(uint64(*streams + 200)) // as high as it goes
	cmd := exec.Command(os.Args[0], "-streams", strconv.Itoa(*streams))
	cmd.Env = append(os.Environ(), "SOAK_CHILD=1")
	cmd.Stderr = os.Stderr
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		fail(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		fail(fmt.Errorf("the server process did not start"))
	}
	url := fmt.Sprintf("http://%s/soak?ms=%d&p=%d&retry=%d", strings.TrimSpace(line), *ms, *p, *retry)
	fmt.Printf("soak: %d streams (%s), an event every %d ms per stream, cut with p=%d/1000 per event, retry %d ms; %d CPUs, load %s\n",
		*streams, *transport, *ms, *p, *retry, runtime.NumCPU(), machine.LoadAvg())

	before := measure()
	w := round(url, *streams, *transport, *warmup, nil)
	base := settle(before.goroutines)
	fmt.Printf("warm-up %v: %s\nbaseline: %d goroutines, live heap %d B (before any stream: %d goroutines, %d B)\n",
		*warmup, w, base.goroutines, base.live, before.goroutines, before.live)

	r := round(url, *streams, *transport, *duration, func(s *stats) {
		m := measure()
		fmt.Printf("  %s; %d goroutines, live heap %d B\n", s, m.goroutines, m.live)
	})
	after := settle(base.goroutines)
	fmt.Printf("round %v: %s\nafter close: %d goroutines (baseline %d), live heap %d B (baseline %d, %+d B)\n",
		*duration, r, after.goroutines, base.goroutines, after.live, base.live, int64(after.live)-int64(base.live))

	var bad []string
	if n := r.lost.Load() + r.dup.Load() + r.altered.Load(); n > 0 {
		bad = append(bad, fmt.Sprintf("%d lost, %d duplicated, %d altered events", r.lost.Load(), r.dup.Load(), r.altered.Load()))
	}
	if r.starved.Load() > 0 {
		bad = append(bad, fmt.Sprintf("%d streams received nothing", r.starved.Load()))
	}
	if r.opens.Load() <= int64(*streams) && *p > 0 {
		bad = append(bad, "no stream was cut and resumed")
	}
	if after.goroutines > base.goroutines {
		bad = append(bad, fmt.Sprintf("%d goroutines above the baseline", after.goroutines-base.goroutines))
	}
	if after.live > base.live+uint64(*slack) {
		bad = append(bad, fmt.Sprintf("live heap %d B above the baseline (slack %d B)", after.live-base.live, *slack))
	}
	if len(bad) > 0 {
		fail(fmt.Errorf("%s", strings.Join(bad, "; ")))
	}
	fmt.Println("soak: ok (0 lost, 0 duplicated, 0 altered; goroutines and heap back to the baseline)")
}

// stats are a round's counts over all streams.
type stats struct {
	events, opens, errors     atomic.Int64
	lost, dup, altered        atomic.Int64
	starved                   atomic.Int64
	waits, waitSum, waitMax   atomic.Int64 // reconnection delays, ns
	failed                    atomic.Int64 // attempts that never opened
	start                     time.Time
	h1Streams, nethttpStreams int
}

func (s *stats) String() string {
	el := time.Since(s.start).Seconds()
	mean := time.Duration(0)
	if w := s.waits.Load(); w > 0 {
		mean = time.Duration(s.waitSum.Load() / w)
	}
	return fmt.Sprintf("%d events (%.0f/s), %d connections (%d cuts resumed), %d attempts that did not open, reconnection delay mean %v max %v; %d lost, %d duplicated, %d altered",
		s.events.Load(), float64(s.events.Load())/el, s.opens.Load(), s.opens.Load()-int64(s.h1Streams+s.nethttpStreams),
		s.failed.Load(), mean.Round(time.Millisecond), time.Duration(s.waitMax.Load()).Round(time.Millisecond),
		s.lost.Load(), s.dup.Load(), s.altered.Load())
}

func (s *stats) observer() sse.Observer {
	return sse.Observer{
		Reconnect: func(r sse.ReconnectInfo) {
			s.waits.Add(1)
			s.waitSum.Add(int64(r.Delay))
			for {
				m := s.waitMax.Load()
				if int64(r.Delay) <= m || s.waitMax.CompareAndSwap(m, int64(r.Delay)) {
					break
				}
			}
		},
		Close: func(c sse.CloseInfo) {
			if !c.Opened {
				s.failed.Add(1)
			}
		},
	}
}

// checker is one stream's Handler: ids must follow each other from 1.
type checker struct {
	s    *stats
	last int
}

func (c *checker) HandleEvent(e sse.Event) {
	c.s.events.Add(1)
	id, err := strconv.Atoi(e.ID)
	switch {
	case err != nil || e.Data != server.Small(id):
		c.s.altered.Add(1)
		return
	case id <= c.last:
		c.s.dup.Add(1)
		return
	case id > c.last+1:
		c.s.lost.Add(int64(id - c.last - 1))
	}
	c.last = id
}
func (c *checker) HandleError(error)       { c.s.errors.Add(1) }
func (c *checker) HandleOpen(sse.OpenInfo) { c.s.opens.Add(1) }

// round runs streams Clients for d, calling tick every 10 s, then closes
// them all and waits until every Connect has returned.
func round(url string, streams int, transport string, d time.Duration, tick func(*stats)) *stats {
	s := &stats{start: time.Now()}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	checkers := make([]*checker, streams)
	for i := range streams {
		tr := sse.TransportHTTP1
		if transport == "nethttp" || (transport == "mixed" && i%2 == 1) {
			tr = sse.TransportNetHTTP
			s.nethttpStreams++
		} else {
			s.h1Streams++
		}
		checkers[i] = &checker{s: s}
		c, err := sse.NewClient(url, checkers[i], sse.WithTransport(tr), sse.WithObserver(s.observer()))
		if err != nil {
			fail(err)
		}
		wg.Add(1)
		go func() { defer wg.Done(); c.Connect(ctx) }()
	}
	end := time.After(d)
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
wait:
	for {
		select {
		case <-t.C:
			if tick != nil {
				tick(s)
			}
		case <-end:
			break wait
		}
	}
	cancel()
	wg.Wait()
	for _, c := range checkers {
		if c.last == 0 {
			s.starved.Add(1)
		}
	}
	return s
}

type mem struct {
	live       uint64
	goroutines int
}

func measure() mem {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return mem{ms.HeapAlloc, runtime.NumGoroutine()}
}

// settle closes net/http's idle connections and measures once the
// goroutines are down to want, or after 10 s: a closed connection's
// goroutines end shortly after Connect returns, not before.
func settle(want int) mem {
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	deadline := time.Now().Add(10 * time.Second)
	for {
		m := measure()
		if m.goroutines <= want || time.Now().After(deadline) {
			return m
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "soak:", err)
	os.Exit(1)
}
