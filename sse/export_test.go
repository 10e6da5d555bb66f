package sse

import "io"

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

// WaitingReader returns r as a waitReader, as the lean transport's bodies
// are: each wait reads up to 3 bytes of r ahead into a buffer of its own,
// so a Decoder reading it lets go of its quiet read buffer at every wait
// and takes one again after it.
func WaitingReader(r io.Reader) io.Reader { return &waitingReader{r: r} }

type waitingReader struct {
	r      io.Reader
	ahead  [3]byte
	off, n int   // the unread bytes of ahead are ahead[off:n]
	err    error // the error of the read ahead, returned once ahead is read
	waits  int
}

// Waits returns how many times a Decoder waited on r, a WaitingReader.
func Waits(r io.Reader) int { return r.(*waitingReader).waits }

func (w *waitingReader) ready() bool { return w.off < w.n || w.err != nil }

func (w *waitingReader) waitRead() {
	w.waits++
	if !w.ready() {
		w.off = 0
		w.n, w.err = w.r.Read(w.ahead[:])
	}
}

func (w *waitingReader) Read(p []byte) (int, error) {
	if w.off < w.n {
		n := copy(p, w.ahead[w.off:w.n])
		w.off += n
		return n, nil
	}
	if err := w.err; err != nil {
		w.err = nil
		return 0, err
	}
	return w.r.Read(p)
}
