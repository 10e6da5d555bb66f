package sse

import (
	"runtime"
	"strings"
	"sync/atomic"
	"unsafe"
)

// lastEventID publishes a Client's last event ID to other goroutines with
// no lock and no allocation per change: the goroutine running Connect
// stores each new ID, any goroutine loads it.
//
// An ID is published as its string's data pointer and length, each in an
// atomic word, inside a sequence count that is odd while a store is under
// way (a seqlock made of atomics only): a load that saw the same even
// count before and after reading the pair has a pair from one store. The
// bytes a stored string points to never change: Event IDs are immutable
// strings, and IDs stored from borrowed bytes are first copied into an
// append-only arena (a strings.Builder, whose earlier bytes never move or
// change; a full one is replaced, never reused).
type lastEventID struct {
	seq   atomic.Uint64
	ptr   atomic.Pointer[byte]
	n     atomic.Int64
	arena strings.Builder // written by the storing goroutine only
}

const (
	idArenaSize = 2 << 10 // bytes per arena
	idArenaMax  = 256     // a longer ID stored from bytes gets its own allocation
)

// load returns the last stored ID. Any goroutine may call it.
func (l *lastEventID) load() string {
	for {
		if s := l.seq.Load(); s&1 == 0 {
			p, n := l.ptr.Load(), l.n.Load()
			if l.seq.Load() == s {
				if n == 0 {
					return ""
				}
				return unsafe.String(p, int(n))
			}
		}
		runtime.Gosched() // a store is under way
	}
}

// store publishes id, which must be immutable (any string is). Only one
// goroutine at a time may store.
func (l *lastEventID) store(id string) {
	l.seq.Add(1)
	l.ptr.Store(unsafe.StringData(id))
	l.n.Store(int64(len(id)))
	l.seq.Add(1)
}

// storeBytes publishes a copy of id.
func (l *lastEventID) storeBytes(id []byte) {
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
	l.store(s)
}
