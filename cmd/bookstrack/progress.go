package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/sse"
)

// display shows a watch as it goes: a bar redrawn in place on a terminal
// whose width is known, plain lines otherwise (both on standard error),
// or, with --events, JSON lines on standard output.
type display struct {
	kind   bookstrack.Kind
	out    io.Writer // progress and notices
	term   bool
	width  func() int    // the terminal's columns, asked at each redraw; 0 when unknown
	quiet  bool          // --json off a terminal: only errors on stderr
	events *json.Encoder // nil unless --events
	open   bool          // a bar is drawn on the current line
	lastID string        // the EventID of the last update, to resume from

	completion *bookstrack.Completion // seen, not yet reported
}

// eventLine is one line of --events: type is started, progress, notice,
// completed, results or error. Its keys, and those of what it holds, are
// lowerCamelCase as in the API's JSON (see jsonValue).
type eventLine struct {
	Type       string   `json:"type"`
	Job        *jobLine `json:"job,omitempty"`
	Stage      string   `json:"stage,omitempty"`
	Progress   any      `json:"progress,omitempty"`
	Completion any      `json:"completion,omitempty"`
	Results    any      `json:"results,omitempty"`
	Message    string   `json:"message,omitempty"`
	Exit       int      `json:"exit,omitempty"`
}

// jobLine is a job without its token.
type jobLine struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Status string `json:"status,omitempty"`
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
		d.emit(eventLine{Type: "started", Job: &jobLine{ID: job.ID, Kind: string(job.Kind), Status: string(job.Status)}})
		return
	}
	if !d.quiet {
		fmt.Fprintf(d.out, "started %s job %s\n", kindOf(job.Kind).name, job.ID)
	}
}

// columns is the terminal's width, 0 when unknown or not a terminal.
func (d *display) columns() int {
	if !d.term || d.width == nil {
		return 0
	}
	return max(d.width(), 0)
}

// progress shows an update.
func (d *display) progress(p bookstrack.Progress) {
	if p.EventID != "" {
		d.lastID = p.EventID
	}
	st := stage(d.kind, p)
	if d.events != nil {
		d.emit(eventLine{Type: "progress", Stage: st, Progress: jsonValue(p)})
		return
	}
	if d.quiet {
		return
	}
	msg := cell(p.Message)
	if st != "" {
		msg = "[" + st + "] " + msg
	}
	cols := d.columns()
	if cols == 0 {
		fmt.Fprintf(d.out, "%6s  %s\n", p.Percent(), msg)
		return
	}
	fmt.Fprint(d.out, "\r\033[K"+barLine(p.Fraction, p.Percent(), msg, cols))
	d.open = true
}

// barLine is the progress line for a terminal cols wide: the bar, the
// percentage and as much of msg as fits, cut with "…". It is at most
// cols-1 runes, so that it never wraps (a line of exactly cols runes
// wraps on some terminals) and "\r" always returns to its start. The bar
// is 30 cells wide where there is room, at least 10 while the line has
// room for it, narrower only below 22 columns.
func barLine(fraction float64, pct, msg string, cols int) string {
	avail := cols - 1
	const fixed = len("[] ") + 6 + len("  ") // around the bar: brackets, percentage, gap
	width := min(30, max(10, avail-fixed-20))
	width = max(min(width, avail-fixed), 0)
	fill := min(max(int(fraction*float64(width)), 0), width)
	line := fmt.Sprintf("[%s%s] %6s", strings.Repeat("#", fill), strings.Repeat(".", width-fill), pct)
	if room := avail - utf8.RuneCountInString(line) - 2; room > 0 && msg != "" {
		line += "  " + truncate(msg, room)
	}
	return truncate(line, avail)
}

// truncate cuts s to n runes, the last being "…" when it was cut.
func truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// notice shows a problem that does not end the watch, such as a cut
// connection.
func (d *display) notice(err error) {
	msg := oneLine(noticeText(err))
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

// completed keeps the completion, reported with the results (finish).
func (d *display) completed(c bookstrack.Completion) {
	if c.LastEventID != "" {
		d.lastID = c.LastEventID
	}
	d.completion = &c
}

// finish reports the completion kept by completed, with the number of
// books of res when the results could be fetched (the completed event of
// some kinds carries no book list, or an empty one).
func (d *display) finish(res results) {
	c := d.completion
	if c == nil {
		return
	}
	d.completion = nil
	if res != nil {
		c.Books, c.HasBooks = res.books(), true
	}
	d.emit(eventLine{Type: "completed", Completion: jsonValue(*c)})
}

// end finishes the bar's line.
func (d *display) end() {
	if d.open {
		fmt.Fprintln(d.out)
		d.open = false
	}
}
