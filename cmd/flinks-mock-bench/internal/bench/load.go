package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// unit is what a load worker does and times as one: one request, or one
// whole flow of requests. It returns how many HTTP requests it sent.
type unit func(ctx context.Context, worker, iteration int) (requests int, err error)

// loadPlan says how long a load runs: until Duration has passed, until
// MaxRequests requests were sent, or until Stop reports true (polled every
// 100 ms), whichever comes first. At least one of Duration and MaxRequests
// must be set, so that every load ends by itself.
type loadPlan struct {
	Workers     int
	Duration    time.Duration
	MaxRequests uint64
	// MaxDuration bounds a load that runs to a request count.
	MaxDuration time.Duration
	Stop        func() bool
}

// loadResult is what a load measured.
type loadResult struct {
	Units    uint64
	Requests uint64
	Elapsed  time.Duration
	Latency  Histogram
	// Stopped says why the load ended before its count, when it did.
	Stopped string
	Err     error
}

// add sums o into r, as if both loads were one.
func (r *loadResult) add(o *loadResult) {
	r.Units += o.Units
	r.Requests += o.Requests
	r.Elapsed += o.Elapsed
	r.Latency.Merge(&o.Latency)
	if r.Err == nil {
		r.Err = o.Err
	}
}

// Rate is units per second.
func (r *loadResult) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Units) / r.Elapsed.Seconds()
}

// drive runs u on plan.Workers goroutines until the plan says stop. A
// worker finishes the unit it is in, so no request is cut short and counted
// as an error; the first error stops every worker.
func drive(ctx context.Context, plan loadPlan, u unit) *loadResult {
	limit := plan.Duration
	if limit <= 0 {
		limit = plan.MaxDuration
	}
	if limit <= 0 && plan.MaxRequests == 0 {
		return &loadResult{Err: fmt.Errorf("a load needs a duration or a request count")}
	}
	l := &load{plan: plan, u: u, hists: make([]Histogram, plan.Workers)}
	if limit > 0 {
		timer := time.AfterFunc(limit, func() {
			reason := ""
			if plan.Duration <= 0 {
				reason = fmt.Sprintf("time limit of %s reached", limit)
			}
			l.halt(reason)
		})
		defer timer.Stop()
	}
	done := make(chan struct{})
	if plan.Stop != nil {
		go l.watch(done)
	}
	start := time.Now()
	var wg sync.WaitGroup
	for w := range plan.Workers {
		wg.Go(func() { l.work(ctx, w) })
	}
	wg.Wait()
	close(done)
	return l.result(time.Since(start))
}

// load is one run of drive.
type load struct {
	plan     loadPlan
	u        unit
	stop     atomic.Bool
	requests atomic.Uint64
	units    atomic.Uint64
	errOnce  sync.Once
	firstErr error
	why      atomic.Value
	hists    []Histogram // one per worker
}

// halt stops every worker, for reason (the first reason given wins).
func (l *load) halt(reason string) {
	if l.stop.CompareAndSwap(false, true) {
		l.why.Store(reason)
	}
}

// watch asks plan.Stop every 100 ms until done.
func (l *load) watch(done <-chan struct{}) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			if l.plan.Stop() {
				l.halt("stopped by the memory cap")
				return
			}
		}
	}
}

// work runs units on worker w until the load stops.
func (l *load) work(ctx context.Context, w int) {
	h := &l.hists[w]
	for i := 0; !l.stop.Load(); i++ {
		if ctx.Err() != nil {
			l.halt("interrupted")
			return
		}
		t0 := time.Now()
		n, err := l.u(ctx, w, i)
		d := time.Since(t0)
		total := l.requests.Add(uint64(n))
		if err != nil {
			l.errOnce.Do(func() { l.firstErr = err })
			l.halt("error")
			return
		}
		h.Record(d)
		l.units.Add(1)
		if l.plan.MaxRequests > 0 && total >= l.plan.MaxRequests {
			l.halt("")
		}
	}
}

// result is what the load measured in elapsed time.
func (l *load) result(elapsed time.Duration) *loadResult {
	res := &loadResult{
		Units:    l.units.Load(),
		Requests: l.requests.Load(),
		Elapsed:  elapsed,
		Err:      l.firstErr,
	}
	if s, _ := l.why.Load().(string); s != "error" {
		res.Stopped = s
	}
	for i := range l.hists {
		res.Latency.Merge(&l.hists[i])
	}
	return res
}

// request is one HTTP request of the load and the status it must get.
type request struct {
	Method  string
	URL     string
	Body    []byte
	AuthKey string // flinks-auth-key, when set
	Want    int
	// Keep asks for the response body; otherwise it is read and dropped.
	Keep bool
}

// send sends req and returns the body when req.Keep. A status other than
// req.Want is an error that quotes the start of the body.
func send(ctx context.Context, c client, req request) ([]byte, error) {
	return c.do(ctx, req)
}

// requestUnit is a unit of one request.
func requestUnit(hc client, req request) unit {
	return func(ctx context.Context, _, _ int) (int, error) {
		_, err := send(ctx, hc, req)
		return 1, err
	}
}

// statusError is an answer with another status than the one wanted.
type statusError struct {
	Method, URL  string
	Status, Want int
	Body         []byte // the start of the body
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s %s answered %d, want %d: %s", e.Method, e.URL, e.Status, e.Want, e.Body)
}
