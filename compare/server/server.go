// Package server is the loopback SSE and WebSocket server the comparison
// runs in a child process, so that allocation and goroutine figures are
// the client's alone.
//
// Paths (n is the event count, from the query):
//
//	/small    n small events with ids 1..n
//	/large    n events of LargeLines data lines of LargeLine bytes
//	/latency  n events, one per millisecond, data = the send time (StampWidth digits, Unix ns)
//	/idle     one "open" event, then nothing until the client goes
//	/drop     n small events, cut after every `every` events (after half of the next event)
//	/soak     endless small events every `ms` ms, cut at a random byte with probability `p` per mille
//
// /small, /drop and /soak resume after the Last-Event-ID header. Under
// /ws/ the same workloads are WebSocket text messages (no cut halfway
// through a message; /ws/drop resumes after the `last` query parameter).
package server

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// SmallEvent is the ~140 B job-progress payload of the small workload.
const SmallEvent = `{"jobId":"01J9ZK3Q7X","status":"processing","processed":%d,"total":1000000,"message":"Enriching 9780141439518","percent":0.5}`

// LargeLines is the number of data lines of a large event, each LargeLine bytes.
const LargeLines, LargeLine = 64, 1023

// StampWidth is the width of the zero-padded send time of a latency event.
const StampWidth = 19

// LargeData is the data of a large event as the client sees it: the
// lines joined by "\n".
var LargeData = strings.TrimSuffix(strings.Repeat(strings.Repeat("x", LargeLine)+"\n", LargeLines), "\n")

// Small returns the data of small event i.
func Small(i int) string { return string(appendSmall(nil, i)) }

// smallHead and smallTail are SmallEvent around its %d.
var smallHead, smallTail, _ = strings.Cut(SmallEvent, "%d")

// appendSmall appends the data of small event i to b. The server builds
// its events without fmt, and the large event once, so that its CPU time,
// on the same 2 cores as the client's, bounds the clients as little as
// it can: at ~2 M events/s, fmt.Fprintf alone took a third of a core.
func appendSmall(b []byte, i int) []byte {
	b = append(b, smallHead...)
	b = strconv.AppendInt(b, int64(i), 10)
	return append(b, smallTail...)
}

// appendSmallEvent appends small event i as an SSE block with id i.
func appendSmallEvent(b []byte, i int) []byte {
	b = append(b, "id: "...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, "\ndata: "...)
	b = appendSmall(b, i)
	return append(b, "\n\n"...)
}

// largeBlock is a large event's data lines and blank line, after its id.
// It is written as a []byte: bufio.Writer.WriteString would hand it to
// http.ResponseWriter.WriteString, which cuts it into 2 KiB chunks.
var largeBlock = []byte("data: " + strings.ReplaceAll(LargeData, "\n", "\ndata: ") + "\n\n")

// Listen serves on 127.0.0.1:0 and returns the address.
func Listen() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	go http.Serve(ln, http.HandlerFunc(serve))
	return ln.Addr().String(), nil
}

func serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	n, _ := strconv.Atoi(q.Get("n"))
	if strings.HasPrefix(r.URL.Path, "/ws/") {
		serveWS(w, r, n)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(200)
	fl := w.(http.Flusher)
	bw := bufio.NewWriterSize(w, 32<<10)
	start := 0
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		start, _ = strconv.Atoi(id)
	}
	cut := func() {
		bw.Flush()
		fl.Flush()
		panic(http.ErrAbortHandler) // closes the connection without the last chunk
	}
	switch r.URL.Path {
	case "/idle":
		bw.WriteString("data: open\n\n")
		bw.Flush()
		fl.Flush()
		<-r.Context().Done()
	case "/small":
		var ev []byte
		for i := start + 1; i <= n; i++ {
			ev = appendSmallEvent(ev[:0], i)
			bw.Write(ev)
		}
	case "/large":
		var id []byte
		for i := 1; i <= n; i++ {
			id = strconv.AppendInt(append(id[:0], "id: "...), int64(i), 10)
			bw.Write(append(id, '\n'))
			bw.Write(largeBlock)
		}
	case "/latency":
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for i := 1; i <= n; i++ {
			<-t.C
			fmt.Fprintf(bw, "id: %d\ndata: %0*d\n\n", i, StampWidth, time.Now().UnixNano())
			bw.Flush()
			fl.Flush()
		}
	case "/drop":
		every, _ := strconv.Atoi(q.Get("every"))
		for i := start + 1; i <= n; i++ {
			fmt.Fprintf(bw, "id: %d\ndata: "+SmallEvent+"\n\n", i, i)
			if every > 0 && i%every == 0 && i != n {
				next := fmt.Sprintf("id: %d\ndata: "+SmallEvent+"\n\n", i+1, i+1)
				bw.WriteString(next[:len(next)/2])
				cut()
			}
		}
	case "/soak":
		ms, _ := strconv.Atoi(q.Get("ms"))
		p, _ := strconv.Atoi(q.Get("p"))
		fmt.Fprintf(bw, "retry: %s\n\n", q.Get("retry"))
		t := time.NewTicker(time.Duration(max(ms, 1)) * time.Millisecond)
		defer t.Stop()
		for i := start + 1; ; i++ {
			select {
			case <-t.C:
			case <-r.Context().Done():
				return
			}
			ev := fmt.Sprintf("id: %d\ndata: "+SmallEvent+"\n\n", i, i)
			if rand.IntN(1000) < p {
				bw.WriteString(ev[:rand.IntN(len(ev))])
				cut()
			}
			bw.WriteString(ev)
			bw.Flush()
			fl.Flush()
		}
	}
	bw.Flush()
}

func serveWS(w http.ResponseWriter, r *http.Request, n int) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return
	}
	defer c.CloseNow()
	ctx := r.Context()
	q := r.URL.Query()
	switch r.URL.Path {
	case "/ws/idle":
		c.Write(ctx, websocket.MessageText, []byte("open"))
		c.Read(ctx)
	case "/ws/small":
		var msg []byte
		for i := 1; i <= n; i++ {
			msg = appendSmall(msg[:0], i)
			c.Write(ctx, websocket.MessageText, msg)
		}
	case "/ws/large":
		msg := []byte(LargeData)
		for i := 1; i <= n; i++ {
			c.Write(ctx, websocket.MessageText, msg)
		}
	case "/ws/latency":
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for i := 1; i <= n; i++ {
			<-t.C
			c.Write(ctx, websocket.MessageText, fmt.Appendf(nil, "%0*d", StampWidth, time.Now().UnixNano()))
		}
	case "/ws/drop":
		every, _ := strconv.Atoi(q.Get("every"))
		start, _ := strconv.Atoi(q.Get("last"))
		for i := start + 1; i <= n; i++ {
			c.Write(ctx, websocket.MessageText, []byte(Small(i)))
			if every > 0 && i%every == 0 && i != n {
				return // CloseNow: the TCP connection ends without a close frame
			}
		}
	}
	c.Close(websocket.StatusNormalClosure, "")
}

// Handler serves the paths above (for a server set up elsewhere).
func Handler() http.Handler { return http.HandlerFunc(serve) }
