package bounded

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

func keys[K comparable, V any](c *LRU[K, V]) []K {
	var out []K
	c.Range(func(k K, _ V) bool {
		out = append(out, k)
		return true
	})
	return out
}

func TestLRUForgetsTheLeastRecentlyUsed(t *testing.T) {
	tests := []struct {
		name string
		ops  func(c *LRU[string, int])
		want []string // oldest first
	}{
		{"within the bound", func(c *LRU[string, int]) { c.Add("a", 1); c.Add("b", 2) }, []string{"a", "b"}},
		{"past the bound, the oldest goes", func(c *LRU[string, int]) {
			c.Add("a", 1)
			c.Add("b", 2)
			c.Add("c", 3)
			c.Add("d", 4)
		}, []string{"b", "c", "d"}},
		{"a used item is kept", func(c *LRU[string, int]) {
			c.Add("a", 1)
			c.Add("b", 2)
			c.Add("c", 3)
			c.Get("a")
			c.Add("d", 4)
		}, []string{"c", "a", "d"}},
		{"Peek is no use", func(c *LRU[string, int]) {
			c.Add("a", 1)
			c.Add("b", 2)
			c.Add("c", 3)
			c.Peek("a")
			c.Add("d", 4)
		}, []string{"b", "c", "d"}},
		{"replacing is a use", func(c *LRU[string, int]) {
			c.Add("a", 1)
			c.Add("b", 2)
			c.Add("a", 9)
		}, []string{"b", "a"}},
		{"GetOrAdd of a held key is a use", func(c *LRU[string, int]) {
			c.Add("a", 1)
			c.Add("b", 2)
			if v, added := c.GetOrAdd("a", 5); v != 1 || added {
				t.Errorf("GetOrAdd = %d, %v; want the held 1", v, added)
			}
		}, []string{"b", "a"}},
		{"removed items go", func(c *LRU[string, int]) {
			c.Add("a", 1)
			c.Add("b", 2)
			c.Add("c", 3)
			c.Remove("b")
			c.RemoveFunc(func(_ string, v int) bool { return v == 3 })
		}, []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New[string, int](3, Options[string, int]{})
			tt.ops(c)
			if got := keys(c); !slices.Equal(got, tt.want) {
				t.Errorf("holds %v, want %v", got, tt.want)
			}
			if c.Len() != len(tt.want) {
				t.Errorf("Len %d, want %d", c.Len(), len(tt.want))
			}
		})
	}
}

func TestLRUKeepForgetsProtectedItemsLast(t *testing.T) {
	var evicted []string
	c := New[string, bool](2, Options[string, bool]{
		Keep:    func(pending bool) bool { return pending },
		OnEvict: func(k string, _ bool) { evicted = append(evicted, k) },
	})
	c.Add("pending", true)
	c.Add("done", false)
	c.Add("new", false)
	if got := keys(c); !slices.Equal(got, []string{"pending", "new"}) {
		t.Errorf("holds %v, want the pending item kept", got)
	}
	c.Add("p2", true)
	c.Add("p3", true)
	if !slices.Equal(evicted, []string{"done", "new", "pending"}) {
		t.Errorf("evicted %v, want the unprotected first, then the oldest protected", evicted)
	}
}

func TestBudgetTrimsTheLeastRecentlyUsedAcrossStores(t *testing.T) {
	var stores []*LRU[int, int]
	b := NewBudget(10, func(yield func(Dropper) bool) {
		for _, s := range stores {
			if !yield(s) {
				return
			}
		}
	})
	for range 3 {
		stores = append(stores, New[int, int](100, Options[int, int]{Budget: b}))
	}
	stores[0].Add(0, 0) // the hot item, used all along
	for i := 1; i <= 11; i++ {
		stores[i%3].Add(i, i)
		stores[0].Get(0)
	}
	held := 0
	for _, s := range stores {
		held += s.Len()
	}
	if b.Held() != held || held > 10 {
		t.Errorf("the budget counts %d, the stores hold %d; want them equal and at most 10", b.Held(), held)
	}
	if _, ok := stores[0].Peek(0); !ok {
		t.Error("the item used all along was forgotten")
	}
	if _, ok := stores[2].Peek(11); !ok {
		t.Error("the newest item was forgotten")
	}
	if _, ok := stores[1].Peek(1); ok {
		t.Error("the oldest unused item is still held")
	}
}

func TestClosedStoreTakesNothing(t *testing.T) {
	b := NewBudget(10, nil)
	c := New[string, int](5, Options[string, int]{Budget: b})
	c.Add("a", 1)
	if n := c.Close(); n != 1 {
		t.Errorf("Close forgot %d items, want 1", n)
	}
	c.Add("b", 2)
	if c.Len() != 0 || b.Held() != 0 {
		t.Errorf("a closed store holds %d, the budget counts %d; want nothing", c.Len(), b.Held())
	}
}

func TestLRUGivesMemoryBack(t *testing.T) {
	c := New[int, int](1000, Options[int, int]{})
	for i := range 1000 {
		c.AddNumbered(i, i, uint64(i))
	}
	if n := c.DropBefore(990); n != 990 {
		t.Fatalf("DropBefore dropped %d, want 990", n)
	}
	if len(c.nodes) > 64 || !slices.Equal(keys(c), []int{990, 991, 992, 993, 994, 995, 996, 997, 998, 999}) {
		t.Errorf("%d nodes kept for %v", len(c.nodes), keys(c))
	}
	c.Add(5, 5)
	if got := keys(c); len(got) != 11 || got[10] != 5 {
		t.Errorf("after compaction the store holds %v", got)
	}
}

func TestLRUConcurrentUse(t *testing.T) {
	var stores []*LRU[string, int]
	var mu sync.Mutex
	b := NewBudget(50, func(yield func(Dropper) bool) {
		mu.Lock()
		list := slices.Clone(stores)
		mu.Unlock()
		for _, s := range list {
			if !yield(s) {
				return
			}
		}
	})
	var wg sync.WaitGroup
	for w := range 8 {
		s := New[string, int](20, Options[string, int]{Budget: b})
		mu.Lock()
		stores = append(stores, s)
		mu.Unlock()
		wg.Go(func() {
			for i := range 500 {
				k := fmt.Sprint(w, "-", i)
				s.Add(k, i)
				s.Get(fmt.Sprint(w, "-", i/2))
				if i%50 == 0 {
					s.RemoveFunc(func(_ string, v int) bool { return v%7 == 0 })
				}
			}
		})
	}
	wg.Wait()
	held := 0
	for _, s := range stores {
		held += s.Len()
	}
	if b.Held() != held {
		t.Errorf("the budget counts %d, the stores hold %d", b.Held(), held)
	}
}

func TestLRUBoundsBytes(t *testing.T) {
	var evicted []string
	c := New[string, string](100, Options[string, string]{
		Cost:     func(_ string, v string) int64 { return int64(len(v)) },
		MaxBytes: 10,
		OnEvict:  func(k string, _ string) { evicted = append(evicted, k) },
	})
	c.Add("a", "1234")
	c.Add("b", "1234")
	c.Get("a")
	c.Add("c", "1234") // 12 bytes: b, the least recently used, goes
	if got := keys(c); !slices.Equal(got, []string{"a", "c"}) || c.Bytes() != 8 {
		t.Errorf("holds %v in %d bytes, want [a c] in 8", got, c.Bytes())
	}
	c.Add("huge", "12345678901") // over MaxBytes alone: not kept
	if _, ok := c.Peek("huge"); ok || c.Bytes() != 8 {
		t.Errorf("an item over MaxBytes was kept (%d bytes held)", c.Bytes())
	}
	c.Add("a", "1") // replacing takes the new cost
	if c.Bytes() != 5 {
		t.Errorf("after replacing, %d bytes held, want 5", c.Bytes())
	}
	if !slices.Equal(evicted, []string{"b", "huge"}) {
		t.Errorf("OnEvict told of %v, want [b huge]", evicted)
	}
}

func TestLRUUpdateTakesTheNewCost(t *testing.T) {
	type item struct{ size int64 }
	c := New[string, *item](100, Options[string, *item]{
		Cost:     func(_ string, v *item) int64 { return v.size },
		MaxBytes: 10,
	})
	a, b := &item{2}, &item{2}
	c.Add("a", a)
	c.Add("b", b)
	b.size = 9
	c.Update("b") // 11 bytes: a goes, b (just grown) stays
	if got := keys(c); !slices.Equal(got, []string{"b"}) || c.Bytes() != 9 {
		t.Errorf("holds %v in %d bytes, want [b] in 9", got, c.Bytes())
	}
}

func TestBudgetBoundsBytesAcrossStores(t *testing.T) {
	var stores []*LRU[int, int]
	b := NewBudget(1000, func(yield func(Dropper) bool) {
		for _, s := range stores {
			if !yield(s) {
				return
			}
		}
	}).CapBytes(100)
	for range 3 {
		stores = append(stores, New[int, int](1000, Options[int, int]{Budget: b, Cost: func(_, v int) int64 { return int64(v) }}))
	}
	stores[0].Add(0, 30) // the hot item, used all along
	for i := 1; i <= 20; i++ {
		stores[i%3].Add(i, 10)
		stores[0].Get(0)
	}
	var held int64
	for _, s := range stores {
		held += s.Bytes()
	}
	if b.HeldBytes() != held || held > 100 {
		t.Errorf("the budget counts %d bytes, the stores hold %d; want them equal and at most 100", b.HeldBytes(), held)
	}
	if _, ok := stores[0].Peek(0); !ok {
		t.Error("the item used all along was forgotten")
	}
	if _, ok := stores[2].Peek(20); !ok {
		t.Error("the newest item was forgotten")
	}
	if _, ok := stores[1].Peek(13); ok {
		t.Error("an old unused item is still held")
	}
}
