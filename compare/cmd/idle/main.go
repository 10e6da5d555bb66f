// Command idle holds -n idle streams (default 10 000) to loopback servers
// in child processes and prints heap+stack bytes and goroutines per
// stream, for our lean HTTP/1.1 transport (-client h1), our net/http
// transport (-client nethttp) or a coder/websocket baseline (-client ws).
//
// The streams are held by -procs client processes at once (default: as
// few as the file limit allows), each with its own server process, so
// the figures are a client's alone and -n can exceed one process's
// RLIMIT_NOFILE. Each process raises its soft file limit to what it
// needs, up to the hard limit; -procs 1 with too large an -n fails and
// says which limit. idle.sh raises the shell's limit and runs the set.
//
// With -tls the server serves TLS (a certificate made at run time,
// trusted by the client processes through SSL_CERT_FILE) and offers
// HTTP/2 and HTTP/1.1 by ALPN: -client nethttp then reads over HTTP/2,
// many streams to a connection (at most -max-streams each, the server's
// setting; 0 is net/http's default, 250), -client nethttp-h1 over
// HTTP/1.1, -client ws over wss. IDLE_MEMPROFILE=file writes a client
// process's heap profile while it holds its streams.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/coder/websocket"

	"github.com/bookstrack/bookstrack-go/compare/internal/machine"
	"github.com/bookstrack/bookstrack-go/compare/server"
	"github.com/bookstrack/bookstrack-go/sse"
)

// headroom is the file descriptors a process keeps beyond one per stream.
const headroom = 200

func main() {
	n := flag.Int("n", 10000, "idle streams to hold, in total")
	client := flag.String("client", "h1", "h1 (lean transport), nethttp (net/http transport), nethttp-h1 (net/http held to HTTP/1.1) or ws (coder/websocket)")
	procs := flag.Int("procs", 0, "client processes holding the streams (0: as few as the file limit allows)")
	useTLS := flag.Bool("tls", false, "serve over TLS (HTTP/2 and HTTP/1.1 by ALPN; ws over wss)")
	maxStreams := flag.Int("max-streams", 0, "with -tls: the server's HTTP/2 streams per connection (0: net/http's default, 250)")
	flag.Parse()
	var err error
	switch os.Getenv("IDLE_ROLE") {
	case "server":
		err = serve(*n, *useTLS, *maxStreams)
	case "client":
		err = hold(*n, *client, *useTLS)
	default:
		err = coordinate(*n, *client, *procs, *useTLS, *maxStreams)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "idle:", err)
		os.Exit(1)
	}
}

// result is what a client process reports once its streams are open.
type result struct {
	streams          int
	bytes            float64 // per stream: heap spans in use + stacks
	live, stack      float64 // per stream: live heap, stacks
	routines         float64 // per stream
	afterB, afterG   int64   // deltas after the streams closed
	openFor, closeIn time.Duration
}

func coordinate(n int, client string, procs int, useTLS bool, maxStreams int) error {
	if client != "h1" && client != "nethttp" && client != "nethttp-h1" && client != "ws" {
		return fmt.Errorf("-client %q: want h1, nethttp, nethttp-h1 or ws", client)
	}
	if useTLS {
		// One certificate for every process of the run, passed down
		// in the environment.
		cert, key, err := server.Cert()
		if err != nil {
			return err
		}
		os.Setenv(server.TLSEnvCert, string(cert))
		os.Setenv(server.TLSEnvKey, string(key))
	}
	hard := hardLimit()
	if procs <= 0 {
		procs = (n + int(hard) - headroom - 1) / (int(hard) - headroom)
	}
	fmt.Printf("client=%s streams=%d procs=%d tls=%v max-streams=%d RLIMIT_NOFILE hard=%d cpus=%d load=%s\n",
		client, n, procs, useTLS, maxStreams, hard, runtime.NumCPU(), machine.LoadAvg())
	type child struct {
		cmd *exec.Cmd
		in  io.WriteCloser
		out *bufio.Reader
		n   int
	}
	var kids []child
	defer func() {
		for _, k := range kids {
			k.in.Close()
			k.cmd.Wait()
		}
	}()
	start := time.Now()
	for p := range procs {
		share := n / procs
		if p < n%procs {
			share++
		}
		cmd := exec.Command(os.Args[0], "-n", strconv.Itoa(share), "-client", client,
			"-tls="+strconv.FormatBool(useTLS), "-max-streams", strconv.Itoa(maxStreams))
		cmd.Env = append(os.Environ(), "IDLE_ROLE=client")
		cmd.Stderr = os.Stderr
		in, _ := cmd.StdinPipe()
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			return err
		}
		kids = append(kids, child{cmd, in, bufio.NewReader(out), share})
	}
	// Every process reports once its streams are open, and holds them
	// until told to let go: all n streams are open at once.
	var held []result
	for _, k := range kids {
		line, err := k.out.ReadString('\n')
		if err != nil {
			return fmt.Errorf("a client process of %d streams failed (see above)", k.n)
		}
		var r result
		if _, err := fmt.Sscanf(line, "held %d %g %g %g %g %d", &r.streams, &r.bytes, &r.live, &r.stack, &r.routines, &r.openFor); err != nil {
			return fmt.Errorf("client said %q: %w", line, err)
		}
		held = append(held, r)
	}
	total, bytes, live, stack, routines := 0, 0.0, 0.0, 0.0, 0.0
	for _, r := range held {
		total += r.streams
		bytes += r.bytes * float64(r.streams)
		live += r.live * float64(r.streams)
		stack += r.stack * float64(r.streams)
		routines += r.routines * float64(r.streams)
	}
	t := float64(total)
	fmt.Printf("held %d streams at once in %d processes after %v: per stream %.0f B heap in use + stacks (live heap %.0f B, stacks %.0f B), %.2f goroutines\n",
		total, len(held), time.Since(start).Round(time.Millisecond), bytes/t, live/t, stack/t, routines/t)
	for i, k := range kids {
		k.in.Close() // release
		line, err := k.out.ReadString('\n')
		if err != nil {
			return fmt.Errorf("client process %d did not report after closing", i)
		}
		var r result
		if _, err := fmt.Sscanf(line, "closed %d %d %d", &r.afterB, &r.afterG, &r.closeIn); err != nil {
			return fmt.Errorf("client said %q: %w", line, err)
		}
		fmt.Printf("process %d: %d streams, %.0f B and %.2f goroutines per stream; after close: heap in use + stacks %+d B, goroutines %+d (in %v)\n",
			i, held[i].streams, held[i].bytes, held[i].routines, r.afterB, r.afterG, r.closeIn.Round(time.Millisecond))
	}
	return nil
}

// hold opens n streams to a server child of its own and reports.
func hold(n int, client string, useTLS bool) error {
	if os.Getenv("IDLE_MEMPROFILE") != "" {
		runtime.MemProfileRate = 64 // every few allocations: a precise profile
	}
	if err := machine.RaiseFileLimit(uint64(n + headroom)); err != nil {
		return fmt.Errorf("%w: use -procs", err)
	}
	scheme := "http://"
	if useTLS {
		scheme = "https://"
		dir, err := os.MkdirTemp("", "idle")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		if err := server.Trust(dir, []byte(os.Getenv(server.TLSEnvCert))); err != nil {
			return err
		}
	}
	cmd := exec.Command(os.Args[0], os.Args[1:]...)
	cmd.Env = append(os.Environ(), "IDLE_ROLE=server")
	cmd.Stderr = os.Stderr
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		return errors.New("the server process did not start")
	}
	base := scheme + strings.TrimSpace(line)

	m0 := heap()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	inFlight := make(chan struct{}, 200) // at most 200 dials at once
	opened := make(chan struct{}, n)
	failed := make(chan error, n)
	var wg sync.WaitGroup
	start := time.Now()
	for range n {
		inFlight <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			done := false
			once := func() {
				if !done {
					done = true
					<-inFlight
					opened <- struct{}{}
				}
			}
			if err := open(ctx, client, base, once); err != nil && ctx.Err() == nil {
				failed <- err
			}
		}()
	}
	for range n {
		select {
		case <-opened:
		case err := <-failed:
			return fmt.Errorf("a stream failed: %w", err)
		}
	}
	m1 := heap()
	if f := os.Getenv("IDLE_MEMPROFILE"); f != "" {
		if err := writeHeapProfile(f); err != nil {
			return err
		}
	}
	per := func(a, b uint64) float64 { return (float64(b) - float64(a)) / float64(n) }
	fmt.Printf("held %d %g %g %g %g %d\n", n, per(m0.inuse+m0.stack, m1.inuse+m1.stack), per(m0.live, m1.live), per(m0.stack, m1.stack),
		float64(m1.goroutines-m0.goroutines)/float64(n), time.Since(start))
	io.Copy(io.Discard, os.Stdin) // until the coordinator lets go
	start = time.Now()
	cancel()
	wg.Wait()
	if client == "nethttp" {
		http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	}
	h1Transport.CloseIdleConnections()
	m2 := heap()
	fmt.Printf("closed %d %d %d\n", int64(m2.inuse+m2.stack)-int64(m0.inuse+m0.stack), m2.goroutines-m0.goroutines, time.Since(start))
	return nil
}

type openHandler struct{ opened func() }

func (h openHandler) HandleEvent(e sse.Event) {
	if e.Data == "open" {
		h.opened()
	}
}
func (openHandler) HandleError(error) {}

// open holds one stream until ctx ends, calling opened when the server's
// "open" event (or message) arrives.
func open(ctx context.Context, client, base string, opened func()) error {
	if client == "ws" {
		return openWS(ctx, base, opened)
	}
	return openSSE(ctx, client, base, opened)
}

func openWS(ctx context.Context, base string, opened func()) error {
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/ws/idle", &websocket.DialOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return err
	}
	defer c.CloseNow()
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			return err
		}
		if string(b) == "open" {
			opened()
		}
	}
}

// openSSE is a function of its own, apart from openWS: a larger frame
// under Connect can double the stack a parked stream keeps (see README).
func openSSE(ctx context.Context, client, base string, opened func()) error {
	opts := []sse.Option{sse.WithTransport(sse.TransportHTTP1)}
	switch client {
	case "nethttp":
		opts = []sse.Option{sse.WithTransport(sse.TransportNetHTTP)}
	case "nethttp-h1":
		opts = []sse.Option{sse.WithTransport(sse.TransportNetHTTP), sse.WithHTTPClient(&http.Client{Transport: h1Transport})}
	}
	c, err := sse.NewClient(base+"/idle", openHandler{opened}, opts...)
	if err != nil {
		return err
	}
	return c.Connect(ctx)
}

// h1Transport is net/http held to HTTP/1.1 (a Transport of its own: a
// clone of http.DefaultTransport may offer "h2" by ALPN).
var h1Transport = func() *http.Transport {
	t := &http.Transport{Proxy: http.ProxyFromEnvironment, MaxIdleConns: 100, IdleConnTimeout: 90 * time.Second}
	t.Protocols = new(http.Protocols)
	t.Protocols.SetHTTP1(true)
	return t
}()

func serve(n int, useTLS bool, maxStreams int) error {
	if err := machine.RaiseFileLimit(uint64(n + headroom)); err != nil {
		return fmt.Errorf("%w: use -procs", err)
	}
	var addr string
	var err error
	if useTLS {
		addr, err = server.ListenTLS([]byte(os.Getenv(server.TLSEnvCert)), []byte(os.Getenv(server.TLSEnvKey)), maxStreams)
	} else {
		addr, err = server.Listen()
	}
	if err != nil {
		return err
	}
	fmt.Println(addr)
	select {}
}

// writeHeapProfile writes the process's heap profile to file, for
// `go tool pprof -sample_index=inuse_space`.
func writeHeapProfile(file string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func hardLimit() uint64 {
	var r syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r)
	return r.Max
}

// mem is a process's memory and goroutines after two collections.
type mem struct {
	inuse, live, stack uint64 // heap spans in use, live heap, stacks
	goroutines         int
}

func heap() mem {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return mem{ms.HeapInuse, ms.HeapAlloc, ms.StackInuse, runtime.NumGoroutine()}
}
