package ssestats

import (
	"fmt"
	"time"
)

// Figures are the figures of one stream, or of several aggregated. Every
// field is a plain value; durations are in nanoseconds once encoded as
// JSON.
type Figures struct {
	// Connections counts the connection attempts: those made before
	// their Connect call had opened a stream.
	Connections Rate
	// Reconnections counts the attempts made after a stream had opened.
	Reconnections Rate
	// Fetches counts the results fetches.
	Fetches Rate
	// Drops counts the streams that opened and then ended other than by
	// the client.
	Drops int64
	// Errors counts the failed attempts and fetches by type.
	Errors Errors
	// ConnectTime summarises the time from each attempt's start to its
	// response headers, for every stream opened.
	ConnectTime Summary
	// ReconnectTime summarises, for every reconnection that opened a
	// stream, the time from the end of the previous stream to the new
	// one's response headers, delays and failed attempts included.
	ReconnectTime Summary
	// ProgressLatency summarises the time from the server's timestamp of
	// an update to its recording (Recorder.Progress).
	ProgressLatency Summary
	// FirstMessage summarises the time from each attempt's start to its
	// first event.
	FirstMessage Summary
}

// Rate counts successes and failures.
type Rate struct {
	Succeeded, Failed int64
}

func (r *Rate) add(ok, failed int64) { r.Succeeded += ok; r.Failed += failed }

// Total returns Succeeded + Failed.
func (r Rate) Total() int64 { return r.Succeeded + r.Failed }

// Ratio returns the share of successes, from 0 to 1; ok is false when
// nothing was counted.
func (r Rate) Ratio() (ratio float64, ok bool) {
	if r.Total() == 0 {
		return 0, false
	}
	return float64(r.Succeeded) / float64(r.Total()), true
}

// String formats the rate as "99.5 % (199/200)", or "-" when nothing was
// counted.
func (r Rate) String() string {
	ratio, ok := r.Ratio()
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%.1f %% (%d/%d)", ratio*100, r.Succeeded, r.Total())
}

// Errors counts failures by type.
type Errors struct {
	NotFound        int64 `json:"404"`
	TooManyRequests int64 `json:"429"`
	Server          int64 `json:"5xx"`
	// OtherStatus counts the other error statuses (401, 400, ...).
	OtherStatus int64 `json:"otherStatus"`
	// NoStatus counts the failures without a response status: network
	// errors, timeouts, undecodable bodies.
	NoStatus int64 `json:"noStatus"`
}

// String formats the counts as "404: 1, 429: 0, 5xx: 2, other: 0, no status: 0".
func (e Errors) String() string {
	return fmt.Sprintf("404: %d, 429: %d, 5xx: %d, other: %d, no status: %d",
		e.NotFound, e.TooManyRequests, e.Server, e.OtherStatus, e.NoStatus)
}

// Summary describes a set of durations. The quantiles are within about
// 3 % of the exact ones (and exact for a single value); all fields are
// zero when Count is.
type Summary struct {
	Count          int64
	Min, Max, Mean time.Duration
	P50, P95, P99  time.Duration
}

// Objectives are targets for the figures: the lowest acceptable success
// rates (0.99 for 99 %), and the highest acceptable 95th percentile of
// each time. A zero field sets no target.
type Objectives struct {
	ConnectionSuccess, ReconnectionSuccess, FetchSuccess      float64
	ConnectTime, ReconnectTime, ProgressLatency, FirstMessage time.Duration
}

// Plan returns the iOS migration plan's objectives: connection success
// over 99 %, reconnection success over 95 %, results-fetch success over
// 99 %, connection time under 100 ms, reconnection time under 5 s,
// progress latency under 50 ms, and time to first message under 500 ms.
func Plan() Objectives {
	return Objectives{
		ConnectionSuccess:   0.99,
		ReconnectionSuccess: 0.95,
		FetchSuccess:        0.99,
		ConnectTime:         100 * time.Millisecond,
		ReconnectTime:       5 * time.Second,
		ProgressLatency:     50 * time.Millisecond,
		FirstMessage:        500 * time.Millisecond,
	}
}

// Outcome is how a figure stands against its target.
type Outcome int

const (
	// NoData: nothing was counted, or there is no target.
	NoData Outcome = iota
	// Pass: the figure meets its target.
	Pass
	// Miss: the figure misses its target.
	Miss
)

// String returns "pass", "miss" or "no data".
func (o Outcome) String() string {
	switch o {
	case Pass:
		return "pass"
	case Miss:
		return "miss"
	}
	return "no data"
}

// Verdict is one figure set against its target.
type Verdict struct {
	// Figure names the figure, such as "connection success".
	Figure string
	// Value is the figure, formatted: a Rate's String, or the 95th
	// percentile and count of a Summary ("42ms (n=12)"); "-" without
	// data.
	Value string
	// Target is the objective, formatted: "> 99 %", "< 100ms"; "-"
	// without one.
	Target string
	Outcome
}

// Check sets each figure with an objective against it, in the order of
// the fields of Objectives. A rate passes when it is above its target,
// a time when its 95th percentile is below.
func (f Figures) Check(o Objectives) []Verdict {
	return []Verdict{
		rateVerdict("connection success", f.Connections, o.ConnectionSuccess),
		rateVerdict("reconnection success", f.Reconnections, o.ReconnectionSuccess),
		rateVerdict("results-fetch success", f.Fetches, o.FetchSuccess),
		timeVerdict("connection time", f.ConnectTime, o.ConnectTime),
		timeVerdict("reconnection time", f.ReconnectTime, o.ReconnectTime),
		timeVerdict("progress latency", f.ProgressLatency, o.ProgressLatency),
		timeVerdict("time to first message", f.FirstMessage, o.FirstMessage),
	}
}

func rateVerdict(name string, r Rate, target float64) Verdict {
	v := Verdict{Figure: name, Value: r.String(), Target: "-"}
	if target > 0 {
		v.Target = fmt.Sprintf("> %g %%", target*100)
	}
	if ratio, ok := r.Ratio(); ok && target > 0 {
		v.Outcome = outcome(ratio > target)
	}
	return v
}

func timeVerdict(name string, s Summary, target time.Duration) Verdict {
	v := Verdict{Figure: name, Value: "-", Target: "-"}
	if s.Count > 0 {
		v.Value = fmt.Sprintf("%v (n=%d)", round(s.P95), s.Count)
	}
	if target > 0 {
		v.Target = "< " + target.String()
		if s.Count > 0 {
			v.Outcome = outcome(s.P95 < target)
		}
	}
	return v
}

func outcome(ok bool) Outcome {
	if ok {
		return Pass
	}
	return Miss
}

// round keeps three significant digits: 1.23s, 45.6ms, 789µs.
func round(d time.Duration) time.Duration {
	p := time.Duration(1)
	for d/p >= 1000 {
		p *= 10
	}
	return d.Round(p)
}
