// Package bounded is the one bounded store of the server: an LRU map that
// forgets the items it has not used for the longest first, within a bound
// of its own and, optionally, a Budget it shares with the stores of the
// same kind in other tenants. Every store of the server is one: sessions,
// tokens, login states, journals, webhook deliveries, the convention logins
// and the encoded answers.
package bounded

import (
	"sync"
	"sync/atomic"
)

// Dropper is a store a Budget trims: it forgets the items last used before
// a number and says how many went.
type Dropper interface {
	DropBefore(seq uint64) int
}

// Budget bounds how many items of one kind (sessions, tokens, journal
// entries, deliveries) all tenants hold together. Every add and every use
// of an item takes the next number of the budget, so the items least
// recently used across tenants are those with the smallest numbers; when
// the budget is exceeded, each store forgets the items numbered below the
// threshold that keeps 90% of it.
type Budget struct {
	limit    int64
	seq      atomic.Uint64
	held     atomic.Int64
	trimming sync.Mutex
	stores   func(yield func(Dropper) bool)
}

// NewBudget returns a budget of limit items over the stores that stores
// lists when a trim runs (nil: it only counts).
func NewBudget(limit int, stores func(yield func(Dropper) bool)) *Budget {
	return &Budget{limit: int64(limit), stores: stores}
}

// Next numbers an item that is added or used now.
func (b *Budget) Next() uint64 { return b.seq.Add(1) }

// Held returns how many items the budget counts.
func (b *Budget) Held() int { return int(b.held.Load()) }

// Add counts n more items held (fewer when n is negative) and, when an
// addition passes the limit, trims the stores. One caller trims at a time;
// the others go on. Callers must not hold the lock of any store.
func (b *Budget) Add(n int) {
	if b.held.Add(int64(n)) > b.limit && n > 0 {
		b.trim()
	}
}

// trim drops, in every store, the items numbered below the threshold.
func (b *Budget) trim() {
	if b.stores == nil || !b.trimming.TryLock() {
		return
	}
	defer b.trimming.Unlock()
	before := b.threshold()
	n := 0
	for d := range b.stores {
		n += d.DropBefore(before)
	}
	b.held.Add(-int64(n))
}

// threshold is the number below which items are dropped to get back to
// 90% of the budget.
func (b *Budget) threshold() uint64 {
	last, keep := b.seq.Load(), uint64(b.limit*9/10)
	if last <= keep {
		return 0
	}
	return last - keep + 1
}
