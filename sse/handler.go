package sse

// Handler receives what a Client reads from its stream.
//
// The Client calls a Handler's methods from the goroutine running Connect,
// one call at a time and never concurrently, in the order things happened
// on the stream; a Handler therefore needs no locking of its own for state
// it touches only from these methods. A call that blocks holds up the
// stream (no bytes are read meanwhile; the idle timeout does not count that
// time). The Event passed in is a value the Handler may keep; on a busy
// stream its strings share a 4 KiB block with the events around it (see
// Decoder), so a Handler that keeps a few events out of many long-lived
// may prefer strings.Clone.
//
// A Handler may also implement OpenHandler, CommentHandler and
// BytesHandler. To end the
// stream with a reason of its own, a Handler calls the Client's
// CloseWithCause; Connect then returns that reason.
type Handler interface {
	// HandleEvent receives each dispatched event, in stream order. Events
	// are never delivered twice by the Client itself; across
	// reconnections it sends Last-Event-ID so a server that honours it
	// resumes after the last event delivered.
	HandleEvent(Event)
	// HandleError receives problems that do not end Connect: a failed
	// attempt (network error, retried status, idle timeout), an event too
	// large to decode (*EventTooLargeError), a server delay clamped to the
	// maximum (*DelayClampedError). The Client goes on after each. What
	// ends Connect is returned by Connect instead.
	HandleError(error)
}

// OpenHandler is implemented by Handlers that want to know when a
// connection opens: called after a 200 text/event-stream response and
// before its first event.
type OpenHandler interface {
	HandleOpen(OpenInfo)
}

// CommentHandler is implemented by Handlers that want the stream's comment
// lines (heartbeats such as ": ping"), with the leading colon and one space
// removed.
type CommentHandler interface {
	HandleComment(text string)
}

// BytesHandler is implemented by Handlers that take events without a copy.
// The Client then calls HandleEventBytes for each event, instead of
// HandleEvent, and allocates nothing per event once its buffers have grown
// to the stream's lines and events, large events over many data lines
// included (see Decoder.DecodeBytes; a Handler that keeps an event pays
// for the copy it makes, and only for the events it keeps).
//
// Ownership: the EventBytes passed in borrows the Client's read buffers
// (and, for an event over several data lines, the buffer its data was
// joined in). Its slices are valid only until HandleEventBytes returns,
// when later reads and events start to overwrite them, like
// bufio.Scanner.Bytes; they must not
// be modified, kept, or handed to another goroutine that outlives the
// call. Copy what you keep: EventBytes.Event makes an Event of it, or
// string(e.Data) the data alone. Calls follow the rules of Handler (one
// at a time, on the Connect goroutine, in stream order); the Observer's
// FirstEventInfo still carries a copy of each connection's first event.
type BytesHandler interface {
	Handler
	// HandleEventBytes receives each dispatched event, as HandleEvent
	// would, its fields borrowed for the length of the call.
	HandleEventBytes(EventBytes)
}

// HandlerFuncs adapts plain functions to a Handler; nil fields ignore what
// they would receive. Useful for small programs and tests.
type HandlerFuncs struct {
	Event   func(Event)
	Error   func(error)
	Open    func(OpenInfo)
	Comment func(string)
}

// HandleEvent calls h.Event if it is set.
func (h HandlerFuncs) HandleEvent(e Event) {
	if h.Event != nil {
		h.Event(e)
	}
}

// HandleError calls h.Error if it is set.
func (h HandlerFuncs) HandleError(err error) {
	if h.Error != nil {
		h.Error(err)
	}
}

// HandleOpen calls h.Open if it is set.
func (h HandlerFuncs) HandleOpen(o OpenInfo) {
	if h.Open != nil {
		h.Open(o)
	}
}

// HandleComment calls h.Comment if it is set.
func (h HandlerFuncs) HandleComment(text string) {
	if h.Comment != nil {
		h.Comment(text)
	}
}

// TypeRouter is a Handler that sends each event to the function for its
// type (Event.Type, "message" when the stream named none), and events of
// other types to Fallback. Nil functions ignore what they would receive.
// It is the shape of an EventSource's addEventListener, or go-sse's
// SubscribeEvent:
//
//	sse.TypeRouter{Routes: map[string]func(sse.Event){
//		"progress": onProgress,
//		"done":     onDone,
//	}, Fallback: onOther, Error: onError}
//
// The map is read, never written, by the Client: do not change it while
// the Client runs.
type TypeRouter struct {
	// Routes maps an event type to its function.
	Routes map[string]func(Event)
	// Fallback receives events whose type has no route.
	Fallback func(Event)
	// Error receives what Handler.HandleError receives.
	Error func(error)
}

// HandleEvent calls the route of e.Type, or Fallback.
func (r TypeRouter) HandleEvent(e Event) {
	if f, ok := r.Routes[e.Type]; ok {
		if f != nil {
			f(e)
		}
		return
	}
	if r.Fallback != nil {
		r.Fallback(e)
	}
}

// HandleError calls r.Error if it is set.
func (r TypeRouter) HandleError(err error) {
	if r.Error != nil {
		r.Error(err)
	}
}
