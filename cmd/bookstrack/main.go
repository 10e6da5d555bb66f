// Command bookstrack starts, watches and reads BooksTrack jobs from a
// terminal: CSV imports, bookshelf scans and ISBN enrichments, against
// the hosted API, any base URL, or the fake API (bookstracktest) run in
// the process with its quirks and faults.
//
//	go install github.com/bookstrack/bookstrack-go/cmd/bookstrack@latest
//	bookstrack --fake enrich 9780141439518 0-14-143962-9
//	bookstrack scan --json shelf1.jpg shelf2.jpg
//	bookstrack watch scan JOB_ID --token "$TOKEN" --last-event-id ID
//
// Live progress goes to standard error (a bar on a terminal, plain lines
// otherwise), results to standard output (a table, or JSON with --json).
// The exit status tells scripts how it went; `bookstrack --help` lists
// the commands, flags, environment variables and exit codes.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
