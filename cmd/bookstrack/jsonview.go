package main

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"time"
	"unicode"
)

// jsonValue is v as --json and --events print it, in the API's own
// convention: keys in lowerCamelCase (JobID is "jobId", CoverURL
// "coverUrl"), a zero time.Time left out (an optional time the server did
// not give), and a nil slice written [] rather than null. Exported struct
// fields are written in their order; a value that marshals itself (such
// as time.Time) is kept as it is.
func jsonValue(v any) any { return convert(reflect.ValueOf(v)) }

var (
	timeType      = reflect.TypeOf(time.Time{})
	marshalerType = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
)

func convert(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	if v.Type() == timeType || v.Type().Implements(marshalerType) {
		return v.Interface()
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return convert(v.Elem())
	case reflect.Struct:
		var obj object
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			fv := v.Field(i)
			if f.Type == timeType && fv.Interface().(time.Time).IsZero() {
				continue
			}
			obj = append(obj, member{lowerCamel(f.Name), convert(fv)})
		}
		return obj
	case reflect.Slice, reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = convert(v.Index(i))
		}
		return out
	case reflect.Map:
		m := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			m[it.Key().String()] = convert(it.Value())
		}
		return m
	case reflect.String:
		return v.String() // named string types (Status, Kind) as plain strings
	}
	return v.Interface()
}

// object is a JSON object whose members keep their order.
type object []member

type member struct {
	key   string
	value any
}

func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(m.key)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(m.value)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// lowerCamel turns a Go field name into the API's key: its words, split
// where the case changes and before the last capital of an initialism
// followed by a lower-case letter, the first in lower case and the
// others capitalised: JobID is jobId, ISBN isbn, CoverURL coverUrl,
// HTTPServer httpServer.
func lowerCamel(name string) string {
	r := []rune(name)
	var words []string
	start := 0
	for i := 1; i < len(r); i++ {
		lowerBefore := unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1])
		acronymEnd := unicode.IsUpper(r[i-1]) && i+1 < len(r) && unicode.IsLower(r[i+1])
		if unicode.IsUpper(r[i]) && (lowerBefore || acronymEnd) {
			words = append(words, string(r[start:i]))
			start = i
		}
	}
	words = append(words, string(r[start:]))
	var b strings.Builder
	for i, w := range words {
		w = strings.ToLower(w)
		if i > 0 {
			wr := []rune(w)
			wr[0] = unicode.ToUpper(wr[0])
			w = string(wr)
		}
		b.WriteString(w)
	}
	return b.String()
}
