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
// the not-found errors below, *JobFailedError, *EventError for a
// malformed event, *InputError for input refused before upload.
//
// # Not found
//
// Which of the not-found errors an error matches depends on the route,
// and each says what the caller can do:
//
//	route (call)                   answer               matches
//	start (Start)                  404                  ErrNotFound
//	status (Status, polling)       404                  ErrNotFound, ErrJobNotFound
//	cancel (Cancel)                404                  ErrNotFound, ErrJobNotFound
//	stream (Watch, Updates)        404                  ErrNotFound, ErrJobNotFound
//	stream (Watch, Updates)        JOB_NOT_FOUND event  ErrJobNotFound (a *StreamError)
//	results (Results)              404                  ErrNotFound, ErrResultsUnavailable
//	results (Results), after TTL   404                  ErrNotFound, ErrResultsUnavailable, ErrResultsExpired
//	status, cancel on V2 routes    no request           ErrNoRoute
//
// ErrNotFound alone (a 404 of a start route) means the base URL or the
// route set is wrong. ErrJobNotFound means the job id is unknown, or its
// state expired: start the job again. ErrResultsUnavailable means the results route has nothing now: the job
// is unknown, still running, or its results expired (the server does not
// say which); Status tells. ErrResultsExpired is ErrResultsUnavailable
// when this client saw the job complete longer ago than the results TTL
// (WithResultsTTL): run the job again. ErrNoRoute means the route set has
// no such route: use another call, or V3.
//
// # Options
//
// Every Option follows the module's one option rule, the same as package
// sse's: a zero value (0, "", nil, false, the first constant of an
// enumeration) keeps the default; a negative number turns the setting off
// where it can be off (WithStallTimeout, WithResponseHeaderTimeout,
// WithCallRetries, scan.WithApprovalThreshold); and a value out of the
// setting's range (a negative WithResultsTTL, WithPollInterval or
// WithMaxRetryDelay, which cannot be off; a poll interval under 2 seconds;
// an approval threshold above 1) is refused by the job package's
// NewClient with an *InputError naming the option and its range. When two
// options set the same thing, the last wins.
//
// # Errors of a watch
//
// Watch (and the error Updates yields last) ends with nil and the
// Completion when the job completed, and otherwise with a *WatchError
// that names the job, the stream's attempt and the last event id seen
// (where to resume), wrapping one of these (errors.Is and errors.As see
// through it):
//   - *JobFailedError: the job failed, or was canceled (its Status says
//     which);
//   - a *StreamError matching ErrJobNotFound: the stream said the job is
//     unknown (never existed, or its state expired);
//   - *APIError: the stream request was refused (401 and 403 match
//     ErrUnauthorized: the token expired or is wrong, and it cannot be
//     renewed; other 4xx but 408 and 429), or, after a `timeout` event,
//     polling the status route got 404 (ErrNotFound) or 401;
//   - an error matching both *sse.GiveUpError and the *APIError of the
//     last refused attempt, when the stream's give-up policy ran out on
//     429 or 5xx answers; an error matching *sse.GiveUpError alone when
//     it ran out on network errors, *sse.ProtocolError, the idle timeout
//     (sse.ErrIdleTimeout) or the response header timeout
//     (sse.ErrResponseHeaderTimeout), the last of which is its Err;
//   - the other errors that end an sse.Client's Connect, wrapped:
//     *sse.RedirectError (sse.ErrInsecureRedirect for https to http),
//     *sse.ContentTypeError, *sse.ContentEncodingError, a certificate
//     that does not verify, sse.ErrInvalidLastEventID for a
//     Job.LastEventID that cannot be sent;
//   - ErrStalled (wrapped): no update for the stall timeout
//     (WithStallTimeout);
//   - the context's error, wrapped (errors.Is finds context.Canceled or
//     context.DeadlineExceeded);
//   - *OriginError: the stream URL is on another origin than the base
//     URL (see WithCrossOriginStreams);
//   - *InputError, before any request: a job ID that is not a UUID, or a
//     job of another kind.
//
// Problems that do not end a watch (a malformed event, a dropped
// connection, a failed poll, a stream error event) go to Handlers.Error,
// each as a *WatchError too: a dropped stream is a *WatchError that
// matches io.ErrUnexpectedEOF.
//
// # Reconnection
//
// A watch reconnects after every cut with Last-Event-ID, waiting the
// server's retry (5 s) after a connection that delivered an update, so it
// comes back inside the server's replay window and nothing is skipped.
// It gives up only after 10 attempts in a row, or 5 minutes, without a
// new event (see the sse package doc, Reconnection delay): a job that
// keeps progressing is never given up, however often it is cut.
//
// # Resuming a watch
//
// A watch that ended early (cancelled, stalled, given up, the process
// about to exit) resumes where it stopped, in this process or another:
// keep the Job (ID, Kind, Token, StreamURL, StatusURL) and the
// *WatchError's LastEventID, and watch again with Job.LastEventID set to
// it. The server replays the updates made since that event (the real one
// keeps its last 100 and resumes without a fresh snapshot within 10
// seconds of the event), so nothing is lost or repeated:
//
//	var we *bookstrack.WatchError
//	if errors.As(err, &we) {
//		job.LastEventID = we.LastEventID
//		save(job) // the token is a secret: store it as one
//	}
//	// later, maybe in another process:
//	job := load()
//	comp, err := client.Watch(ctx, job, handlers)
//
// Job.Token is a bearer secret for the job's stream: store it where you
// keep credentials (a keychain, an encrypted store, a secrets manager),
// not in logs or plain files, and delete it once the job ended. Job's
// String and the errors of this module never print it.
//
// The package bookstracktest is a fake BooksTrack API for integration
// tests. docs/CONTRACT.md in the repository describes the wire contract
// that the fake and the job packages follow.
package bookstrack
