package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/sse"
)

// display shows a watch as it goes: a bar redrawn in place on a
// terminal, plain lines otherwise (both on standard error), or, with
// --events, JSON lines on standard output.
type display struct {
	kind    bookstrack.Kind
	out     io.Writer // progress and notices
	term    bool
	quiet   bool          // --json off a terminal: only errors on stderr
	events  *json.Encoder // nil unless --events
	secrets []string
	open    bool   // a bar is drawn on the current line
	lastID  string // the EventID of the last update, to resume from
}

// eventLine is one line of --events: type is started, progress, notice,
// completed, results or error.
type eventLine struct {
	Type       string                 `json:"type"`
	Job        *jobLine               `json:"job,omitempty"`
	Stage      string                 `json:"stage,omitempty"`
	Progress   *bookstrack.Progress   `json:"progress,omitempty"`
	Completion *bookstrack.Completion `json:"completion,omitempty"`
	Results    any                    `json:"results,omitempty"`
	Message    string                 `json:"message,omitempty"`
	Exit       int                    `json:"exit,omitempty"`
}

// jobLine is a job without its token.
type jobLine struct {
	ID     string            `json:"id"`
	Kind   bookstrack.Kind   `json:"kind"`
	Status bookstrack.Status `json:"status,omitempty"`
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (d *display) emit(l eventLine) {
	if d.events != nil {
		_ = d.events.Encode(l)
	}
}

// started reports the started job.
func (d *display) started(job bookstrack.Job) {
	if d.events != nil {
		d.emit(eventLine{Type: "started", Job: &jobLine{ID: job.ID, Kind: job.Kind, Status: job.Status}})
		return
	}
	if !d.quiet {
		fmt.Fprintf(d.out, "started %s job %s\n", kindOf(job.Kind).name, job.ID)
	}
}

// progress shows an update.
func (d *display) progress(p bookstrack.Progress) {
	if p.EventID != "" {
		d.lastID = p.EventID
	}
	st := stage(d.kind, p)
	if d.events != nil {
		d.emit(eventLine{Type: "progress", Stage: st, Progress: &p})
		return
	}
	if d.quiet {
		return
	}
	msg := redact(cell(p.Message), d.secrets)
	if st != "" {
		msg = "[" + st + "] " + msg
	}
	pct := p.Percent()
	if !d.term {
		fmt.Fprintf(d.out, "%6s  %s\n", pct, msg)
		return
	}
	const width = 30
	fill := min(max(int(p.Fraction*width), 0), width)
	fmt.Fprintf(d.out, "\r\033[K[%s%s] %6s  %s", strings.Repeat("#", fill), strings.Repeat(".", width-fill), pct, msg)
	d.open = true
}

// notice shows a problem that does not end the watch, such as a cut
// connection.
func (d *display) notice(err error) {
	msg := oneLine(redact(noticeText(err), d.secrets))
	if d.events != nil {
		d.emit(eventLine{Type: "notice", Message: msg})
		return
	}
	if d.quiet {
		return
	}
	d.end()
	fmt.Fprintf(d.out, "  ! %s (the watch goes on)\n", msg)
}

// noticeText describes a problem of a watch: a stream's refusal by its
// status and request id rather than its body.
func noticeText(err error) string {
	var se *sse.StatusError
	if errors.As(err, &se) {
		msg := "the stream answered " + se.Status
		if id := se.Header.Get("X-Request-ID"); id != "" {
			msg += " (request id " + id + ")"
		}
		if se.RetryAfter > 0 {
			msg += fmt.Sprintf(", asking to retry after %v", se.RetryAfter)
		}
		return msg
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "the stream was cut: unexpected EOF; resuming from the last event"
	}
	return trim(err)
}

// completed reports the completion.
func (d *display) completed(c bookstrack.Completion) {
	if c.LastEventID != "" {
		d.lastID = c.LastEventID
	}
	d.emit(eventLine{Type: "completed", Completion: &c})
}

// end finishes the bar's line.
func (d *display) end() {
	if d.open {
		fmt.Fprintln(d.out)
		d.open = false
	}
}
