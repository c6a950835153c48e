package webhook

import (
	"slices"
	"strings"
	"testing"
)

// TestLimiter plays admissions and releases in order and checks what
// starts, what waits and what is refused.
func TestLimiter(t *testing.T) {
	var startedIDs []string
	l := newLimiter(Limits{InFlight: 3, InFlightPerTarget: 2, QueueBytes: 4 * (queuedOverhead + 100)},
		func(dl *delivery) { startedIDs = append(startedIDs, dl.id) })
	dl := func(id string) *delivery { return &delivery{id: id, body: make([]byte, 100)} }
	const slow, fast = "http://slow:1", "http://fast:2"
	for _, step := range []struct {
		receiver, id string
		want         admission
	}{
		{slow, "s1", admitted},
		{slow, "s2", admitted},
		{slow, "s3", queued},   // the receiver's cap
		{slow, "s4", refused},  // a quarter of the queue is the receiver's
		{fast, "f1", admitted}, // another receiver is not held up
		{fast, "f2", queued},   // the cap of all
		{fast, "f3", refused},  // its own quarter is full
	} {
		if got, why := l.admit(step.receiver, dl(step.id)); got != step.want {
			t.Fatalf("admit %s: %v, want %v", step.id, got, step.want)
		} else if got == refused && !strings.HasPrefix(why, "not sent: ") {
			t.Errorf("refusal of %s says %q", step.id, why)
		}
	}
	// The fast receiver's attempt ends: its waiting one takes the place.
	l.release(fast)
	// A slow attempt ends: its waiting one takes the place.
	l.release(slow)
	if want := []string{"f2", "s3"}; !slices.Equal(startedIDs, want) {
		t.Errorf("started %v, want %v", startedIDs, want)
	}
	if l.inFlight != 3 || l.bytes != 0 || len(l.order) != 0 || len(l.queued) != 0 {
		t.Errorf("in flight %d, waiting %d bytes, order %v, queued %v; want 3, 0, none", l.inFlight, l.bytes, l.order, l.queued)
	}
	// Once the queue is empty, a free place is taken at once.
	l.release(fast)
	if got, _ := l.admit(fast, dl("f4")); got != admitted {
		t.Errorf("admit f4: %v, want admitted", got)
	}
}
