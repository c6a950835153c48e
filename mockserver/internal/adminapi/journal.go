package adminapi

import (
	"fmt"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// Reset returns one customer, or every one, to the loaded state: no
// tokens, sessions, journal or run-time scenarios.
func (a *API) Reset(w http.ResponseWriter, r *http.Request) {
	customerID := r.URL.Query().Get("customerId")
	ids := a.cfg.Tenants.Reset(customerID)
	if customerID == "" {
		// Every customer: what the caches and stores held can go back
		// to the system. A reset of one customer (between two tests)
		// leaves that to the collector, never pausing the others.
		a.cfg.Renderer.ForgetCaches()
		giveMemoryBack()
	}
	out := admin.ResetList{Reset: append([]string{}, ids...)}
	slices.Sort(out.Reset)
	a.cfg.Log.Info("reset", "customerIds", out.Reset)
	exchange.WriteJSON(w, http.StatusOK, out)
}

// freeing is set while memory is given back after a reset.
var freeing atomic.Bool

// giveMemoryBack returns the memory a reset of every customer freed to
// the system, in the background and once at a time, so that the resident
// memory falls back after a load rather than staying at its peak.
func giveMemoryBack() {
	if freeing.CompareAndSwap(false, true) {
		go func() {
			defer freeing.Store(false)
			debug.FreeOSMemory()
		}()
	}
}

// GetJournal answers the journal, filtered by the query.
func (a *API) GetJournal(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	keep, err := journalFilter(q.Get("requestId"), q.Get("loginId"), q.Get("endpoint"), q.Get("kind"), q.Get("since"))
	if err != nil {
		badRequest(w, r, err.Error())
		return
	}
	limit := 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			badRequest(w, r, fmt.Sprintf("limit %q must be a whole number of at least 1", v))
			return
		}
		limit = n
	}
	out := admin.JournalPage{Entries: []journal.Entry{}}
	for _, j := range a.cfg.Tenants.Journals(q.Get("customerId")) {
		entries, total := j.Snapshot(keep)
		out.Entries = append(out.Entries, entries...)
		out.Total += total
		out.Dropped += j.Dropped()
	}
	slices.SortFunc(out.Entries, func(a, b journal.Entry) int {
		switch {
		case a.Seq < b.Seq:
			return -1
		case a.Seq > b.Seq:
			return 1
		}
		return 0
	})
	if limit > 0 && len(out.Entries) > limit {
		out.Entries = out.Entries[len(out.Entries)-limit:]
	}
	exchange.WriteJSON(w, http.StatusOK, out)
}

// journalFilter builds the filter of GET /__admin/journal. since is a time
// (RFC 3339) or a sequence number.
func journalFilter(requestID, loginID, endpoint, kind, since string) (func(*journal.Entry) bool, error) {
	f := entryFilter{requestID: requestID, loginID: loginID, endpoint: endpoint, kind: kind}
	if since != "" {
		if n, err := strconv.ParseUint(since, 10, 64); err == nil {
			f.afterSeq = n
		} else if t, err := time.Parse(time.RFC3339Nano, since); err == nil {
			f.afterTime = t
		} else {
			return nil, fmt.Errorf("since %q must be a time such as 2026-11-24T10:00:00Z or a sequence number", since)
		}
	}
	if kind != "" && kind != journal.KindRequest && kind != journal.KindWebhook {
		return nil, fmt.Errorf("kind %q must be %s or %s", kind, journal.KindRequest, journal.KindWebhook)
	}
	return f.keep, nil
}

// entryFilter selects journal entries; zero fields select everything.
type entryFilter struct {
	requestID, loginID, endpoint, kind string
	afterSeq                           uint64
	afterTime                          time.Time
}

func (f entryFilter) keep(e *journal.Entry) bool {
	return (f.requestID == "" || e.RequestID == f.requestID) &&
		(f.loginID == "" || strings.EqualFold(e.LoginID, f.loginID)) &&
		(f.endpoint == "" || e.Endpoint == f.endpoint) &&
		(f.kind == "" || e.Kind == f.kind) &&
		(f.afterSeq == 0 || e.Seq > f.afterSeq) &&
		(f.afterTime.IsZero() || !e.Time.Before(f.afterTime))
}

// ClearJournal empties the journal of one customer, or every journal.
func (a *API) ClearJournal(w http.ResponseWriter, r *http.Request) {
	n := a.cfg.Tenants.ClearJournals(r.URL.Query().Get("customerId"))
	exchange.WriteJSON(w, http.StatusOK, admin.JournalCleared{Cleared: n})
}
