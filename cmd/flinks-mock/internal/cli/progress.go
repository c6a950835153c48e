package cli

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// liveInterval is how often a live line counts the seconds.
const liveInterval = 500 * time.Millisecond

// liveLine is one line of stderr, on a terminal, that says what is
// running and for how long; it is rewritten in place and erased when the
// work is done, so the verdicts on stdout read as if it never was.
type liveLine struct {
	w io.Writer // nil: not a terminal, show nothing
}

// liveLine returns the live line of p: on stderr when it is a terminal.
func (p *Program) liveLine() *liveLine {
	isTerminal := p.Terminal
	if isTerminal == nil {
		isTerminal = characterDevice
	}
	if !isTerminal(p.Stderr) {
		return &liveLine{}
	}
	return &liveLine{w: p.Stderr}
}

// characterDevice reports whether w is a file that is a terminal.
func characterDevice(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// show writes "… running what" and keeps its elapsed time up to date until
// the returned function erases it.
func (l *liveLine) show(what string) (stop func()) {
	if l.w == nil {
		return func() {}
	}
	start := time.Now()
	var mu sync.Mutex
	write := func(elapsed time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(l.w, "\r\033[K… running %s %s", what, elapsed.Round(time.Second))
	}
	write(0)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(liveInterval)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				write(time.Since(start))
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprint(l.w, "\r\033[K")
	}
}
