package bookstracktest

import "net/http"

type statusData struct {
	JobID          string    `json:"jobId"`
	Type           string    `json:"type"`
	Status         string    `json:"status"`
	Message        string    `json:"message,omitempty"`
	Progress       float64   `json:"progress"`
	ProcessedCount int       `json:"processedCount"`
	TotalCount     int       `json:"totalCount"`
	CreatedAt      any       `json:"createdAt"`
	UpdatedAt      any       `json:"updatedAt"`
	CompletedAt    any       `json:"completedAt,omitempty"`
	Error          *jobError `json:"error,omitempty"`
}

// serveStatus serves GET /v3/jobs/{kind}/{id}: the job's state, what a
// client polls after a stream timeout.
func (s *Server) serveStatus(c *call, rt route) {
	s.mu.Lock()
	j := s.lookupLocked(rt.kind, rt.id)
	if j == nil {
		s.mu.Unlock()
		c.notFound("Job " + rt.id + " not found")
		return
	}
	d := statusData{
		JobID: j.id, Type: j.kind, Status: j.status, Message: j.message, Progress: j.progress,
		ProcessedCount: j.processed, TotalCount: j.total,
		CreatedAt: s.stamp(j.created), UpdatedAt: s.stamp(j.updated), Error: j.failure,
	}
	if j.hasEnded() {
		d.CompletedAt = s.stamp(j.ended)
	}
	s.mu.Unlock()
	c.ok(http.StatusOK, d)
}

// serveResults serves GET .../{id}/results. Unknown, unfinished, failed
// and expired jobs get the same 404.
func (s *Server) serveResults(c *call, rt route) {
	s.mu.Lock()
	j := s.lookupLocked(rt.kind, rt.id)
	var results any
	ok := j != nil && j.status == statusCompleted && (off(s.cfg.resultsTTL) || s.clock.Now().Before(j.ended.Add(s.cfg.resultsTTL)))
	if ok {
		results = j.results
	}
	s.mu.Unlock()
	if !ok {
		c.notFound("No results for job " + rt.id + ": it is unknown, not completed or expired")
		return
	}
	c.ok(http.StatusOK, struct {
		JobID   string `json:"jobId"`
		Status  string `json:"status"`
		Results any    `json:"results"`
	}{rt.id, statusCompleted, results})
}

// serveCancel serves DELETE /v3/jobs/{kind}/{id}. A running job becomes
// canceled: its streams get a `failed` event with status "canceled" and
// code CANCELED. Canceling a canceled job again succeeds; a job that
// completed or failed gets 409 CONFLICT.
func (s *Server) serveCancel(c *call, rt route) {
	s.mu.Lock()
	j := s.lookupLocked(rt.kind, rt.id)
	switch {
	case j == nil:
		s.mu.Unlock()
		c.notFound("Job " + rt.id + " not found")
		return
	case j.status == statusCanceled:
	case j.hasEnded():
		status := j.status
		s.mu.Unlock()
		c.fail(problem{status: http.StatusConflict, code: "CONFLICT", detail: "Job " + rt.id + " has already " + status, handler: true})
		return
	default:
		s.endLocked(j, statusCanceled, &jobError{Code: "CANCELED", Message: "Job canceled by the client"})
	}
	s.mu.Unlock()
	c.ok(http.StatusOK, struct {
		JobID  string `json:"jobId"`
		Status string `json:"status"`
	}{rt.id, statusCanceled})
}
