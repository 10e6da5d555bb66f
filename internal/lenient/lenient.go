// Package lenient decodes the BooksTrack API's JSON the way its many
// server versions require: unknown fields ignored, missing fields zero,
// and the documented variants of a field accepted (timestamps as ISO
// strings or epoch milliseconds, authors as strings or objects, a year as
// a number or a date). A field of any other type is an error that names
// it.
package lenient

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/excerpt"
)

// Decode unmarshals data into v, reporting failures as a
// *bookstrack.DecodeError that names the field at fault.
func Decode(data []byte, v any, what string) error {
	err := json.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return &bookstrack.DecodeError{What: what, Field: ute.Field, Err: err}
	}
	return &bookstrack.DecodeError{What: what, Err: err}
}

func typeError(value string, t any) error {
	return &json.UnmarshalTypeError{Value: value, Type: reflect.TypeOf(t)}
}

func isNull(b []byte) bool { return bytes.Equal(bytes.TrimSpace(b), []byte("null")) }

// Time is a timestamp sent as an RFC 3339 string or as epoch milliseconds.
type Time struct{ time.Time }

// UnmarshalJSON accepts an RFC 3339 string (read as UTC without a zone),
// epoch milliseconds (a number or a string of digits) or null.
func (t *Time) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	var s string
	if json.Unmarshal(b, &s) == nil {
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
			if ts, err := time.Parse(layout, s); err == nil {
				t.Time = ts // without a zone: UTC
				return nil
			}
		}
		b = []byte(s)
	}
	ms, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsInf(ms, 0) || math.IsNaN(ms) || math.Abs(ms) > 1e15 {
		return typeError("timestamp "+string(b), time.Time{})
	}
	t.Time = time.UnixMilli(int64(ms)).UTC()
	return nil
}

// Int is a count that may come as a number (possibly 3.0) or a string of
// digits.
type Int int

// UnmarshalJSON accepts a whole number, a numeric string or null.
func (n *Int) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	var s string
	if json.Unmarshal(b, &s) == nil {
		b = []byte(strings.TrimSpace(s))
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 {
		return typeError("number "+string(b), 0)
	}
	*n = Int(f)
	return nil
}

// Float is a number that may come as a string.
type Float float64

// UnmarshalJSON accepts a number, a numeric string or null.
func (f *Float) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	var s string
	if json.Unmarshal(b, &s) == nil {
		b = []byte(strings.TrimSpace(s))
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return typeError("number "+string(b), 0.0)
	}
	*f = Float(v)
	return nil
}

// Names is a list of people sent as strings, as objects with a name, or
// as one string.
type Names []string

// UnmarshalJSON accepts ["a","b"], [{"name":"a"}], "a" or null.
func (n *Names) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	var one string
	if json.Unmarshal(b, &one) == nil {
		*n = Names{one}
		return nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return typeError("authors "+abbrev(b), []string{})
	}
	out := make(Names, 0, len(raw))
	for _, r := range raw {
		var s string
		if json.Unmarshal(r, &s) == nil {
			out = append(out, s)
			continue
		}
		var obj struct {
			Name *string `json:"name"`
		}
		if err := json.Unmarshal(r, &obj); err != nil || obj.Name == nil {
			return typeError("author "+abbrev(r), "")
		}
		out = append(out, *obj.Name)
	}
	*n = out
	return nil
}

// Year is a publication year sent as a number or as a date string such as
// "1997-06-26" or "1997".
type Year int

// UnmarshalJSON accepts a number, a date string starting with the year, or
// null.
func (y *Year) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	var s string
	if json.Unmarshal(b, &s) == nil {
		s = strings.TrimSpace(s)
		if s == "" {
			return nil
		}
		if len(s) >= 4 {
			if v, err := strconv.Atoi(s[:4]); err == nil && (len(s) == 4 || s[4] == '-') {
				*y = Year(v)
				return nil
			}
		}
		return typeError("date "+abbrev(b), 0)
	}
	var v Int
	if err := v.UnmarshalJSON(b); err != nil {
		return err
	}
	*y = Year(v)
	return nil
}

// String is text that may be null (read as "") or a number (read as its
// decimal text, as ISBNs sometimes are).
type String string

// UnmarshalJSON accepts a string, a number or null.
func (s *String) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	var v string
	if json.Unmarshal(b, &v) == nil {
		*s = String(v)
		return nil
	}
	var num json.Number
	if json.Unmarshal(b, &num) == nil {
		*s = String(num.String())
		return nil
	}
	return typeError("value "+abbrev(b), "")
}

func abbrev(b []byte) string { return excerpt.Cut(string(b), 40) }
