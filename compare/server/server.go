// Package server is the loopback SSE and WebSocket server the comparison
// runs in a child process, so that allocation and goroutine figures are
// the client's alone.
package server

import (
	"bufio"
	"fmt"
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
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
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
	switch r.URL.Path {
	case "/idle":
		fl.Flush()
		<-r.Context().Done()
	case "/small":
		for i := start + 1; i <= n; i++ {
			fmt.Fprintf(bw, "id: %d\ndata: "+SmallEvent+"\n\n", i, i)
		}
	case "/large":
		line := strings.Repeat("x", LargeLine)
		for i := 1; i <= n; i++ {
			fmt.Fprintf(bw, "id: %d\n", i)
			for j := 0; j < LargeLines; j++ {
				bw.WriteString("data: " + line + "\n")
			}
			bw.WriteString("\n")
		}
	case "/latency":
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for i := 1; i <= n; i++ {
			<-t.C
			fmt.Fprintf(bw, "id: %d\ndata: %d\n\n", i, time.Now().UnixNano())
			bw.Flush()
			fl.Flush()
		}
	case "/drop":
		// n events, cut after every 100th until the client resumes past n.
		for i := start + 1; i <= n; i++ {
			fmt.Fprintf(bw, "id: %d\ndata: "+SmallEvent+"\n\n", i, i)
			if i%100 == 0 && i != n {
				bw.Flush()
				fl.Flush()
				panic(http.ErrAbortHandler)
			}
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
	switch r.URL.Path {
	case "/ws/idle":
		c.Read(ctx)
	case "/ws/small":
		for i := 1; i <= n; i++ {
			c.Write(ctx, websocket.MessageText, fmt.Appendf(nil, SmallEvent, i))
		}
	case "/ws/large":
		msg := []byte(strings.Repeat(strings.Repeat("x", LargeLine)+"\n", LargeLines))
		for i := 1; i <= n; i++ {
			c.Write(ctx, websocket.MessageText, msg)
		}
	case "/ws/latency":
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for i := 1; i <= n; i++ {
			<-t.C
			c.Write(ctx, websocket.MessageText, strconv.AppendInt(nil, time.Now().UnixNano(), 10))
		}
	}
	c.Close(websocket.StatusNormalClosure, "")
}
