package clock

import (
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
