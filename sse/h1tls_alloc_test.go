package sse

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// largeTLSData is a 64 KiB event's data in 64 lines, as the compare
// module's large workload sends it.
var largeTLSData = strings.TrimSuffix(strings.Repeat(strings.Repeat("x", 1023)+"\n", 64), "\n")

// allocCountingHandler is a BytesHandler that checks each event and, at
// the middle and the last, takes a snapshot of the client's allocation
// sites (after a collection, so that the heap profile holds every
// allocation before it).
type allocCountingHandler struct {
	n, got   int
	bad      string
	mid, end clientAllocs
	cancel   context.CancelFunc
	wantData []byte
	idBuf    []byte
}

func (h *allocCountingHandler) HandleEvent(Event) { h.bad = "HandleEvent called on a BytesHandler" }
func (h *allocCountingHandler) HandleError(error) {}
func (h *allocCountingHandler) HandleEventBytes(e EventBytes) {
	h.got++
	h.idBuf = strconv.AppendInt(h.idBuf[:0], int64(h.got), 10)
	if h.bad == "" && (!bytes.Equal(e.ID, h.idBuf) || !bytes.Equal(e.Data, h.wantData)) {
		h.bad = fmt.Sprintf("event %d: id %q, %d bytes of data, want id %q and the large data", h.got, e.ID, len(e.Data), h.idBuf)
	}
	switch h.got {
	case h.n / 2:
		h.mid = clientAllocSites()
	case h.n:
		h.end = clientAllocSites()
		h.cancel()
	}
}

// clientAllocs is the heap profile's allocation count per site on the
// Client's goroutine: ours (the sse package and what it calls, outside
// crypto/tls) by the innermost frames, and those under
// crypto/tls.(*Conn).Read (the record layer, net's socket read under it)
// in one sum.
type clientAllocs struct {
	ours map[string]int64
	tls  int64
}

// clientAllocSites runs a collection and reads the heap profile, which
// then holds every allocation made before it (runtime.MemProfile).
func clientAllocSites() clientAllocs {
	runtime.GC()
	var recs []runtime.MemProfileRecord
	for {
		n, ok := runtime.MemProfile(recs, true)
		if ok {
			recs = recs[:n]
			break
		}
		recs = make([]runtime.MemProfileRecord, n+100)
	}
	a := clientAllocs{ours: make(map[string]int64)}
	for _, r := range recs {
		var site []string
		onClient, underTLS, snapshot := false, false, false
		frames := runtime.CallersFrames(r.Stack())
		for {
			f, more := frames.Next()
			switch {
			case strings.Contains(f.Function, "sse.clientAllocSites"):
				snapshot = true
			case strings.HasPrefix(f.Function, "crypto/tls.(*Conn).Read"):
				underTLS = true
			case strings.Contains(f.Function, "bookstrack-go/sse.(*Client["):
				onClient = true
			}
			if len(site) < 6 {
				site = append(site, fmt.Sprintf("%s (%s:%d)", f.Function, f.File[strings.LastIndex(f.File, "/")+1:], f.Line))
			}
			if !more {
				break
			}
		}
		switch {
		case !onClient || snapshot:
		case underTLS:
			a.tls += r.AllocObjects
		default:
			a.ours[strings.Join(site, " <- ")] += r.AllocObjects
		}
	}
	return a
}

// TestLeanPathAllocatesAlmostNothingPerLargeEvent reads 64 KiB events
// over TLS (and plaintext) on the lean path with a BytesHandler and
// counts, with every allocation sampled (runtime.MemProfileRate = 1), the
// allocations on the Client's goroutine between the middle event and the
// last. Outside crypto/tls there must be at most 0.1 per event (issue 21
// item 4): there are none, but when the reads happen to look quiet for a
// moment (4 short reads in a row, each ending at a line end, bringing
// less than 1 KiB between them), which costs a read buffer and a data
// buffer once. crypto/tls's own, one &atLeastReader{} per socket read of
// its record layer ((*Conn).readFromUntil, conn.go), are counted apart
// and logged: nothing outside crypto/tls can avoid them.
//
// The server writes whole events (the compare module's large workload),
// flushes each line (an HTTP chunk and a TLS record per line), or flushes
// pieces of mixed sizes, so that records and chunks end inside lines,
// chunk heads and CRLFs. A record or a chunk per read used to turn the
// Decoder's read buffer quiet and busy again in turn, a new buffer each
// time (34 allocations per event with a flush per line, 3 to 9 with the
// mixed pieces). It runs on the lean path whatever
// BOOKSTRACK_SSE_TRANSPORT says: the lean path's reading is what it
// measures.
func TestLeanPathAllocatesAlmostNothingPerLargeEvent(t *testing.T) {
	const n = 96
	block := []byte("data: " + strings.ReplaceAll(largeTLSData, "\n", "\ndata: ") + "\n\n")
	var stream []byte
	for i := 1; i <= n; i++ {
		stream = append(strconv.AppendInt(append(stream, "id: "...), int64(i), 10), '\n')
		stream = append(stream, block...)
	}
	writes := []struct {
		name  string
		write func(w http.ResponseWriter)
	}{
		{"whole events", func(w http.ResponseWriter) {
			bw := bufio.NewWriterSize(w, 32<<10)
			bw.Write(stream)
			bw.Flush()
		}},
		{"a flush per line", func(w http.ResponseWriter) {
			for rest := stream; len(rest) > 0; {
				k := bytes.IndexByte(rest, '\n') + 1
				w.Write(rest[:k])
				w.(http.Flusher).Flush()
				rest = rest[k:]
			}
		}},
		{"mixed pieces", func(w http.ResponseWriter) {
			sizes := []int{1300, 4000, 777, 16500, 2048, 9000, 333, 12000}
			for i, rest := 0, stream; len(rest) > 0; i++ {
				k := min(sizes[i%len(sizes)], len(rest))
				w.Write(rest[:k])
				w.(http.Flusher).Flush()
				rest = rest[k:]
			}
		}},
	}
	for _, overTLS := range []bool{true, false} {
		for _, wr := range writes {
			name := "tls/" + wr.name
			if !overTLS {
				name = "plaintext/" + wr.name
			}
			t.Run(name, func(t *testing.T) {
				handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "text/event-stream")
					wr.write(w)
				})
				srv := httptest.NewUnstartedServer(handler)
				if overTLS {
					srv.StartTLS()
					useLeanTestRoots(t, srv.Certificate())
				} else {
					srv.Start()
				}
				defer srv.Close()
				prevRate := runtime.MemProfileRate
				runtime.MemProfileRate = 1
				defer func() { runtime.MemProfileRate = prevRate }()

				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				defer cancel()
				h := &allocCountingHandler{n: n, cancel: cancel, wantData: []byte(largeTLSData)}
				c, err := NewClient(srv.URL, h, WithTransport(TransportHTTP1), WithGiveUp(1, 0))
				if err != nil {
					t.Fatal(err)
				}
				c.Connect(ctx)
				if h.bad != "" {
					t.Fatal(h.bad)
				}
				if h.got != n {
					t.Fatalf("%d events, want %d (deadline: %v)", h.got, n, ctx.Err() == context.DeadlineExceeded)
				}
				steady := float64(n - n/2)
				var ours []string
				var total int64
				for site, k := range h.end.ours {
					if d := k - h.mid.ours[site]; d > 0 {
						total += d
						ours = append(ours, fmt.Sprintf("%d: %s", d, site))
					}
				}
				slices.Sort(ours)
				t.Logf("per event once the connection is up: %.2f allocations outside crypto/tls, %.2f under crypto/tls.(*Conn).Read",
					float64(total)/steady, float64(h.end.tls-h.mid.tls)/steady)
				if total > 0 {
					t.Logf("sites:\n%s", strings.Join(ours, "\n"))
				}
				if perEvent := float64(total) / steady; perEvent > 0.1 {
					t.Fatalf("%.2f allocations outside crypto/tls per large event, want at most 0.1", perEvent)
				}
			})
		}
	}
}
