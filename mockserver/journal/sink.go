package journal

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
)

// DefaultSinkBacklog is how many entries a Sink holds for a writer that
// falls behind before it lets new ones go.
const DefaultSinkBacklog = 1 << 16

// Sink writes journal entries to a file as JSON lines, in order, on its own
// goroutine. Write never blocks its caller: a request, or a webhook attempt,
// never waits for the disk. Entries queue while the writer is busy; should
// the disk fall behind by more than the backlog, new entries are not written
// and the sink logs how many it let go.
type Sink struct {
	log     *slog.Logger
	backlog int
	wake    chan struct{} // one pending signal for the writer
	done    chan error

	mu      sync.Mutex
	queue   []Entry
	closed  bool
	dropped int // entries let go since the last log line
}

// NewSink starts writing to w. backlog <= 0 means DefaultSinkBacklog.
func NewSink(w io.Writer, log *slog.Logger, backlog int) *Sink {
	if backlog <= 0 {
		backlog = DefaultSinkBacklog
	}
	s := &Sink{log: log, backlog: backlog, wake: make(chan struct{}, 1), done: make(chan error, 1)}
	go s.run(w)
	return s
}

// Write queues e for the file. It never blocks.
func (s *Sink) Write(e Entry) {
	s.mu.Lock()
	switch {
	case s.closed:
	case len(s.queue) >= s.backlog:
		s.dropped++
	default:
		s.queue = append(s.queue, e)
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Close stops taking entries and waits until the queued ones are on disk.
func (s *Sink) Close(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	select {
	case err := <-s.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("flush the journal file: %w", ctx.Err())
	}
}

// run writes what is queued, batch after batch, until the sink is closed
// and empty.
func (s *Sink) run(w io.Writer) {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	var failed error
	var batch []Entry
	for range s.wake {
		for {
			s.mu.Lock()
			batch, s.queue = s.queue, batch[:0]
			dropped, closed := s.dropped, s.closed
			s.dropped = 0
			s.mu.Unlock()
			if dropped > 0 {
				s.log.Error("journal file: the disk fell behind; entries not written", "count", dropped)
			}
			if len(batch) == 0 {
				if failed == nil {
					failed = s.flush(bw)
				}
				if closed {
					s.done <- failed
					return
				}
				break
			}
			for _, e := range batch {
				if failed == nil {
					failed = s.encode(enc, e)
				}
			}
			clear(batch)
		}
	}
}

func (s *Sink) encode(enc *json.Encoder, e Entry) error {
	if err := enc.Encode(e); err != nil {
		err = fmt.Errorf("write the journal file: %w", err)
		s.log.Error("journal file", "err", err)
		return err
	}
	return nil
}

func (s *Sink) flush(bw *bufio.Writer) error {
	if err := bw.Flush(); err != nil {
		err = fmt.Errorf("write the journal file: %w", err)
		s.log.Error("journal file", "err", err)
		return err
	}
	return nil
}
