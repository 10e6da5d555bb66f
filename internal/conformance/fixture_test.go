package conformance_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The directories of the fixtures, from this package's directory.
const (
	fixturesDir = "../../testdata/conformance"
	invalidDir  = "../../testdata/conformance-invalid"
)

// The kinds of fixture; see testdata/conformance/README.md.
const (
	kindDecoder = "decoder"
	kindClient  = "client"
	kindJob     = "job"
)

// fixture is one loaded fixture file. Exactly one of Decoder, Client and
// Job is set, as Kind says.
type fixture struct {
	File    string // the path the fixture was read from
	Name    string
	Kind    string
	Decoder *decoderFixture
	Client  *clientFixture
	Job     *jobFixture
}

// header is what every fixture has.
type header struct {
	Name        *string `json:"name"`
	Kind        *string `json:"kind"`
	Description *string `json:"description"`
	Spec        string  `json:"spec"`
}

// event is an expected event, as sse.Event.
type event struct {
	Type *string `json:"type"`
	Data *string `json:"data"`
	ID   *string `json:"id"`
}

type decoderFixture struct {
	header
	Chunkings   [][]json.RawMessage `json:"chunkings"`
	Events      []event             `json:"events"`
	Comments    []string            `json:"comments"`
	LastEventID *string             `json:"lastEventId"`
	RetryMs     json.RawMessage     `json:"retryMs"`

	chunkings [][][]byte // Chunkings decoded
	stream    []byte     // the bytes every chunking joins into
	retry     *int64     // RetryMs decoded; nil for null
}

type clientFixture struct {
	header
	InitialLastEventID *string      `json:"initialLastEventId"`
	BackoffMs          *int64       `json:"backoffMs"`
	Connections        []connection `json:"connections"`
	Outcome            *string      `json:"outcome"`
}

type connection struct {
	Request  *request  `json:"request"`
	DelayMs  *int64    `json:"delayMs"`
	Response *response `json:"response"`
	Events   []event   `json:"events"`
}

type request struct {
	Method      *string         `json:"method"`
	Path        *string         `json:"path"`
	LastEventID json.RawMessage `json:"lastEventId"`

	lastEventID *string // LastEventID decoded; nil for null (no header)
}

type response struct {
	Status  *int              `json:"status"`
	Headers map[string]string `json:"headers"`
	Chunks  []json.RawMessage `json:"chunks"`
	End     *string           `json:"end"`

	chunks [][]byte
}

// The ways a scripted response ends.
const (
	endClose = "close"
	endDrop  = "drop"
	endHang  = "hang"
)

// The outcomes of a client fixture.
const (
	outcomeClosed = "closed"
	outcomeDone   = "done"
	outcomeFailed = "failed"
)

type jobFixture struct {
	header
	JobType         *string      `json:"jobType"`
	Routes          *string      `json:"routes"`
	TimeoutFallback *string      `json:"timeoutFallback"`
	ClockStartMs    *int64       `json:"clockStartMs"`
	Job             *jobInput    `json:"job"`
	Connections     []connection `json:"connections"`
	Outcome         *jobOutcome  `json:"outcome"`
}

type jobInput struct {
	ID          *string `json:"id"`
	Token       *string `json:"token"`
	LastEventID *string `json:"lastEventId"`
}

type jobOutcome struct {
	Progress     []progress      `json:"progress"`
	Completion   json.RawMessage `json:"completion"`
	Error        json.RawMessage `json:"error"`
	StreamErrors []string        `json:"streamErrors"`
	Results      json.RawMessage `json:"results"`

	completion *completion
	err        *jobError
	results    *resultsSummary
}

type progress struct {
	Status    *string  `json:"status"`
	Fraction  *float64 `json:"fraction"`
	Processed *int     `json:"processed"`
	Total     *int     `json:"total"`
	Message   *string  `json:"message"`
	EventID   *string  `json:"eventId"`
	TimeMs    *int64   `json:"timeMs"`
}

type completion struct {
	Status      *string         `json:"status"`
	Processed   *int            `json:"processed"`
	Total       *int            `json:"total"`
	Books       json.RawMessage `json:"books"`
	LastEventID *string         `json:"lastEventId"`
	TimeMs      *int64          `json:"timeMs"`

	books *int // Books decoded; nil for null
}

type jobError struct {
	Kind    *string `json:"kind"`
	Status  *string `json:"status"`
	Code    *string `json:"code"`
	Message *string `json:"message"`
}

// The kinds of job error.
const (
	errJobFailed   = "jobFailed"
	errStreamError = "streamError"
)

// resultsSummary is what a job's results must hold; which fields are
// required depends on the job type.
type resultsSummary struct {
	BooksCreated        *int       `json:"booksCreated"`
	BooksUpdated        *int       `json:"booksUpdated"`
	DuplicatesSkipped   *int       `json:"duplicatesSkipped"`
	EnrichmentSucceeded *int       `json:"enrichmentSucceeded"`
	EnrichmentFailed    *int       `json:"enrichmentFailed"`
	ErrorRows           []int      `json:"errorRows"`
	Titles              []string   `json:"titles"`
	Approved            []string   `json:"approved"`
	NeedsReview         []string   `json:"needsReview"`
	NotFound            []string   `json:"notFound"`
	ISBNs               []string   `json:"isbns"`
	Years               []int      `json:"years"`
	Authors             [][]string `json:"authors"`
}

// fieldError is a fixture problem: the file and the field it concerns.
type fieldError struct {
	File  string
	Field string // a path such as connections[1].response.status; empty for the whole file
	Err   error
}

func (e *fieldError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s: field %s: %v", e.File, e.Field, e.Err)
}

func (e *fieldError) Unwrap() error { return e.Err }

var errMissing = errors.New("missing")

// loadFixtures loads every .json file under dir, failing the test at the
// first that does not load.
func loadFixtures(t *testing.T, dir string) []fixture {
	t.Helper()
	files := fixtureFiles(t, dir)
	fixtures := make([]fixture, 0, len(files))
	names := map[string]string{}
	for _, file := range files {
		f, err := loadFixture(file)
		if err != nil {
			t.Fatal(err)
		}
		if prev, dup := names[f.Name]; dup {
			t.Fatalf("%s: field name: %q is also the name of %s", file, f.Name, prev)
		}
		names[f.Name] = file
		fixtures = append(fixtures, f)
	}
	return fixtures
}

// fixtureFiles lists the .json files under dir, sorted.
func fixtureFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".json") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	return files
}

// loadFixture reads and checks one fixture file. Its errors are
// *fieldError values naming the file and, where there is one, the field.
func loadFixture(file string) (fixture, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return fixture{}, &fieldError{File: file, Err: err}
	}
	var h struct {
		Name *string `json:"name"`
		Kind *string `json:"kind"`
	}
	if err := json.Unmarshal(data, &h); err != nil {
		return fixture{}, jsonError(file, data, err)
	}
	if h.Name == nil {
		return fixture{}, &fieldError{File: file, Field: "name", Err: errMissing}
	}
	if h.Kind == nil {
		return fixture{}, &fieldError{File: file, Field: "kind", Err: errMissing}
	}
	f := fixture{File: file, Name: *h.Name, Kind: *h.Kind}
	var v interface{ check(c *checker) }
	switch f.Kind {
	case kindDecoder:
		f.Decoder = &decoderFixture{}
		v = f.Decoder
	case kindClient:
		f.Client = &clientFixture{}
		v = f.Client
	case kindJob:
		f.Job = &jobFixture{}
		v = f.Job
	default:
		return fixture{}, &fieldError{File: file, Field: "kind", Err: fmt.Errorf("%q is not %q, %q or %q", f.Kind, kindDecoder, kindClient, kindJob)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fixture{}, jsonError(file, data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fixture{}, &fieldError{File: file, Err: errors.New("data after the fixture's object")}
	}
	c := &checker{file: file}
	v.check(c)
	if c.err != nil {
		return fixture{}, c.err
	}
	return f, nil
}

// jsonError names the field (or the place) of a decoding error.
func jsonError(file string, data []byte, err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(the fixture)"
		}
		return &fieldError{File: file, Field: field, Err: fmt.Errorf("a JSON %s where %s is expected", te.Value, goTypeName(te.Type.String()))}
	case errors.As(err, &se):
		line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
		return &fieldError{File: file, Err: fmt.Errorf("not valid JSON: line %d: %v", line, se)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &fieldError{File: file, Field: field, Err: errors.New("unknown field (misspelt?)")}
	}
	return &fieldError{File: file, Err: err}
}

// goTypeName says in JSON terms what a Go type of the fixture structs is.
func goTypeName(t string) string {
	t = strings.TrimLeft(t, "*")
	switch {
	case t == "string":
		return "a string"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "float"):
		return "a number"
	case t == "bool":
		return "a boolean"
	case strings.HasPrefix(t, "[]"):
		return "an array"
	}
	return "an object"
}

// checker collects the first problem found while checking a fixture.
type checker struct {
	file string
	err  error
}

func (c *checker) fail(field string, format string, args ...any) {
	if c.err == nil {
		c.err = &fieldError{File: c.file, Field: field, Err: fmt.Errorf(format, args...)}
	}
}

// need fails when a required field is absent.
func (c *checker) need(field string, present bool) bool {
	if !present {
		c.fail(field, "%v", errMissing)
	}
	return present
}

func (c *checker) oneOf(field string, v *string, allowed ...string) {
	if c.need(field, v != nil) && !slices.Contains(allowed, *v) {
		c.fail(field, "%q is not one of %q", *v, allowed)
	}
}

// bytesOf decodes a byte string: a JSON string (its UTF-8 bytes) or an
// object {"base64": "..."}.
func (c *checker) bytesOf(field string, raw json.RawMessage) []byte {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return []byte(s)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || len(obj) != 1 || obj["base64"] == nil {
		c.fail(field, `want a string or an object {"base64": "..."}, got %s`, raw)
		return nil
	}
	if err := json.Unmarshal(obj["base64"], &s); err != nil {
		c.fail(field+".base64", "want a string, got %s", obj["base64"])
		return nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		c.fail(field+".base64", "not standard base64: %v", err)
	}
	return b
}

// nullable decodes a field that must be present and may be null: it
// reports whether it is present and non-null into dst.
func (c *checker) nullable(field string, raw json.RawMessage, dst any) bool {
	if !c.need(field, len(raw) > 0) || string(raw) == "null" {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			c.fail(field+"."+te.Field, "a JSON %s where %s is expected", te.Value, goTypeName(te.Type.String()))
		} else {
			c.fail(field, "%v", err)
		}
		return false
	}
	return true
}

func (h *header) check(c *checker) {
	c.need("name", h.Name != nil)
	c.need("kind", h.Kind != nil)
	if c.need("description", h.Description != nil) && *h.Description == "" {
		c.fail("description", "empty")
	}
}

func checkEvents(c *checker, field string, events []event, present bool) {
	c.need(field, present)
	for i, e := range events {
		p := fmt.Sprintf("%s[%d]", field, i)
		c.need(p+".type", e.Type != nil)
		c.need(p+".data", e.Data != nil)
		c.need(p+".id", e.ID != nil)
	}
}

func (d *decoderFixture) check(c *checker) {
	d.header.check(c)
	if c.need("chunkings", d.Chunkings != nil) && len(d.Chunkings) == 0 {
		c.fail("chunkings", "empty: give at least one chunking")
	}
	for i, chunking := range d.Chunkings {
		var parts [][]byte
		for j, raw := range chunking {
			parts = append(parts, c.bytesOf(fmt.Sprintf("chunkings[%d][%d]", i, j), raw))
		}
		joined := bytes.Join(parts, nil)
		if i == 0 {
			d.stream = joined
		} else if !bytes.Equal(joined, d.stream) {
			c.fail(fmt.Sprintf("chunkings[%d]", i), "joins into %q, chunkings[0] into %q: every chunking must carry the same bytes", joined, d.stream)
		}
		d.chunkings = append(d.chunkings, parts)
	}
	checkEvents(c, "events", d.Events, d.Events != nil)
	c.need("lastEventId", d.LastEventID != nil)
	var ms int64
	if c.nullable("retryMs", d.RetryMs, &ms) {
		d.retry = &ms
	}
}

func checkConnection(c *checker, p string, cn connection, job bool) {
	if c.need(p+".request", cn.Request != nil) {
		r := cn.Request
		var id string
		if c.nullable(p+".request.lastEventId", r.LastEventID, &id) {
			r.lastEventID = &id
		}
		if job {
			c.oneOf(p+".request.method", r.Method, "GET", "POST", "DELETE")
			c.need(p+".request.path", r.Path != nil)
		}
	}
	if c.need(p+".delayMs", cn.DelayMs != nil) && *cn.DelayMs < 0 {
		c.fail(p+".delayMs", "negative")
	}
	if c.need(p+".response", cn.Response != nil) {
		r := cn.Response
		if c.need(p+".response.status", r.Status != nil) && (*r.Status < 200 || *r.Status > 999) {
			c.fail(p+".response.status", "%d is not an HTTP status", *r.Status)
		}
		c.need(p+".response.chunks", r.Chunks != nil)
		for j, raw := range r.Chunks {
			r.chunks = append(r.chunks, c.bytesOf(fmt.Sprintf("%s.response.chunks[%d]", p, j), raw))
		}
		c.oneOf(p+".response.end", r.End, endClose, endDrop, endHang)
	}
	if !job || cn.Events != nil { // optional in job fixtures
		checkEvents(c, p+".events", cn.Events, cn.Events != nil)
	}
}

func checkConnections(c *checker, conns []connection, job bool) {
	if c.need("connections", conns != nil) && len(conns) == 0 {
		c.fail("connections", "empty")
	}
	for i := range conns {
		checkConnection(c, fmt.Sprintf("connections[%d]", i), conns[i], job)
	}
}

func (f *clientFixture) check(c *checker) {
	f.header.check(c)
	if c.need("backoffMs", f.BackoffMs != nil) && *f.BackoffMs <= 0 {
		c.fail("backoffMs", "must be positive")
	}
	checkConnections(c, f.Connections, false)
	c.oneOf("outcome", f.Outcome, outcomeClosed, outcomeDone, outcomeFailed)
	if c.err == nil && *f.Outcome == outcomeClosed && *f.Connections[len(f.Connections)-1].Response.End != endHang {
		c.fail("outcome", "%q needs a last connection that ends with %q", outcomeClosed, endHang)
	}
}

func (f *jobFixture) check(c *checker) {
	f.header.check(c)
	c.oneOf("jobType", f.JobType, "import", "scan", "enrichment")
	c.oneOf("routes", f.Routes, "v3", "v2")
	c.oneOf("timeoutFallback", f.TimeoutFallback, "poll", "reconnect")
	c.need("clockStartMs", f.ClockStartMs != nil)
	if c.need("job", f.Job != nil) {
		c.need("job.id", f.Job.ID != nil)
		c.need("job.token", f.Job.Token != nil)
		c.need("job.lastEventId", f.Job.LastEventID != nil)
	}
	checkConnections(c, f.Connections, true)
	if !c.need("outcome", f.Outcome != nil) {
		return
	}
	o := f.Outcome
	c.need("outcome.progress", o.Progress != nil)
	for i, p := range o.Progress {
		q := fmt.Sprintf("outcome.progress[%d]", i)
		c.need(q+".status", p.Status != nil)
		c.need(q+".fraction", p.Fraction != nil)
		c.need(q+".processed", p.Processed != nil)
		c.need(q+".total", p.Total != nil)
		c.need(q+".message", p.Message != nil)
		c.need(q+".eventId", p.EventID != nil)
		c.need(q+".timeMs", p.TimeMs != nil)
	}
	var comp completion
	if c.nullable("outcome.completion", o.Completion, &comp) {
		c.need("outcome.completion.status", comp.Status != nil)
		c.need("outcome.completion.processed", comp.Processed != nil)
		c.need("outcome.completion.total", comp.Total != nil)
		var n int
		if c.nullable("outcome.completion.books", comp.Books, &n) {
			comp.books = &n
		}
		c.need("outcome.completion.lastEventId", comp.LastEventID != nil)
		c.need("outcome.completion.timeMs", comp.TimeMs != nil)
		o.completion = &comp
	}
	var je jobError
	if c.nullable("outcome.error", o.Error, &je) {
		c.oneOf("outcome.error.kind", je.Kind, errJobFailed, errStreamError)
		c.need("outcome.error.code", je.Code != nil)
		if je.Kind != nil && *je.Kind == errJobFailed {
			c.need("outcome.error.status", je.Status != nil)
			c.need("outcome.error.message", je.Message != nil)
		}
		o.err = &je
	}
	if c.err == nil && (o.completion == nil) == (o.err == nil) {
		c.fail("outcome", "exactly one of completion and error must be non-null")
	}
	c.need("outcome.streamErrors", o.StreamErrors != nil)
	var rs resultsSummary
	if c.nullable("outcome.results", o.Results, &rs) {
		if f.JobType != nil {
			checkSummary(c, *f.JobType, &rs)
		}
		o.results = &rs
	}
}

// checkSummary requires the fields of a results summary of the job type,
// and only those.
func checkSummary(c *checker, jobType string, rs *resultsSummary) {
	has := map[string]bool{
		"booksCreated": rs.BooksCreated != nil, "booksUpdated": rs.BooksUpdated != nil,
		"duplicatesSkipped": rs.DuplicatesSkipped != nil, "enrichmentSucceeded": rs.EnrichmentSucceeded != nil,
		"enrichmentFailed": rs.EnrichmentFailed != nil, "errorRows": rs.ErrorRows != nil, "titles": rs.Titles != nil,
		"approved": rs.Approved != nil, "needsReview": rs.NeedsReview != nil, "notFound": rs.NotFound != nil,
		"isbns": rs.ISBNs != nil, "years": rs.Years != nil, "authors": rs.Authors != nil,
	}
	want := map[string][]string{
		"import":     {"booksCreated", "booksUpdated", "duplicatesSkipped", "enrichmentSucceeded", "enrichmentFailed", "errorRows", "titles", "isbns"},
		"scan":       {"titles", "isbns", "years", "approved", "needsReview"},
		"enrichment": {"titles", "isbns", "authors", "notFound"},
	}[jobType]
	for _, name := range slices.Sorted(maps.Keys(has)) {
		switch {
		case slices.Contains(want, name):
			c.need("outcome.results."+name, has[name])
		case has[name]:
			c.fail("outcome.results."+name, "not a field of %s results", jobType)
		}
	}
}
