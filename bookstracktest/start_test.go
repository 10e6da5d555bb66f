package bookstracktest_test

import (
	"bytes"
	"encoding/json"
	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/scan"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var (
	uuidV4  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	tokenRE = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// TestStartRoutes: each start route answers 202 with the job, an
// absolute stream URL and a token, and the stream URL works.
func TestStartRoutes(t *testing.T) {
	e := setup(t)
	for _, tc := range []struct {
		name   string
		start  func() started
		stream string
	}{
		{"v3 import", func() started { return e.startImport("/v3/jobs/imports", "Title\nDracula\n") }, "/v3/jobs/imports/"},
		{"v2 import", func() started { return e.startImport("/api/v2/imports", "Title\nDracula\n") }, "/api/v2/imports/"},
		{"scan", func() started { return e.startScan([]byte("photo")) }, "/v3/jobs/scans/"},
		{"enrichment", func() started { return e.startEnrichment(isbns(2)...) }, "/v3/jobs/enrichment/"},
	} {
		s := tc.start()
		if !uuidV4.MatchString(s.JobID) || s.Status != "queued" || !tokenRE.MatchString(s.Token) {
			t.Errorf("%s: %+v", tc.name, s)
		}
		if want := e.srv.URL + tc.stream + s.JobID + "/stream"; s.StreamURL != want {
			t.Errorf("%s: streamUrl %q, want %q", tc.name, s.StreamURL, want)
		}
		if s.AuthToken != "" || s.SSEURL != "" || s.StatusURL != "" {
			t.Errorf("%s: legacy fields in %+v", tc.name, s)
		}
		c := e.openJob(s)
		if _, d := c.event("progress"); d["jobId"] != s.JobID {
			t.Errorf("%s: snapshot %v", tc.name, d)
		}
	}
}

// TestStartEnvelope: the start response's envelope and headers.
func TestStartEnvelope(t *testing.T) {
	e := setup(t)
	body, _ := json.Marshal(map[string]any{"isbns": isbns(1), "async": true})
	resp, b := e.do(http.MethodPost, "/v3/books/enrich", bytes.NewReader(body), nil)
	m := object(t, b)
	if resp.StatusCode != 202 || resp.Header.Get("Content-Type") != "application/json" || m["success"] != true ||
		field(m, "metadata", "requestId") != resp.Header.Get("X-Request-ID") || field(m, "metadata", "timestamp") != "2026-01-02T03:04:05.000Z" {
		t.Errorf("%d %v %s", resp.StatusCode, resp.Header, b)
	}
}

// TestStartValidation covers the 400s of the start routes.
func TestStartValidation(t *testing.T) {
	e := setup(t)
	csv := func(data []byte) (string, http.Header, *bytes.Buffer) {
		r, ct := multipartBody(t, "file", data)
		var b bytes.Buffer
		_, _ = b.ReadFrom(r)
		return "/v3/jobs/imports", http.Header{"Content-Type": {ct}}, &b
	}
	photos := func(n, size int) (string, http.Header, *bytes.Buffer) {
		files := make([][]byte, n)
		for i := range files {
			files[i] = bytes.Repeat([]byte{byte(i)}, size)
		}
		r, ct := multipartBody(t, "photos[]", files...)
		var b bytes.Buffer
		_, _ = b.ReadFrom(r)
		return "/v3/jobs/scans", http.Header{"Content-Type": {ct}}, &b
	}
	enrich := func(body string) (string, http.Header, *bytes.Buffer) {
		return "/v3/books/enrich", http.Header{"Content-Type": {"application/json"}}, bytes.NewBufferString(body)
	}
	otherPart := func() (string, http.Header, *bytes.Buffer) {
		r, ct := multipartBody(t, "document", []byte("Title\nX\n"))
		var b bytes.Buffer
		_, _ = b.ReadFrom(r)
		return "/api/v2/imports", http.Header{"Content-Type": {ct}}, &b
	}
	for _, tc := range []struct {
		name                string
		path                string
		header              http.Header
		body                *bytes.Buffer
		wantField, wantCode string
	}{
		{"import not multipart", "/v3/jobs/imports", http.Header{"Content-Type": {"text/csv"}}, bytes.NewBufferString("Title\n"), "file", "INVALID_CONTENT_TYPE"},
		{"import without file part", "", nil, nil, "file", "REQUIRED"},
		{"import empty file", "", nil, nil, "file", "EMPTY_FILE"},
		{"import over 8 MiB", "", nil, nil, "file", "FILE_TOO_LARGE"},
		{"scan without photos", "", nil, nil, "photos[]", "REQUIRED"},
		{"scan with 6 photos", "", nil, nil, "photos[]", "TOO_MANY_FILES"},
		{"scan photo over 10 MB", "", nil, nil, "photos[]", "FILE_TOO_LARGE"},
		{"enrich not JSON", "", nil, nil, "body", "INVALID_JSON"},
		{"enrich without isbns", "", nil, nil, "isbns", "REQUIRED"},
		{"enrich isbns and barcodes", "", nil, nil, "barcodes", "INVALID_VALUE"},
		{"enrich empty list", "", nil, nil, "isbns", "INVALID_LENGTH"},
		{"enrich 501 entries", "", nil, nil, "isbns", "INVALID_LENGTH"},
		{"enrich numbers", "", nil, nil, "isbns", "INVALID_TYPE"},
		{"enrich bad entry", "", nil, nil, "isbns[1]", "INVALID_ISBN"},
		{"enrich bad barcode", "", nil, nil, "barcodes[0]", "INVALID_ISBN"},
	} {
		switch tc.name {
		case "import without file part":
			tc.path, tc.header, tc.body = otherPart()
		case "import empty file":
			tc.path, tc.header, tc.body = csv(nil)
		case "import over 8 MiB":
			tc.path, tc.header, tc.body = csv(bytes.Repeat([]byte("a"), csvimport.MaxFileSize+1))
		case "scan without photos":
			tc.path, tc.header, tc.body = photos(0, 1)
		case "scan with 6 photos":
			tc.path, tc.header, tc.body = photos(6, 10)
		case "scan photo over 10 MB":
			tc.path, tc.header, tc.body = photos(1, scan.MaxPhotoSize+1)
		case "enrich not JSON":
			tc.path, tc.header, tc.body = enrich(`isbns=1`)
		case "enrich without isbns":
			tc.path, tc.header, tc.body = enrich(`{"async":true}`)
		case "enrich isbns and barcodes":
			tc.path, tc.header, tc.body = enrich(`{"isbns":["9780141439518"],"barcodes":["9780141439518"]}`)
		case "enrich empty list":
			tc.path, tc.header, tc.body = enrich(`{"isbns":[],"async":true}`)
		case "enrich 501 entries":
			tc.path, tc.header, tc.body = enrich(`{"isbns":[` + strings.Repeat(`"9780141439518",`, 500) + `"9780141439518"]}`)
		case "enrich numbers":
			tc.path, tc.header, tc.body = enrich(`{"isbns":[9780141439518]}`)
		case "enrich bad entry":
			tc.path, tc.header, tc.body = enrich(`{"isbns":["9780141439518","978014143951"],"async":true}`)
		case "enrich bad barcode":
			tc.path, tc.header, tc.body = enrich(`{"barcodes":["97801414395X8"],"async":true}`)
		}
		resp, b := e.do(http.MethodPost, tc.path, tc.body, tc.header)
		if resp.StatusCode != 400 {
			t.Errorf("%s: status %d: %s", tc.name, resp.StatusCode, b)
			continue
		}
		m := object(t, b)
		errs, _ := m["errors"].([]any)
		if m["code"] != "INVALID_REQUEST" || m["success"] != false || len(errs) != 1 ||
			field(errs[0], "field") != tc.wantField || field(errs[0], "code") != tc.wantCode || field(errs[0], "message") == "" {
			t.Errorf("%s: body %s", tc.name, b)
		}
	}
	if len(e.srv.Requests()) != 15 {
		t.Errorf("%d requests recorded", len(e.srv.Requests()))
	}
}

// TestStartEnrichmentEntries: hyphens, spaces and a final x are accepted,
// check digits are not verified, and repeats count once.
func TestStartEnrichmentEntries(t *testing.T) {
	e := setup(t)
	s := e.startEnrichment("978-0-14-143951-8", "0 14 143951 3", "9780141439518", "123456789x", "9781234567890")
	info, _ := e.srv.Job(s.JobID)
	if info.TotalCount != 0 {
		t.Fatalf("counts before the first step: %+v", info)
	}
	c := e.openJob(s)
	c.event("progress")
	e.wait(s.JobID, 1)
	e.clock.Advance(step)
	_, d := c.event("progress")
	if d["totalCount"] != 4.0 { // 9780141439518 came twice
		t.Errorf("totalCount %v, want 4", d["totalCount"])
	}
}

// TestStartEnrichmentSync: without async, enrichment answers at once.
func TestStartEnrichmentSync(t *testing.T) {
	e := setup(t)
	resp, b := e.do(http.MethodPost, "/v3/books/enrich", strings.NewReader(`{"isbns":["9780141439518","9780000000002"]}`), nil)
	m := object(t, b)
	enriched, _ := field(m, "data", "enrichedBooks").([]any)
	notFound, _ := field(m, "data", "notFound").([]any)
	if resp.StatusCode != 200 || len(enriched) != 1 || len(notFound) != 1 || notFound[0] != "9780000000002" {
		t.Errorf("%d %s", resp.StatusCode, b)
	}
}
