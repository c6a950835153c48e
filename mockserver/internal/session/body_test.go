package session

import (
	"testing"
	"time"
)

var testNow = time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)

func TestKeptBodyIsRenderedAgainOnceItsSharedPartIsDropped(t *testing.T) {
	dropped := NewShared([]byte(`{"Accounts":[]`))
	dropped.Drop()
	tests := []struct {
		name   string
		kept   Kept
		wantOK bool
		want   string
	}{
		{"nothing rendered", Kept{}, false, ""},
		{"own bytes only", Keep(Body{Own: []byte(`{"a":1}`)}, nil), true, `{"a":1}`},
		{"shared and own", Keep(Body{Own: []byte(`}`)}, NewShared([]byte(`{"a":1`))), true, `{"a":1}`},
		{"shared part dropped", Keep(Body{Own: []byte(`}`)}, dropped), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, ok := tt.kept.Body()
			if ok != tt.wantOK || (ok && string(b.Bytes()) != tt.want) {
				t.Errorf("Body() = %q, %v; want %q, %v", b.Bytes(), ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestMeasureCountsWhatClientsSent(t *testing.T) {
	small := New("r", nil, nil, "", testNow, State{})
	big := New("r", nil, nil, string(make([]byte, 4096)), testNow, State{})
	if d := big.Bytes() - small.Bytes(); d < 4096*2 {
		t.Errorf("a 4 KiB Tag adds %d bytes, want at least twice its size (the field and the 200's tail)", d)
	}
	big.Lock()
	big.Summary.Body = Keep(Body{Own: make([]byte, 10_000)}, nil)
	before := big.Bytes()
	big.Measure()
	big.Unlock()
	if big.Bytes()-before != 10_000 {
		t.Errorf("a 10 000-byte summary adds %d bytes, want 10 000", big.Bytes()-before)
	}
}
