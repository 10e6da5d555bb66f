package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestEachEventOnceAcrossTheDrop runs the program against its own server:
// the fourth event is cut in the middle, and after the resume every event
// shows exactly once.
func TestEachEventOnceAcrossTheDrop(t *testing.T) {
	srv := httptest.NewServer(resumingServer(5))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, &out, srv.URL, "", false); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "event id=") {
			ids = append(ids, strings.Fields(line)[1])
		}
	}
	want := []string{`id="1"`, `id="2"`, `id="3"`, `id="4"`, `id="5"`}
	if strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Errorf("events %v, want %v\n%s", ids, want, out.String())
	}
	for _, s := range []string{"unexpected EOF", `Last-Event-ID "3"`, "ended the stream (204)"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("output lacks %q:\n%s", s, out.String())
		}
	}
}
