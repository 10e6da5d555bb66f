// Package bookstrack holds what the BooksTrack job packages share: the job
// handle and its typed progress and completion, the typed errors of the
// API, and the options that configure every job client.
//
// The job types live in their own packages, each a few calls over the
// same machinery:
//   - csvimport: import a Goodreads-style CSV library export;
//   - scan: detect books on one to five bookshelf photos;
//   - enrichment: enrich books by ISBN.
//
// Each package's Client starts a job, watches its stream with typed
// progress (Watch with callbacks, or Updates as an iterator), and reads
// its status and results. Watching absorbs the quirks of the real server
// (duplicate terminal events, progress given as 100, replays that step
// backwards, the in-stream JOB_NOT_FOUND, the idle `timeout` event): the
// first terminal event ends a watch and duplicates are never delivered.
//
// Every error is typed for errors.Is and errors.As: *APIError (with the
// status, code, detail, field errors and request id of either error body
// format), *RateLimitError (with the wait to honour), ErrUnauthorized,
// ErrNotFound, ErrResultsUnavailable and ErrResultsExpired,
// *JobFailedError, ErrJobNotFound, *EventError for a malformed event,
// *InputError for input refused before upload.
//
// # Options
//
// Every Option follows one zero-value rule: a zero value (0, "", nil,
// false, the first constant of an enumeration) keeps the default, and a
// negative number turns the setting off where it can be off
// (WithStallTimeout, WithResponseHeaderTimeout, WithCallRetries,
// scan.WithApprovalThreshold) and keeps the default where it cannot
// (WithResultsTTL, WithPollInterval, WithMaxRetryDelay). When two options
// set the same thing, the last wins.
//
// The package bookstracktest is a fake BooksTrack API for integration
// tests.
package bookstrack
