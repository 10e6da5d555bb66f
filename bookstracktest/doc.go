// Package bookstracktest provides a fake BooksTrack API for tests, in the
// manner of net/http/httptest: New (or NewServer, bound to a testing.TB)
// starts a Server on a loopback port and its URL field is the base URL to
// give a client. It speaks the job-stream contract of the real server
// (docs/CONTRACT.md in the repository), quirks included, and adds
// switches for the quirks of older server versions and injectors for
// faults.
//
// # Routes
//
// The v3 set:
//
//	POST   /v3/jobs/imports                    start a CSV import (multipart field "file", at most 8 MiB)
//	POST   /v3/jobs/scans                      start a bookshelf scan (1 to 5 parts "photos[]", 10 MB each, 50 MB in all)
//	POST   /v3/books/enrich                    start an enrichment ({"isbns":[...],"async":true} or "barcodes"; 1 to 500)
//	GET    /v3/jobs/{imports|scans|enrichment}/{id}          status
//	DELETE /v3/jobs/{imports|scans|enrichment}/{id}          cancel
//	GET    /v3/jobs/{imports|scans|enrichment}/{id}/stream   event stream (Bearer token)
//	GET    /v3/jobs/{imports|scans|enrichment}/{id}/results  results
//
// and the v2 set of the iOS plan: POST /api/v2/imports (a v3 import whose
// start response points at the v2 stream), and GET
// /api/v2/{imports|enrichments|scans}/{id}/stream and .../results. Scans
// and enrichments are started through the v3 routes whichever set the
// client uses. Other paths get 404, other methods 405 with Allow, job ids
// that are not UUIDs 400.
//
// # What is real and what is faked
//
// Real: HTTP/1.1 on loopback with chunked text/event-stream responses
// written by sse.Event.WriteTo; the validation of uploads and bodies; the
// envelopes, problem details and X-Request-ID of every response; random
// UUID v4 job ids and 64-hex tokens; token, results and job TTLs;
// snapshot, replay and resume rules; the CSV import, which parses the
// uploaded file with encoding/csv, taking the columns of a Goodreads
// library export by header name (Title is the only one required; ISBNs
// written ="0439023483" or ="" are understood; ISBN13 is preferred to
// ISBN; Author and Additional Authors make the authors; Year Published,
// else Original Publication Year, the published date), reports rows
// without a title in errors[] (rows numbered as in a spreadsheet, the
// header being row 1), skips rows whose ISBN repeats an earlier one
// (ISBN-10 and ISBN-13 of one book count as the same) and enriches the
// rest from the catalogue.
//
// Faked: the catalogue, about 30 public-domain classics in made-up
// editions (see Catalogue), is the only source of enrichment; ISBNs not
// in it are "not found". Scan detections are not computed from images:
// the SHA-256 of each photo picks 2 to 4 catalogue books with
// confidences, bounding boxes, ISBNs (sometimes null) and enrichment
// statuses, so the same bytes always give the same detections. All the
// work of a job is done when it starts; the job then reveals it one ladder
// step per step interval. There is no user library: booksUpdated is
// always 0.
//
// # Time
//
// Every time the Server uses comes from its clock (WithClock): event ids,
// timestamps, TTLs, job steps, heartbeats and stream timeouts. With a fake
// clock such as ssetest.Clock, Advance drives the jobs and tests never
// sleep. A job has one timer pending while it runs (its next step, then
// its final event) and each open stream two (heartbeat and timeout).
// The timer of what comes next is armed before an event is sent, so a
// test that has read an event can advance the clock at once; WaitStreams
// tells when a new stream is ready. Code with no clock to drive, such as
// an Example, uses WithSteppedClock: the Server then advances a fake
// clock of its own while a job and an open stream wait on it.
//
// # The stream
//
// A stream opens with ": connection established" (": reconnected from
// event <id>" when Last-Event-ID was sent), "retry: 5000" and a blank
// line; then the snapshot (id "<ms>-initial"), skipped when Last-Event-ID
// carries milliseconds under 10 s old; then, when Last-Event-ID carries
// milliseconds, the kept updates (the job's last 100) newer than them, so
// progress can step backwards after the snapshot; then live updates,
// heartbeats and, after the stream timeout without an update, a `timeout`
// event and the end. A Last-Event-ID without leading milliseconds gets
// the snapshot and no replay. On completion or failure the stream gets the
// queued terminal event, then after the final delay the `<ms>-final` one
// (the completed one carries the results array; the failed one has no
// status), then the end. A client connecting after the job ended gets the
// final event at once. Event ids' milliseconds strictly increase within a
// job: an event made in the same millisecond as the previous one, or
// earlier, gets the previous milliseconds plus one.
//
// Tokens are checked when a stream connects, not afterwards. A missing or
// malformed token gets 401 whether the job exists or not; a well-formed
// token for a job that does not exist (or does not exist under that
// kind) gets 200 and the in-stream JOB_NOT_FOUND error.
//
// # Choices where the contract is silent
//
//   - Cancel: DELETE makes a running job "canceled"; its streams get a
//     `failed` event whose status is "canceled" with error code CANCELED,
//     not retryable, then the final failed event. Canceling again answers
//     200; canceling a completed or failed job answers 409 CONFLICT.
//   - Enrichment entries: hyphens and spaces are removed, then an entry
//     must be 13 digits or 9 digits and a digit or X; check digits are not
//     verified. Repeats count once. A book is reported under the ISBN as
//     requested. Without "async": true the route answers 200 at once with
//     the results.
//   - Upload errors, sizes included, are 400 INVALID_REQUEST with field
//     codes (REQUIRED, EMPTY_FILE, FILE_TOO_LARGE, TOO_MANY_FILES,
//     INVALID_CONTENT_TYPE...). MB means 10^6 bytes, MiB 2^20. Parts with
//     other names are ignored.
//   - A CSV that has no header row or no Title column fails the job with
//     INVALID_CSV right after its validation step. CSV progress updates
//     keep processedCount and totalCount at 0; books without a language
//     get "en".
//   - Scan counts are photos during the photo phase, books after.
//   - Problem bodies are application/problem+json; those raised by a
//     route's own checks (validation, not found, conflict) also carry
//     "success": false, those of routing, auth, rate limits and injected
//     faults do not.
//   - A client's X-Request-ID of at most 128 visible ASCII characters is
//     echoed; otherwise a UUID is made.
//   - Job state lives JobTTL from its start; results live ResultsTTL from
//     completion. Status responses carry jobId, type, status, message,
//     progress, counts, createdAt, updatedAt, and completedAt and error
//     once the job ended.
//   - Close ends streams cleanly after their last complete event; it cuts
//     requests still reading a body.
//
// # Quirks
//
// WithQuirks selects behaviours of other server versions: PercentComplete,
// ResultsField, LegacyStart, NoStreamURL, LegacyErrors, LegacyRateLimit,
// StatusNamedSnapshot, CommentHeartbeat, TerminalSnapshot,
// EpochTimestamps, ScanYearAsDate, EnrichmentResults, AuthorObjects and
// StatusMismatch; see Quirks.
//
// # Faults
//
// InjectRateLimit and InjectStatus fail the next requests, on any route;
// DropStreams cuts streams in the middle of an event; SendRaw writes any
// bytes to streams; StreamError sends the STREAM_ERROR event; PauseJob
// and ResumeJob stop and restart a job; FailJob fails it; ExpireToken
// expires its token. Job, Requests, OpenStreams and WaitStreams observe
// the Server.
//
// # Options
//
// The options follow the module's one option rule (see package sse): a
// zero value keeps the default; a negative duration turns the setting off
// where it can be off (WithPingInterval, WithStreamTimeout,
// WithFinalDelay, WithResultsTTL, WithJobTTL, WithTokenTTL; each says
// what off is); and New panics on any other value out of range (a
// negative WithStepInterval or WithEnrichmentBatch), naming the option,
// as httptest.NewServer panics when it cannot serve.
package bookstracktest
