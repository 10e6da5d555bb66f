package bookstracktest

import (
	"github.com/bookstrack/bookstrack-go"
	"strings"
	"time"
)

// JobInfo is what Job reports about a job.
type JobInfo struct {
	// ID is the job id, a lowercase UUID.
	ID string
	// Kind is bookstrack.KindImport, KindScan or KindEnrichment.
	Kind bookstrack.Kind
	// Status is one of bookstrack's Status constants.
	Status bookstrack.Status
	// Message is the text of the last progress update.
	Message string
	// Progress is the fraction done, 0..1.
	Progress float64
	// ProcessedCount and TotalCount are the counts of the last update (0
	// throughout for CSV imports).
	ProcessedCount, TotalCount int
	// Token is the stream token the start call issued.
	Token string
	// TokenExpiresAt is when the token stops being accepted, the zero
	// time when tokens do not expire (WithTokenTTL); TokenExpired says
	// ExpireToken ended it earlier.
	TokenExpiresAt time.Time
	TokenExpired   bool
	// Paused says PauseJob stopped the job.
	Paused bool
	// CreatedAt is when the job started; CompletedAt when it ended
	// (completed, failed or canceled), zero while it runs.
	CreatedAt, CompletedAt time.Time
	// ErrorCode, ErrorMessage and ErrorRetryable describe the failure of
	// a failed or canceled job.
	ErrorCode, ErrorMessage string
	ErrorRetryable          bool
}

// Job returns the state of a job, and false when the Server has no such
// job (never had, or its state expired after the job TTL).
func (s *Server) Job(jobID string) (JobInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.lookupLocked("", strings.ToLower(jobID))
	if j == nil {
		return JobInfo{}, false
	}
	info := JobInfo{
		ID: j.id, Kind: bookstrack.Kind(j.kind), Status: bookstrack.Status(j.status), Message: j.message, Progress: j.progress,
		ProcessedCount: j.processed, TotalCount: j.total,
		Token: j.token, TokenExpired: j.tokenRevoked,
		Paused: j.paused, CreatedAt: j.created, CompletedAt: j.ended,
	}
	if !off(s.cfg.tokenTTL) {
		info.TokenExpiresAt = j.tokenIssued.Add(s.cfg.tokenTTL)
	}
	if j.failure != nil {
		info.ErrorCode, info.ErrorMessage, info.ErrorRetryable = j.failure.Code, j.failure.Message, j.failure.Retryable
	}
	return info, true
}

// PauseJob stops the job progressing, as on a server that never sends a
// terminal event: its streams get heartbeats and, after the stream
// timeout, a timeout event. It reports whether the job exists and has not
// ended.
func (s *Server) PauseJob(jobID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.lookupLocked("", strings.ToLower(jobID))
	if j == nil || j.hasEnded() {
		return false
	}
	if !j.paused {
		j.paused = true
		s.forgetLocked(j)
	}
	return true
}

// ResumeJob lets a paused job progress again: its next step comes one
// step interval later. It reports whether the job exists and has not
// ended.
func (s *Server) ResumeJob(jobID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.lookupLocked("", strings.ToLower(jobID))
	if j == nil || j.hasEnded() {
		return false
	}
	if j.paused {
		j.paused = false
		s.scheduleLocked(j, s.cfg.stepInterval, s.stepLocked)
	}
	return true
}

// FailJob makes the job fail now with that error, as the real server does
// when its work fails: the streams get the queued `failed` event and,
// after the final delay, the final one. It reports whether the job exists
// and had not ended.
func (s *Server) FailJob(jobID string, code, message string, retryable bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.lookupLocked("", strings.ToLower(jobID))
	if j == nil || j.hasEnded() {
		return false
	}
	s.endLocked(j, statusFailed, &jobError{Code: code, Message: message, Retryable: retryable})
	return true
}

// ExpireToken makes the job's stream token expired now: new stream
// connections get 401 (TOKEN_EXPIRED in the legacy envelope). Streams
// already open are not affected: the Server checks tokens only when a
// stream connects. It reports whether the job exists.
func (s *Server) ExpireToken(jobID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.lookupLocked("", strings.ToLower(jobID))
	if j == nil {
		return false
	}
	j.tokenRevoked = true
	return true
}
