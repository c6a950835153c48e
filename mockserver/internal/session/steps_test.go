package session

import (
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

func TestReadyAfter(t *testing.T) {
	step := func(respond string, calls int, dur time.Duration) scenarios.Step {
		return scenarios.Step{Respond: respond, Calls: calls, For: scenarios.Duration(dur)}
	}
	tests := []struct {
		name      string
		steps     []scenarios.Step
		want      time.Duration
		wantIndex int
		wantOK    bool
	}{
		{"ready at once", []scenarios.Step{step("ready", 0, 0)}, 0, 0, true},
		{"one pending call", []scenarios.Step{step("pending", 0, 0), step("ready", 0, 0)}, 10 * time.Second, 1, true},
		{"three pending calls", []scenarios.Step{step("pending", 3, 0), step("ready", 0, 0)}, 30 * time.Second, 1, true},
		{"a duration, then a dispatched call", []scenarios.Step{step("pending", 0, 2*time.Minute), step("dispatched", 1, 0), step("ready", 0, 0)}, 2*time.Minute + 10*time.Second, 2, true},
		{"an error on the way counts as a poll", []scenarios.Step{step("pending", 0, 0), step("error", 1, 0), step("ready", 0, 0)}, 20 * time.Second, 2, true},
		{"an error at the end sends no data", []scenarios.Step{step("pending", 2, 0), step("error", 0, 0)}, 0, 0, false},
		{"an error alone", []scenarios.Step{step("error", 0, 0)}, 0, 0, false},
		{"no step", nil, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, index, ok := ReadyAfter(tt.steps)
			if got != tt.want || index != tt.wantIndex || ok != tt.wantOK {
				t.Errorf("ReadyAfter = %v, %d, %v; want %v, %d, %v", got, index, ok, tt.want, tt.wantIndex, tt.wantOK)
			}
		})
	}
}
