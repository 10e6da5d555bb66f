package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/jobs"
	"github.com/bookstrack/bookstrack-go/internal/jobtest"
	"github.com/bookstrack/bookstrack-go/internal/settings"
	"github.com/bookstrack/bookstrack-go/sse"
)

// FuzzPayload feeds the watch state machine one event of any type with
// any data, as a stream delivers it. It must never panic, deliver at
// most one update, keep fractions in 0..1, and deliver unchanged the
// fields the server sent well-typed: jobId, message, counts, a
// non-terminal fraction (clamped), a failure's code and message.
func FuzzPayload(f *testing.F) {
	for _, seed := range []struct{ typ, data string }{
		{"progress", `{"jobId":"j1","status":"processing","progress":0.8333333333333334,"processedCount":50,"totalCount":60,"message":"Processing photo 2 of 3","timestamp":"2026-12-02T12:00:00Z"}`},
		{"initialized", `{"status":"queued","progress":0,"startTime":1764676800000}`},
		{"processing", `{"status":"processing","progress":"0.5","processedCount":"3","totalCount":3.0}`},
		{"progress", `{"status":"processing","progress":0.5,"processedCount":1.5}`},
		{"completed", `{"status":"completed","progress":100,"processedCount":3,"totalCount":3,"completedAt":"2026-12-02T12:00:00Z","books":[{},{},{}]}`},
		{"completed", `{"status":"completed","completedTime":1764676800000,"results":[]}`},
		{"failed", `{"error":{"code":"ENRICHMENT_FAILED","message":"provider down","retryable":true}}`},
		{"failed", `{"error":"job_not_found"}`},
		{"canceled", `{"status":"cancelled","error":{"code":"CANCELED"}}`},
		{"error", `{"error":{"code":"JOB_NOT_FOUND","message":"gone"}}`},
		{"timeout", `{"error":{"code":"STREAM_TIMEOUT","message":"idle"}}`},
		{"progress", `{"status":`},
		{"progress", `null`},
		{"progress", `[]`},
	} {
		f.Add(seed.typ, seed.data)
	}
	f.Fuzz(func(t *testing.T, typ, data string) {
		var delivered []bookstrack.Progress
		var completions []bookstrack.Completion
		h := bookstrack.Handlers{
			Progress:  func(p bookstrack.Progress) { delivered = append(delivered, p) },
			Completed: func(c bookstrack.Completion) { completions = append(completions, c) },
		}
		w := jobs.NewWatch(settings.MustNew([]bookstrack.Option(nil)), bookstrack.Job{ID: jobID}, h, nil, nil)
		s := &fakeStream{watch: w}
		out := make(chan outcome, 1)
		events := []sse.Event{{Type: typ, Data: data, ID: "1"}, {Type: "completed", Data: `{}`, ID: "2"}}
		go func() {
			c, err := w.Follow(context.Background(), s, func(context.Context) error {
				for _, e := range events {
					w.HandleEvent(e)
				}
				return sse.ErrClosed
			})
			out <- outcome{c, err}
		}()
		o := <-out
		if len(delivered) > 2 || len(completions) > 1 {
			t.Fatalf("%d updates and %d completions for two events", len(delivered), len(completions))
		}
		for _, p := range delivered {
			if !(p.Fraction >= 0 && p.Fraction <= 1) {
				t.Fatalf("fraction %v outside 0..1", p.Fraction)
			}
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal([]byte(data), &obj) != nil || obj == nil {
			return
		}
		var first bookstrack.Progress
		if len(delivered) > 0 && delivered[0].EventID == "1" {
			first = delivered[0]
		}
		if first.EventID == "1" {
			if id, ok := jobtest.SentString(obj, "jobId"); ok && id != "" && first.JobID != id {
				t.Fatalf("jobId %q delivered as %q", id, first.JobID)
			}
			if m, ok := jobtest.SentString(obj, "message"); ok && first.Message != m {
				t.Fatalf("message %q delivered as %q", m, first.Message)
			}
			for name, got := range map[string]int{"processedCount": first.Processed, "totalCount": first.Total} {
				if n, ok := jobtest.SentNumber(obj, name); ok && n == math.Trunc(n) && math.Abs(n) <= math.MaxInt32 && float64(got) != n {
					t.Fatalf("%s %v delivered as %d", name, n, got)
				}
			}
			if fr, ok := jobtest.SentNumber(obj, "progress"); ok && !first.Status.Terminal() && first.Fraction != min(max(fr, 0), 1) {
				t.Fatalf("progress %v delivered as %v", fr, first.Fraction)
			}
		}
		var jf *bookstrack.JobFailedError
		if errors.As(o.err, &jf) {
			var e map[string]json.RawMessage
			if raw, ok := jobtest.Sent(obj, "error"); ok && json.Unmarshal(raw, &e) == nil {
				if code, ok := jobtest.SentString(e, "code"); ok && jf.Code != code {
					t.Fatalf("error code %q delivered as %q", code, jf.Code)
				}
				if m, ok := jobtest.SentString(e, "message"); ok && m != "" && jf.Message != m {
					t.Fatalf("error message %q delivered as %q", m, jf.Message)
				}
			}
		}
		if o.err == nil && len(completions) == 1 && typ == "completed" {
			for name, got := range map[string]int{"processedCount": completions[0].Processed, "totalCount": completions[0].Total} {
				if n, ok := jobtest.SentNumber(obj, name); ok && n == math.Trunc(n) && math.Abs(n) <= math.MaxInt32 && float64(got) != n {
					t.Fatalf("completed %s %v delivered as %d", name, n, got)
				}
			}
		}
	})
}
