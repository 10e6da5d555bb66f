// Command bookstrack starts, watches and reads BooksTrack jobs from a
// terminal: CSV imports, bookshelf scans and ISBN enrichments, against
// the hosted API, any base URL, or the fake API (bookstracktest), run in
// the process (--fake) or as a server of its own (bookstrack fake serve)
// with its quirks and faults.
//
//	go install ./cmd/bookstrack      (from a checkout)
//	bookstrack --fake enrich 9780141439518 0-14-143962-9
//	bookstrack scan --json --state scan.state shelf1.jpg shelf2.jpg
//	bookstrack watch --state scan.state
//	bookstrack fake serve --addr 127.0.0.1:8080
//
// Live progress goes to standard error (a bar that fits the terminal's
// width on a terminal, plain lines otherwise), results to standard output
// (a table, or JSON with --json). The exit status tells scripts how it
// went; `bookstrack --help` lists the commands, flags, environment
// variables and exit codes.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		signal.Stop(sigs) // a second signal ends the process at once
		cancel(&signalError{sig})
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	os.Exit(code)
}
