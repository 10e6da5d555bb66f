package csvimport_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/csvimport"
)

const token = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// part is one multipart part an upload server received.
type part struct {
	Name, Filename, ContentType string
	Data                        []byte
}

// upload is a test server of the start route that records the parts of
// each request.
type upload struct {
	*httptest.Server
	mu       sync.Mutex
	requests int
	paths    []string
	parts    [][]part
}

func newUpload(t testing.TB) *upload {
	t.Helper()
	u := &upload{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var got []part
		var perr error
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && mt == "multipart/form-data" {
			mr, err := r.MultipartReader()
			if err == nil {
				for {
					p, err := mr.NextPart()
					if err != nil {
						if err != io.EOF {
							perr = err
						}
						break
					}
					data, _ := io.ReadAll(p)
					got = append(got, part{Name: p.FormName(), Filename: p.FileName(), ContentType: p.Header.Get("Content-Type"), Data: data})
				}
			} else {
				perr = err
			}
		}
		u.mu.Lock()
		u.requests++
		u.paths = append(u.paths, r.Method+" "+r.URL.Path)
		u.parts = append(u.parts, got)
		u.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if perr != nil {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"code":"INVALID_REQUEST","detail":"bad multipart"}`)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"success":true,"data":{"jobId":"`+jobID+`","status":"queued","token":"`+token+`"}}`)
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *upload) seen() (n int, paths []string, parts [][]part) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.requests, append([]string(nil), u.paths...), append([][]part(nil), u.parts...)
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
			c, err := csvimport.NewClient(bookstrack.WithBaseURL(u.URL), bookstrack.WithHTTPClient(u.Client()))
			require.NoError(t, err)
			r := &countingReader{r: tt.reader()}
			job, err := c.Start(context.Background(), r)
			require.Error(t, err)
			assert.Equal(t, bookstrack.Job{}, job)
			if tt.field != "" {
				var ie *bookstrack.InputError
				require.True(t, errors.As(err, &ie), "want an *InputError, got %T %v", err, err)
				assert.Equal(t, tt.field, ie.Field)
				assert.True(t, errors.Is(err, bookstrack.ErrInvalidInput))
			} else {
				assert.True(t, errors.Is(err, tt.wrapped), "%v does not wrap %v", err, tt.wrapped)
				assert.False(t, errors.Is(err, bookstrack.ErrInvalidInput))
			}
			assert.LessOrEqual(t, r.n, int64(csvimport.MaxFileSize+1), "bytes read")
			n, _, _ := u.seen()
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
			c, err := csvimport.NewClient(bookstrack.WithBaseURL(u.URL), bookstrack.WithHTTPClient(u.Client()))
			require.NoError(t, err)
			job, err := c.Start(context.Background(), tt.reader())
			require.NoError(t, err)
			assert.Equal(t, jobID, job.ID)
			assert.Equal(t, bookstrack.KindImport, job.Kind)
			assert.Equal(t, token, job.Token)
			assert.Equal(t, u.URL+"/v3/jobs/imports/"+jobID+"/stream", job.StreamURL)

			n, paths, parts := u.seen()
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
	c, err := csvimport.NewClient(bookstrack.WithBaseURL(u.URL), bookstrack.WithHTTPClient(u.Client()), bookstrack.WithRoutes(bookstrack.V2))
	require.NoError(t, err)
	job, err := c.Start(context.Background(), strings.NewReader("Title\nEmma\n"))
	require.NoError(t, err)
	_, paths, _ := u.seen()
	assert.Equal(t, []string{"POST /api/v2/imports"}, paths)
	assert.Equal(t, u.URL+"/api/v2/imports/"+jobID+"/stream", job.StreamURL)
}
