// Package ssetest provides tools for testing code that consumes
// text/event-stream responses: a scriptable server, a network conditioner
// and a fake clock.
//
// A [Server] is an [httptest.Server] whose every connection follows a
// [Script]: a status, headers and a list of [Step] values such as [Emit],
// [Raw], [Wait] or [Drop]. The server records every [Request] it receives,
// so a test can check what a client sent, such as its Last-Event-ID header
// on a reconnection.
//
// A [Conditioner] degrades connections the way a bad network does: it adds
// latency, caps the bandwidth, cuts a connection after some bytes or
// stalls it until released. It wraps a server's listener or a client's
// dialer.
//
// A [Clock] is a fake [sse.Clock] whose time moves only when the test says
// so.
//
// Tests built with this package need not sleep: [Wait] holds a script at a
// point until the test closes a channel, [Server.WaitRequests] reports the
// arrival of requests, [Conditioner.WaitStalled] reports stalled
// connections and [Clock.WaitPending] reports armed timers.
package ssetest
