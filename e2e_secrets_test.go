package bookstrack_test

// Issue 6 item 9, end to end with default options: the token goes only
// to the base URL's origin, fmt never prints it, and ISBNs come back as
// the caller passed them.

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/enrichment"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// crossOrigin starts an API whose start response points the stream at
// another origin, and that other origin, which would complete the job.
func crossOrigin(t *testing.T) (api, other *ssetest.Server) {
	other = ssetest.NewServer(t, streamScript("retry: 5000\n\n",
		rawEvent("1767323045000-completed", "completed", completedData(scriptedJobID, t0))))
	api = ssetest.NewServer(t, jsonScript(http.StatusAccepted,
		startBody(`"streamUrl":"`+other.URL+`/v3/jobs/imports/`+scriptedJobID+`/stream?token=`+scriptedToken+`"`)))
	return api, other
}

func TestAStreamURLOnAnotherOriginIsRefusedWithATypedErrorAndNoRequest(t *testing.T) {
	api, other := crossOrigin(t)
	c, err := csvimport.NewClient(bookstrack.WithBaseURL(api.URL), bookstrack.WithClock(ssetest.NewClock(t0)))
	require.NoError(t, err)
	ctx := guard(t)
	job, err := c.Start(ctx, strings.NewReader(libraryCSV))
	require.NoError(t, err)

	_, err = c.Watch(ctx, job, bookstrack.Handlers{})
	require.ErrorAs(t, err, new(*bookstrack.OriginError))
	var oe *bookstrack.OriginError
	require.True(t, errors.As(err, &oe), "got %v", err)
	assert.Equal(t, other.URL+"/v3/jobs/imports/"+scriptedJobID+"/stream", oe.URL, "the URL without its query")
	assert.Equal(t, api.URL, oe.Origin)
	assert.NotContains(t, err.Error(), scriptedToken)
	assert.Empty(t, other.Requests(), "the other origin was called")
}

func TestAStreamURLOnAnotherOriginIsFollowedWithoutTheTokenByOption(t *testing.T) {
	api, other := crossOrigin(t)
	c, err := csvimport.NewClient(bookstrack.WithBaseURL(api.URL), bookstrack.WithClock(ssetest.NewClock(t0)),
		bookstrack.WithCrossOriginStreams(true))
	require.NoError(t, err)
	ctx := guard(t)
	job, err := c.Start(ctx, strings.NewReader(libraryCSV))
	require.NoError(t, err)

	comp, err := c.Watch(ctx, job, bookstrack.Handlers{})
	require.NoError(t, err)
	assert.Equal(t, bookstrack.StatusCompleted, comp.Status)
	reqs := other.Requests()
	require.Len(t, reqs, 1)
	assert.Empty(t, reqs[0].Header.Values("Authorization"), "the token went to another origin")
	for name, values := range reqs[0].Header {
		for _, v := range values {
			assert.NotContains(t, v, scriptedToken, "header %s", name)
		}
	}
}

func TestTheTokenGoesToTheBaseURLsOriginAsABearerToken(t *testing.T) {
	f := setup(t)
	c, err := csvimport.NewClient(f.defaults(f.clk)...)
	require.NoError(t, err)
	job := f.startImport(c)
	run := f.follow(c.Watch, job)
	f.complete(run)
	info, ok := f.srv.Job(job.ID)
	require.True(t, ok)
	assert.Equal(t, "Bearer "+info.Token, f.streamRequests(job.ID)[0].Header.Get("Authorization"))
	for _, r := range f.srv.Requests() {
		if !strings.HasSuffix(r.Path, "/stream") {
			assert.Empty(t, r.Header.Get("Authorization"), "%s %s got the token", r.Method, r.Path)
		}
	}
}

func TestFmtVerbsOnAJobNeverPrintItsToken(t *testing.T) {
	f := setup(t)
	c, err := csvimport.NewClient(f.defaults(f.clk, bookstrack.WithQueryToken("token"))...)
	require.NoError(t, err)
	job := f.startImport(c)
	require.NotEmpty(t, job.Token)
	job.StreamURL += "?token=" + job.Token // as a server that puts it in the URL would

	var logs logBuffer
	logs.logger().Info("started", "job", job)
	printed := map[string]string{
		"%v": fmt.Sprintf("%v", job), "%+v": fmt.Sprintf("%+v", job), "%#v": fmt.Sprintf("%#v", job),
		"%s":     fmt.Sprintf("%s", job), //lint:ignore S1025 the verb is what is tested
		"Sprint": fmt.Sprint(job), "Sprintln": fmt.Sprintln(job),
		"%v of a pointer": fmt.Sprintf("%v", &job), "%+v of a pointer": fmt.Sprintf("%+v", &job),
		"%+v inside a struct": fmt.Sprintf("%+v", struct{ Job bookstrack.Job }{job}),
		"%v inside a slice":   fmt.Sprintf("%v", []bookstrack.Job{job}),
		"slog":                logs.String(),
		"slog JSON": func() string {
			var b logBuffer
			slog.New(slog.NewJSONHandler(&b, nil)).Info("started", "job", job)
			return b.String()
		}(),
	}
	for verb, out := range printed {
		assert.NotContains(t, out, job.Token, "%s printed the token: %s", verb, out)
		assert.Contains(t, out, job.ID, "%s does not say which job: %s", verb, out)
	}
}

func TestISBNsComeBackInTheNotFoundListAsTheCallerPassedThem(t *testing.T) {
	f := setup(t)
	c, err := enrichment.NewClient(f.defaults(f.clk)...)
	require.NoError(t, err)
	passed := []string{"123456789X", "979-10-90636-07-1", "0 12 345678 9", catalogueISBN(0)}
	job := f.startEnrichment(c, passed...)
	run := f.follow(c.Watch, job)
	f.complete(run)

	res, err := c.Results(f.ctx, job.ID)
	require.NoError(t, err)
	require.Len(t, res.Books, 1)
	assert.ElementsMatch(t, passed[:3], res.NotFound, "an ISBN-10 is not reported as its ISBN-13, hyphens and spaces stay")
}
