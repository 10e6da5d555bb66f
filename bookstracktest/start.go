package bookstracktest

import (
	"encoding/json"
	"fmt"
	"github.com/bookstrack/bookstrack-go/enrichment"
	"net/http"
)

// Limits of an enrichment request.
const (
	maxEnrichISBNs    = enrichment.MaxISBNs
	maxEnrichBodySize = 1 << 20
)

// serveStart serves the start routes.
func (s *Server) serveStart(c *call, rt route) {
	switch rt.kind {
	case kindImports:
		s.startImport(c, rt.v2)
	case kindScans:
		s.startScan(c)
	case kindEnrichment:
		s.startEnrichment(c)
	}
}

// startImport parses the CSV now; the job reveals the outcome step by
// step.
func (s *Server) startImport(c *call, v2 bool) {
	parts, errs := readParts(c, "file", 1, maxImportFileSize, maxImportFileSize)
	if errs != nil {
		c.invalid("Invalid CSV upload", errs...)
		return
	}
	res, err := parseImport(parts[0])
	s.mu.Lock()
	j := s.newJobLocked(kindImports, importLadder(res, err), res, res.Books)
	s.mu.Unlock()
	c.accepted(j, v2)
}

func (s *Server) startScan(c *call) {
	parts, errs := readParts(c, "photos[]", maxPhotos, maxPhotoSize, maxPhotosSize)
	if errs != nil {
		c.invalid("Invalid photo upload", errs...)
		return
	}
	found := []detection{}
	for _, photo := range parts {
		found = append(found, detectBooks(photo, s.cfg.quirks.ScanYearAsDate)...)
	}
	s.mu.Lock()
	j := s.newJobLocked(kindScans, scanLadder(len(parts), len(found)), found, found)
	s.mu.Unlock()
	c.accepted(j, false)
}

// startEnrichment starts a job for {"isbns":[...],"async":true}, or
// answers at once with the results when async is not true.
func (s *Server) startEnrichment(c *call) {
	isbns, async, errs := readEnrichRequest(c)
	if errs != nil {
		c.invalid("Invalid enrichment request", errs...)
		return
	}
	out := enrichISBNs(isbns, s.cfg.quirks.AuthorObjects)
	shape := s.cfg.quirks.EnrichmentResults
	if !async {
		c.ok(http.StatusOK, out.results(shape))
		return
	}
	s.mu.Lock()
	j := s.newJobLocked(kindEnrichment, enrichmentLadder(len(isbns), s.cfg.enrichmentBatch), out.results(shape), out.list(shape))
	s.mu.Unlock()
	c.accepted(j, false)
}

// readEnrichRequest validates an enrichment body and returns its ISBNs,
// normalised and without repeats, in order.
func readEnrichRequest(c *call) ([]string, bool, []fieldError) {
	var body struct {
		ISBNs    json.RawMessage `json:"isbns"`
		Barcodes json.RawMessage `json:"barcodes"`
		Async    bool            `json:"async"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.w, c.r.Body, maxEnrichBodySize))
	if err := dec.Decode(&body); err != nil {
		return nil, false, []fieldError{{Field: "body", Message: "the body must be a JSON object: " + err.Error(), Code: "INVALID_JSON"}}
	}
	present := func(raw json.RawMessage) bool { return len(raw) > 0 && string(raw) != "null" }
	field, raw := "isbns", body.ISBNs
	switch {
	case present(body.ISBNs) && present(body.Barcodes):
		return nil, false, []fieldError{{Field: "barcodes", Message: "give isbns or barcodes, not both", Code: "INVALID_VALUE"}}
	case present(body.Barcodes):
		field, raw = "barcodes", body.Barcodes
	case !present(body.ISBNs):
		return nil, false, []fieldError{{Field: "isbns", Message: "isbns or barcodes is required", Code: "REQUIRED"}}
	}
	var entries []string
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, false, []fieldError{{Field: field, Message: "must be an array of strings", Code: "INVALID_TYPE"}}
	}
	if len(entries) == 0 || len(entries) > maxEnrichISBNs {
		return nil, false, []fieldError{{Field: field, Message: fmt.Sprintf("must hold 1 to %d entries", maxEnrichISBNs), Code: "INVALID_LENGTH"}}
	}
	var errs []fieldError
	isbns := make([]string, 0, len(entries))
	seen := map[string]bool{}
	for i, e := range entries {
		isbn, ok := normalizeISBN(e)
		if !ok {
			errs = append(errs, fieldError{Field: fmt.Sprintf("%s[%d]", field, i), Message: fmt.Sprintf("%q is not an ISBN of 10 or 13 digits", e), Code: "INVALID_ISBN"})
			continue
		}
		if !seen[isbn] {
			seen[isbn] = true
			isbns = append(isbns, isbn)
		}
	}
	return isbns, body.Async, errs
}

type startData struct {
	JobID     string `json:"jobId"`
	Status    string `json:"status"`
	StreamURL string `json:"streamUrl,omitempty"`
	Token     string `json:"token,omitempty"`
	AuthToken string `json:"authToken,omitempty"`
	SSEURL    string `json:"sseUrl,omitempty"`
	StatusURL string `json:"statusUrl,omitempty"`
}

// accepted writes the 202 of a start route. A v2 start gives the v2
// stream URL; status URLs are always v3, as v2 has no status route.
func (c *call) accepted(j *job, v2 bool) {
	streamPath := "/v3/jobs/" + j.kind + "/" + j.id + "/stream"
	if v2 {
		streamPath = "/api/v2/imports/" + j.id + "/stream"
	}
	d := startData{JobID: j.id, Status: statusQueued}
	q := c.s.cfg.quirks
	switch {
	case q.LegacyStart:
		d.AuthToken, d.StatusURL = j.token, "/v3/jobs/"+j.kind+"/"+j.id
		if !q.NoStreamURL {
			d.SSEURL = streamPath
		}
	default:
		d.Token = j.token
		if !q.NoStreamURL {
			d.StreamURL = c.s.URL + streamPath
		}
	}
	c.ok(http.StatusAccepted, d)
}
