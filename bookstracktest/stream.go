package bookstracktest

import (
	"crypto/subtle"
	"io"
	"net/http"
	"strings"

	"github.com/bookstrack/bookstrack-go/sse"
)

// resumeWindow is how recent a Last-Event-ID must be for the snapshot to
// be skipped, in milliseconds.
const resumeWindow = 10_000

// stream is an open stream of a job. Its fields are guarded by Server.mu.
type stream struct {
	job   *job
	queue []streamItem
	wake  chan struct{} // capacity 1: the queue has items
	open  bool          // the opening events are out and the timers armed
	gone  bool          // the handler has returned
}

type itemKind int

const (
	itemUpdate itemKind = iota + 1 // a live update: resets the stream timeout
	itemFinal                      // the final event, then close
	itemRaw                        // raw bytes from SendRaw
	itemDrop                       // half an event, then cut the connection
	itemError                      // a STREAM_ERROR event, then close
)

type streamItem struct {
	kind itemKind
	ev   sse.Event
	raw  string
	ack  chan struct{} // closed once the item is handled or the stream is gone; may be nil
}

// enqueueLocked adds an item for the stream's handler. It reports false,
// acknowledging the item at once, when the handler is gone.
func (st *stream) enqueueLocked(it streamItem) bool {
	if st.gone {
		if it.ack != nil {
			close(it.ack)
		}
		return false
	}
	st.queue = append(st.queue, it)
	select {
	case st.wake <- struct{}{}:
	default:
	}
	return true
}

// serveStream serves GET .../{id}/stream.
func (s *Server) serveStream(c *call, rt route) {
	if !strings.Contains(strings.ToLower(strings.Join(c.r.Header.Values("Accept"), ",")), "text/event-stream") {
		c.invalid("the stream route needs Accept: text/event-stream",
			fieldError{Field: "Accept", Message: "must accept text/event-stream", Code: "INVALID_HEADER"})
		return
	}
	token, ok := bearerToken(c.r)
	if !ok || !isToken(token) {
		c.unauthorized("INVALID_TOKEN", "A bearer token of 64 lowercase hex characters is required")
		return
	}
	lastID := c.r.Header.Get("Last-Event-ID")
	s.mu.Lock()
	j := s.lookupLocked(rt.kind, rt.id)
	if j != nil && subtle.ConstantTimeCompare([]byte(token), []byte(j.token)) != 1 {
		s.mu.Unlock()
		c.unauthorized("INVALID_TOKEN", "The token does not belong to this job")
		return
	}
	if j != nil && (j.tokenRevoked || !off(s.cfg.tokenTTL) && !s.clock.Now().Before(j.tokenIssued.Add(s.cfg.tokenTTL))) {
		s.mu.Unlock()
		c.unauthorized("TOKEN_EXPIRED", "The token has expired; start a new job")
		return
	}
	var opening []sse.Event
	var st *stream
	if j != nil {
		opening, st = s.openLocked(j, lastID)
	} else {
		opening = []sse.Event{s.notFoundEvent(rt.id, rt.v2, s.clock.Now())}
	}
	s.mu.Unlock()

	h := c.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	c.w.WriteHeader(http.StatusOK)
	comment := "connection established"
	if lastID != "" {
		comment = "reconnected from event " + strings.NewReplacer("\r", "", "\n", "").Replace(lastID)
	}
	_, err := io.WriteString(c.w, ": "+comment+"\nretry: 5000\n\n")
	for _, ev := range opening {
		if err == nil {
			_, err = ev.WriteTo(c.w)
		}
	}
	if err == nil {
		err = c.rc.Flush()
	}
	if st == nil {
		return // unknown or ended job: all is said
	}
	if err != nil {
		s.closeStream(st)
		return
	}
	s.runStream(c, st)
}

// openLocked returns the events a new stream of j starts with, and the
// stream subscribed to j's updates, or nil when j has ended and the
// stream must close after them.
//
// The snapshot comes first unless Last-Event-ID carries milliseconds less
// than 10 s old; then the kept updates newer than those milliseconds.
// A Last-Event-ID without leading milliseconds gets a snapshot and no
// replay. An ended job gives only its final event (after a terminal
// snapshot under Quirks.TerminalSnapshot).
func (s *Server) openLocked(j *job, lastID string) ([]sse.Event, *stream) {
	now := s.clock.Now()
	ms, resumed := eventMillis(lastID)
	snapshot := !resumed || now.UnixMilli()-ms >= resumeWindow
	var evs []sse.Event
	if j.hasEnded() {
		if s.cfg.quirks.TerminalSnapshot && snapshot {
			evs = append(evs, s.snapshotEvent(j, now))
		}
		return append(evs, s.finalEventLocked(j)), nil
	}
	if snapshot {
		evs = append(evs, s.snapshotEvent(j, now))
	}
	if resumed {
		for _, k := range j.kept {
			if k.ms > ms {
				evs = append(evs, k.ev)
			}
		}
	}
	st := &stream{job: j, wake: make(chan struct{}, 1)}
	j.streams[st] = struct{}{}
	return evs, st
}

// runStream sends st's live items, heartbeats and timeout until the
// stream ends.
func (s *Server) runStream(c *call, st *stream) {
	quit := make(chan struct{})
	pingC := make(chan struct{})
	timeoutC := make(chan int)
	var pingT, timeoutT *timer
	timeoutGen := 0
	armPing := func() {
		if off(s.cfg.pingInterval) {
			return
		}
		pingT = s.timers.after(s.cfg.pingInterval, func() {
			select {
			case pingC <- struct{}{}:
			case <-quit:
			}
		})
	}
	armTimeout := func() {
		timeoutT.stop()
		if off(s.cfg.streamTimeout) {
			return
		}
		timeoutGen++
		gen := timeoutGen
		timeoutT = s.timers.after(s.cfg.streamTimeout, func() {
			select {
			case timeoutC <- gen:
			case <-quit:
			}
		})
	}
	armPing()
	armTimeout()
	defer func() {
		close(quit)
		pingT.stop()
		timeoutT.stop()
		s.closeStream(st)
	}()
	s.mu.Lock()
	st.open = true
	s.notifyStreamsLocked()
	s.mu.Unlock()

	jobID := st.job.id
	for {
		select {
		case <-s.done:
			return
		case <-c.r.Context().Done():
			return
		case <-pingC:
			armPing()
			if s.writePing(c) != nil {
				return
			}
		case gen := <-timeoutC:
			if gen != timeoutGen {
				continue
			}
			_ = writeEvent(c, s.timeoutEvent(jobID, s.clock.Now()))
			return
		case <-st.wake:
			for {
				s.mu.Lock()
				if len(st.queue) == 0 {
					s.mu.Unlock()
					break
				}
				it := st.queue[0]
				st.queue = st.queue[1:]
				s.mu.Unlock()
				if it.kind == itemUpdate {
					armTimeout()
				}
				end := s.writeItem(c, it)
				if end {
					// Closed before the acknowledgement, so that whoever
					// waits for it sees the stream gone.
					s.closeStream(st)
				}
				if it.ack != nil {
					close(it.ack)
				}
				if end {
					return
				}
			}
		}
	}
}

// writeItem writes one queued item and reports whether the stream ends.
func (s *Server) writeItem(c *call, it streamItem) bool {
	switch it.kind {
	case itemUpdate:
		return writeEvent(c, it.ev) != nil
	case itemRaw:
		_, err := io.WriteString(c.w, it.raw)
		if err == nil {
			err = c.rc.Flush()
		}
		return err != nil
	case itemDrop:
		// Half an event, then the TCP connection closes without the
		// chunked body's last chunk.
		if _, err := io.WriteString(c.w, it.raw); err == nil {
			_ = c.rc.Flush()
		}
		if conn, _, err := c.rc.Hijack(); err == nil {
			_ = conn.Close()
		}
		return true
	default: // itemFinal, itemError
		_ = writeEvent(c, it.ev)
		return true
	}
}

func (s *Server) writePing(c *call) error {
	if s.cfg.quirks.CommentHeartbeat {
		if _, err := io.WriteString(c.w, ": heartbeat\n\n"); err != nil {
			return err
		}
		return c.rc.Flush()
	}
	return writeEvent(c, s.pingEvent(s.clock.Now()))
}

func writeEvent(c *call, ev sse.Event) error {
	if _, err := ev.WriteTo(c.w); err != nil {
		return err
	}
	return c.rc.Flush()
}

// closeStream unsubscribes a stream whose handler is returning and
// acknowledges what it left unsent. Calls after the first do nothing.
func (s *Server) closeStream(st *stream) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.gone {
		return
	}
	st.gone = true
	delete(st.job.streams, st)
	for _, it := range st.queue {
		if it.ack != nil {
			close(it.ack)
		}
	}
	st.queue = nil
	s.notifyStreamsLocked()
}

func (s *Server) notifyStreamsLocked() {
	close(s.streamsChanged)
	s.streamsChanged = make(chan struct{})
}

// bearerToken returns the token of an "Authorization: Bearer" header.
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// unauthorized writes a 401: UNAUTHORIZED in problem details, legacyCode
// in the legacy envelope.
func (c *call) unauthorized(legacyCode, detail string) {
	c.fail(problem{status: http.StatusUnauthorized, code: "UNAUTHORIZED", legacy: legacyCode, detail: detail})
}
