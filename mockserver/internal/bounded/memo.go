package bounded

import "sync"

// Memo holds up to a fixed number of values worked out from their keys:
// a cache read on every request, where a value forgotten is only worked
// out again. A hit changes nothing, so it takes only a read lock and many
// readers share the memo; when full, the key added first is forgotten.
// Stores whose items a client relies on (tokens, sessions) are LRUs,
// forgetting by last use; a Memo suits derived data alone.
type Memo[K comparable, V any] struct {
	mu    sync.RWMutex
	items map[K]V
	order []K // the keys in the order they were added, as a ring once full
	next  int // the slot of order the next key takes once full
}

// NewMemo returns a memo of at most capacity keys (at least one).
func NewMemo[K comparable, V any](capacity int) *Memo[K, V] {
	capacity = max(capacity, 1)
	return &Memo[K, V]{items: make(map[K]V), order: make([]K, 0, capacity)}
}

// Get returns the value held for k.
func (m *Memo[K, V]) Get(k K) (V, bool) {
	m.mu.RLock()
	v, ok := m.items[k]
	m.mu.RUnlock()
	return v, ok
}

// Put holds v for k, in place of a value k had; a new key takes the
// place of the key added first when the memo is full.
func (m *Memo[K, V]) Put(k K, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.items[k]; ok {
		m.items[k] = v
		return
	}
	if len(m.order) < cap(m.order) {
		m.order = append(m.order, k)
	} else {
		delete(m.items, m.order[m.next])
		m.order[m.next] = k
		m.next = (m.next + 1) % len(m.order)
	}
	m.items[k] = v
}

// Len returns how many keys the memo holds.
func (m *Memo[K, V]) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.items)
}
