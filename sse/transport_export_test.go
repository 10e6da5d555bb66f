package sse

import "os"

// BOOKSTRACK_SSE_TRANSPORT=nethttp runs the sse tests with TransportAuto
// resolving to net/http instead of the lean HTTP/1.1 path (.ci/run runs
// both).
func init() {
	switch os.Getenv("BOOKSTRACK_SSE_TRANSPORT") {
	case "nethttp":
		autoTransport = TransportNetHTTP
	case "", "h1":
		autoTransport = TransportHTTP1
	default:
		panic("BOOKSTRACK_SSE_TRANSPORT must be h1 or nethttp")
	}
}
