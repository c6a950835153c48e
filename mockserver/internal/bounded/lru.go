package bounded

import "sync"

// Options are the optional parts of an LRU.
type Options[K comparable, V any] struct {
	// Budget, when set, numbers the items and counts them with the stores
	// of the same kind; without one the store numbers its items itself.
	Budget *Budget
	// OnEvict is told of each item the store forgets to stay within its
	// bound or its budget (not of Remove, RemoveFunc, Clear or Close). It
	// runs with the store locked and must not call the store.
	OnEvict func(K, V)
	// Keep, when set, names the items to forget last: the bound forgets
	// the least recently used item Keep does not protect, and a protected
	// one only when every item is.
	Keep func(V) bool
	// Cost, when set, is the bytes an item holds: its key, its value and
	// what they alone keep alive. It is taken when the item is added and
	// again by Update; MaxBytes and the budget count it.
	Cost func(K, V) int64
	// MaxBytes, when positive, bounds the bytes of the store's items: an
	// add forgets the least recently used items until the new one fits,
	// and an item that costs more than MaxBytes alone is not kept (OnEvict
	// is told of it).
	MaxBytes int64
}

// LRU is a map bounded to a number of items that forgets the least
// recently used item first. Get and GetOrAdd count as a use; Peek does
// not. Its nodes live in one slice (no allocation per item once grown),
// linked oldest first. It is safe for concurrent use.
type LRU[K comparable, V any] struct {
	mu       sync.Mutex
	capacity int
	opts     Options[K, V]
	local    uint64 // the numbering without a budget
	index    map[K]int32
	nodes    []node[K, V]
	head     int32 // least recently used, or none
	tail     int32 // most recently used, or none
	free     int32 // first free node, or none
	n        int
	bytes    int64
	closed   bool
}

type node[K comparable, V any] struct {
	key        K
	val        V
	seq        uint64
	cost       int64
	prev, next int32
}

const none int32 = -1

// New returns a store of at most capacity items (at least one).
func New[K comparable, V any](capacity int, opts Options[K, V]) *LRU[K, V] {
	// The index is made on the first add: a tenant holds several stores
	// that many tenants never use.
	return &LRU[K, V]{capacity: max(capacity, 1), opts: opts, head: none, tail: none, free: none}
}

// Len returns how many items the store holds.
func (c *LRU[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// Bytes returns what the store's items cost together (0 without
// Options.Cost).
func (c *LRU[K, V]) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// Room returns how many items the store's memory holds room for: its
// nodes, used or free.
func (c *LRU[K, V]) Room() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.nodes)
}

// Get returns the item of k and counts it as used.
func (c *LRU[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i, ok := c.index[k]
	if !ok {
		var zero V
		return zero, false
	}
	c.touch(i)
	return c.nodes[i].val, true
}

// Peek returns the item of k without counting it as used.
func (c *LRU[K, V]) Peek(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i, ok := c.index[k]; ok {
		return c.nodes[i].val, true
	}
	var zero V
	return zero, false
}

// Add stores v under k as the most recently used item (replacing what k
// held) and returns how many items it forgot to stay within the bound. A
// closed store takes nothing.
func (c *LRU[K, V]) Add(k K, v V) (evicted int) {
	return c.add(k, v, 0, false)
}

// AddNumbered is Add for an item that carries its own number in the
// store's budget (a journal entry's Seq, drawn from the same budget).
func (c *LRU[K, V]) AddNumbered(k K, v V, seq uint64) (evicted int) {
	return c.add(k, v, seq, true)
}

// GetOrAdd returns the item of k, counted as used, or stores v under k
// and returns it. added tells which.
func (c *LRU[K, V]) GetOrAdd(k K, v V) (actual V, added bool) {
	c.mu.Lock()
	if i, ok := c.index[k]; ok {
		c.touch(i)
		actual = c.nodes[i].val
		c.mu.Unlock()
		return actual, false
	}
	c.mu.Unlock()
	// Another caller may add k in between; the later add then replaces
	// the earlier, which callers of GetOrAdd accept (both are equivalent).
	c.add(k, v, 0, false)
	return v, true
}

func (c *LRU[K, V]) add(k K, v V, seq uint64, numbered bool) (evicted int) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return 0
	}
	if !numbered {
		seq = c.next()
	}
	cost := c.cost(k, v)
	before, bytes := c.n, c.bytes
	if i, ok := c.index[k]; ok {
		c.release(i)
	}
	if c.opts.MaxBytes > 0 && cost > c.opts.MaxBytes {
		c.mu.Unlock()
		c.count(c.n-before, c.bytes-bytes)
		if c.opts.OnEvict != nil {
			c.opts.OnEvict(k, v)
		}
		return 1
	}
	for c.n > 0 && (c.n >= c.capacity || c.opts.MaxBytes > 0 && c.bytes+cost > c.opts.MaxBytes) {
		c.evict(c.victim())
		evicted++
	}
	i := c.alloc()
	c.nodes[i] = node[K, V]{key: k, val: v, seq: seq, cost: cost, prev: none, next: none}
	if c.index == nil {
		c.index = map[K]int32{}
	}
	c.index[k] = i
	c.append(i)
	c.n++
	c.bytes += cost
	n, b := c.n-before, c.bytes-bytes
	c.mu.Unlock()
	c.count(n, b)
	return evicted
}

// Update takes the cost of k's item again (its value changed what it
// holds), forgetting the least recently used others when it grew past
// MaxBytes. It is no use.
func (c *LRU[K, V]) Update(k K) {
	if c.opts.Cost == nil {
		return
	}
	c.mu.Lock()
	i, ok := c.index[k]
	if !ok {
		c.mu.Unlock()
		return
	}
	before, bytes := c.n, c.bytes
	cost := c.cost(k, c.nodes[i].val)
	c.bytes += cost - c.nodes[i].cost
	c.nodes[i].cost = cost
	for c.opts.MaxBytes > 0 && c.bytes > c.opts.MaxBytes && c.n > 1 {
		v := c.victim()
		if v == i {
			v = c.nodes[i].next
			if v == none {
				break
			}
		}
		c.evict(v)
	}
	n, b := c.n-before, c.bytes-bytes
	c.mu.Unlock()
	c.count(n, b)
}

// Remove forgets k and reports whether the store held it.
func (c *LRU[K, V]) Remove(k K) bool {
	c.mu.Lock()
	i, ok := c.index[k]
	var cost int64
	if ok {
		cost = c.nodes[i].cost
		c.release(i)
	}
	c.mu.Unlock()
	if ok {
		c.count(-1, -cost)
	}
	return ok
}

// RemoveFunc forgets every item f reports true for and returns how many
// went. f runs with the store locked.
func (c *LRU[K, V]) RemoveFunc(f func(K, V) bool) int {
	c.mu.Lock()
	n, bytes := 0, c.bytes
	for i := c.head; i != none; {
		next := c.nodes[i].next
		if f(c.nodes[i].key, c.nodes[i].val) {
			c.release(i)
			n++
		}
		i = next
	}
	c.shrink()
	bytes -= c.bytes
	c.mu.Unlock()
	c.count(-n, -bytes)
	return n
}

// Oldest returns the number of the least recently used item (for a
// Budget).
func (c *LRU[K, V]) Oldest() (uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.head == none {
		return 0, false
	}
	return c.nodes[c.head].seq, true
}

// DropOldest forgets the least recently used item, telling OnEvict, and
// returns what it cost. A Budget calls it, and counts what went itself.
func (c *LRU[K, V]) DropOldest() (items int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.head == none {
		return 0, 0
	}
	cost := c.nodes[c.head].cost
	c.evict(c.head)
	c.shrink()
	return 1, cost
}

// DropBefore forgets the items last used before seq (they are the oldest)
// and returns how many went, telling OnEvict of each.
func (c *LRU[K, V]) DropBefore(seq uint64) int {
	c.mu.Lock()
	n, bytes := 0, c.bytes
	for c.head != none && c.nodes[c.head].seq < seq {
		c.evict(c.head)
		n++
	}
	c.shrink()
	bytes -= c.bytes
	c.mu.Unlock()
	c.count(-n, -bytes)
	return n
}

// Range calls f on each item, least recently used first, until f returns
// false. f runs with the store locked and must not call the store.
func (c *LRU[K, V]) Range(f func(K, V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := c.head; i != none; i = c.nodes[i].next {
		if !f(c.nodes[i].key, c.nodes[i].val) {
			return
		}
	}
}

// Clear forgets every item and returns how many went.
func (c *LRU[K, V]) Clear() int {
	return c.clear(false)
}

// Close forgets every item, like Clear, and makes the store take no more:
// a store of a tenant that a reset retired.
func (c *LRU[K, V]) Close() int {
	return c.clear(true)
}

func (c *LRU[K, V]) clear(closing bool) int {
	c.mu.Lock()
	n, bytes := c.n, c.bytes
	c.index = nil
	c.nodes = nil
	c.head, c.tail, c.free, c.n, c.bytes = none, none, none, 0, 0
	c.closed = c.closed || closing
	c.mu.Unlock()
	c.count(-n, -bytes)
	return n
}

// next numbers an item added or used now. Callers hold c.mu.
func (c *LRU[K, V]) next() uint64 {
	if c.opts.Budget != nil {
		return c.opts.Budget.Next()
	}
	c.local++
	return c.local
}

// cost is what an item costs. Callers hold c.mu.
func (c *LRU[K, V]) cost(k K, v V) int64 {
	if c.opts.Cost == nil {
		return 0
	}
	return c.opts.Cost(k, v)
}

// count tells the budget of a change in the items and bytes held.
func (c *LRU[K, V]) count(n int, bytes int64) {
	if c.opts.Budget != nil && (n != 0 || bytes != 0) {
		c.opts.Budget.Add(n, bytes)
	}
}

// touch makes node i the most recently used. Callers hold c.mu.
func (c *LRU[K, V]) touch(i int32) {
	c.nodes[i].seq = c.next()
	if i != c.tail {
		c.unlink(i)
		c.append(i)
	}
}

// victim is the node the bound forgets: the least recently used one that
// Keep does not protect, else the least recently used. Callers hold c.mu.
func (c *LRU[K, V]) victim() int32 {
	if c.opts.Keep != nil {
		for i := c.head; i != none; i = c.nodes[i].next {
			if !c.opts.Keep(c.nodes[i].val) {
				return i
			}
		}
	}
	return c.head
}

// evict forgets node i and tells OnEvict. Callers hold c.mu.
func (c *LRU[K, V]) evict(i int32) {
	k, v := c.nodes[i].key, c.nodes[i].val
	c.release(i)
	if c.opts.OnEvict != nil {
		c.opts.OnEvict(k, v)
	}
}

// release unlinks node i, forgets its key and frees it. Callers hold c.mu.
func (c *LRU[K, V]) release(i int32) {
	c.unlink(i)
	delete(c.index, c.nodes[i].key)
	c.bytes -= c.nodes[i].cost
	c.nodes[i] = node[K, V]{prev: none, next: c.free}
	c.free = i
	c.n--
}

// alloc returns a free node, growing the slice when none is. Callers hold
// c.mu.
func (c *LRU[K, V]) alloc() int32 {
	if c.free != none {
		i := c.free
		c.free = c.nodes[i].next
		return i
	}
	c.nodes = append(c.nodes, node[K, V]{})
	return int32(len(c.nodes) - 1)
}

func (c *LRU[K, V]) unlink(i int32) {
	nd := &c.nodes[i]
	if nd.prev != none {
		c.nodes[nd.prev].next = nd.next
	} else {
		c.head = nd.next
	}
	if nd.next != none {
		c.nodes[nd.next].prev = nd.prev
	} else {
		c.tail = nd.prev
	}
	nd.prev, nd.next = none, none
}

func (c *LRU[K, V]) append(i int32) {
	c.nodes[i].prev, c.nodes[i].next = c.tail, none
	if c.tail != none {
		c.nodes[c.tail].next = i
	} else {
		c.head = i
	}
	c.tail = i
}

// shrink gives the memory of the node slice back when most of it is free,
// keeping room to grow again. Callers hold c.mu.
func (c *LRU[K, V]) shrink() {
	if len(c.nodes) <= 64 || c.n >= len(c.nodes)/4 {
		return
	}
	nodes := make([]node[K, V], 0, 2*c.n)
	index := make(map[K]int32, c.n)
	for i := c.head; i != none; i = c.nodes[i].next {
		nd := c.nodes[i]
		j := int32(len(nodes))
		nd.prev, nd.next = j-1, none
		if j > 0 {
			nodes[j-1].next = j
		} else {
			nd.prev = none
		}
		nodes = append(nodes, nd)
		index[nd.key] = j
	}
	c.nodes, c.index, c.free = nodes, index, none
	c.head, c.tail = none, none
	if len(nodes) > 0 {
		c.head, c.tail = 0, int32(len(nodes)-1)
	}
}
