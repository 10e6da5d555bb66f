package csvimport

// DecodeResults decodes a results response's data, for the fuzzer.
var DecodeResults = decodeResults
