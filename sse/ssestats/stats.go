// Package ssestats turns the calls of an sse.Observer into the figures a
// rollout is judged on: connection and reconnection success rates,
// results-fetch success rate, errors by type (404, 429, 5xx), and
// summaries (count, min, max, mean, p50, p95, p99) of the connection
// time, the reconnection time, the progress latency and the time to the
// first message.
//
// A Stats holds one Recorder per stream name (a job type, an endpoint)
// and aggregates them in its Snapshot. A Recorder is fed by the Observer
// it returns, by Progress for the latency of updates that carry the
// server's time, and by Fetch for results fetches. The job packages
// (csvimport, scan, enrichment) feed all three themselves, under their
// job type's name ("imports", "scans", "enrichment"), when given the
// Stats:
//
//	st := ssestats.New()
//	c, err := csvimport.NewClient(bookstrack.WithStats(st))
//
// Another sse.Client is fed by its Observer:
//
//	c, err := sse.NewClient(url, h, sse.WithAddedObserver(st.Observer("prices")))
//
// Recording never blocks the event path: counters and summaries are
// atomics, and the only lock, held for a map access, is never held while
// other code runs. Summaries are fixed-size histograms (a few kilobytes
// each), whatever the number of values. Snapshot reads them without
// stopping the recording, so a snapshot taken meanwhile may lag by the
// values in flight. Publish exposes the snapshot through expvar.
//
// What counts as what:
//   - A connection attempt is an attempt made before any stream of its
//     Connect call opened; a reconnection attempt one made after
//     (sse.AttemptInfo.DownSince set). Each succeeds when it opens a
//     stream and fails when it ends otherwise, except when the client
//     stopped it (sse.ErrClosed, sse.ErrRestart, the context ending)
//     or the server answered 204, which count neither way.
//   - A drop is a stream that opened and then ended other than by the
//     client: a network error, an idle timeout, the server closing it.
//   - The connection time is sse.OpenInfo.Latency of every stream opened;
//     the reconnection time runs from DownSince to the reconnection's
//     open; the time to first message is sse.FirstEventInfo.Latency.
//   - Errors count failed attempts and failed fetches by their status:
//     404, 429, 5xx, another status, or none (network, timeout, decoding).
package ssestats

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bookstrack/bookstrack-go/sse"
)

// Stats holds the figures of named streams. Its methods are safe for
// concurrent use. The zero value is not usable: call New.
type Stats struct {
	clock sse.Clock

	mu      sync.Mutex
	streams map[string]*Recorder
}

// Option configures a Stats.
type Option func(*Stats)

// WithClock sets the clock that Progress measures latencies with
// (default sse.SystemClock); the other times come from the infos the
// Observer receives, measured by the Client's own clock.
func WithClock(c sse.Clock) Option {
	return func(s *Stats) {
		if c != nil {
			s.clock = c
		}
	}
}

// New returns an empty Stats.
func New(opts ...Option) *Stats {
	s := &Stats{clock: sse.SystemClock, streams: map[string]*Recorder{}}
	for _, opt := range opts {
		if opt != nil {
			opt(s)
		}
	}
	return s
}

// Stream returns the Recorder of the named stream, creating it on first
// use: every call with the same name returns the same Recorder.
func (s *Stats) Stream(name string) *Recorder {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.streams[name]
	if !ok {
		r = newRecorder(s.clock)
		s.streams[name] = r
	}
	return r
}

// Observer is s.Stream(name).Observer().
func (s *Stats) Observer(name string) sse.Observer { return s.Stream(name).Observer() }

// Snapshot is the figures of every stream at one moment, and their
// aggregate.
type Snapshot struct {
	// All aggregates every stream: counts add up, and summaries are
	// those of all the values recorded.
	All Figures
	// Streams holds each stream's figures by name.
	Streams map[string]Figures
}

// Names returns the names of the snapshot's streams, sorted.
func (s Snapshot) Names() []string {
	names := make([]string, 0, len(s.Streams))
	for n := range s.Streams {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Snapshot returns the figures recorded so far.
func (s *Stats) Snapshot() Snapshot {
	s.mu.Lock()
	recs := make(map[string]*Recorder, len(s.streams))
	for n, r := range s.streams {
		recs[n] = r
	}
	s.mu.Unlock()
	snap := Snapshot{Streams: make(map[string]Figures, len(recs))}
	var all acc
	for n, r := range recs {
		var one acc
		r.addTo(&one)
		r.addTo(&all)
		snap.Streams[n] = one.figures()
	}
	snap.All = all.figures()
	return snap
}

// Recorder records the figures of one stream name. Its methods are safe
// for concurrent use; get one from Stats.Stream.
type Recorder struct {
	clock sse.Clock

	connOK, connFailed     atomic.Int64
	reconnOK, reconnFailed atomic.Int64
	fetchOK, fetchFailed   atomic.Int64
	drops                  atomic.Int64
	errs                   [numErrorKinds]atomic.Int64

	connect, reconnect, progress, first *histogram

	mu       sync.Mutex
	inFlight map[uint64]attempt // attempts between their AttemptInfo and CloseInfo, by ID
}

// attempt is what the Recorder keeps of an attempt until it closes.
type attempt struct {
	start, downSince time.Time
}

func newRecorder(clock sse.Clock) *Recorder {
	return &Recorder{
		clock:     clock,
		connect:   newHistogram(),
		reconnect: newHistogram(),
		progress:  newHistogram(),
		first:     newHistogram(),
		inFlight:  map[uint64]attempt{},
	}
}

// Observer returns an Observer recording into r. It may be given to any
// number of Clients, running at the same time or not.
func (r *Recorder) Observer() sse.Observer {
	return sse.Observer{
		Attempt:    r.onAttempt,
		Open:       r.onOpen,
		FirstEvent: r.onFirstEvent,
		Close:      r.onClose,
	}
}

func (r *Recorder) onAttempt(i sse.AttemptInfo) {
	r.mu.Lock()
	r.inFlight[i.ID] = attempt{start: i.Time, downSince: i.DownSince}
	r.mu.Unlock()
}

func (r *Recorder) lookup(id uint64) (attempt, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a, ok := r.inFlight[id]
	return a, ok
}

func (r *Recorder) onOpen(i sse.OpenInfo) {
	r.connect.record(i.Latency)
	a, ok := r.lookup(i.ID)
	if !ok {
		return
	}
	if a.downSince.IsZero() {
		r.connOK.Add(1)
		return
	}
	r.reconnOK.Add(1)
	r.reconnect.record(a.start.Add(i.Latency).Sub(a.downSince))
}

func (r *Recorder) onFirstEvent(i sse.FirstEventInfo) { r.first.record(i.Latency) }

func (r *Recorder) onClose(i sse.CloseInfo) {
	r.mu.Lock()
	a, ok := r.inFlight[i.ID]
	delete(r.inFlight, i.ID)
	r.mu.Unlock()
	if stoppedByClient(i.Err) {
		return
	}
	if i.Opened {
		r.drops.Add(1)
		return
	}
	r.countError(statusOf(i.Err))
	switch {
	case !ok:
	case a.downSince.IsZero():
		r.connFailed.Add(1)
	default:
		r.reconnFailed.Add(1)
	}
}

// stoppedByClient reports whether an attempt's end is the client's doing
// (or a 204's), counted neither as a success nor as a failure.
func stoppedByClient(err error) bool {
	return err == nil || errors.Is(err, sse.ErrClosed) || errors.Is(err, sse.ErrRestart) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// statusOf returns the HTTP status of a failed attempt, 0 when it got no
// response.
func statusOf(err error) int {
	var se *sse.StatusError
	if errors.As(err, &se) {
		return se.StatusCode
	}
	return 0
}

// Progress records the latency of an update the server stamped with
// sent (bookstrack.Progress.Time, say): the time from sent to now, by the
// Stats' clock; a sent in the future counts as zero. A zero sent is
// ignored.
func (r *Recorder) Progress(sent time.Time) { r.ProgressAt(sent, r.clock.Now()) }

// ProgressAt is Progress measured at now, by a clock of the caller's:
// the job packages (bookstrack.WithStats) measure with the client's.
func (r *Recorder) ProgressAt(sent, now time.Time) {
	if sent.IsZero() {
		return
	}
	r.progress.record(now.Sub(sent))
}

// Fetch records a results fetch that took d and ended with err, the
// response's status being status (0 when there was none): it succeeds
// when err is nil. A fetch ended by its context (context.Canceled,
// context.DeadlineExceeded) counts neither way.
func (r *Recorder) Fetch(status int, d time.Duration, err error) {
	switch {
	case err == nil:
		r.fetchOK.Add(1)
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
	default:
		r.fetchFailed.Add(1)
		r.countError(status)
	}
}

// Snapshot returns the figures r recorded so far.
func (r *Recorder) Snapshot() Figures {
	var a acc
	r.addTo(&a)
	return a.figures()
}

// errorKind is the kind of a failure, an index of Recorder.errs.
type errorKind int

const (
	errNotFound errorKind = iota
	errTooMany
	errServer
	errOtherStatus
	errNoStatus
	numErrorKinds
)

func (r *Recorder) countError(status int) {
	k := errNoStatus
	switch {
	case status == http.StatusNotFound:
		k = errNotFound
	case status == http.StatusTooManyRequests:
		k = errTooMany
	case status >= 500 && status <= 599:
		k = errServer
	case status != 0:
		k = errOtherStatus
	}
	r.errs[k].Add(1)
}

// acc accumulates the figures of one or more Recorders.
type acc struct {
	conn, reconn, fetch                 Rate
	drops                               int64
	errs                                [numErrorKinds]int64
	connect, reconnect, progress, first counts
}

func (r *Recorder) addTo(a *acc) {
	a.conn.add(r.connOK.Load(), r.connFailed.Load())
	a.reconn.add(r.reconnOK.Load(), r.reconnFailed.Load())
	a.fetch.add(r.fetchOK.Load(), r.fetchFailed.Load())
	a.drops += r.drops.Load()
	for k := range r.errs {
		a.errs[k] += r.errs[k].Load()
	}
	r.connect.addTo(&a.connect)
	r.reconnect.addTo(&a.reconnect)
	r.progress.addTo(&a.progress)
	r.first.addTo(&a.first)
}

func (a *acc) figures() Figures {
	return Figures{
		Connections:     a.conn,
		Reconnections:   a.reconn,
		Fetches:         a.fetch,
		Drops:           a.drops,
		Errors:          Errors{NotFound: a.errs[errNotFound], TooManyRequests: a.errs[errTooMany], Server: a.errs[errServer], OtherStatus: a.errs[errOtherStatus], NoStatus: a.errs[errNoStatus]},
		ConnectTime:     a.connect.summary(),
		ReconnectTime:   a.reconnect.summary(),
		ProgressLatency: a.progress.summary(),
		FirstMessage:    a.first.summary(),
	}
}
