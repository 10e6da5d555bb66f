package main

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/bookstrack/bookstrack-go/bookstracktest"
)

// serveOptions are added to the options of the fake API of fake serve;
// only tests set them (a fake clock).
var serveOptions []bookstracktest.Option

// runFakeServe is `bookstrack fake serve`: the fake API on --addr until
// ctx ends (Ctrl-C, SIGTERM), which is its normal end.
func runFakeServe(ctx context.Context, s *session, _ []string) error {
	ln, err := net.Listen("tcp", s.o.addr)
	if err != nil {
		return usagef("give a free host:port, such as 127.0.0.1:8080, or leave out --addr for a free loopback port", "cannot listen on %s: %v", s.o.addr, err)
	}
	opts := []bookstracktest.Option{
		bookstracktest.WithStepInterval(s.o.fake.step),
		bookstracktest.WithQuirks(s.o.fake.quirks.q),
		bookstracktest.WithTokenTTL(s.o.fake.tokenTTL),     // 0: the default
		bookstracktest.WithResultsTTL(s.o.fake.resultsTTL), // 0: the default
		// The fake listens on a loopback port of its own choosing; it is
		// replaced by the listener of --addr, whose address makes its URL.
		bookstracktest.WithListener(func(own net.Listener) net.Listener {
			_ = own.Close()
			return ln
		}),
	}
	srv := bookstracktest.New(append(opts, serveOptions...)...)
	defer srv.Close()
	if s.o.fake.rateLimit > 0 {
		srv.InjectRateLimit(bookstracktest.RateLimit{Requests: s.o.fake.rateLimit, RetryAfter: time.Second})
	}
	fmt.Fprintln(s.stdout, srv.URL)
	where := "on loopback only: other machines cannot reach it"
	if a, ok := ln.Addr().(*net.TCPAddr); !ok || !a.IP.IsLoopback() {
		where = "on " + ln.Addr().String() + ", not only loopback: any machine that can reach this one can use it"
	}
	fmt.Fprintf(s.stderr, "fake BooksTrack API at %s, listening %s; Ctrl-C stops it\n", srv.URL, where)
	<-ctx.Done()
	fmt.Fprintln(s.stderr, "fake BooksTrack API stopped")
	return nil
}
