// Package bounded is the one bounded store of the server: an LRU map that
// forgets the items it has not used for the longest first, within bounds
// of its own (items, and bytes when its items say what they cost) and,
// optionally, a Budget it shares with the stores of the same kind in other
// tenants. Every store of the server is one: sessions, tokens, login
// states, journals, webhook deliveries, the convention logins, their
// generated accounts and the encoded answers.
package bounded

import (
	"container/heap"
	"sync"
	"sync/atomic"
)

// Dropper is a store a Budget trims: it tells the number of its least
// recently used item and forgets that item on demand.
type Dropper interface {
	// Oldest returns the number of the least recently used item; ok is
	// false when the store holds none.
	Oldest() (seq uint64, ok bool)
	// DropOldest forgets the least recently used item, as the store's
	// bound would, and returns what it cost: one item and its bytes
	// (nothing when the store holds none).
	DropOldest() (items int, bytes int64)
}

// Budget bounds how many items of one kind (sessions, tokens, journal
// entries, deliveries), and optionally how many bytes of them, all tenants
// hold together. Every add and every use of an item takes the next number
// of the budget, so the items least recently used across tenants are those
// with the smallest numbers; when the budget is exceeded, the stores
// forget their items in that order until 90% of it is left.
type Budget struct {
	limit     int64
	maxBytes  int64 // 0: no bound in bytes
	seq       atomic.Uint64
	held      atomic.Int64
	heldBytes atomic.Int64
	trimming  sync.Mutex
	stores    func(yield func(Dropper) bool)
}

// NewBudget returns a budget of limit items over the stores that stores
// lists when a trim runs (nil: it only counts).
func NewBudget(limit int, stores func(yield func(Dropper) bool)) *Budget {
	return &Budget{limit: int64(limit), stores: stores}
}

// CapBytes bounds the bytes the budget's items cost together, as their
// stores' Options.Cost says, and returns the budget.
func (b *Budget) CapBytes(n int64) *Budget {
	b.maxBytes = n
	return b
}

// Next numbers an item that is added or used now.
func (b *Budget) Next() uint64 { return b.seq.Add(1) }

// Held returns how many items the budget counts.
func (b *Budget) Held() int { return int(b.held.Load()) }

// HeldBytes returns how many bytes the budget counts.
func (b *Budget) HeldBytes() int64 { return b.heldBytes.Load() }

// Add counts n more items of the given bytes held (fewer when negative)
// and, when an addition passes a limit, trims the stores. One caller trims
// at a time; the others go on. Callers must not hold the lock of any
// store.
func (b *Budget) Add(n int, bytes int64) {
	items := b.held.Add(int64(n))
	total := b.heldBytes.Add(bytes)
	if (n > 0 || bytes > 0) && b.over(items, total) {
		b.trim()
	}
}

// over reports whether the counts pass a limit.
func (b *Budget) over(items, bytes int64) bool {
	return items > b.limit || (b.maxBytes > 0 && bytes > b.maxBytes)
}

// trim forgets, across the stores, the least recently used items until
// 90% of the budget is left.
func (b *Budget) trim() {
	if b.stores == nil || !b.trimming.TryLock() {
		return
	}
	defer b.trimming.Unlock()
	keepItems, keepBytes := b.limit*9/10, b.maxBytes*9/10
	var oldest storeHeap
	for d := range b.stores {
		if seq, ok := d.Oldest(); ok {
			oldest = append(oldest, heldStore{d, seq})
		}
	}
	heap.Init(&oldest)
	for len(oldest) > 0 && (b.held.Load() > keepItems || (b.maxBytes > 0 && b.heldBytes.Load() > keepBytes)) {
		d := oldest[0].store
		n, bytes := d.DropOldest()
		b.held.Add(-int64(n))
		b.heldBytes.Add(-bytes)
		if seq, ok := d.Oldest(); ok {
			oldest[0].seq = seq
			heap.Fix(&oldest, 0)
		} else {
			heap.Pop(&oldest)
		}
	}
}

// heldStore is a store and the number of its least recently used item.
type heldStore struct {
	store Dropper
	seq   uint64
}

// storeHeap orders stores by the number of their least recently used
// item, the oldest first.
type storeHeap []heldStore

func (h storeHeap) Len() int           { return len(h) }
func (h storeHeap) Less(i, j int) bool { return h[i].seq < h[j].seq }
func (h storeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *storeHeap) Push(x any)        { *h = append(*h, x.(heldStore)) }
func (h *storeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
