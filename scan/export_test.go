package scan

// DecodeBooks decodes a results response's data, for the fuzzer.
var DecodeBooks = decodeBooks
