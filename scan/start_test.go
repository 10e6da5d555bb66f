package scan_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/jobtest"
	"github.com/bookstrack/bookstrack-go/scan"
)

// newUpload starts an upload server answering as the scan start route.
func newUpload(t testing.TB) *jobtest.Upload {
	t.Helper()
	return jobtest.NewUpload(t, func(url string) string {
		return `{"success":true,"data":{"jobId":"` + jobtest.JobID + `","status":"queued","streamUrl":"` + url + `/v3/jobs/scans/` + jobtest.JobID + `/stream","token":"` + jobtest.Token + `"}}`
	})
}

var jpegMagic = []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00")

// photo returns a JPEG-looking photo of n bytes (at least 1) filled with b.
func photo(n int, b byte) []byte {
	p := bytes.Repeat([]byte{b}, n)
	copy(p, jpegMagic)
	return p
}

func photos(count, size int) [][]byte {
	out := make([][]byte, count)
	for i := range out {
		out[i] = photo(size, byte('a'+i))
	}
	return out
}

func TestStartRefusesBeforeUpload(t *testing.T) {
	small := photo(100, 'a')
	tests := []struct {
		name   string
		photos [][]byte
		field  string
	}{
		{name: "no photo", photos: nil, field: "photos"},
		{name: "6 photos", photos: photos(6, 100), field: "photos"},
		{name: "first photo empty", photos: [][]byte{{}}, field: "photos[0]"},
		{name: "first photo nil", photos: [][]byte{nil, small}, field: "photos[0]"},
		{name: "third photo empty", photos: [][]byte{small, small, {}}, field: "photos[2]"},
		{name: "second photo MaxPhotoSize+1", photos: [][]byte{small, photo(scan.MaxPhotoSize+1, 'b')}, field: "photos[1]"},
		{name: "only photo MaxPhotoSize+1", photos: [][]byte{photo(scan.MaxPhotoSize+1, 'b')}, field: "photos[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := newUpload(t)
			job, err := newClient(t, u.URL, u.Client()).Start(context.Background(), tt.photos...)
			assert.Equal(t, bookstrack.Job{}, job)
			var ie *bookstrack.InputError
			require.True(t, errors.As(err, &ie), "want an *InputError, got %T %v", err, err)
			assert.Equal(t, tt.field, ie.Field)
			assert.NotEmpty(t, ie.Reason)
			assert.True(t, errors.As(err, new(*bookstrack.InputError)))
			n, _, _ := u.Seen()
			assert.Zero(t, n, "the server saw a request")
		})
	}
}

// MaxPhotos photos of MaxPhotoSize bytes make exactly MaxPhotosSize, so
// the total limit cannot be exceeded by photos that each pass theirs.
func TestTotalLimitIsReachedOnlyAtEquality(t *testing.T) {
	assert.Equal(t, scan.MaxPhotosSize, scan.MaxPhotos*scan.MaxPhotoSize)
}

func TestStartUploads(t *testing.T) {
	tests := []struct {
		name   string
		photos func() [][]byte
	}{
		{name: "one photo of one byte", photos: func() [][]byte { return [][]byte{{0xff}} }},
		{name: "one small JPEG", photos: func() [][]byte { return photos(1, 100) }},
		{name: "five small photos in order", photos: func() [][]byte { return photos(5, 1000) }},
		{name: "one photo of exactly MaxPhotoSize", photos: func() [][]byte { return photos(1, scan.MaxPhotoSize) }},
		{name: "five photos of MaxPhotoSize: exactly MaxPhotosSize", photos: func() [][]byte { return photos(5, scan.MaxPhotoSize) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sent := tt.photos()
			u := newUpload(t)
			job, err := newClient(t, u.URL, u.Client()).Start(context.Background(), sent...)
			require.NoError(t, err)
			assert.Equal(t, jobtest.JobID, job.ID)
			assert.Equal(t, bookstrack.KindScan, job.Kind)
			assert.Equal(t, jobtest.Token, job.Token)
			assert.Equal(t, u.URL+"/v3/jobs/scans/"+jobtest.JobID+"/stream", job.StreamURL)

			n, paths, parts := u.Seen()
			require.Equal(t, 1, n)
			assert.Equal(t, []string{"POST /v3/jobs/scans"}, paths)
			require.Len(t, parts[0], len(sent))
			for i, p := range parts[0] {
				assert.Equal(t, "photos[]", p.Name, "part %d", i)
				assert.Equal(t, len(sent[i]), len(p.Data), "part %d", i)
				assert.Equal(t, sha256.Sum256(sent[i]), sha256.Sum256(p.Data), "part %d arrived changed or out of order", i)
				if len(sent[i]) > len(jpegMagic) {
					assert.Equal(t, "image/jpeg", p.ContentType, "part %d", i)
				}
			}
		})
	}
}

func TestStartErrorResponse(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = fmt.Fprint(w, `{"status":429,"code":"RATE_LIMIT_EXCEEDED","detail":"5 scans per hour"}`)
	}))
	t.Cleanup(srv.Close)
	_, err := newClient(t, srv.URL, srv.Client()).Start(context.Background(), photo(100, 'a'))
	var rl *bookstrack.RateLimitError
	require.True(t, errors.As(err, &rl), "%T %v", err, err)
	assert.Equal(t, 60*time.Second, rl.RetryAfter)
}
