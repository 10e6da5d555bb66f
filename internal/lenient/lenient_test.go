package lenient_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/lenient"
)

// lenientCase is one JSON value decoded into a field named "v" of a struct,
// so that errors can be checked to name the field.
type lenientCase[T any] struct {
	name string
	json string
	want T
	err  bool
}

// run decodes `{"v": <json>}` into a struct holding a T and checks the
// value, or that the error is a *json.UnmarshalTypeError naming "v".
func run[T any](t *testing.T, tests []lenientCase[T], eq func(t *testing.T, want, got T)) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s struct {
				V T `json:"v"`
			}
			err := json.Unmarshal([]byte(`{"v":`+tt.json+`}`), &s)
			if tt.err {
				var ute *json.UnmarshalTypeError
				require.True(t, errors.As(err, &ute), "want a *json.UnmarshalTypeError, got %T %v", err, err)
				assert.Equal(t, "v", ute.Field)
				return
			}
			require.NoError(t, err)
			eq(t, tt.want, s.V)
		})
	}
}

func equal[T any](t *testing.T, want, got T) { assert.Equal(t, want, got) }

func TestTime(t *testing.T) {
	at := time.Date(2025, 12, 1, 10, 30, 0, 0, time.UTC)
	tests := []lenientCase[time.Time]{
		{name: "ISO with Z, no fraction", json: `"2025-12-01T10:30:00Z"`, want: at},
		{name: "ISO with Z and milliseconds", json: `"2025-12-01T10:30:00.123Z"`, want: at.Add(123 * time.Millisecond)},
		{name: "ISO with nanoseconds", json: `"2025-12-01T10:30:00.000000001Z"`, want: at.Add(1)},
		{name: "ISO with an offset zone", json: `"2025-12-01T11:30:00+01:00"`, want: at},
		{name: "ISO with an offset zone and fraction", json: `"2025-12-01T05:30:00.5-05:00"`, want: at.Add(500 * time.Millisecond)},
		{name: "ISO without zone read as UTC", json: `"2025-12-01T10:30:00"`, want: at},
		{name: "ISO without zone, with fraction, read as UTC", json: `"2025-12-01T10:30:00.250"`, want: at.Add(250 * time.Millisecond)},
		{name: "epoch ms number", json: `1764585000000`, want: at},
		{name: "epoch ms number with fraction", json: `1764585000123.0`, want: at.Add(123 * time.Millisecond)},
		{name: "epoch ms string", json: `"1764585000000"`, want: at},
		{name: "epoch zero", json: `0`, want: time.UnixMilli(0)},
		{name: "null is zero", json: `null`, want: time.Time{}},
		{name: "garbage string", json: `"yesterday"`, err: true},
		{name: "empty string", json: `""`, err: true},
		{name: "boolean", json: `true`, err: true},
		{name: "object", json: `{"ms":1}`, err: true},
		{name: "array", json: `[1764585000000]`, err: true},
		{name: "absurdly large number", json: `1e300`, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s struct {
				V lenient.Time `json:"v"`
			}
			err := json.Unmarshal([]byte(`{"v":`+tt.json+`}`), &s)
			if tt.err {
				var ute *json.UnmarshalTypeError
				require.True(t, errors.As(err, &ute), "want a *json.UnmarshalTypeError, got %T %v", err, err)
				assert.Equal(t, "v", ute.Field)
				return
			}
			require.NoError(t, err)
			assert.True(t, tt.want.Equal(s.V.Time), "got %v, want %v", s.V.Time, tt.want)
		})
	}
}

func TestInt(t *testing.T) {
	run(t, []lenientCase[lenient.Int]{
		{name: "number", json: `3`, want: 3},
		{name: "number with .0", json: `3.0`, want: 3},
		{name: "exponent", json: `1e3`, want: 1000},
		{name: "negative", json: `-2`, want: -2},
		{name: "numeric string", json: `"3"`, want: 3},
		{name: "numeric string with spaces", json: `" 42 "`, want: 42},
		{name: "null is zero", json: `null`, want: 0},
		{name: "fraction", json: `3.5`, err: true},
		{name: "fraction in a string", json: `"3.5"`, err: true},
		{name: "text", json: `"x"`, err: true},
		{name: "empty string", json: `""`, err: true},
		{name: "boolean", json: `true`, err: true},
		{name: "array", json: `[3]`, err: true},
		{name: "object", json: `{"n":3}`, err: true},
		{name: "beyond int32", json: `1e12`, err: true},
	}, equal[lenient.Int])
}

func TestFloat(t *testing.T) {
	run(t, []lenientCase[lenient.Float]{
		{name: "fraction", json: `0.85`, want: 0.85},
		{name: "float noise kept", json: `0.30000000000000004`, want: 0.30000000000000004},
		{name: "integer", json: `100`, want: 100},
		{name: "numeric string", json: `"0.5"`, want: 0.5},
		{name: "null is zero", json: `null`, want: 0},
		{name: "text", json: `"high"`, err: true},
		{name: "NaN string", json: `"NaN"`, err: true},
		{name: "Inf string", json: `"Inf"`, err: true},
		{name: "boolean", json: `false`, err: true},
		{name: "object", json: `{}`, err: true},
	}, equal[lenient.Float])
}

func TestNames(t *testing.T) {
	run(t, []lenientCase[lenient.Names]{
		{name: "strings", json: `["a","b"]`, want: lenient.Names{"a", "b"}},
		{name: "objects with a name", json: `[{"name":"a"},{"name":"b","key":"/authors/OL1A"}]`, want: lenient.Names{"a", "b"}},
		{name: "mixed strings and objects", json: `["a",{"name":"b"}]`, want: lenient.Names{"a", "b"}},
		{name: "one string", json: `"a"`, want: lenient.Names{"a"}},
		{name: "empty list", json: `[]`, want: lenient.Names{}},
		{name: "null is nil", json: `null`, want: nil},
		{name: "numbers", json: `[1]`, err: true},
		{name: "object without a name", json: `[{"nom":"a"}]`, err: true},
		{name: "object with a numeric name", json: `[{"name":1}]`, err: true},
		{name: "one object", json: `{"name":"a"}`, err: true},
		{name: "number", json: `5`, err: true},
	}, equal[lenient.Names])
}

func TestYear(t *testing.T) {
	run(t, []lenientCase[lenient.Year]{
		{name: "number", json: `1997`, want: 1997},
		{name: "number with .0", json: `1997.0`, want: 1997},
		{name: "full date", json: `"1997-06-26"`, want: 1997},
		{name: "year and month", json: `"1997-06"`, want: 1997},
		{name: "year string", json: `"1997"`, want: 1997},
		{name: "empty string is zero", json: `""`, want: 0},
		{name: "null is zero", json: `null`, want: 0},
		{name: "month name", json: `"June 1997"`, err: true},
		{name: "two digits", json: `"97"`, err: true},
		{name: "five digits", json: `"19970"`, err: true},
		{name: "slashed date", json: `"1997/06/26"`, err: true},
		{name: "fraction", json: `1997.5`, err: true},
		{name: "boolean", json: `true`, err: true},
		{name: "object", json: `{"year":1997}`, err: true},
	}, equal[lenient.Year])
}

func TestString(t *testing.T) {
	run(t, []lenientCase[lenient.String]{
		{name: "string", json: `"9780141439518"`, want: "9780141439518"},
		{name: "empty string", json: `""`, want: ""},
		{name: "number keeps its digits", json: `9780141439518`, want: "9780141439518"},
		{name: "small number", json: `42`, want: "42"},
		{name: "null is empty", json: `null`, want: ""},
		{name: "object", json: `{"isbn":"1"}`, err: true},
		{name: "array", json: `["a"]`, err: true},
		{name: "boolean", json: `true`, err: true},
	}, equal[lenient.String])
}

type book struct {
	ISBN      lenient.String `json:"isbn"`
	Title     string         `json:"title"`
	Authors   lenient.Names  `json:"authors"`
	PageCount lenient.Int    `json:"pageCount"`
	Year      lenient.Year   `json:"publicationYear"`
	Updated   lenient.Time   `json:"updatedAt"`
}

type results struct {
	Count lenient.Int `json:"count"`
	Books []book      `json:"books"`
	Meta  struct {
		Score lenient.Float `json:"score"`
	} `json:"meta"`
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name  string
		json  string
		want  results
		err   bool
		field string // the DecodeError's Field
	}{
		{
			name: "all variants accepted",
			json: `{"count":"2","books":[{"isbn":9780141439518,"title":"Emma","authors":[{"name":"Jane Austen"}],"pageCount":474.0,"publicationYear":"1815-12-23","updatedAt":1764585000000},{"isbn":"","title":"Untitled","authors":"Anon"}],"meta":{"score":"0.5"}}`,
			want: results{Count: 2, Books: []book{
				{ISBN: "9780141439518", Title: "Emma", Authors: lenient.Names{"Jane Austen"}, PageCount: 474, Year: 1815, Updated: lenient.Time{Time: time.UnixMilli(1764585000000).UTC()}},
				{Title: "Untitled", Authors: lenient.Names{"Anon"}},
			}, Meta: struct {
				Score lenient.Float `json:"score"`
			}{Score: 0.5}},
		},
		{
			name: "unknown fields ignored",
			json: `{"count":1,"extra":{"deep":[1,2,{"x":null}]},"books":[{"title":"A","shelf":"top"}]}`,
			want: results{Count: 1, Books: []book{{Title: "A"}}},
		},
		{
			name: "missing fields zero",
			json: `{}`,
			want: results{},
		},
		{name: "lenient field of an odd type in a list", json: `{"books":[{"title":"A"},{"pageCount":"many"}]}`, err: true, field: "books.pageCount"},
		{name: "plain field of an odd type in a list", json: `{"books":[{"title":5}]}`, err: true, field: "books.title"},
		{name: "authors of numbers", json: `{"books":[{"authors":[1]}]}`, err: true, field: "books.authors"},
		{name: "year as words", json: `{"books":[{"publicationYear":"June 1997"}]}`, err: true, field: "books.publicationYear"},
		{name: "garbage timestamp", json: `{"books":[{"updatedAt":"soon"}]}`, err: true, field: "books.updatedAt"},
		{name: "nested object field", json: `{"meta":{"score":"high"}}`, err: true, field: "meta.score"},
		{name: "top-level field", json: `{"count":3.5}`, err: true, field: "count"},
		{name: "list of an odd type", json: `{"books":{"title":"A"}}`, err: true, field: "books"},
		{name: "syntax error", json: `{"count":1,`, err: true, field: ""},
		{name: "not JSON", json: `<html>`, err: true, field: ""},
		{name: "empty input", json: ``, err: true, field: ""},
		{name: "wrong top-level type", json: `[1,2]`, err: true, field: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got results
			err := lenient.Decode([]byte(tt.json), &got, "test results")
			if !tt.err {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return
			}
			var de *bookstrack.DecodeError
			require.True(t, errors.As(err, &de), "want a *DecodeError, got %T %v", err, err)
			assert.Equal(t, "test results", de.What)
			assert.Equal(t, tt.field, de.Field)
			assert.NotNil(t, de.Err)
			assert.Contains(t, err.Error(), "test results")
			if tt.field != "" {
				assert.Contains(t, err.Error(), "field "+tt.field)
				var ute *json.UnmarshalTypeError
				assert.True(t, errors.As(err, &ute), "the *json.UnmarshalTypeError is kept")
			}
		})
	}
}

// Decoding never panics, whatever the input.
func TestDecodeDoesNotPanic(t *testing.T) {
	inputs := []string{`null`, `{"books":null}`, `{"books":[null]}`, `{"books":[{"authors":[null]}]}`, `{"books":[{"authors":[{"name":null}]}]}`, `"x"`, `0`, `{"books":[[]]}`}
	for _, in := range inputs {
		t.Run(in, func(t *testing.T) {
			var got results
			assert.NotPanics(t, func() { _ = lenient.Decode([]byte(in), &got, "x") })
		})
	}
}
