package journal

import "sync"

// Feed hands every entry recorded for a tenant to the subscribers of that
// tenant, at the moment it is recorded. Unlike a Journal it keeps nothing,
// so it has no bound to lose entries at: a contract harness that follows a
// run through a Feed sees all of it, however many requests the integration
// sends. The zero value is ready to use.
type Feed struct {
	mu   sync.RWMutex
	subs map[string]map[*subscriber]struct{}
	all  map[*subscriber]struct{} // the subscribers of every tenant
}

type subscriber struct{ fn func(Entry) }

// Subscribe calls fn with every entry later published for tenant, in the
// order they are published, until cancel is called. fn runs on the
// recording goroutine: it must be quick and must not block.
func (f *Feed) Subscribe(tenant string, fn func(Entry)) (cancel func()) {
	s := &subscriber{fn: fn}
	f.mu.Lock()
	if f.subs == nil {
		f.subs = map[string]map[*subscriber]struct{}{}
	}
	if f.subs[tenant] == nil {
		f.subs[tenant] = map[*subscriber]struct{}{}
	}
	f.subs[tenant][s] = struct{}{}
	f.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			defer f.mu.Unlock()
			delete(f.subs[tenant], s)
			if len(f.subs[tenant]) == 0 {
				delete(f.subs, tenant)
			}
		})
	}
}

// SubscribeAll is Subscribe for the entries of every tenant.
func (f *Feed) SubscribeAll(fn func(Entry)) (cancel func()) {
	s := &subscriber{fn: fn}
	f.mu.Lock()
	if f.all == nil {
		f.all = map[*subscriber]struct{}{}
	}
	f.all[s] = struct{}{}
	f.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			defer f.mu.Unlock()
			delete(f.all, s)
		})
	}
}

// Publish hands e to the subscribers of its tenant, and to those of every
// tenant.
func (f *Feed) Publish(e Entry) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	for s := range f.subs[e.Tenant] {
		s.fn(e)
	}
	for s := range f.all {
		s.fn(e)
	}
}
