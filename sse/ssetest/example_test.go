package ssetest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// exampleT stands in for the *testing.T that a real test would pass:
// examples have none. It runs the cleanups when finish is called.
type exampleT struct {
	testing.TB
	cleanups []func()
}

func (t *exampleT) Helper()                           {}
func (t *exampleT) Cleanup(f func())                  { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

func (t *exampleT) finish() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

// printEvents decodes events until the stream ends and prints them.
func printEvents(dec *sse.Decoder) {
	for {
		e, err := dec.Decode()
		if err != nil {
			fmt.Println("end:", err)
			return
		}
		fmt.Printf("event id=%q type=%q data=%q\n", e.ID, e.Type, e.Data)
	}
}

// A server that sends a retry field and two events, then ends the stream
// cleanly.
func ExampleNewServer() {
	t := &exampleT{} // in a test: the test's *testing.T
	defer t.finish()

	s := ssetest.NewServer(t, ssetest.Script{Steps: []ssetest.Step{
		ssetest.Retry(2 * time.Second),
		ssetest.Emit(
			sse.Event{ID: "1", Type: "progress", Data: `{"done":10}`},
			sse.Event{ID: "2", Type: "done", Data: "ok"},
		),
	}})

	resp, err := http.Get(s.URL)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	fmt.Println(resp.Status, resp.Header.Get("Content-Type"))
	dec := sse.NewDecoder(resp.Body)
	printEvents(dec)
	retry, _ := dec.Retry()
	fmt.Println("retry:", retry)

	// Output:
	// 200 OK text/event-stream
	// event id="1" type="progress" data="{\"done\":10}"
	// event id="2" type="done" data="ok"
	// end: EOF
	// retry: 2s
}

// Each connection follows its own script: here the first one drops in the
// middle of the stream and the second resumes. The recorded requests show
// what the client sent when it reconnected.
func ExampleServer_Requests() {
	t := &exampleT{}
	defer t.finish()

	s := ssetest.NewServer(t,
		ssetest.Script{Steps: []ssetest.Step{
			ssetest.Emit(sse.Event{ID: "1", Data: "first"}),
			ssetest.Drop(),
		}},
		ssetest.Script{Steps: []ssetest.Step{
			ssetest.Emit(sse.Event{ID: "2", Data: "second"}),
		}},
	)

	lastID := ""
	for range 2 {
		req, err := http.NewRequest(http.MethodGet, s.URL+"/events", nil)
		if err != nil {
			panic(err)
		}
		if lastID != "" {
			req.Header.Set("Last-Event-ID", lastID)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		dec := sse.NewDecoder(resp.Body)
		dec.SetLastEventID(lastID)
		printEvents(dec)
		lastID = dec.LastEventID()
		resp.Body.Close()
	}

	for i, r := range s.Requests() {
		id, ok := r.LastEventID()
		fmt.Printf("request %d: %s %s Last-Event-ID=%q present=%v\n", i, r.Method, r.URL.Path, id, ok)
	}

	// Output:
	// event id="1" type="message" data="first"
	// end: unexpected EOF
	// event id="2" type="message" data="second"
	// end: EOF
	// request 0: GET /events Last-Event-ID="" present=false
	// request 1: GET /events Last-Event-ID="1" present=true
}

// A script can answer with an error status and still write a body: here a
// 503 with a JSON body and a Retry-After header, as an overloaded server
// would send.
func ExampleScript_errorResponse() {
	t := &exampleT{}
	defer t.finish()

	s := ssetest.NewServer(t, ssetest.Script{
		Status: http.StatusServiceUnavailable,
		Header: http.Header{
			"Content-Type": {"application/json"},
			"Retry-After":  {"3"},
		},
		Steps: []ssetest.Step{ssetest.Raw(`{"error":"overloaded"}`)},
	})

	resp, err := http.Get(s.URL)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	fmt.Println(resp.Status)
	fmt.Println(resp.Header.Get("Content-Type"), resp.Header.Get("Retry-After"))
	fmt.Println(string(body), err)

	// Output:
	// 503 Service Unavailable
	// application/json 3
	// {"error":"overloaded"} <nil>
}

// Wait holds the server at a point of its script until the test closes a
// channel, so a test can check the client's state between two events
// without sleeping.
func ExampleWait() {
	t := &exampleT{}
	defer t.finish()

	gate := make(chan struct{})
	s := ssetest.NewServer(t, ssetest.Script{Steps: []ssetest.Step{
		ssetest.Emit(sse.Event{Data: "before"}),
		ssetest.Wait(gate),
		ssetest.Emit(sse.Event{Data: "after"}),
	}})

	resp, err := http.Get(s.URL)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	dec := sse.NewDecoder(resp.Body)
	e, _ := dec.Decode()
	fmt.Println("got", e.Data, "- the server now waits")
	close(gate)
	e, _ = dec.Decode()
	fmt.Println("got", e.Data)

	// Output:
	// got before - the server now waits
	// got after
}

// A Step is a function, so a test can write its own: this one answers
// with the Last-Event-ID the client sent.
func ExampleStep() {
	t := &exampleT{}
	defer t.finish()

	echo := func(st *ssetest.Stream) error {
		id := st.Request().Header.Get("Last-Event-ID")
		return ssetest.Emit(sse.Event{Data: "resuming after " + id})(st)
	}
	s := ssetest.NewServer(t, ssetest.Script{Steps: []ssetest.Step{echo}})

	req, err := http.NewRequest(http.MethodGet, s.URL, nil)
	if err != nil {
		panic(err)
	}
	req.Header.Set("Last-Event-ID", "41")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Printf("%q\n", body)

	// Output:
	// "data: resuming after 41\n\n"
}

// A Conditioner around the server's listener cuts the connection in the
// middle of the body, as a failing network would.
func ExampleConditioner_Listener() {
	t := &exampleT{}
	defer t.finish()

	cond := &ssetest.Conditioner{CutAfter: 300}
	s := ssetest.NewUnstartedServer(t, ssetest.Script{Steps: []ssetest.Step{
		ssetest.Emit(sse.Event{Data: strings.Repeat("x", 1000)}),
	}})
	s.Listener = cond.Listener(s.Listener)
	s.Start()

	resp, err := http.Get(s.URL)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	_, err = sse.NewDecoder(resp.Body).Decode()
	fmt.Println(resp.Status, err)

	// Output:
	// 200 OK unexpected EOF
}

// A Conditioner around the client's dialer stalls the stream after some
// bytes until the test releases it.
func ExampleConditioner_Transport() {
	t := &exampleT{}
	defer t.finish()

	s := ssetest.NewServer(t, ssetest.Script{Steps: []ssetest.Step{
		ssetest.Emit(sse.Event{Data: strings.Repeat("x", 1000)}),
	}})
	cond := &ssetest.Conditioner{StallAfter: 200}
	tr := cond.Transport()
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}

	resp, err := client.Get(s.URL)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	events := make(chan sse.Event)
	go func() {
		e, _ := sse.NewDecoder(resp.Body).Decode()
		events <- e
	}()

	if err := cond.WaitStalled(context.Background(), 1); err != nil {
		panic(err)
	}
	fmt.Println("stalled")
	cond.Release()
	e := <-events
	fmt.Println("event of", len(e.Data), "bytes")

	// Output:
	// stalled
	// event of 1000 bytes
}

// A Server over TLS with HTTP/2, as the BooksTrack API serves (https
// only): the embedded httptest.Server's Client trusts its certificate and
// speaks HTTP/2. An sse.Client takes it with sse.WithHTTPClient (a client
// with a Transport of its own is sent through net/http).
func ExampleNewUnstartedServer_tls() {
	t := &exampleT{}
	defer t.finish()

	s := ssetest.NewUnstartedServer(t, ssetest.Script{Steps: []ssetest.Step{
		ssetest.Emit(sse.Event{ID: "1", Data: "over TLS"}),
	}})
	s.EnableHTTP2 = true
	s.StartTLS()

	resp, err := s.Client().Get(s.URL)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	e, err := sse.NewDecoder(resp.Body).Decode()
	fmt.Println(resp.Proto, e.ID, e.Data, err)

	// Output:
	// HTTP/2.0 1 over TLS <nil>
}
