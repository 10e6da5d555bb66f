package csvimport_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/internal/jobtest"
)

// newUpload starts an upload server answering as the import start route.
func newUpload(t testing.TB) *jobtest.Upload {
	t.Helper()
	return jobtest.NewUpload(t, func(string) string {
		return `{"success":true,"data":{"jobId":"` + jobtest.JobID + `","status":"queued","token":"` + jobtest.Token + `"}}`
	})
}

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

type fill byte

func (f fill) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(f)
	}
	return len(p), nil
}

var errDisk = errors.New("disk on fire")

func TestStartRefusesBeforeUpload(t *testing.T) {
	tests := []struct {
		name    string
		reader  func() io.Reader
		field   string // the InputError's Field; empty when the error is not one
		wrapped error  // an error that must be wrapped
	}{
		{name: "empty reader", reader: func() io.Reader { return strings.NewReader("") }, field: "file"},
		{name: "MaxFileSize+1 bytes", reader: func() io.Reader { return bytes.NewReader(make([]byte, csvimport.MaxFileSize+1)) }, field: "file"},
		{name: "endless reader", reader: func() io.Reader { return fill('a') }, field: "file"},
		{name: "reader failing at once", reader: func() io.Reader { return iotest.ErrReader(errDisk) }, wrapped: errDisk},
		{name: "reader failing after some data", reader: func() io.Reader {
			return io.MultiReader(strings.NewReader("Title,Author\n"), iotest.ErrReader(errDisk))
		}, wrapped: errDisk},
		{name: "reader timing out", reader: func() io.Reader { return iotest.TimeoutReader(strings.NewReader("Title,Author\n")) }, wrapped: iotest.ErrTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := newUpload(t)
			c := newClient(t, u.URL, u.Client())
			r := &countingReader{r: tt.reader()}
			job, err := c.Start(context.Background(), r)
			require.Error(t, err)
			assert.Equal(t, bookstrack.Job{}, job)
			if tt.field != "" {
				var ie *bookstrack.InputError
				require.True(t, errors.As(err, &ie), "want an *InputError, got %T %v", err, err)
				assert.Equal(t, tt.field, ie.Field)
				assert.True(t, errors.As(err, new(*bookstrack.InputError)))
			} else {
				assert.True(t, errors.Is(err, tt.wrapped), "%v does not wrap %v", err, tt.wrapped)
				assert.False(t, errors.As(err, new(*bookstrack.InputError)))
			}
			assert.LessOrEqual(t, r.n, int64(csvimport.MaxFileSize+1), "bytes read")
			n, _, _ := u.Seen()
			assert.Zero(t, n, "the server saw a request")
		})
	}
}

func TestStartUploads(t *testing.T) {
	csv := "Title,Author,ISBN,ISBN13\nEmma,Jane Austen,,=\"9780141439587\"\n"
	tests := []struct {
		name   string
		reader func() io.Reader
		want   func() []byte
	}{
		{name: "small CSV", reader: func() io.Reader { return strings.NewReader(csv) }, want: func() []byte { return []byte(csv) }},
		{name: "small CSV read one byte at a time", reader: func() io.Reader { return iotest.OneByteReader(strings.NewReader(csv)) }, want: func() []byte { return []byte(csv) }},
		{name: "exactly MaxFileSize bytes", reader: func() io.Reader { return io.LimitReader(fill('x'), csvimport.MaxFileSize) }, want: func() []byte {
			return bytes.Repeat([]byte("x"), csvimport.MaxFileSize)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := newUpload(t)
			c := newClient(t, u.URL, u.Client())
			job, err := c.Start(context.Background(), tt.reader())
			require.NoError(t, err)
			assert.Equal(t, jobtest.JobID, job.ID)
			assert.Equal(t, bookstrack.KindImport, job.Kind)
			assert.Equal(t, jobtest.Token, job.Token)
			assert.Equal(t, u.URL+"/v3/jobs/imports/"+jobtest.JobID+"/stream", job.StreamURL)

			n, paths, parts := u.Seen()
			require.Equal(t, 1, n)
			assert.Equal(t, []string{"POST /v3/jobs/imports"}, paths)
			require.Len(t, parts[0], 1, "one multipart part")
			p := parts[0][0]
			assert.Equal(t, "file", p.Name)
			assert.NotEmpty(t, p.Filename)
			assert.Equal(t, "text/csv", p.ContentType)
			want := tt.want()
			assert.Equal(t, len(want), len(p.Data))
			assert.True(t, bytes.Equal(want, p.Data), "the file arrived changed")
		})
	}
}

func TestStartV2Route(t *testing.T) {
	u := newUpload(t)
	job, err := newClient(t, u.URL, u.Client(), bookstrack.WithRoutes(bookstrack.V2)).Start(context.Background(), strings.NewReader("Title\nEmma\n"))
	require.NoError(t, err)
	_, paths, _ := u.Seen()
	assert.Equal(t, []string{"POST /api/v2/imports"}, paths)
	assert.Equal(t, u.URL+"/api/v2/imports/"+jobtest.JobID+"/stream", job.StreamURL)
}
