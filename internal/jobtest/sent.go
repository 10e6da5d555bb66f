package jobtest

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// Sent reads the member name of a JSON object as the server sent it,
// when exactly one member matches it case-insensitively (as the
// decoders match names), so that the fuzzers' round-trip properties are
// about values, not about which of two spellings wins.
func Sent(obj map[string]json.RawMessage, name string) (json.RawMessage, bool) {
	var found json.RawMessage
	n := 0
	for k, v := range obj {
		if strings.EqualFold(k, name) {
			found, n = v, n+1
		}
	}
	return found, n == 1
}

// SentString is Sent for a member sent as a JSON string. A null is not
// one: the decoders leave a field alone on null, which, when the name
// came twice, keeps the earlier value.
func SentString(obj map[string]json.RawMessage, name string) (string, bool) {
	raw, ok := Sent(obj, name)
	var s string
	if !ok || isNull(raw) || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// SentNumber is Sent for a member sent as a JSON number.
func SentNumber(obj map[string]json.RawMessage, name string) (float64, bool) {
	raw, ok := Sent(obj, name)
	var f float64
	if !ok || json.Unmarshal(raw, &f) != nil || isNull(raw) {
		return 0, false
	}
	return f, true
}

// SentObject is Sent for a member sent as a JSON object.
func SentObject(obj map[string]json.RawMessage, name string) (map[string]json.RawMessage, bool) {
	raw, ok := Sent(obj, name)
	var o map[string]json.RawMessage
	if !ok || json.Unmarshal(raw, &o) != nil || o == nil {
		return nil, false
	}
	return o, true
}

func isNull(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "null"
}

// SentObjects is Sent for a member sent as an array of JSON objects.
func SentObjects(obj map[string]json.RawMessage, name string) ([]map[string]json.RawMessage, bool) {
	raw, ok := Sent(obj, name)
	var list []map[string]json.RawMessage
	if !ok || json.Unmarshal(raw, &list) != nil {
		return nil, false
	}
	return list, true
}

// SentStrings is Sent for a member sent as an array of JSON strings.
func SentStrings(obj map[string]json.RawMessage, name string) ([]string, bool) {
	raw, ok := Sent(obj, name)
	var list []string
	if !ok || isNull(raw) || json.Unmarshal(raw, &list) != nil {
		return nil, false
	}
	return list, true
}

// Mismatch describes the first member of obj, among those named in strs
// (sent as strings) and counts (sent as whole numbers within ±2^31-1),
// whose sent value differs from the decoded one it maps to; "" when
// every one that was sent was decoded unchanged.
func Mismatch(obj map[string]json.RawMessage, strs map[string]string, counts map[string]int) string {
	for name, got := range strs {
		if s, ok := SentString(obj, name); ok && s != got {
			return name + ": sent " + strconv.Quote(s) + ", decoded " + strconv.Quote(got)
		}
	}
	for name, got := range counts {
		if n, ok := SentNumber(obj, name); ok && n == math.Trunc(n) && math.Abs(n) <= math.MaxInt32 && float64(got) != n {
			return name + ": sent " + strconv.FormatFloat(n, 'g', -1, 64) + ", decoded " + strconv.Itoa(got)
		}
	}
	return ""
}
