package tenancy

import (
	"fmt"
	"unicode/utf8"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// A journal entry keeps what a request sent, which a client can make a
// megabyte long: its texts are cut to maxEntryText bytes and its answered
// prompts to maxEntryPrompts of maxPromptText bytes, so that the journal
// budget bounds memory (an entry stays under about 7 KiB).
const (
	maxEntryText    = 512
	maxEntryPrompts = 16
	maxPromptText   = 256
)

// Record adds an entry to a tenant's journal (t nil: to the journal of
// requests without one), within the journal budget, and to the journal
// file. It numbers the entry: Seq orders entries across every tenant.
func (r *Registry) Record(t *Tenant, e journal.Entry) {
	clipEntry(&e)
	e.Seq = r.journals.Next()
	if t == nil {
		r.addEntry(r.other, e)
	} else {
		t.life.RLock()
		// A tenant reset while the request ran is gone: its entry goes
		// to the journal file only.
		if !t.retired.Load() {
			r.addEntry(t.journal, e)
		}
		t.life.RUnlock()
		r.feed.Publish(e)
	}
	if r.cfg.Sink != nil {
		r.cfg.Sink.Write(e)
	}
}

// Subscribe calls fn with every entry recorded for a customer from now on,
// at the moment it is recorded, until cancel is called; fn must not block.
// Unlike the bounded journal it misses nothing, however long the run.
func (r *Registry) Subscribe(customerID string, fn func(journal.Entry)) (cancel func()) {
	return r.feed.Subscribe(customerID, fn)
}

// addEntry adds an entry to a journal within the journal budget.
func (r *Registry) addEntry(j *journal.Journal, e journal.Entry) {
	r.journals.Add(j.AddCounting(e))
}

// Entries returns the entries of one tenant, oldest first; the empty
// customerId gives the requests that named no tenant.
func (r *Registry) Entries(customerID string) []journal.Entry {
	if customerID == "" {
		return r.other.Entries(nil)
	}
	if t := r.Lookup(customerID); t != nil {
		return t.journal.Entries(nil)
	}
	return nil
}

// Journals returns the journal of one customer, or every journal (the one
// of requests without a customer included) when customerID is empty.
func (r *Registry) Journals(customerID string) []*journal.Journal {
	if customerID != "" {
		if t := r.Lookup(customerID); t != nil {
			return []*journal.Journal{t.journal}
		}
		return nil
	}
	out := []*journal.Journal{r.other}
	for _, t := range r.All() {
		out = append(out, t.journal)
	}
	return out
}

// ClearJournals empties the journal of one customer, or every journal, and
// returns how many entries went.
func (r *Registry) ClearJournals(customerID string) int {
	n, bytes := 0, int64(0)
	for _, j := range r.Journals(customerID) {
		entries, size := j.ClearCounting()
		n, bytes = n+entries, bytes+size
	}
	r.journals.Add(-n, -bytes)
	return n
}

// clipEntry cuts the texts of a request's journal entry to their bounds.
func clipEntry(e *journal.Entry) {
	e.Tenant = ClipText(e.Tenant, maxEntryText)
	e.Path = ClipText(e.Path, maxEntryText)
	e.RequestID = ClipText(e.RequestID, maxEntryText)
	e.LoginID = ClipText(e.LoginID, maxEntryText)
	e.Body = ClipText(e.Body, maxEntryText)
	e.Message = ClipText(e.Message, maxEntryText)
	if len(e.Answered) > maxEntryPrompts {
		more := len(e.Answered) - maxEntryPrompts
		e.Answered = append(e.Answered[:maxEntryPrompts:maxEntryPrompts], fmt.Sprintf("(and %d more)", more))
	}
	for i, p := range e.Answered {
		e.Answered[i] = ClipText(p, maxPromptText)
	}
}

// ClipText cuts s to at most n bytes, on a character boundary, marking
// the cut.
func ClipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const mark = "...(cut)"
	cut := n - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}
