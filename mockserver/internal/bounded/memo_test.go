package bounded_test

import (
	"testing"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/bounded"
)

func TestMemo(t *testing.T) {
	tests := []struct {
		name     string
		capacity int
		puts     []int // keys put in turn, each with the value key*10
		want     []int // keys held afterwards
		gone     []int // keys forgotten
	}{
		{name: "under capacity", capacity: 3, puts: []int{1, 2}, want: []int{1, 2}},
		{name: "full forgets the first added", capacity: 3, puts: []int{1, 2, 3, 4}, want: []int{2, 3, 4}, gone: []int{1}},
		{name: "the ring goes round", capacity: 2, puts: []int{1, 2, 3, 4, 5}, want: []int{4, 5}, gone: []int{1, 2, 3}},
		{name: "a key put again keeps its place", capacity: 2, puts: []int{1, 2, 1, 3}, want: []int{2, 3}, gone: []int{1}},
		{name: "capacity 0 holds one", capacity: 0, puts: []int{1, 2}, want: []int{2}, gone: []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := bounded.NewMemo[int, int](tt.capacity)
			for _, k := range tt.puts {
				m.Put(k, k*10)
			}
			for _, k := range tt.want {
				if v, ok := m.Get(k); !ok || v != k*10 {
					t.Errorf("Get(%d) = %d, %v; want %d, true", k, v, ok, k*10)
				}
			}
			for _, k := range tt.gone {
				if _, ok := m.Get(k); ok {
					t.Errorf("Get(%d) found a key that should be forgotten", k)
				}
			}
			if m.Len() != len(tt.want) {
				t.Errorf("Len() = %d, want %d", m.Len(), len(tt.want))
			}
		})
	}
}

func TestMemoReplacesTheValueOfAKeyHeld(t *testing.T) {
	m := bounded.NewMemo[string, int](2)
	m.Put("a", 1)
	m.Put("a", 2)
	if v, _ := m.Get("a"); v != 2 || m.Len() != 1 {
		t.Errorf("after two puts of a: Get = %d, Len = %d; want 2, 1", v, m.Len())
	}
}
