// Package asyncapi holds the conformance test of docs/asyncapi.yaml, the
// AsyncAPI 3 document of BooksTrack's job streams: the test drives the
// fake API (package bookstracktest) through every scenario of a job's
// stream, in every quirk mode, for the three job types on both route
// sets, and validates each event it emits against the schema of its
// message. It is a module of its own so that the library's go.mod never
// lists the test's JSON Schema and YAML dependencies.
package asyncapi
