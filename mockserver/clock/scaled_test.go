package clock

import (
	"fmt"
	"math"
	"testing"
	"time"
)

func TestScaledConvertsDurations(t *testing.T) {
	s, err := NewScaled(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 0.01)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		clock, real time.Duration
	}{
		{10 * time.Second, 100 * time.Millisecond},
		{30 * time.Minute, 18 * time.Second},
		{0, 0},
	}
	for _, tt := range tests {
		if got := s.ToReal(tt.clock); got != tt.real {
			t.Errorf("ToReal(%s) = %s, want %s", tt.clock, got, tt.real)
		}
		if got := s.ToClock(tt.real); got != tt.clock {
			t.Errorf("ToClock(%s) = %s, want %s", tt.real, got, tt.clock)
		}
	}
	// Rounding up: sleeping ToReal(d) must never be shorter than d on the clock.
	odd, _ := NewScaled(time.Time{}, 1.0/3)
	if got := odd.ToClock(odd.ToReal(time.Second)); got < time.Second {
		t.Errorf("ToClock(ToReal(1s)) = %s at scale 1/3, want at least 1s", got)
	}
	if s.Scale() != 0.01 {
		t.Errorf("Scale() = %v", s.Scale())
	}
}

func TestScaledRejectsImpossibleScales(t *testing.T) {
	for _, scale := range []float64{0, -1, math.Inf(1), math.NaN()} {
		t.Run(fmt.Sprint(scale), func(t *testing.T) {
			if _, err := NewScaled(time.Now(), scale); err == nil {
				t.Errorf("NewScaled accepted scale %v", scale)
			}
		})
	}
}

// Only lower bounds are checked: a real sleep lasts at least as long as
// asked, however loaded the machine.
func TestScaledClockRunsFasterThanTheWallClock(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s, _ := NewScaled(start, 0.001)
	first := s.Now()
	if first.Before(start) {
		t.Fatalf("Now() = %s, before the start %s", first, start)
	}
	time.Sleep(5 * time.Millisecond)
	second := s.Now()
	if got := second.Sub(first); got < 5*time.Second {
		t.Errorf("5ms of real time moved the clock by %s, want at least 5s at scale 0.001", got)
	}
}

func TestScaledTimerFiresAfterTheScaledDuration(t *testing.T) {
	s, _ := NewScaled(time.Now(), 0.001)
	scheduled := s.Now()
	fired := make(chan time.Time, 1)
	s.AfterFunc(10*time.Second, func() { fired <- s.Now() })
	select {
	case at := <-fired:
		if at.Sub(scheduled) < 10*time.Second {
			t.Errorf("timer fired %s after it was scheduled, want at least 10s of clock time", at.Sub(scheduled))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a 10s timer at scale 0.001 had not fired after 10s of real time")
	}
	stopped := s.AfterFunc(time.Hour, func() { t.Error("a stopped timer fired") })
	if !stopped.Stop() {
		t.Error("Stop of a pending timer reported false")
	}
}
