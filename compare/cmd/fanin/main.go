// Command fanin holds many idle SSE streams to one origin in one process
// over net/http's HTTP/2 (the sse Client on TransportNetHTTP, the default
// http.Transport), against a Go HTTP/2 server over TLS in a child
// process that allows -max-streams streams per connection. It reports
// memory (heap in use + stacks, after two collections), goroutines and
// file descriptors per stream; -sample of the streams read an endless
// stream (an event every -every) during the -hold; then the server drops
// the connection that carries the sample, and every stream of that
// connection must resume (the sample by Last-Event-ID, nothing lost or
// repeated). It exits 1 if not.
//
//	go run ./cmd/fanin -n 100000 -max-streams 1000
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/bookstrack/bookstrack-go/compare/internal/machine"
	"github.com/bookstrack/bookstrack-go/compare/server"
	"github.com/bookstrack/bookstrack-go/sse"
)

func main() {
	n := flag.Int("n", 100000, "streams to hold, the sample included")
	maxStreams := flag.Int("max-streams", 1000, "the server's HTTP/2 streams per connection")
	sample := flag.Int("sample", 100, "streams that receive events during the hold")
	every := flag.Duration("every", 100*time.Millisecond, "time between a sample stream's events")
	hold := flag.Duration("hold", 10*time.Second, "how long the streams are held before the drop")
	flag.Parse()
	var err error
	if os.Getenv("FANIN_ROLE") == "server" {
		err = serve(*maxStreams)
	} else {
		err = run(*n, *maxStreams, *sample, *every, *hold)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fanin:", err)
		os.Exit(1)
	}
}

type connKey struct{}

// serve serves TLS with HTTP/2 and reads commands on stdin: "drop"
// closes the connection that the first stream came on and prints how
// many /idle and /soak streams it carried.
func serve(maxStreams int) error {
	machine.RaiseFileLimit(1 << 20) // as high as the hard limit allows
	cert, key := []byte(os.Getenv(server.TLSEnvCert)), []byte(os.Getenv(server.TLSEnvKey))
	var mu sync.Mutex
	streams := map[net.Conn]int{}
	var first net.Conn
	h := server.Handler()
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := r.Context().Value(connKey{}).(net.Conn)
		mu.Lock()
		if first == nil {
			first = c
		}
		streams[c]++
		mu.Unlock()
		h.ServeHTTP(w, r)
	})
	addr, err := server.ListenTLSHandler(cert, key, maxStreams, handler, func(ctx context.Context, c net.Conn) context.Context {
		return context.WithValue(ctx, connKey{}, c)
	})
	if err != nil {
		return err
	}
	fmt.Println(addr)
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		if sc.Text() == "drop" {
			mu.Lock()
			s := streams[first]
			first.Close()
			mu.Unlock()
			fmt.Printf("dropped %d\n", s)
		}
	}
	return nil
}

type idleHandler struct{ opens *atomic.Int64 }

func (h idleHandler) HandleEvent(e sse.Event) {
	if e.Data == "open" {
		h.opens.Add(1)
	}
}
func (idleHandler) HandleError(error) {}

// sampleHandler checks that its stream's ids run 1, 2, 3... with no gap
// and no repeat, across reconnections.
type sampleHandler struct {
	mu       sync.Mutex
	last     int
	events   int
	bad      int
	firstOne chan struct{}
	once     sync.Once
	total    *atomic.Int64
}

func (h *sampleHandler) HandleEvent(e sse.Event) {
	id, _ := strconv.Atoi(e.ID)
	h.mu.Lock()
	if id != h.last+1 {
		h.bad++
	}
	h.last = id
	h.events++
	h.mu.Unlock()
	h.total.Add(1)
	h.once.Do(func() { close(h.firstOne) })
}
func (*sampleHandler) HandleError(error) {}

func (h *sampleHandler) state() (last, bad int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last, h.bad
}

func run(n, maxStreams, sample int, every, hold time.Duration) error {
	cert, key, err := server.Cert()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "fanin")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := server.Trust(dir, cert); err != nil {
		return err
	}
	machine.RaiseFileLimit(1 << 20) // as high as the hard limit allows
	cmd := exec.Command(os.Args[0], os.Args[1:]...)
	cmd.Env = append(os.Environ(), "FANIN_ROLE=server", server.TLSEnvCert+"="+string(cert), server.TLSEnvKey+"="+string(key))
	cmd.Stderr = os.Stderr
	in, _ := cmd.StdinPipe()
	outPipe, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { in.Close(); cmd.Process.Kill(); cmd.Wait() }()
	out := bufio.NewReader(outPipe)
	line, err := out.ReadString('\n')
	if err != nil {
		return fmt.Errorf("the server did not start")
	}
	base := "https://" + strings.TrimSpace(line)
	fmt.Printf("fanin: %d streams (%d sampled, an event every %v), server max %d streams per HTTP/2 connection; %d CPUs, load %s, RLIMIT_NOFILE %s\n",
		n, sample, every, maxStreams, runtime.NumCPU(), machine.LoadAvg(), nofile())

	m0 := measure()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	var opens, sampled atomic.Int64
	connect := func(url string, h sse.Handler) {
		c, err := sse.NewClient(url, h, sse.WithTransport(sse.TransportNetHTTP), sse.WithConstantDelay(10*time.Millisecond))
		if err != nil {
			panic(err)
		}
		wg.Add(1)
		go func() { defer wg.Done(); c.Connect(ctx) }()
	}
	// The sample first, one stream alone and then the rest, so that
	// they share the first connection, the one the server drops.
	samples := make([]*sampleHandler, sample)
	soak := fmt.Sprintf("%s/soak?ms=%d&p=0&retry=10", base, every.Milliseconds())
	for i := range samples {
		samples[i] = &sampleHandler{firstOne: make(chan struct{}), total: &sampled}
		connect(soak, samples[i])
		if i == 0 {
			<-samples[0].firstOne
		}
	}
	for _, s := range samples {
		<-s.firstOne
	}
	start := time.Now()
	idle := n - sample
	for i := range idle {
		connect(base+"/idle", idleHandler{&opens})
		for int64(i)-opens.Load() > 500 { // at most 500 opening at once
			time.Sleep(time.Millisecond)
		}
	}
	for opens.Load() < int64(idle) {
		time.Sleep(10 * time.Millisecond)
	}
	openedIn := time.Since(start)
	m1 := measure()
	per := func(a, b float64) float64 { return (b - a) / float64(n) }
	fmt.Printf("held %d streams after %v: per stream %.0f B heap in use + stacks (live heap %.0f B, stacks %.0f B), %.2f goroutines, %.4f file descriptors (%.0f in all)\n",
		n, openedIn.Round(time.Millisecond), per(m0.inuse+m0.stack, m1.inuse+m1.stack), per(m0.live, m1.live), per(m0.stack, m1.stack),
		per(float64(m0.goroutines), float64(m1.goroutines)), per(float64(m0.fds), float64(m1.fds)), m1.fds)

	if f := os.Getenv("FANIN_PROFILE"); f != "" {
		// FANIN_PROFILE=prefix writes prefix.goroutine and prefix.heap
		// while the streams are held.
		for _, p := range []string{"goroutine", "heap"} {
			w, err := os.Create(f + "." + p)
			if err != nil {
				return err
			}
			pprof.Lookup(p).WriteTo(w, 0)
			w.Close()
		}
	}
	before := sampled.Load()
	time.Sleep(hold)
	during := sampled.Load() - before
	fmt.Printf("during the %v hold: %d events to the %d sampled streams (%.0f/s)\n", hold, during, sample, float64(during)/hold.Seconds())

	lastAt := make([]int, sample)
	for i, s := range samples {
		lastAt[i], _ = s.state()
	}
	opensBefore := opens.Load()
	fmt.Fprintln(in, "drop")
	line, err = out.ReadString('\n')
	if err != nil {
		return fmt.Errorf("the server did not drop")
	}
	var onConn int64
	fmt.Sscanf(line, "dropped %d", &onConn)
	dropped := time.Now()
	wantIdle := onConn - int64(sample)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resumed := 0
		for i, s := range samples {
			if last, _ := s.state(); last > lastAt[i]+1 {
				resumed++
			}
		}
		if resumed == sample && opens.Load()-opensBefore >= wantIdle {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("after the drop: %d of %d sampled streams resumed, %d of %d idle streams reopened",
				resumed, sample, opens.Load()-opensBefore, wantIdle)
		}
		time.Sleep(10 * time.Millisecond)
	}
	bad := 0
	for _, s := range samples {
		_, b := s.state()
		bad += b
	}
	fmt.Printf("dropped the connection of %d streams (%d sampled): all resumed in %v; sampled events out of order, lost or repeated: %d\n",
		onConn, sample, time.Since(dropped).Round(time.Millisecond), bad)
	cancel()
	wg.Wait()
	if bad > 0 {
		return fmt.Errorf("%d sampled events lost or repeated", bad)
	}
	return nil
}

type mem struct{ inuse, live, stack, goroutines, fds float64 }

func measure() mem {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fds, _ := os.ReadDir("/proc/self/fd")
	return mem{float64(ms.HeapInuse), float64(ms.HeapAlloc), float64(ms.StackInuse), float64(runtime.NumGoroutine()), float64(len(fds))}
}

func nofile() string {
	var r syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r)
	return fmt.Sprintf("soft %d hard %d", r.Cur, r.Max)
}
