// Command idle holds -n idle sse streams (default 10 000; 100 000 by
// flag) to a loopback server in a child process and prints heap bytes and
// goroutines per stream. It raises RLIMIT_NOFILE to what it needs.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/bookstrack/bookstrack-go/compare/server"
	"github.com/bookstrack/bookstrack-go/sse"
)

type opened struct{ n *atomic.Int64 }

func (opened) HandleEvent(sse.Event)     {}
func (opened) HandleError(error)         {}
func (o opened) HandleOpen(sse.OpenInfo) { o.n.Add(1) }

func main() {
	n := flag.Int("n", 10000, "idle streams to hold")
	nethttp := flag.Bool("nethttp", false, "use the net/http transport instead of the lean one")
	flag.Parse()
	if os.Getenv("IDLE_CHILD") == "1" {
		raise(2**n + 100)
		addr, err := server.Listen()
		if err != nil {
			panic(err)
		}
		fmt.Println(addr)
		select {}
	}
	raise(*n + 100)
	cmd := exec.Command(os.Args[0], os.Args[1:]...)
	cmd.Env = append(os.Environ(), "IDLE_CHILD=1")
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		panic(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		panic(err)
	}
	url := "http://" + line[:len(line)-1] + "/idle"
	tr := sse.TransportHTTP1
	if *nethttp {
		tr = sse.TransportNetHTTP
	}
	h0, g0 := heap()
	ctx, cancel := context.WithCancel(context.Background())
	var open atomic.Int64
	var wg sync.WaitGroup
	for i := range *n {
		c, err := sse.NewClient(url, opened{&open}, sse.WithTransport(tr))
		if err != nil {
			panic(err)
		}
		wg.Add(1)
		go func() { defer wg.Done(); c.Connect(ctx) }()
		for open.Load()+200 < int64(i) { // at most 200 dials in flight
			time.Sleep(time.Millisecond)
		}
	}
	for open.Load() < int64(*n) {
		time.Sleep(10 * time.Millisecond)
	}
	h1, g1 := heap()
	fmt.Printf("transport=%v streams=%d heap+stack/stream=%.0f B goroutines/stream=%.2f\n",
		map[bool]string{false: "h1", true: "nethttp"}[*nethttp], *n,
		float64(h1-h0)/float64(*n), float64(g1-g0)/float64(*n))
	cancel()
	wg.Wait()
	h2, g2 := heap()
	fmt.Printf("after close: heap+stack delta=%d B goroutines delta=%d\n", int64(h2)-int64(h0), g2-g0)
}

func raise(need int) {
	var r syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r) == nil && r.Cur < uint64(need) {
		r.Cur = min(uint64(need), r.Max)
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r)
	}
}

func heap() (uint64, int) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse + ms.StackInuse, runtime.NumGoroutine()
}
