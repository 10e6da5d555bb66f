package retryafter_test

import (
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/bookstrack/bookstrack-go/internal/retryafter"
)

var now = time.Date(2026, 12, 2, 16, 0, 0, 0, time.UTC)

func TestParseReadsSecondsAndDatesCappedAtTheLimit(t *testing.T) {
	const limit = 5 * time.Minute
	for _, tc := range []struct {
		name  string
		value string
		want  time.Duration
		ok    bool
	}{
		{"seconds", "120", 2 * time.Minute, true},
		{"zero seconds", "0", 0, true},
		{"spaces around", " 7 ", 7 * time.Second, true},
		{"seconds over the limit", "3600", limit, true},
		{"seconds past uint64", "999999999999999999999", limit, true},
		{"seconds past time.Duration", "99999999999", limit, true},
		{"HTTP date ahead", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"HTTP date past the limit (year 2099)", "Wed, 21 Oct 2099 07:28:00 GMT", limit, true},
		{"HTTP date in the past", now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"empty", "", 0, false},
		{"negative", "-3", 0, false},
		{"fractional", "1.5", 0, false},
		{"signed", "+5", 0, false},
		{"garbage", "soon", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, ok := retryafter.Parse(tc.value, now, limit)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, d)
		})
	}
}

func TestParseWithoutALimitSaturates(t *testing.T) {
	d, ok := retryafter.Parse("999999999999999999999", now, math.MaxInt64)
	assert.True(t, ok)
	assert.Equal(t, time.Duration(math.MaxInt64), d)
	d, ok = retryafter.Parse("9223372035", now, math.MaxInt64)
	assert.True(t, ok)
	assert.Equal(t, 9223372035*time.Second, d)
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"0", "120", "99999999999", "999999999999999999999", "-1", "1.5",
		"Wed, 21 Oct 2099 07:28:00 GMT", "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "soon", ""} {
		f.Add(s, int64(5*time.Minute))
	}
	f.Fuzz(func(t *testing.T, v string, limit int64) {
		d, ok := retryafter.Parse(v, now, time.Duration(limit))
		if !ok && d != 0 {
			t.Fatalf("Parse(%q) = %v, false: a refused value waits zero", v, d)
		}
		if d < 0 || d > max(time.Duration(limit), 0) {
			t.Fatalf("Parse(%q, limit %v) = %v: outside 0..limit", v, time.Duration(limit), d)
		}
	})
}
