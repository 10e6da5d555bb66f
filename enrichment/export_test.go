package enrichment

// DecodeResults decodes a results response's data, for the fuzzer.
var DecodeResults = decodeResults
