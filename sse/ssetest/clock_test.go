package ssetest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

func TestClockArmedListsEveryAfterFuncInOrder(t *testing.T) {
	clk := ssetest.NewClock(time.Unix(0, 0))
	a := clk.AfterFunc(3*time.Second, func() {})
	clk.AfterFunc(time.Second, func() {})
	a.Reset(time.Minute) // a Reset is not a new timer
	got := clk.Armed()
	if len(got) != 2 || got[0] != 3*time.Second || got[1] != time.Second {
		t.Fatalf("Armed() = %v, want [3s 1s]", got)
	}
}

func TestClockWaitArmedReturnsTheFirstMatchAtOrAfterFrom(t *testing.T) {
	clk := ssetest.NewClock(time.Unix(0, 0))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	clk.AfterFunc(time.Second, func() {})
	done := make(chan struct{})
	var i int
	var d time.Duration
	var err error
	go func() {
		defer close(done)
		i, d, err = clk.WaitArmed(ctx, 1, func(d time.Duration) bool { return d == time.Second })
	}()
	clk.AfterFunc(2*time.Second, func() {}) // index 1: no match
	clk.AfterFunc(time.Second, func() {})   // index 2: the one
	<-done
	if err != nil || i != 2 || d != time.Second {
		t.Fatalf("WaitArmed = %d, %v, %v; want 2, 1s, nil", i, d, err)
	}
}

func TestClockWaitArmedEndsWithItsContext(t *testing.T) {
	clk := ssetest.NewClock(time.Unix(0, 0))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := clk.WaitArmed(ctx, 0, func(time.Duration) bool { return true }); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
