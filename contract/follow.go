package contract

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// DefaultMaxRunEntries bounds the journal the harness keeps of one run.
// The mock's own journal keeps the newest 10,000 entries of a customer, too
// few for an integration that polls in a tight loop, so the harness
// gathers the run as it happens instead of reading it at the end; past
// this bound it counts what it could not keep, and judges nothing.
const DefaultMaxRunEntries = 1_000_000

// followInterval is how often the harness reads what is new in the journal
// of a mock it reaches only through the admin API.
const followInterval = 5 * time.Millisecond

// runJournal is the whole journal of one run, gathered while the run goes
// on: from the mock's feed when the mock is in process (nothing can be
// missed), else by reading the admin API's journal after a cursor and
// comparing with its exact total (what was missed is counted).
type runJournal struct {
	mu      sync.Mutex
	entries []journal.Entry
	seen    map[uint64]struct{}
	total   uint64 // entries the mock recorded for the customer, as far as known
	max     int
	over    uint64        // entries past max
	changed chan struct{} // closed, and replaced, when entries come
	stop    func()        // ends the following; the last read is done when it returns
	err     error         // why the admin API could not be read
}

func newRunJournal(max int) *runJournal {
	if max <= 0 {
		max = DefaultMaxRunEntries
	}
	return &runJournal{seen: map[uint64]struct{}{}, max: max, changed: make(chan struct{})}
}

// add keeps an entry not seen before, and tells the watchers.
func (r *runJournal) add(es ...journal.Entry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	added := false
	for _, e := range es {
		if _, dup := r.seen[e.Seq]; dup {
			continue
		}
		if len(r.entries) >= r.max {
			r.over++
			continue
		}
		r.seen[e.Seq] = struct{}{}
		r.entries = append(r.entries, e)
		added = true
	}
	if added {
		close(r.changed)
		r.changed = make(chan struct{})
	}
}

// since returns the entries from index i on, and a channel closed when
// more come.
func (r *runJournal) since(i int) ([]journal.Entry, chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.entries[min(i, len(r.entries)):]), r.changed
}

// result ends the following and returns the run's entries in Seq order,
// how many entries of the run the harness could not read, and why the
// journal could not be read at all.
func (r *runJournal) result() ([]journal.Entry, uint64, error) {
	r.stop()
	r.mu.Lock()
	defer r.mu.Unlock()
	entries := slices.Clone(r.entries)
	slices.SortStableFunc(entries, bySeq)
	lost := r.over
	if n := uint64(len(r.entries)) + r.over; r.total > n {
		lost += r.total - n
	}
	return entries, lost, r.err
}

// follow starts gathering the journal of a customer.
func (m Mock) follow(ctx context.Context, customerID string, max int) *runJournal {
	r := newRunJournal(max)
	if m.Subscribe != nil {
		cancel := m.Subscribe(customerID, func(e journal.Entry) { r.add(e) })
		r.stop = cancel
		return r
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		var cursor uint64
		tick := time.NewTicker(followInterval)
		defer tick.Stop()
		for {
			last := ctx.Err() != nil
			cursor = m.readAfter(context.WithoutCancel(ctx), customerID, cursor, r)
			if last {
				return
			}
			select {
			case <-ctx.Done():
			case <-tick.C:
			}
		}
	}()
	r.stop = func() {
		cancel()
		<-done
	}
	return r
}

// readAfter reads the entries of a customer past the cursor and returns
// the new cursor. When the total says that entries were missed (an entry
// journalled late, under a smaller Seq, or one dropped before it was
// read), it reads all that the journal holds, to keep what it still can.
func (m Mock) readAfter(ctx context.Context, customerID string, cursor uint64, r *runJournal) uint64 {
	c := m.admin()
	page, err := c.Journal(ctx, admin.JournalFilter{CustomerID: customerID, AfterSeq: cursor})
	if err != nil {
		r.fail(fmt.Errorf("read the journal of customer %s: %w", customerID, err))
		return cursor
	}
	r.add(page.Entries...)
	for _, e := range page.Entries {
		cursor = max(cursor, e.Seq)
	}
	r.mu.Lock()
	missed := page.Total > uint64(len(r.entries))+r.over
	r.mu.Unlock()
	if missed {
		if all, err := c.Journal(ctx, admin.JournalFilter{CustomerID: customerID}); err == nil {
			r.add(all.Entries...)
			page = all
		}
	}
	r.mu.Lock()
	r.total = max(r.total, page.Total)
	r.mu.Unlock()
	return cursor
}

func (r *runJournal) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.err = err
	}
}
