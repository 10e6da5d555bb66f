package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/sse"
)

// The exit codes, documented in the top-level help.
const (
	exitOK          = 0   // the job completed, or the call succeeded
	exitJobFailed   = 1   // the job failed or was canceled
	exitUsage       = 2   // bad flags, arguments or input
	exitAuth        = 3   // token missing, wrong or expired (401/403)
	exitRateLimited = 4   // 429: wait and try again
	exitResults     = 5   // results unavailable or expired
	exitNetwork     = 6   // no connection, no answer in time, stalled job
	exitNotFound    = 7   // unknown job or route
	exitServer      = 8   // a server error or an answer that cannot be read
	exitInterrupted = 130 // Ctrl-C (SIGINT)
	exitTerminated  = 143 // SIGTERM
)

// exitCodesHelp is the exit-code table of the top-level help.
const exitCodesHelp = `Exit codes:
  0    completed (or the call succeeded)
  1    the job failed or was canceled
  2    usage error: bad flags, arguments or input (missing file, CSV that is
       not text, photo that is not an image, bad ISBN, too many photos or
       ISBNs, unreadable --state file, input the server refused)
  3    unauthorized: the stream token is missing, wrong or expired
  4    rate limited: wait the time the message gives and try again
  5    results unavailable or expired (kept about 2 hours after completion)
  6    network: no connection, no answer in time, or the job stalled
  7    not found: unknown job (from every command), or no such route at
       --base-url
  8    server error, or an answer that cannot be read
  130  interrupted (Ctrl-C, SIGINT)
  143  terminated (SIGTERM)
  ` + "`bookstrack fake serve`" + ` exits 0 when stopped by either signal.
`

// usageError is a mistake on the command line or in the input it names.
type usageError struct{ msg, hint string }

func (e *usageError) Error() string { return e.msg }

func usagef(hint, format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...), hint: hint}
}

// cliError is an error the command has already described: its exit
// code, what went wrong and what to do.
type cliError struct {
	code       int
	what, hint string
}

func (e *cliError) Error() string { return e.what }

// signalError is the cause of the context of a run stopped by a signal.
type signalError struct{ sig os.Signal }

func (e *signalError) Error() string { return "stopped by " + e.sig.String() }

// interruptCode is the exit code of a run stopped through ctx: 143 for
// SIGTERM, 130 otherwise (SIGINT, or a context canceled without a
// signal, as tests do).
func interruptCode(ctx context.Context) int {
	var se *signalError
	if errors.As(context.Cause(ctx), &se) && se.sig == syscall.SIGTERM {
		return exitTerminated
	}
	return exitInterrupted
}

// interruptedError ends a command stopped by Ctrl-C; msg says what became
// of the job.
type interruptedError struct{ msg string }

func (e *interruptedError) Error() string { return e.msg }

// failure is what the command prints and returns for an error: one line
// of what went wrong and what to do, and the exit code.
type failure struct {
	code       int
	what, hint string
}

// line is the one-line message. It is printed as it is: no error of the
// library or of the command carries the token, so nothing is replaced.
func (f failure) line() string {
	s := f.what
	if f.hint != "" {
		s += "; " + f.hint
	}
	return "bookstrack: " + oneLine(s)
}

// classify maps err to its exit code, description and advice. baseURL is
// named in the advice of network errors.
func classify(err error, baseURL string) failure {
	var (
		cli    *cliError
		usage  *usageError
		intr   *interruptedError
		failed *bookstrack.JobFailedError
		input  *bookstrack.InputError
		rl     *bookstrack.RateLimitError
		api    *bookstrack.APIError
		netErr net.Error
		opErr  *net.OpError
		dnsErr *net.DNSError
		giveUp *sse.GiveUpError
	)
	switch {
	case errors.As(err, &cli):
		return failure{cli.code, cli.what, cli.hint}
	case errors.As(err, &usage):
		return failure{exitUsage, usage.msg, usage.hint}
	case errors.As(err, &intr):
		return failure{exitInterrupted, intr.msg, ""}
	case errors.As(err, &failed):
		what := fmt.Sprintf("job %s %s: %s: %s", failed.JobID, failed.Status, failed.Code, failed.Message)
		hint := "fix the input and start a new job"
		switch {
		case failed.Status == bookstrack.StatusCanceled:
			hint = "it was canceled; start a new job to run it again"
		case failed.Retryable:
			hint = "the server says starting it again may succeed"
		}
		return failure{exitJobFailed, what, hint}
	case errors.As(err, &input):
		return failure{exitUsage, fmt.Sprintf("invalid %s: %s", input.Field, input.Reason), "fix it and run the command again"}
	case errors.As(err, &rl):
		hint := "wait a little and try again"
		if rl.RetryAfter > 0 {
			hint = fmt.Sprintf("wait %v and try again", rl.RetryAfter)
		}
		return failure{exitRateLimited, apiText(&rl.APIError), hint}
	case errors.Is(err, bookstrack.ErrResultsExpired):
		return failure{exitResults, "the results have expired: " + apiOr(err), "results are kept about 2 hours after a job completes; start the job again"}
	case errors.Is(err, bookstrack.ErrResultsUnavailable):
		return failure{exitResults, "no results: " + apiOr(err), "check the job with `bookstrack status KIND JOB_ID`"}
	case errors.Is(err, bookstrack.ErrUnauthorized):
		return failure{exitAuth, apiOr(err), "pass the job's own token with --token, BOOKSTRACK_TOKEN or --state FILE; a token lasts about 2 hours and cannot be renewed"}
	case errors.Is(err, bookstrack.ErrJobNotFound):
		return failure{exitNotFound, "no such job: " + apiOr(err), "check the job id, its kind and --routes"}
	case errors.Is(err, bookstrack.ErrNoRoute):
		return failure{exitUsage, "the v2 route set has no such route", "use --routes v3"}
	case errors.As(err, &api) && api.Op == bookstrack.OpStart && errors.Is(err, bookstrack.ErrNotFound):
		return failure{exitNotFound, apiText(api), "the server has no such start route: check --base-url (" + baseURL + ") and --routes"}
	case errors.Is(err, bookstrack.ErrNotFound):
		return failure{exitNotFound, apiOr(err), "check the job id, its kind and --routes"}
	case errors.Is(err, bookstrack.ErrInvalidRequest):
		return failure{exitUsage, "the server refused the input: " + apiOr(err), "fix the input and run the command again"}
	case errors.Is(err, bookstrack.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return failure{exitNetwork, "no answer in time: " + trim(err), "check --base-url (" + baseURL + ") and your network, then try again"}
	case errors.Is(err, bookstrack.ErrStalled):
		return failure{exitNetwork, "the job made no progress for too long", "check it with `bookstrack status KIND JOB_ID`"}
	case errors.As(err, &api):
		return failure{exitServer, apiText(api), "try again later; quote the request id to support if it persists"}
	case errors.As(err, &dnsErr), errors.As(err, &opErr), errors.As(err, &netErr), errors.As(err, &giveUp):
		return failure{exitNetwork, "cannot reach the server: " + trim(err), "check --base-url (" + baseURL + ") and your network"}
	}
	return failure{exitServer, trim(err), ""}
}

// apiText describes a server's error answer: what failed, the status and
// code, the message and the request id.
func apiText(e *bookstrack.APIError) string {
	var b strings.Builder
	op := string(e.Op)
	if op == "" {
		op = "request"
	}
	fmt.Fprintf(&b, "%s failed: HTTP %d", op, e.StatusCode)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if msg := cmp.Or(e.Detail, e.Title); msg != "" {
		b.WriteString(": " + msg)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" (request id " + e.RequestID + ")")
	}
	return b.String()
}

// apiOr is apiText of the *APIError in err, else err's text.
func apiOr(err error) string {
	var api *bookstrack.APIError
	if errors.As(err, &api) {
		return apiText(api)
	}
	return trim(err)
}

// trim is err's text without the library's "bookstrack: " prefixes.
func trim(err error) string { return strings.ReplaceAll(err.Error(), "bookstrack: ", "") }

// oneLine folds s onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\r", " ")), " ")
}
