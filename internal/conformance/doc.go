// Package conformance holds no code: its tests load the shared conformance
// fixtures of testdata/conformance (documented in that directory's
// README.md) and run each of them through the library: decoder fixtures
// through sse.Decoder and sse.Client, client fixtures through sse.Client
// against an ssetest scripted server, job fixtures through the csvimport,
// scan and enrichment clients. The same files are meant to be loaded,
// unchanged, by the Swift port's test suite.
package conformance
