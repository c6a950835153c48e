package journal

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// stalledWriter blocks every Write until released: a disk that does not
// keep up.
type stalledWriter struct {
	release chan struct{}
	mu      sync.Mutex
	buf     bytes.Buffer
}

func (w *stalledWriter) Write(p []byte) (int, error) {
	<-w.release
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func TestSinkNeverBlocksItsCaller(t *testing.T) {
	w := &stalledWriter{release: make(chan struct{})}
	var logs bytes.Buffer
	var logMu sync.Mutex
	log := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		logMu.Lock()
		defer logMu.Unlock()
		return logs.Write(p)
	}), nil))
	s := NewSink(w, log, 100)

	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 1; i <= 10_000; i++ {
			s.Write(Entry{Seq: uint64(i)})
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Write blocked on a stalled disk")
	}
	close(w.release)
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(w.buf.String()), "\n")
	if len(lines) < 100 || len(lines) > 10_000 {
		t.Fatalf("%d lines written, want the backlog at least", len(lines))
	}
	var prev uint64
	for _, line := range lines {
		var e Entry
		if err := json.Unmarshal([]byte(line), &e); err != nil || e.Seq <= prev {
			t.Fatalf("line %q out of order or not an entry: %v", line, err)
		}
		prev = e.Seq
	}
	logMu.Lock()
	defer logMu.Unlock()
	if len(lines) < 10_000 && !strings.Contains(logs.String(), "entries not written") {
		t.Errorf("%d entries were let go without a log line: %s", 10_000-len(lines), logs.String())
	}
}

func TestSinkWritesEveryEntryOfAnOrdinaryLoad(t *testing.T) {
	var buf bytes.Buffer
	s := NewSink(&buf, slog.New(slog.DiscardHandler), 0)
	for i := 1; i <= 1000; i++ {
		s.Write(Entry{Seq: uint64(i)})
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.Write(Entry{Seq: 1001}) // after Close: ignored
	if n := strings.Count(buf.String(), "\n"); n != 1000 {
		t.Errorf("%d lines, want 1000", n)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
