package asyncapi_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/bookstrack/bookstrack-go"
	"io"
	"mime/multipart"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// streamTimeout is the fakes' stream timeout here: shorter than two ping
// intervals, so that a ping and the timeout never fall due at once.
const streamTimeout = 45 * time.Second

// mode is one quirk configuration of the fake.
type mode struct {
	name   string
	quirks bookstracktest.Quirks
}

// stringQuirks lists the values of the Quirks fields that are strings,
// other than their default "".
var stringQuirks = map[string][]string{
	"ResultsField":      {"results"},
	"EnrichmentResults": {"array", "empty"},
}

// quirkModes returns the default mode, one mode per quirk switch (each
// bool on its own, each string value on its own) and one with every
// switch on at once. A Quirks field this test does not know fails it, so
// that a new quirk cannot go unchecked.
func quirkModes(t *testing.T) []mode {
	t.Helper()
	modes := []mode{{name: "default"}}
	var all bookstracktest.Quirks
	allV := reflect.ValueOf(&all).Elem()
	typ := reflect.TypeOf(all)
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		switch f.Type.Kind() {
		case reflect.Bool:
			var q bookstracktest.Quirks
			reflect.ValueOf(&q).Elem().Field(i).SetBool(true)
			modes = append(modes, mode{name: f.Name, quirks: q})
			allV.Field(i).SetBool(true)
		case reflect.String:
			values, ok := stringQuirks[f.Name]
			if !ok {
				t.Fatalf("Quirks.%s is new: list its values in stringQuirks", f.Name)
			}
			for _, v := range values {
				var q bookstracktest.Quirks
				reflect.ValueOf(&q).Elem().Field(i).SetString(v)
				modes = append(modes, mode{name: f.Name + "=" + v, quirks: q})
			}
			allV.Field(i).SetString(values[0])
		default:
			t.Fatalf("Quirks.%s has kind %s, which this test cannot switch", f.Name, f.Type.Kind())
		}
	}
	return append(modes, mode{name: "all", quirks: all})
}

// The job kinds, with the stream routes of the two route sets.
var kinds = []struct {
	name       string
	v3, v2     string // stream address templates, as the document's channels
	statusPath string
}{
	{string(bookstrack.KindImport), "/v3/jobs/imports/{jobId}/stream", "/api/v2/imports/{jobId}/stream", "/v3/jobs/imports/"},
	{string(bookstrack.KindScan), "/v3/jobs/scans/{jobId}/stream", "/api/v2/scans/{jobId}/stream", "/v3/jobs/scans/"},
	{string(bookstrack.KindEnrichment), "/v3/jobs/enrichment/{jobId}/stream", "/api/v2/enrichments/{jobId}/stream", "/v3/jobs/enrichment/"},
}

// frame is what a stream carried: an event with whether it had its own id
// field, a comment, or a retry field.
type frame struct {
	sse.Frame
	ownID bool
}

// fake is one fake API on a fake clock, with what a scenario needs.
type fake struct {
	t       *testing.T
	ctx     context.Context
	srv     *bookstracktest.Server
	clk     *ssetest.Clock
	kind    string
	address string // the stream address template
}

func newFake(t *testing.T, q bookstracktest.Quirks, kind, address string) *fake {
	t.Helper()
	clk := ssetest.NewClock(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	srv := bookstracktest.NewServer(t, bookstracktest.WithClock(clk), bookstracktest.WithQuirks(q),
		bookstracktest.WithStreamTimeout(streamTimeout))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return &fake{t: t, ctx: ctx, srv: srv, clk: clk, kind: kind, address: address}
}

// start starts a job of the fake's kind and returns its id and token.
func (f *fake) start() (id, token string) {
	f.t.Helper()
	var body bytes.Buffer
	var path, ct string
	switch f.kind {
	case string(bookstrack.KindImport):
		path, ct = "/v3/jobs/imports", f.multipart(&body, "file", []byte(
			"Title,Author,Additional Authors,ISBN,ISBN13,Publisher,Number of Pages,Year Published\n"+
				"Pride and Prejudice,Jane Austen,,=\"0141439513\",=\"9780141439518\",,432,2003\n"+
				"A Book Nobody Has,Ann Onymous,\"B. Writer, C. Writer\",=\"\",=\"\",Small Press,120,1999\n"+
				",No Title,,,,,,\n"))
	case string(bookstrack.KindScan):
		path, ct = "/v3/jobs/scans", f.multipart(&body, "photos[]", []byte("left shelf"), []byte("right shelf"))
	case string(bookstrack.KindEnrichment):
		path, ct = "/v3/books/enrich", "application/json"
		fmt.Fprintf(&body, `{"isbns":[%q,%q,"9780000000002"],"async":true}`,
			bookstracktest.Catalogue()[0].ISBN13, bookstracktest.Catalogue()[1].ISBN10)
	}
	req, err := http.NewRequestWithContext(f.ctx, http.MethodPost, f.srv.URL+path, &body)
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		Data struct {
			JobID     string `json:"jobId"`
			Token     string `json:"token"`
			AuthToken string `json:"authToken"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || resp.StatusCode != http.StatusAccepted {
		f.t.Fatalf("start %s: %d %v", f.kind, resp.StatusCode, err)
	}
	token = env.Data.Token
	if token == "" {
		token = env.Data.AuthToken
	}
	return env.Data.JobID, token
}

func (f *fake) multipart(body *bytes.Buffer, field string, files ...[]byte) string {
	mw := multipart.NewWriter(body)
	for i, data := range files {
		w, err := mw.CreateFormFile(field, "file"+strconv.Itoa(i))
		if err != nil {
			f.t.Fatal(err)
		}
		_, _ = w.Write(data)
	}
	if err := mw.Close(); err != nil {
		f.t.Fatal(err)
	}
	return mw.FormDataContentType()
}

// stream is an open stream of a job, read frame by frame.
type stream struct {
	f      *fake
	body   io.ReadCloser
	dec    *sse.Decoder
	lastID string
	frames *[]frame
}

// open connects to the job's stream, resuming from lastEventID when it
// is not empty; every frame read is appended to frames.
func (f *fake) open(id, token, lastEventID string, frames *[]frame) *stream {
	f.t.Helper()
	url := f.srv.URL + strings.Replace(f.address, "{jobId}", id, 1)
	req, err := http.NewRequestWithContext(f.ctx, http.MethodGet, url, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		f.t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	f.t.Cleanup(func() { resp.Body.Close() })
	return &stream{f: f, body: resp.Body, dec: sse.NewDecoder(resp.Body), frames: frames}
}

// next reads the next frame, io.EOF at the end of the stream. An event
// has its own id field when its ID differs from the one in effect
// before it: the fake's ids strictly increase within a job, so an id
// field never repeats the last one.
func (s *stream) next() (frame, error) {
	fr, err := s.dec.Next()
	if err != nil {
		return frame{}, err
	}
	out := frame{Frame: fr}
	if fr.Kind == sse.FrameEvent {
		out.ownID = fr.Event.ID != s.lastID
		s.lastID = fr.Event.ID
	}
	*s.frames = append(*s.frames, out)
	return out, nil
}

// event reads frames up to the next event.
func (s *stream) event() sse.Event {
	s.f.t.Helper()
	for {
		fr, err := s.next()
		if err != nil {
			s.f.t.Fatalf("reading the stream: %v", err)
		}
		if fr.Kind == sse.FrameEvent {
			return fr.Event
		}
	}
}

// end reads frames up to the end of the stream.
func (s *stream) end() {
	s.f.t.Helper()
	for {
		_, err := s.next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			s.f.t.Fatalf("reading the stream to its end: %v", err)
		}
	}
}

func (s *stream) close() { s.body.Close() }

// toEnd drives a job whose stream is open to its end: each update makes
// the job take its next step, the queued terminal event brings the final
// one, and the stream ends after it.
func (s *stream) toEnd() {
	s.f.t.Helper()
	for {
		fr, err := s.next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			s.f.t.Fatalf("reading the stream: %v", err)
		}
		if fr.Kind != sse.FrameEvent {
			continue
		}
		switch id := fr.Event.ID; {
		case !fr.ownID || strings.HasSuffix(id, "-final"):
		case strings.HasSuffix(id, "-completed"), strings.HasSuffix(id, "-failed"):
			s.f.clk.Advance(bookstracktest.DefaultFinalDelay)
		default:
			s.f.clk.Advance(bookstracktest.DefaultStepInterval)
		}
	}
}

// scenario drives one fake through one way a stream goes and returns the
// frames its streams carried.
type scenario struct {
	name string
	run  func(f *fake, frames *[]frame)
}

var scenarios = []scenario{
	{"completes live, then a client connects after the end", func(f *fake, frames *[]frame) {
		id, token := f.start()
		s := f.open(id, token, "", frames)
		s.event() // the snapshot of the queued job
		f.waitStreams(id)
		f.clk.Advance(bookstracktest.DefaultPingInterval) // a heartbeat, and the first step
		s.toEnd()
		f.open(id, token, "", frames).end()
	}},
	{"joined while running, and resumed", func(f *fake, frames *[]frame) {
		id, token := f.start()
		f.waitPending(1)
		f.clk.Advance(bookstracktest.DefaultStepInterval)
		f.waitPending(1) // the first step is out
		s := f.open(id, token, "", frames)
		s.event() // the snapshot of the running job
		s.close()
		// Resumed from the job's first millisecond, under 10 s ago: no
		// snapshot, the kept update replayed.
		ms := f.clk.Now().Add(-time.Second).UnixMilli()
		s = f.open(id, token, strconv.FormatInt(ms, 10)+"-initial", frames)
		s.event()
		s.close()
	}},
	{"fails, then a client connects after the end", func(f *fake, frames *[]frame) {
		id, token := f.start()
		s := f.open(id, token, "", frames)
		s.event()
		f.waitStreams(id)
		if !f.srv.FailJob(id, "ENRICHMENT_FAILED", "The provider is down", true) {
			f.t.Fatal("FailJob found no running job")
		}
		s.toEnd()
		f.open(id, token, "", frames).end()
	}},
	{"is canceled, then a client connects after the end", func(f *fake, frames *[]frame) {
		id, token := f.start()
		s := f.open(id, token, "", frames)
		s.event()
		f.waitStreams(id)
		f.cancel(id)
		s.toEnd()
		f.open(id, token, "", frames).end()
	}},
	{"goes quiet: heartbeat, then timeout", func(f *fake, frames *[]frame) {
		id, token := f.start()
		s := f.open(id, token, "", frames)
		s.event()
		f.waitStreams(id)
		f.srv.PauseJob(id)
		f.clk.Advance(bookstracktest.DefaultPingInterval)
		if _, err := s.next(); err != nil { // the heartbeat, an event or a comment
			f.t.Fatal(err)
		}
		f.clk.Advance(streamTimeout - bookstracktest.DefaultPingInterval)
		s.end()
	}},
	{"meets a server fault", func(f *fake, frames *[]frame) {
		id, token := f.start()
		s := f.open(id, token, "", frames)
		s.event()
		f.waitStreams(id)
		if f.srv.StreamError(id) != 1 {
			f.t.Fatal("StreamError reached no stream")
		}
		s.end()
	}},
	{"asks for an unknown job", func(f *fake, frames *[]frame) {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		f.open("3f0e2a1b-7c4d-4e8f-9a0b-1c2d3e4f5a6b", hex.EncodeToString(b), "", frames).end()
	}},
}

func (f *fake) waitStreams(id string) {
	f.t.Helper()
	if err := f.srv.WaitStreams(f.ctx, id, 1); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fake) waitPending(n int) {
	f.t.Helper()
	if err := f.clk.WaitPending(f.ctx, n); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fake) cancel(id string) {
	f.t.Helper()
	var path string
	for _, k := range kinds {
		if k.name == f.kind {
			path = k.statusPath + id
		}
	}
	req, err := http.NewRequestWithContext(f.ctx, http.MethodDelete, f.srv.URL+path, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("DELETE %s: %d", path, resp.StatusCode)
	}
}
