package ssetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bookstrack/bookstrack-go/sse"
)

// ErrDropped is returned by the step made by Drop once it has closed the
// connection. It ends the script without being recorded in Server.Errors.
// A custom step that drops the connection itself may return it too.
var ErrDropped = errors.New("ssetest: connection dropped")

// Script is what a Server does on one connection: it writes the status and
// headers, flushes them, and runs the steps in order.
//
// A script ends in one of these ways:
//
//   - Clean end: every step returned nil. The handler returns and the
//     response ends properly, so the client reads the whole body and then
//     io.EOF.
//   - Drop: the Drop step closes the connection in the middle of the
//     response. Over HTTP/1.1 the client's body read fails with
//     io.ErrUnexpectedEOF; over HTTP/2 the stream is reset.
//   - Client gone or Server closed: the stream's context ends. Steps that
//     wait (Hang, Wait, Pause) return at once with the context's cause,
//     writes fail, and no later step runs.
//   - Step error: a step returned another error, such as a custom step's
//     own error or a failed write. No later step runs and the handler
//     returns; if the connection still works, the response ends as cleanly
//     as after the last step.
//
// Every way but Drop and a clean end is recorded in Server.Errors.
//
// The steps run whatever the status, so a script can give an error
// response a body, such as a 503 with a JSON body:
//
//	ssetest.Script{
//		Status: http.StatusServiceUnavailable,
//		Header: http.Header{"Content-Type": {"application/json"}, "Retry-After": {"3"}},
//		Steps:  []ssetest.Step{ssetest.Raw(`{"error":"overloaded"}`)},
//	}
//
// With a status that forbids a body (204, 304) the first step that writes
// fails with http.ErrBodyNotAllowed.
type Script struct {
	// Status is the response status, from 200 to 999. Zero means 200.
	Status int
	// Header is set over the default headers, "Content-Type:
	// text/event-stream" and "Cache-Control: no-cache": each key present
	// replaces the header of that name. A key with an empty (or nil) value
	// slice removes the header; this also stops net/http from adding it
	// itself, as it would Date or a sniffed Content-Type.
	Header http.Header
	// Steps run in order once the status and headers have been written
	// and flushed. With no steps the body is empty.
	Steps []Step
}

// Step is one action of a Script, run by the Server's handler. Steps are
// plain functions, so a test can write its own; a step that blocks must
// return once s.Context() ends, or Server.Close cannot return.
//
// A step returning nil lets the script go on with the next step. A
// non-nil error ends the script: see Script for how the response then ends.
type Step func(s *Stream) error

// Stream is the response a Step acts on. It is valid only while the step
// runs, and it is not safe for concurrent use.
type Stream struct {
	w    http.ResponseWriter
	rc   *http.ResponseController
	r    *http.Request
	ctx  context.Context
	conn int
}

// Write writes p and flushes it, so that over HTTP/1.1 it travels as one
// chunk. It returns the error of the write or of the flush, or the cause
// of the stream's context once that has ended.
func (s *Stream) Write(p []byte) error {
	if err := context.Cause(s.ctx); err != nil {
		return err
	}
	if _, err := s.w.Write(p); err != nil {
		return err
	}
	return s.rc.Flush()
}

// Context returns the stream's context. It ends when the client goes away
// or the Server closes; its cause is then the request context's error or
// http.ErrServerClosed.
func (s *Stream) Context() context.Context { return s.ctx }

// Request returns the request being answered. Its body has already been
// read; the recorded copy is in Server.Requests.
func (s *Stream) Request() *http.Request { return s.r }

// Conn returns which connection this is: the 0-based number of the request
// among all the requests the Server received, which chose its script.
func (s *Stream) Conn() int { return s.conn }

// drop takes the connection over and closes it, or panics with
// http.ErrAbortHandler where hijacking is impossible (HTTP/2).
func (s *Stream) drop() error {
	conn, _, err := s.rc.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
	return ErrDropped
}

// Raw returns a Step that writes each chunk exactly as given, adding
// nothing, and flushes after each, so that over HTTP/1.1 each chunk
// travels as one HTTP chunk (an empty one sends nothing). Use it for malformed or hand-made streams and
// for bodies that are not event streams.
func Raw(chunks ...string) Step {
	return func(s *Stream) error {
		for _, c := range chunks {
			if err := s.Write([]byte(c)); err != nil {
				return err
			}
		}
		return nil
	}
}

// Split returns a Step that writes s in pieces of size bytes, the last
// one possibly shorter, with a flush after each: a way to make a client
// see lines and events split across reads. It panics if size is less than
// 1.
func Split(s string, size int) Step {
	if size < 1 {
		panic(fmt.Sprintf("ssetest: Split size %d is less than 1", size))
	}
	var chunks []string
	for len(s) > size {
		chunks = append(chunks, s[:size])
		s = s[size:]
	}
	if len(s) > 0 {
		chunks = append(chunks, s)
	}
	return Raw(chunks...)
}

// Emit returns a Step that writes each event with sse.Event.WriteTo and
// flushes after each. An event that WriteTo cannot write ends the script
// with its error (matching sse.ErrInvalidEvent); the events before it are
// written.
func Emit(events ...sse.Event) Step {
	return func(s *Stream) error {
		var b bytes.Buffer
		for _, e := range events {
			b.Reset()
			if _, err := e.WriteTo(&b); err != nil {
				return err
			}
			if err := s.Write(b.Bytes()); err != nil {
				return err
			}
		}
		return nil
	}
}

// Comment returns a Step that writes a comment line and flushes: ":\n"
// for an empty text, ": " + text + "\n" otherwise. A text of several lines
// (split at CRLF, LF or CR) becomes one comment line for each, so the step
// never writes anything but comments. Servers send comments as
// keep-alives.
func Comment(text string) Step {
	var b strings.Builder
	for _, line := range strings.Split(lineEnds.Replace(text), "\n") {
		b.WriteString(":")
		if line != "" {
			b.WriteString(" " + line)
		}
		b.WriteString("\n")
	}
	return Raw(b.String())
}

// lineEnds turns every line end (CRLF, LF or CR) into LF.
var lineEnds = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// Retry returns a Step that writes a retry field with d in whole
// milliseconds, followed by a blank line ("retry: 1500\n\n"), and
// flushes. It panics if d is negative; write an invalid retry field with
// Raw.
func Retry(d time.Duration) Step {
	if d < 0 {
		panic(fmt.Sprintf("ssetest: negative Retry %v", d))
	}
	return Raw("retry: " + strconv.FormatInt(d.Milliseconds(), 10) + "\n\n")
}

// Pause returns a Step that waits for d of real time, to simulate a slow
// server. It returns early, with the context's cause, when the stream's
// context ends. Do not use it to order a test's actions: use Wait.
func Pause(d time.Duration) Step {
	return func(s *Stream) error {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return nil
		case <-s.ctx.Done():
			return context.Cause(s.ctx)
		}
	}
}

// Wait returns a Step that blocks until ch is closed, then lets the script
// go on. A test holds the server at a point with it: for example, to
// change something before the rest of the stream is sent. If the stream's
// context ends first, the step returns its cause and the script ends. A
// nil ch blocks like Hang.
func Wait(ch <-chan struct{}) Step {
	return func(s *Stream) error {
		select {
		case <-ch:
			return nil
		case <-s.ctx.Done():
			return context.Cause(s.ctx)
		}
	}
}

// Hang returns a Step that blocks until the client goes away or the
// Server closes, then returns the context's cause, ending the script. It
// keeps a stream open without sending anything.
func Hang() Step {
	return func(s *Stream) error {
		<-s.ctx.Done()
		return context.Cause(s.ctx)
	}
}

// Drop returns a Step that closes the connection abruptly, without ending
// the response, as a failing network or a crashing server would. Over
// HTTP/1.1 the client's read of a chunked body then fails with
// io.ErrUnexpectedEOF rather than a clean io.EOF. Where the connection
// cannot be taken over (HTTP/2), the step panics with
// http.ErrAbortHandler, which makes net/http reset the stream. It returns
// ErrDropped, ending the script.
func Drop() Step {
	return (*Stream).drop
}
