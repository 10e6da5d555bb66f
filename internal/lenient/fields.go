package lenient

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"

	"github.com/bookstrack/bookstrack-go"
)

// Fields decodes the JSON object data into the struct *v field by field:
// a field whose value cannot be read is left zero and reported as a
// *bookstrack.DecodeError naming it, and every other field is still
// read. err is set, and v left untouched, only when data is not a JSON
// object. Field names match the json tags as encoding/json matches them
// (exactly, else case-insensitively).
func Fields(data []byte, v any, what string) (bad []*bookstrack.DecodeError, err error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil || raw == nil {
		if err == nil {
			err = typeError("null", map[string]any{})
		}
		return nil, &bookstrack.DecodeError{What: what, Err: err}
	}
	rv := reflect.ValueOf(v).Elem()
	rt := rv.Type()
	for i := 0; i < rt.NumField(); i++ {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		value, ok := lookup(raw, name)
		if !ok {
			continue
		}
		if err := json.Unmarshal(value, rv.Field(i).Addr().Interface()); err != nil {
			rv.Field(i).SetZero()
			bad = append(bad, &bookstrack.DecodeError{What: what, Field: name, Err: err})
		}
	}
	return bad, nil
}

// lookup finds a member by its exact name, else case-insensitively.
func lookup(raw map[string]json.RawMessage, name string) (json.RawMessage, bool) {
	if v, ok := raw[name]; ok {
		return v, true
	}
	for k, v := range raw {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// ArrayLen returns the number of elements of a JSON array, and false when
// raw is not one.
func ArrayLen(raw json.RawMessage) (int, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '[' {
		return 0, false
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return 0, false
	}
	return len(items), true
}
