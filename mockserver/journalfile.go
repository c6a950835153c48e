package mockserver

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// journalSink writes journal entries to a file as JSON lines, in order, on
// its own goroutine so that requests do not wait for the disk. When it
// falls behind by more than its buffer, writers wait: no entry is lost.
type journalSink struct {
	mu     sync.RWMutex // held for reading by writers, for writing by close
	closed bool
	ch     chan journal.Entry
	done   chan error
}

func newJournalSink(w io.Writer, log *slog.Logger) *journalSink {
	s := &journalSink{ch: make(chan journal.Entry, 4096), done: make(chan error, 1)}
	go func() {
		bw := bufio.NewWriter(w)
		enc := json.NewEncoder(bw)
		var failed error
		for e := range s.ch {
			if failed != nil {
				continue
			}
			if err := enc.Encode(e); err != nil {
				failed = fmt.Errorf("write the journal file: %w", err)
				log.Error("journal file", "err", failed)
				continue
			}
			if len(s.ch) == 0 {
				if err := bw.Flush(); err != nil {
					failed = fmt.Errorf("write the journal file: %w", err)
					log.Error("journal file", "err", failed)
				}
			}
		}
		if failed == nil {
			failed = bw.Flush()
		}
		s.done <- failed
	}()
	return s
}

func (s *journalSink) write(e journal.Entry) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !s.closed {
		s.ch <- e
	}
}

// close stops taking entries and waits until the written ones are on disk.
func (s *journalSink) close(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.ch)
	s.mu.Unlock()
	select {
	case err := <-s.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("flush the journal file: %w", ctx.Err())
	}
}
