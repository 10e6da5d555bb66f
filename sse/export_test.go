package sse

// Unexported defaults and helpers, for the package's external tests.
const (
	DefaultInitialDelay          = defaultInitialDelay
	DefaultMaxDelay              = defaultMaxDelay
	DefaultResponseHeaderTimeout = defaultResponseHeaderTimeout
	DefaultErrorBodyTimeout      = defaultErrorBodyTimeout
	LendEvents                   = lendEvents
)

// JoinObservers is joinObservers.
var JoinObservers = joinObservers
