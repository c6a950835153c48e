package webhook

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
)

// Defaults of Limits.
const (
	// DefaultMaxInFlight is how many attempts are in flight at once, to
	// every receiver together: as many connections and goroutines.
	DefaultMaxInFlight = 64
	// DefaultMaxInFlightPerTarget is how many are in flight at once to one
	// receiver, so that one that hangs holds no more.
	DefaultMaxInFlightPerTarget = 8
	// DefaultQueueBytes bounds the attempts waiting for a place: their
	// bodies, plus queuedOverhead each.
	DefaultQueueBytes = 32 << 20
)

// queuedOverhead is what a waiting attempt counts besides its body, so
// that even empty bodies fill the queue.
const queuedOverhead = 512

// receiverShare is the part of the queue one receiver may fill: one that
// hangs leaves the rest to the others.
const receiverShare = 4

// Limits bound the attempts in flight and those waiting for a place.
type Limits struct {
	// InFlight caps the attempts in flight to every receiver together,
	// InFlightPerTarget those to one receiver (scheme, host and port).
	InFlight          int
	InFlightPerTarget int
	// QueueBytes bounds the attempts waiting for a place, and a quarter
	// of it those to one receiver; past it an attempt is not made and
	// counts as failed, its retry scheduled.
	QueueBytes int
}

// receiverOf is the receiver a URL names: its scheme, host and port,
// which share the connections of the HTTP client.
func receiverOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Scheme + "://" + strings.ToLower(u.Host)
}

// limiter hands out the places of attempts in flight, and keeps the
// attempts that wait for one in order, receiver by receiver. An attempt
// that waits holds no goroutine: the one that frees a place starts it on
// a new goroutine with the place already given. It owns its lock, taken
// after the dispatcher's when both are held.
type limiter struct {
	lim   Limits
	start func(*delivery) // starts an attempt that was given a place; must not block

	mu       sync.Mutex
	inFlight int
	busy     map[string]int          // attempts in flight by receiver
	waiting  map[string][]waitingOne // by receiver, oldest first
	order    []string                // receivers with attempts waiting, served in turn
	bytes    int                     // of every attempt waiting
	queued   map[string]int          // bytes waiting by receiver
}

type waitingOne struct {
	dl   *delivery
	size int
}

// admission is what admit did with an attempt.
type admission int

const (
	admitted admission = iota // it has a place: make it now
	queued                    // it waits for one
	refused                   // the queue is full: defer it
)

func newLimiter(lim Limits, start func(*delivery)) *limiter {
	return &limiter{lim: lim, start: start, busy: map[string]int{}, waiting: map[string][]waitingOne{}, queued: map[string]int{}}
}

// admit gives dl a place to its receiver, or queues it, or refuses it
// and says why.
func (l *limiter) admit(receiver string, dl *delivery) (admission, string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.waiting[receiver]) == 0 && l.fits(receiver) {
		l.inFlight++
		l.busy[receiver]++
		return admitted, ""
	}
	size := len(dl.body) + queuedOverhead
	if l.bytes+size > l.lim.QueueBytes || l.queued[receiver]+size > l.lim.QueueBytes/receiverShare {
		return refused, fmt.Sprintf("not sent: %d attempts in flight (%d to this receiver; the caps are %d, and %d per receiver) and %d bytes of attempts waiting (%d to this receiver; the queue holds %d, and a quarter of it per receiver); the next retry follows as for a failed attempt",
			l.inFlight, l.busy[receiver], l.lim.InFlight, l.lim.InFlightPerTarget, l.bytes, l.queued[receiver], l.lim.QueueBytes)
	}
	if len(l.waiting[receiver]) == 0 {
		l.order = append(l.order, receiver)
	}
	l.waiting[receiver] = append(l.waiting[receiver], waitingOne{dl: dl, size: size})
	l.bytes += size
	l.queued[receiver] += size
	return queued, ""
}

// fits reports whether an attempt to receiver may start now.
func (l *limiter) fits(receiver string) bool {
	return l.inFlight < l.lim.InFlight && l.busy[receiver] < l.lim.InFlightPerTarget
}

// release frees the place of an attempt to receiver, and gives the places
// free to the attempts waiting, receiver by receiver in turn.
func (l *limiter) release(receiver string) {
	l.mu.Lock()
	l.inFlight--
	if l.busy[receiver]--; l.busy[receiver] <= 0 {
		delete(l.busy, receiver)
	}
	var next []*delivery
	for l.inFlight < l.lim.InFlight {
		dl := l.nextLocked()
		if dl == nil {
			break
		}
		next = append(next, dl)
	}
	l.mu.Unlock()
	for _, dl := range next {
		l.start(dl)
	}
}

// nextLocked takes the oldest waiting attempt of the first receiver in
// turn that has a place free, and gives it the place.
func (l *limiter) nextLocked() *delivery {
	for i, receiver := range l.order {
		if l.busy[receiver] >= l.lim.InFlightPerTarget {
			continue
		}
		queue := l.waiting[receiver]
		w := queue[0]
		queue[0] = waitingOne{}
		if queue = queue[1:]; len(queue) == 0 {
			delete(l.waiting, receiver)
			l.order = append(l.order[:i:i], l.order[i+1:]...)
		} else {
			l.waiting[receiver] = queue
			// The receiver goes to the back of the turn.
			l.order = append(append(l.order[:i:i], l.order[i+1:]...), receiver)
		}
		l.bytes -= w.size
		if l.queued[receiver] -= w.size; l.queued[receiver] <= 0 {
			delete(l.queued, receiver)
		}
		l.inFlight++
		l.busy[receiver]++
		return w.dl
	}
	return nil
}
