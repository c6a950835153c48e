package journal

import (
	"fmt"
	"sync"
	"testing"
)

func TestJournalKeepsTheNewestEntries(t *testing.T) {
	tests := []struct {
		capacity, added int
		wantFirst       uint64
		wantLen         int
		wantDropped     uint64
	}{
		{capacity: 3, added: 0, wantLen: 0},
		{capacity: 3, added: 2, wantFirst: 1, wantLen: 2},
		{capacity: 3, added: 3, wantFirst: 1, wantLen: 3},
		{capacity: 3, added: 4, wantFirst: 2, wantLen: 3, wantDropped: 1},
		{capacity: 3, added: 10, wantFirst: 8, wantLen: 3, wantDropped: 7},
		{capacity: 1, added: 5, wantFirst: 5, wantLen: 1, wantDropped: 4},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d into %d", tt.added, tt.capacity), func(t *testing.T) {
			j := New(tt.capacity)
			for i := 1; i <= tt.added; i++ {
				j.Add(Entry{Seq: uint64(i)})
			}
			got := j.Entries(nil)
			if len(got) != tt.wantLen || j.Len() != tt.wantLen {
				t.Fatalf("holds %d entries (Len %d), want %d", len(got), j.Len(), tt.wantLen)
			}
			for i, e := range got {
				if want := tt.wantFirst + uint64(i); e.Seq != want {
					t.Errorf("entry %d has Seq %d, want %d (oldest first)", i, e.Seq, want)
				}
			}
			if j.Dropped() != tt.wantDropped {
				t.Errorf("dropped %d, want %d", j.Dropped(), tt.wantDropped)
			}
		})
	}
}

func TestJournalFilterAndClear(t *testing.T) {
	j := New(10)
	for i := 1; i <= 6; i++ {
		j.Add(Entry{Seq: uint64(i), RequestID: fmt.Sprint(i % 2)})
	}
	odd := j.Entries(func(e *Entry) bool { return e.RequestID == "1" })
	if len(odd) != 3 || odd[0].Seq != 1 || odd[2].Seq != 5 {
		t.Errorf("filter kept %+v", odd)
	}
	j.Clear()
	if j.Len() != 0 || len(j.Entries(nil)) != 0 || j.Dropped() != 0 {
		t.Error("Clear left entries behind")
	}
}

func TestJournalConcurrentAdds(t *testing.T) {
	j := New(100)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				j.Add(Entry{})
				_ = j.Entries(nil)
			}
		}()
	}
	wg.Wait()
	if j.Len() != 100 || j.Dropped() != 300 {
		t.Errorf("Len %d, Dropped %d; want 100 and 300", j.Len(), j.Dropped())
	}
}

func TestJournalDropBefore(t *testing.T) {
	for _, capacity := range []int{4, 10} { // a full ring and a growing one
		j := New(capacity)
		for i := 1; i <= 6; i++ {
			j.Add(Entry{Seq: uint64(i)})
		}
		before := j.Len()
		n := j.DropBefore(5)
		got := j.Entries(nil)
		if len(got) != 2 || got[0].Seq != 5 || got[1].Seq != 6 {
			t.Errorf("capacity %d: kept %+v, want seqs 5 and 6", capacity, got)
		}
		if n != before-2 {
			t.Errorf("capacity %d: DropBefore reported %d, want %d", capacity, n, before-2)
		}
		j.Add(Entry{Seq: 7})
		if got := j.Entries(nil); len(got) != 3 || got[2].Seq != 7 {
			t.Errorf("capacity %d: after another Add: %+v", capacity, got)
		}
	}
}

func TestJournalKeepsOrderWhenItGrowsAfterDropping(t *testing.T) {
	j := New(100)
	seq := uint64(0)
	add := func(n int) {
		for i := 0; i < n; i++ {
			seq++
			j.Add(Entry{Seq: seq})
		}
	}
	add(3)
	j.DropBefore(2) // holds 2, 3 at indexes 1 and 2
	add(5)          // wraps into index 0, then grows
	got := j.Entries(nil)
	for i, e := range got {
		if e.Seq != uint64(i+2) {
			t.Fatalf("entries out of order: %v", got)
		}
	}
	if len(got) != 7 {
		t.Fatalf("holds %d entries, want 7", len(got))
	}
}

func TestJournalGivesMemoryBackAfterDropping(t *testing.T) {
	j := New(1000)
	for i := 1; i <= 1000; i++ {
		j.Add(Entry{Seq: uint64(i)})
	}
	j.DropBefore(991)
	if room := j.entries.Room(); room > 100 {
		t.Errorf("the journal kept room for %d entries after dropping to 10", room)
	}
	for i := 1001; i <= 1100; i++ {
		j.Add(Entry{Seq: uint64(i)})
	}
	got := j.Entries(nil)
	if len(got) != 110 || got[0].Seq != 991 || got[109].Seq != 1100 {
		t.Fatalf("after shrinking and growing: %d entries from %d to %d", len(got), got[0].Seq, got[len(got)-1].Seq)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Seq != got[i-1].Seq+1 {
			t.Fatalf("out of order at %d: %d after %d", i, got[i].Seq, got[i-1].Seq)
		}
	}
}

func TestSnapshotCountsEveryEntryGiven(t *testing.T) {
	j := New(3)
	for i := 1; i <= 10; i++ {
		j.Add(Entry{Seq: uint64(i)})
	}
	entries, total := j.Snapshot(func(e *Entry) bool { return e.Seq > 9 })
	if len(entries) != 1 || entries[0].Seq != 10 || total != 10 {
		t.Fatalf("Snapshot = %d entries (first %v), total %d; want only #10 and total 10", len(entries), entries, total)
	}
	j.Clear()
	if _, total := j.Snapshot(nil); total != 0 {
		t.Fatalf("total after Clear = %d, want 0", total)
	}
}

func TestFeedHandsEveryEntryToItsTenantsSubscribers(t *testing.T) {
	var f Feed
	var mu sync.Mutex
	var got []uint64
	cancel := f.Subscribe("a", func(e Entry) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, e.Seq)
	})
	for i := 1; i <= 5; i++ {
		f.Publish(Entry{Seq: uint64(i), Tenant: "a"})
		f.Publish(Entry{Seq: uint64(100 + i), Tenant: "b"})
	}
	cancel()
	cancel() // twice is harmless
	f.Publish(Entry{Seq: 6, Tenant: "a"})
	if fmt.Sprint(got) != "[1 2 3 4 5]" {
		t.Fatalf("the subscriber of a got %v, want [1 2 3 4 5]", got)
	}
}

func TestFeedHandsEveryTenantsEntriesToSubscribersOfAll(t *testing.T) {
	var f Feed
	var got []uint64
	cancel := f.SubscribeAll(func(e Entry) { got = append(got, e.Seq) })
	f.Publish(Entry{Seq: 1, Tenant: "a"})
	f.Publish(Entry{Seq: 2, Tenant: "b"})
	cancel()
	cancel()
	f.Publish(Entry{Seq: 3, Tenant: "a"})
	if fmt.Sprint(got) != "[1 2]" {
		t.Fatalf("the subscriber of every tenant got %v, want [1 2]", got)
	}
}
