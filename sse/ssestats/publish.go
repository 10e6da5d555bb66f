package ssestats

import (
	"errors"
	"expvar"
	"fmt"
	"sync"
)

// ErrNameTaken is returned by Publish for a name expvar already has.
var ErrNameTaken = errors.New("ssestats: expvar name already taken")

// publishMu makes the check and the publication of a name one step for
// the callers of Publish.
var publishMu sync.Mutex

// Publish exposes the Stats' Snapshot, as JSON, under the expvar name
// (served at /debug/vars by expvar's handler), taken afresh at each read.
// A name already published (by Publish or anything else) is refused with
// an error matching ErrNameTaken, where expvar.Publish would panic. A
// published name cannot be withdrawn: publish a Stats that lives as long
// as the process.
func (s *Stats) Publish(name string) error {
	publishMu.Lock()
	defer publishMu.Unlock()
	if expvar.Get(name) != nil {
		return fmt.Errorf("%w: %q", ErrNameTaken, name)
	}
	expvar.Publish(name, expvar.Func(func() any { return s.Snapshot() }))
	return nil
}
