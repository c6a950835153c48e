package cli

import (
	"slices"
	"testing"
	"time"
)

func TestListenHost(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want []string
	}{
		{"127.0.0.1:8080", nil},
		{"0.0.0.0:8080", nil},
		{":8080", nil},
		{"[::1]:8080", nil},
		{"mock.ci.example:8080", []string{"mock.ci.example"}},
		{"not an address", nil},
	} {
		if got := listenHost(tc.addr); !slices.Equal(got, tc.want) {
			t.Errorf("listenHost(%q) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}

func TestWebhookLimitFlags(t *testing.T) {
	ok := webhookFlags{attempts: 1, interval: time.Minute, timeout: time.Second, maxInFlight: 1, maxPerTarget: 1}
	for _, tc := range []struct {
		name  string
		edit  func(*webhookFlags)
		bad   bool
		queue int
	}{
		{name: "the smallest bounds", edit: func(*webhookFlags) {}, queue: -1},
		{name: "a queue", edit: func(w *webhookFlags) { w.queueBytes = 1 << 20 }, queue: 1 << 20},
		{name: "no attempt in flight", edit: func(w *webhookFlags) { w.maxInFlight = 0 }, bad: true},
		{name: "none per receiver", edit: func(w *webhookFlags) { w.maxPerTarget = 0 }, bad: true},
		{name: "a negative queue", edit: func(w *webhookFlags) { w.queueBytes = -1 }, bad: true},
	} {
		w := ok
		tc.edit(&w)
		err := w.check()
		if (err != nil) != tc.bad {
			t.Errorf("%s: check = %v, want refused %v", tc.name, err, tc.bad)
		}
		if !tc.bad && w.queue() != tc.queue {
			t.Errorf("%s: queue() = %d, want %d", tc.name, w.queue(), tc.queue)
		}
	}
}
