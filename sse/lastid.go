package sse

import (
	"encoding/binary"
	"strings"
	"sync/atomic"
	"unsafe"
)

// lastEventID publishes a Client's last event ID to other goroutines with
// no lock and no allocation per change: the goroutine running Connect
// stores each new ID with one atomic pointer store, any goroutine loads
// it.
//
// What the pointer points to is an ID in its published form: its length
// in four bytes (little-endian), then its bytes, never changed once
// written. The Decoder writes the IDs of string events in that form, in
// the allocation the event's strings share, so publishing one costs
// nothing more; IDs stored from borrowed bytes are first copied into an
// append-only arena (a strings.Builder, whose earlier bytes never move or
// change; a full one is replaced, never reused).
type lastEventID struct {
	p     atomic.Pointer[byte]
	arena strings.Builder // written by the storing goroutine only
}

const (
	idPrefix    = 4       // bytes of the length before a published ID
	idArenaSize = 2 << 10 // bytes per arena
	idArenaMax  = 256     // a longer ID stored from bytes gets its own allocation
)

// writeIDPrefix writes the length of an ID of n bytes in published form.
func writeIDPrefix(b *strings.Builder, n int) {
	var p [idPrefix]byte
	putIDPrefix(p[:], n)
	b.Write(p[:])
}

// putIDPrefix puts the length of an ID of n bytes in published form at the
// start of b.
func putIDPrefix(b []byte, n int) { binary.LittleEndian.PutUint32(b, uint32(n)) }

// load returns the last stored ID. Any goroutine may call it.
func (l *lastEventID) load() string {
	p := l.p.Load()
	if p == nil {
		return ""
	}
	n := binary.LittleEndian.Uint32(unsafe.Slice(p, idPrefix))
	if n == 0 {
		return ""
	}
	return unsafe.String((*byte)(unsafe.Add(unsafe.Pointer(p), idPrefix)), n)
}

// storePublished publishes the ID in published form at p (nil for the
// empty ID). Only one goroutine at a time may store.
func (l *lastEventID) storePublished(p *byte) { l.p.Store(p) }

// storeBytes publishes a copy of id.
func (l *lastEventID) storeBytes(id []byte) {
	if len(id) == 0 {
		l.p.Store(nil)
		return
	}
	need := idPrefix + len(id)
	var b *strings.Builder
	if len(id) > idArenaMax {
		b = new(strings.Builder)
		b.Grow(need)
	} else {
		if l.arena.Cap()-l.arena.Len() < need {
			l.arena.Reset()
			l.arena.Grow(idArenaSize)
		}
		b = &l.arena
	}
	n := b.Len()
	writeIDPrefix(b, len(id))
	b.Write(id)
	l.p.Store(unsafe.StringData(b.String()[n:]))
}
