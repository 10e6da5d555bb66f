package sse

import (
	"strings"
	"sync/atomic"
)

// lastEventID publishes a Client's last event ID to other goroutines with
// no lock and, amortised, no allocation per change: the goroutine running
// Connect stores each new ID, any goroutine loads it.
//
// A stored ID is copied into an append-only arena (a strings.Builder,
// whose earlier bytes never move or change) and its string header into a
// slot of a slab that is written once per slot; an atomic pointer to the
// slot publishes both. A full arena or slab is replaced, never reused, so
// what a reader loaded stays as it was.
type lastEventID struct {
	p     atomic.Pointer[string]
	slots []string        // the slab's unwritten slots
	arena strings.Builder // holds the IDs of the slots
}

const (
	idSlots     = 128     // slots per slab
	idArenaSize = 2 << 10 // bytes per arena
	idArenaMax  = 256     // a longer ID gets its own allocation
)

// load returns the last stored ID. Any goroutine may call it.
func (l *lastEventID) load() string {
	if p := l.p.Load(); p != nil {
		return *p
	}
	return ""
}

// store publishes id. Only one goroutine at a time may call it.
func (l *lastEventID) store(id []byte) {
	if len(l.slots) == 0 {
		l.slots = make([]string, idSlots)
	}
	var s string
	switch {
	case len(id) == 0:
	case len(id) > idArenaMax:
		s = string(id)
	default:
		if l.arena.Cap()-l.arena.Len() < len(id) {
			l.arena.Reset()
			l.arena.Grow(idArenaSize)
		}
		n := l.arena.Len()
		l.arena.Write(id)
		s = l.arena.String()[n:]
	}
	l.slots[0] = s
	l.p.Store(&l.slots[0])
	l.slots = l.slots[1:]
}
