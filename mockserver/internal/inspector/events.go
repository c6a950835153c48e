package inspector

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// node is one state of the state diagram.
type node struct {
	Key, Label string
	X, Y       int
	Lit        bool
}

// stateGraph is what states.tmpl draws.
type stateGraph struct {
	Title string
	Nodes []node
	Place place
}

// nodeAt places the states: the flow on one row, expired below it.
var nodeAt = map[string][2]int{
	stateWaiting: {10, 8}, stateAuthorized: {150, 8}, stateProcessing: {290, 8}, stateReady: {430, 8}, stateExpired: {220, 66},
}

// stateDiagram draws the states of a session with p's lit.
func (in *Inspector) stateDiagram(p place, tx *uiText) template.HTML {
	g := stateGraph{Title: tx.Steps, Place: p}
	for _, key := range flowStates {
		label := tx.States[key]
		if key == stateProcessing && p.State == stateProcessing {
			label = processing(tx, p)
		}
		at := nodeAt[key]
		g.Nodes = append(g.Nodes, node{Key: key, Label: label, X: at[0], Y: at[1], Lit: key == p.State})
	}
	var b bytes.Buffer
	if err := templates().ExecuteTemplate(&b, "states.tmpl", g); err != nil {
		panic(fmt.Sprintf("inspector: %v", err)) // a fixed template on plain data
	}
	return template.HTML(b.String()) //nolint:gosec // built by html/template
}

// processing names the processing state with its progress, "processing
// 2/3", or "processing 2" when the steps never become ready.
func processing(tx *uiText, p place) string {
	if p.Of > 0 {
		return fmt.Sprintf("%s %d/%d", tx.States[stateProcessing], p.Polls, p.Of)
	}
	return fmt.Sprintf("%s %d", tx.States[stateProcessing], p.Polls)
}

// Events streams a signal each time the journal of a customer (or of any
// customer, without customerId) gets an entry, as server-sent events: the
// page then fetches its views again. Signals that come while one waits
// to be sent are merged into it, so a flood of requests costs the stream
// one event per write, and the requests nothing but a non-blocking send.
// A stream ends after StreamLife, or when the server ends every stream;
// the page opens the next.
func (in *Inspector) Events(w http.ResponseWriter, r *http.Request) {
	end, ok := in.openStream()
	if !ok {
		exchange.WriteError(w, r, exchange.WithStatus(r, http.StatusServiceUnavailable, "RETRY_LATER", "The server is shutting down: its inspector streams no more events", ""))
		return
	}
	defer in.closeStream(end)
	changed := make(chan uint64, 1)
	signal := func(e journal.Entry) {
		select {
		case changed <- e.Seq:
		default:
		}
	}
	var cancel func()
	if id := r.URL.Query().Get("customerId"); id != "" {
		cancel = in.cfg.Tenants.Subscribe(id, signal)
	} else {
		cancel = in.cfg.Tenants.SubscribeAll(signal)
	}
	defer cancel()
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Now().Add(in.cfg.StreamLife + 5*time.Second))
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = fmt.Fprint(w, "retry: 1000\nevent: open\ndata: {}\n\n")
	if rc.Flush() != nil {
		return
	}
	life := time.NewTimer(in.cfg.StreamLife)
	defer life.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-end:
			return
		case <-life.C:
			return
		case seq := <-changed:
			_, _ = fmt.Fprintf(w, "event: change\ndata: {\"seq\":%d}\n\n", seq)
			if rc.Flush() != nil {
				return
			}
		}
	}
}

// openStream registers a stream; false once the streams were ended.
func (in *Inspector) openStream() (chan struct{}, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.ended {
		return nil, false
	}
	end := make(chan struct{})
	in.streams[end] = struct{}{}
	return end, true
}

func (in *Inspector) closeStream(end chan struct{}) {
	in.mu.Lock()
	defer in.mu.Unlock()
	delete(in.streams, end)
}

// EndStreams ends every open event stream and refuses new ones: a server
// shutting down waits for no page.
func (in *Inspector) EndStreams() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.ended = true
	for end := range in.streams {
		close(end)
		delete(in.streams, end)
	}
}
