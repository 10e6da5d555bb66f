package bookstracktest

import (
	"github.com/bookstrack/bookstrack-go"
	"strconv"
	"time"

	"github.com/bookstrack/bookstrack-go/sse"
)

// The job statuses, as the wire spells them: bookstrack's.
const (
	statusQueued     = string(bookstrack.StatusQueued)
	statusProcessing = string(bookstrack.StatusProcessing)
	statusCompleted  = string(bookstrack.StatusCompleted)
	statusFailed     = string(bookstrack.StatusFailed)
	statusCanceled   = string(bookstrack.StatusCanceled)
)

// keptUpdates is how many updates a job keeps for replay, as the real
// server.
const keptUpdates = 100

// job is the state of one job. Every field is guarded by Server.mu.
type job struct {
	id, kind string

	token        string
	tokenIssued  time.Time
	tokenRevoked bool

	created, updated, ended time.Time
	status                  string
	message                 string
	progress                float64
	processed, total        int
	failure                 *jobError

	steps  []step // the ladder, all its work done at start
	next   int    // index of the next step
	paused bool
	gen    int    // bumped to invalidate the scheduled callback
	timer  *timer // the next step, or the final event

	lastMs    int64       // the millisecond of the last event id given out
	kept      []keptEvent // the last keptUpdates updates, for replay
	final     *sse.Event  // the final event, made when first needed
	finalSent bool        // the final event went to the open streams
	streams   map[*stream]struct{}

	results     any  // the results route's "results"
	list        any  // the array of the final completed event
	queuedBooks bool // the queued completed event carries an empty books array
}

type keptEvent struct {
	ms int64
	ev sse.Event
}

func (j *job) hasEnded() bool { return !j.ended.IsZero() }

// newJobLocked registers a job that will climb steps, one every step
// interval.
func (s *Server) newJobLocked(kind string, steps []step, results, list any) *job {
	now := s.clock.Now()
	for id, old := range s.jobs {
		if s.expiredLocked(old, now) {
			s.forgetLocked(old)
			delete(s.jobs, id)
		}
	}
	j := &job{
		id: newUUID(), kind: kind,
		token: newToken(), tokenIssued: now,
		created: now, updated: now,
		status:  statusQueued,
		steps:   steps,
		streams: map[*stream]struct{}{},
		results: results, list: list,
		queuedBooks: kind == kindImports,
	}
	s.jobs[j.id] = j
	s.scheduleLocked(j, s.cfg.stepInterval, s.stepLocked)
	return j
}

func (s *Server) expiredLocked(j *job, now time.Time) bool {
	return !off(s.cfg.jobTTL) && !now.Before(j.created.Add(s.cfg.jobTTL))
}

// forgetLocked stops whatever a job has scheduled.
func (s *Server) forgetLocked(j *job) {
	j.gen++
	j.timer.stop()
	j.timer = nil
}

// lookupLocked returns the job of that id and kind (any kind when kind is
// ""), or nil when there is none or its state has expired.
func (s *Server) lookupLocked(kind, id string) *job {
	j := s.jobs[id]
	if j == nil {
		return nil
	}
	if s.expiredLocked(j, s.clock.Now()) {
		s.forgetLocked(j)
		delete(s.jobs, id)
		return nil
	}
	if kind != "" && j.kind != kind {
		return nil
	}
	return j
}

// scheduleLocked replaces whatever j had scheduled with a call of f after
// d, made with s.mu held, unless the job reschedules first.
func (s *Server) scheduleLocked(j *job, d time.Duration, f func(*job)) {
	s.forgetLocked(j)
	gen := j.gen
	j.timer = s.timers.after(d, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if j.gen != gen {
			return
		}
		j.timer = nil
		f(j)
	})
}

// stepLocked climbs one step of the ladder. The next step is scheduled
// before the update goes out, so a test that has read the update can
// advance its clock at once.
func (s *Server) stepLocked(j *job) {
	if j.hasEnded() || j.paused {
		return
	}
	st := j.steps[j.next]
	j.next++
	if st.terminal {
		j.processed, j.total, j.message = st.processed, st.total, st.message
		status := statusCompleted
		if st.fail != nil {
			status = statusFailed
		}
		s.endLocked(j, status, st.fail)
		return
	}
	now := s.clock.Now()
	j.status, j.message, j.progress = statusProcessing, st.message, st.progress
	j.processed, j.total, j.updated = st.processed, st.total, now
	s.scheduleLocked(j, s.cfg.stepInterval, s.stepLocked)
	s.publishLocked(j, s.progressEvent(j, now))
}

// endLocked makes j terminal: it sends the queued terminal event now and
// the final one after the final delay.
func (s *Server) endLocked(j *job, status string, failure *jobError) {
	now := s.clock.Now()
	j.status, j.failure, j.ended, j.updated = status, failure, now, now
	if status == statusCompleted {
		j.progress = 1
	}
	var ev sse.Event
	if status == statusCompleted {
		ev = s.completedEvent(j, now)
	} else {
		ev = s.failedEvent(j, now)
	}
	s.scheduleLocked(j, max(s.cfg.finalDelay, 0), s.sendFinalLocked)
	s.publishLocked(j, ev)
}

// sendFinalLocked sends the final event to the open streams, which then
// close.
func (s *Server) sendFinalLocked(j *job) {
	j.finalSent = true
	ev := s.finalEventLocked(j)
	for st := range j.streams {
		st.enqueueLocked(streamItem{kind: itemFinal, ev: ev})
	}
}

// finalEventLocked returns the final event of an ended job, making it the
// first time.
func (s *Server) finalEventLocked(j *job) sse.Event {
	if j.final == nil {
		ev := s.finalEvent(j, s.clock.Now())
		j.final = &ev
	}
	return *j.final
}

// publishLocked keeps an update for replay and sends it to the open
// streams.
func (s *Server) publishLocked(j *job, ev sse.Event) {
	ms, _ := eventMillis(ev.ID)
	j.kept = append(j.kept, keptEvent{ms: ms, ev: ev})
	if len(j.kept) > keptUpdates {
		j.kept = append(j.kept[:0:0], j.kept[len(j.kept)-keptUpdates:]...)
	}
	for st := range j.streams {
		st.enqueueLocked(streamItem{kind: itemUpdate, ev: ev})
	}
}

// nextIDLocked returns an event id "<ms>-<suffix>". Its milliseconds
// strictly increase within a job: when the clock has not moved past the
// last id given out, the last one plus 1 ms is used.
func (s *Server) nextIDLocked(j *job, now time.Time, suffix string) string {
	ms := now.UnixMilli()
	if ms <= j.lastMs {
		ms = j.lastMs + 1
	}
	j.lastMs = ms
	return strconv.FormatInt(ms, 10) + "-" + suffix
}
