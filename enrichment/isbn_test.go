package enrichment_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/enrichment"
	"github.com/bookstrack/bookstrack-go/internal/jobtest"
)

// isbn13Check computes an ISBN-13's check digit from its first twelve
// digits, independently of the package.
func isbn13Check(twelve string) string {
	sum := 0
	for i, c := range twelve {
		d := int(c - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return strconv.Itoa((10 - sum%10) % 10)
}

func TestNormalizeISBN(t *testing.T) {
	tests := []struct {
		in   string
		want string // empty: refused
	}{
		{"9780141439518", "9780141439518"},
		{"0141439513", "0141439513"},
		{"978-0-14-143951-8", "9780141439518"},
		{"0-14-143951-3", "0141439513"},
		{"978 0 14 143951 8", "9780141439518"},
		{" 9780141439518\n", "9780141439518"},
		{"\t0141439513 ", "0141439513"},
		{"978--0141439518", "9780141439518"},
		{"080442957X", "9780804429573"},
		{"080442957x", "9780804429573"},
		{"0-8044-2957-X", "9780804429573"},
		{"043942089X", "9780439420891"},
		{"155404295X", "9781554042951"},
		{"123456789X", "9781234567897"},
		{"", ""},
		{"   ", ""},
		{"---", ""},
		{"978014143951", ""},   // 12 digits
		{"97801414395181", ""}, // 14 digits
		{"014143951", ""},      // 9 digits
		{"01414395133", ""},    // 11 digits
		{"97801414395X8", ""},  // letter inside a 13
		{"978014143951X", ""},  // X ends a 13
		{"0X41439513", ""},     // X inside a 10
		{"08044295XX", ""},     // two X
		{"ISBN 9780141439518", ""},
		{"978-0-14-143951-8a", ""},
		{"978_0141439518", ""},
		{"978.0.14.143951.8", ""},
		{"978\t0141439518", ""},     // a tab inside is not a space
		{"978\u00a00141439518", ""}, // no-break space
		{"９７８０１４１４３９５１８", ""},       // full-width digits
		{"-9780141439518", "9780141439518"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.in), func(t *testing.T) {
			got, err := enrichment.NormalizeISBN(tt.in)
			if tt.want != "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return
			}
			assert.Empty(t, got)
			var ie *bookstrack.InputError
			require.True(t, errors.As(err, &ie), "want an *InputError, got %T %v", err, err)
			assert.Equal(t, "isbn", ie.Field)
			assert.True(t, errors.As(err, new(*bookstrack.InputError)))
		})
	}
}

// Every ISBN-10 ending in X becomes 978, its nine digits, and the check
// digit of those twelve.
func TestNormalizeISBNCheckDigitOfX(t *testing.T) {
	for _, nine := range []string{"000000000", "999999999", "080442957", "123456789", "555555555", "314159265", "271828182"} {
		t.Run(nine+"X", func(t *testing.T) {
			got, err := enrichment.NormalizeISBN(nine + "X")
			require.NoError(t, err)
			want := "978" + nine
			want += isbn13Check(want)
			assert.Equal(t, want, got)
		})
	}
}

// newEnrich starts an upload server answering as the enrichment start
// route.
func newEnrich(t testing.TB) *jobtest.Upload {
	t.Helper()
	return jobtest.NewUpload(t, func(url string) string {
		return `{"success":true,"data":{"jobId":"` + jobtest.JobID + `","status":"queued","streamUrl":"` + url + `/v3/jobs/enrichment/` + jobtest.JobID + `/stream","token":"` + jobtest.Token + `"}}`
	})
}

func many(n int) []string {
	out := make([]string, n)
	for i := range out {
		twelve := fmt.Sprintf("978%09d", i)
		out[i] = twelve + isbn13Check(twelve)
	}
	return out
}

func TestStartRefusesBeforeRequest(t *testing.T) {
	tests := []struct {
		name  string
		isbns []string
		field string
	}{
		{name: "nil", isbns: nil, field: "isbns"},
		{name: "no ISBN", isbns: []string{}, field: "isbns"},
		{name: "501 ISBNs", isbns: many(501), field: "isbns"},
		{name: "letters in the fourth", isbns: []string{"9780141439518", "0141439513", "9780441172719", "97801414395AB"}, field: "isbns[3]"},
		{name: "9 digits first", isbns: []string{"014143951"}, field: "isbns[0]"},
		{name: "empty second", isbns: []string{"9780141439518", ""}, field: "isbns[1]"},
		{name: "X ending a 13", isbns: []string{"978014143951X"}, field: "isbns[0]"},
		{name: "bad one after 499 good ones", isbns: append(many(499), "nope"), field: "isbns[499]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnrich(t)
			job, err := newClient(t, e.URL, e.Client()).Start(context.Background(), tt.isbns)
			assert.Equal(t, bookstrack.Job{}, job)
			var ie *bookstrack.InputError
			require.True(t, errors.As(err, &ie), "want an *InputError, got %T %v", err, err)
			assert.Equal(t, tt.field, ie.Field)
			assert.NotEmpty(t, ie.Reason)
			assert.True(t, errors.As(err, new(*bookstrack.InputError)))
			n, _, _ := e.Seen()
			assert.Zero(t, n, "the server saw a request")
		})
	}
}

func TestStartSendsNormalisedISBNs(t *testing.T) {
	tests := []struct {
		name  string
		isbns []string
		want  []string
	}{
		{name: "one ISBN-13", isbns: []string{"9780141439518"}, want: []string{"9780141439518"}},
		{name: "hyphenated and spaced", isbns: []string{"978-0-14-143951-8", "0 14 143951 3", " 9780441172719 "},
			want: []string{"9780141439518", "0141439513", "9780441172719"}},
		{name: "ISBN-10 ending with X becomes its ISBN-13", isbns: []string{"080442957X", "0-8044-2957-x"}, want: []string{"9780804429573", "9780804429573"}},
		{name: "500 ISBNs", isbns: many(500), want: many(500)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := append([]string(nil), tt.isbns...)
			e := newEnrich(t)
			job, err := newClient(t, e.URL, e.Client()).Start(context.Background(), tt.isbns)
			require.NoError(t, err)
			assert.Equal(t, jobtest.JobID, job.ID)
			assert.Equal(t, bookstrack.KindEnrichment, job.Kind)
			assert.Equal(t, jobtest.Token, job.Token)
			assert.Equal(t, in, tt.isbns, "the caller's slice was changed")

			n, paths, parts := e.Seen()
			require.Equal(t, 1, n)
			assert.Equal(t, []string{"POST /v3/books/enrich"}, paths)
			require.Len(t, parts[0], 1, "one body")
			assert.Equal(t, "application/json", parts[0][0].ContentType)
			body := parts[0][0].Data
			var got struct {
				ISBNs []string `json:"isbns"`
				Async *bool    `json:"async"`
			}
			require.NoError(t, json.Unmarshal(body, &got), "%s", body)
			assert.Equal(t, tt.want, got.ISBNs)
			require.NotNil(t, got.Async, "async missing")
			assert.True(t, *got.Async)
			var keys map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(body, &keys))
			assert.Len(t, keys, 2, "only isbns and async: %s", body)
		})
	}
}

func TestStartV2StillStartsOnV3(t *testing.T) {
	e := newEnrich(t)
	job, err := newClient(t, e.URL, e.Client(), bookstrack.WithRoutes(bookstrack.V2)).Start(context.Background(), []string{"9780141439518"})
	require.NoError(t, err)
	assert.Equal(t, e.URL+"/api/v2/enrichments/"+jobtest.JobID+"/stream", job.StreamURL)
	_, paths, parts := e.Seen()
	assert.Equal(t, []string{"POST /v3/books/enrich"}, paths)
	require.Len(t, parts, 1)
	require.Len(t, parts[0], 1, "one body")
	assert.Equal(t, "application/json", parts[0][0].ContentType)
}
