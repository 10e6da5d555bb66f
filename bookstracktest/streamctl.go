package bookstracktest

import (
	"context"
	"net/http"
	"strconv"
	"strings"
)

// OpenStreams returns how many streams of the job are open: connected,
// past their opening events and waiting for updates.
func (s *Server) OpenStreams(jobID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.openStreamsLocked(strings.ToLower(jobID))
}

func (s *Server) openStreamsLocked(jobID string) int {
	j := s.jobs[jobID]
	if j == nil {
		return 0
	}
	n := 0
	for st := range j.streams {
		if st.open {
			n++
		}
	}
	return n
}

// WaitStreams blocks until at least n streams of the job are open (see
// OpenStreams), so that a test can advance its clock knowing the streams
// will see what follows and their heartbeat and timeout timers are armed.
// It returns ctx's error if ctx ends first, and http.ErrServerClosed if
// the Server closes.
func (s *Server) WaitStreams(ctx context.Context, jobID string, n int) error {
	jobID = strings.ToLower(jobID)
	for {
		s.mu.Lock()
		open, changed := s.openStreamsLocked(jobID), s.streamsChanged
		s.mu.Unlock()
		if open >= n {
			return nil
		}
		select {
		case <-changed:
		case <-s.done:
			return http.ErrServerClosed
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// DropStreams abruptly cuts every open stream of the job: each gets half
// an event, then its TCP connection is closed without ending the chunked
// body, so clients see an unexpected EOF in the middle of an event. It
// returns once they are cut, with how many there were.
func (s *Server) DropStreams(jobID string) int {
	return s.toStreams(jobID, func(j *job) streamItem {
		// Half of a progress event (without using up an event id),
		// cut in the middle of its data line.
		now := s.clock.Now()
		data := string(marshal(progressData{
			JobID: j.id, Status: j.status, Message: j.message, Progress: j.progress,
			ProcessedCount: j.processed, TotalCount: j.total, Timestamp: s.stamp(now),
		}))
		raw := "id: " + strconv.FormatInt(now.UnixMilli(), 10) + "-progress\nevent: progress\ndata: " + data[:len(data)/2]
		return streamItem{kind: itemDrop, raw: raw}
	})
}

// SendRaw writes raw, as it is, to every open stream of the job: half
// events, malformed JSON, unknown event types... It returns once the bytes
// are written, with how many streams got them.
func (s *Server) SendRaw(jobID string, raw string) int {
	return s.toStreams(jobID, func(*job) streamItem { return streamItem{kind: itemRaw, raw: raw} })
}

// StreamError sends every open stream of the job the server-fault event
// (`error`, code STREAM_ERROR, retryable) and closes it cleanly. It
// returns once they are closed, with how many there were.
func (s *Server) StreamError(jobID string) int {
	return s.toStreams(jobID, func(j *job) streamItem {
		return streamItem{kind: itemError, ev: s.streamErrorEvent(j.id, s.clock.Now())}
	})
}

// toStreams queues an item on every stream of the job and waits until
// each is handled or its stream is gone.
func (s *Server) toStreams(jobID string, item func(*job) streamItem) int {
	s.mu.Lock()
	j := s.lookupLocked("", strings.ToLower(jobID))
	if j == nil {
		s.mu.Unlock()
		return 0
	}
	var acks []chan struct{}
	for st := range j.streams {
		it := item(j)
		it.ack = make(chan struct{})
		if st.enqueueLocked(it) {
			acks = append(acks, it.ack)
		}
	}
	s.mu.Unlock()
	for _, ack := range acks {
		<-ack
	}
	return len(acks)
}
