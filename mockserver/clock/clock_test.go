package clock

import (
	"fmt"
	"testing"
	"time"
)

func TestVirtualClockMovesOnlyWhenTold(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	v := NewVirtual(start)
	if !v.Now().Equal(start) {
		t.Fatalf("Now() = %s, want %s", v.Now(), start)
	}
	now, err := v.Advance(30 * time.Minute)
	if err != nil || !now.Equal(start.Add(30*time.Minute)) || !v.Now().Equal(now) {
		t.Fatalf("Advance(30m) = %s, %v", now, err)
	}
	if _, err := v.Advance(-time.Second); err == nil {
		t.Error("Advance accepted a negative duration")
	}
	if err := v.Set(start); err == nil {
		t.Error("Set accepted a time in the past")
	}
	later := start.Add(24 * time.Hour)
	if err := v.Set(later); err != nil || !v.Now().Equal(later) {
		t.Errorf("Set(later): %v, Now() = %s", err, v.Now())
	}
}

func TestVirtualTimersFireInOrderWhenTheClockGetsThere(t *testing.T) {
	v := NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	var got []string
	v.AfterFunc(30*time.Minute, func() { got = append(got, "30m") })
	v.AfterFunc(10*time.Minute, func() {
		got = append(got, "10m")
		// A retry scheduled from a callback, due before the clock's time.
		v.AfterFunc(5*time.Minute, func() { got = append(got, "10m+5m") })
	})
	stopped := v.AfterFunc(20*time.Minute, func() { got = append(got, "20m") })
	if !stopped.Stop() || stopped.Stop() {
		t.Error("Stop should report true once, then false")
	}
	v.Advance(9 * time.Minute)
	if len(got) != 0 {
		t.Fatalf("fired early: %v", got)
	}
	v.Advance(time.Hour)
	want := []string{"10m", "10m+5m", "30m"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("fired %v, want %v", got, want)
	}
}

func TestVirtualTimerDueNowRunsAtOnce(t *testing.T) {
	v := NewVirtual(time.Now())
	done := make(chan struct{})
	v.AfterFunc(0, func() { close(done) })
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a timer due now did not run")
	}
}
