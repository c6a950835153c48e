package mockserver

import (
	"cmp"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// adminError answers an admin request with the Flinks envelope and a
// status of the admin API (400, 404, 409...).
func (s *Server) adminError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	e := s.codeError(r, code, message, "")
	e.Status = status
	writeError(w, r, e)
}

// requireAdmin checks the admin token on the admin routes that need it.
func (s *Server) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.AdminToken != "" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.AdminToken)) != 1 {
				s.adminError(w, r, http.StatusUnauthorized, "ACCESS_DENIED", "The admin API needs the header \"Authorization: Bearer <admin token>\" (the token given with --admin-token)")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

type healthBody struct {
	Status string `json:"status"`
}

// health answers 200 once the server exists: New only returns after the
// contract and every scenario have loaded.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, healthBody{Status: "ok"})
}

// serveAdminDocument serves the OpenAPI document of the admin API.
func serveAdminDocument(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	_, _ = w.Write(openapi.AdminDocument())
}

// listScenarios lists the logins a customer sees (the server's when no
// customerId is given), then one example of each form of convention
// username, which every customer can use.
func (s *Server) listScenarios(w http.ResponseWriter, r *http.Request) {
	lib := s.base.Load()
	if id := r.URL.Query().Get("customerId"); id != "" {
		lib = s.library(s.lookupTenant(id))
	}
	forms := scenarios.Conventions()
	out := make([]admin.Login, 0, len(lib.Logins)+len(forms))
	for _, l := range lib.Logins {
		out = append(out, listing(l))
	}
	for _, c := range forms {
		l, err := scenarios.ParseConvention(c.Example)
		if err != nil {
			continue // a test keeps every example parsing
		}
		item := listing(l)
		item.Description, item.Convention, item.Source = c.Description, c.Form, conventionSource
		out = append(out, item)
	}
	writeJSON(w, http.StatusOK, out)
}

// listing is a login as the admin API lists it. A convention login, not
// built, gets the defaults a build would give it.
func listing(l *scenarios.Login) admin.Login {
	item := admin.Login{
		Name:          l.Name,
		Description:   l.Description,
		Username:      l.Username,
		Password:      cmp.Or(l.Password, scenarios.DefaultPassword),
		LoginID:       l.LoginID,
		Institution:   cmp.Or(l.Institution, scenarios.DefaultInstitution),
		TokenRequired: l.TokenRequired == nil || *l.TokenRequired,
		Source:        l.Origin,
	}
	if l.MFA != nil {
		item.MFA = cmp.Or(l.MFA.When, scenarios.MFAWhenLive)
		for _, round := range l.MFA.Rounds {
			for _, c := range round.Challenges {
				item.Prompts = append(item.Prompts, c.Prompt)
			}
		}
	}
	return item
}

// runtimeSource names the scenario files posted to the admin API in
// errors and in listings.
const runtimeSource = "runtime"

type scenariosAdded struct {
	CustomerID string   `json:"customerId"`
	Added      []string `json:"added"`
	Replaced   []string `json:"replaced"`
}

type scenariosRemoved struct {
	CustomerID string   `json:"customerId"`
	Removed    []string `json:"removed"`
}

// addScenarios adds or replaces logins for one customer from a scenario
// file in the body (YAML or JSON).
func (s *Server) addScenarios(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("customerId")
	t, err := s.tenant(id)
	if errors.Is(err, errCustomerIDTooLong) {
		s.adminError(w, r, http.StatusBadRequest, "INVALID_REQUEST", err.Error())
		return
	}
	if err != nil {
		s.adminError(w, r, http.StatusConflict, "TOO_MANY_REQUESTS", fmt.Sprintf("The mock already serves %d customerIds; reset one first", s.cfg.MaxTenants))
		return
	}
	src, err := scenarios.Parse(runtimeSource, bodyOf(r))
	if err != nil {
		s.scenarioError(w, r, err)
		return
	}
	t.overlayMu.Lock()
	defer t.overlayMu.Unlock()
	before := s.library(t)
	lib, err := s.buildFor(append(slices.Clone(t.overlay), src))
	if err != nil {
		s.scenarioError(w, r, err)
		return
	}
	change := scenariosAdded{CustomerID: id, Added: []string{}, Replaced: []string{}}
	changed := map[string]bool{}
	for _, l := range src.File.Logins {
		if old := findLogin(before, l.Name); old != nil {
			change.Replaced = append(change.Replaced, l.Name)
			changed[old.LoginID] = true
		} else {
			change.Added = append(change.Added, l.Name)
		}
	}
	t.overlay = append(t.overlay, src)
	t.lib.Store(lib)
	s.sessions.shrink(t.forgetLogins(changed))
	s.log.Info("scenarios added at run time", "customerId", id, "added", change.Added, "replaced", change.Replaced)
	writeJSON(w, http.StatusOK, change)
}

// removeScenarios removes logins added at run time (one by name, or all).
func (s *Server) removeScenarios(w http.ResponseWriter, r *http.Request) {
	id, name := r.URL.Query().Get("customerId"), r.URL.Query().Get("name")
	change := scenariosRemoved{CustomerID: id, Removed: []string{}}
	t := s.lookupTenant(id)
	if t == nil {
		if name != "" {
			s.adminError(w, r, http.StatusNotFound, "INVALID_REQUEST", fmt.Sprintf("Customer %q added no login named %q at run time", id, name))
			return
		}
		writeJSON(w, http.StatusOK, change)
		return
	}
	t.overlayMu.Lock()
	defer t.overlayMu.Unlock()
	before := s.library(t)
	var overlay []scenarios.Source
	for _, src := range t.overlay {
		f := *src.File
		f.Logins = slices.DeleteFunc(slices.Clone(f.Logins), func(l scenarios.Login) bool {
			if name == "" || l.Name == name {
				if !slices.Contains(change.Removed, l.Name) {
					change.Removed = append(change.Removed, l.Name)
				}
				return true
			}
			return false
		})
		src.File = &f
		overlay = append(overlay, src)
	}
	if name != "" && len(change.Removed) == 0 {
		s.adminError(w, r, http.StatusNotFound, "INVALID_REQUEST", fmt.Sprintf("Customer %q added no login named %q at run time", id, name))
		return
	}
	if name == "" {
		overlay = nil
	}
	lib, err := s.buildFor(overlay)
	if err != nil {
		s.scenarioError(w, r, err)
		return
	}
	changed := map[string]bool{}
	for _, n := range change.Removed {
		if old := findLogin(before, n); old != nil {
			changed[old.LoginID] = true
		}
	}
	t.overlay = overlay
	if len(overlay) == 0 {
		lib = nil
	}
	t.lib.Store(lib)
	s.sessions.shrink(t.forgetLogins(changed))
	writeJSON(w, http.StatusOK, change)
}

// buildFor builds the library of a tenant: the server's files, then the
// tenant's. An empty overlay gives nil (the server's library).
func (s *Server) buildFor(overlay []scenarios.Source) (*scenarios.Library, error) {
	if len(overlay) == 0 {
		return nil, nil
	}
	base := s.base.Load()
	return scenarios.Build(base.Built, append(slices.Clone(base.Sources), overlay...)...)
}

func findLogin(lib *scenarios.Library, name string) *scenarios.Login {
	for _, l := range lib.Logins {
		if l.Name == name {
			return l
		}
	}
	return nil
}

// scenarioError answers a scenario file that did not load, with every
// problem in ValidationDetails.
func (s *Server) scenarioError(w http.ResponseWriter, r *http.Request, err error) {
	e := s.codeError(r, "INVALID_REQUEST", "", "")
	e.Status = http.StatusBadRequest
	var list scenarios.Errors
	if errors.As(err, &list) {
		e.Message = fmt.Sprintf("The scenario file has %d problem(s): %s", len(list), list[0])
		e.ValidationDetails = &validationDetails{}
		for _, p := range list {
			e.ValidationDetails.Problems = append(e.ValidationDetails.Problems, problem{File: p.File, Line: p.Line, Path: p.Path, Message: p.Msg})
		}
	} else {
		e.Message = "The scenario file did not load: " + err.Error()
	}
	writeError(w, r, e)
}

type resetBody struct {
	Reset []string `json:"reset"`
}

// reset returns one customer, or every one, to the loaded state: no
// tokens, sessions, journal or run-time scenarios.
func (s *Server) reset(w http.ResponseWriter, r *http.Request) {
	out := resetBody{Reset: []string{}}
	id := r.URL.Query().Get("customerId")
	s.mu.Lock()
	var gone []*tenant
	if id != "" {
		if t := s.tenants[id]; t != nil {
			gone = append(gone, t)
			delete(s.tenants, id)
		}
		out.Reset = append(out.Reset, id)
	} else {
		for cid, t := range s.tenants {
			gone = append(gone, t)
			out.Reset = append(out.Reset, cid)
		}
		s.tenants = map[string]*tenant{}
	}
	s.mu.Unlock()
	for _, t := range gone {
		sessions, tokens, entries := t.reset()
		s.sessions.shrink(sessions)
		s.tokens.shrink(tokens)
		s.journals.shrink(entries)
	}
	if id == "" {
		s.journals.shrink(s.other.Clear())
	}
	slices.Sort(out.Reset)
	s.log.Info("reset", "customerIds", out.Reset)
	writeJSON(w, http.StatusOK, out)
}

// getJournal answers the journal, filtered by the query.
func (s *Server) getJournal(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	keep, err := journalFilter(q.Get("requestId"), q.Get("loginId"), q.Get("endpoint"), q.Get("kind"), q.Get("since"))
	if err != nil {
		s.adminError(w, r, http.StatusBadRequest, "INVALID_REQUEST", err.Error())
		return
	}
	out := admin.JournalPage{Entries: []journal.Entry{}}
	for _, j := range s.journalsOf(q.Get("customerId")) {
		entries, total := j.Snapshot(keep)
		out.Entries = append(out.Entries, entries...)
		out.Total += total
		out.Dropped += j.Dropped()
	}
	slices.SortFunc(out.Entries, func(a, b journal.Entry) int { return compareUint(a.Seq, b.Seq) })
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.adminError(w, r, http.StatusBadRequest, "INVALID_REQUEST", fmt.Sprintf("limit %q must be a whole number of at least 1", v))
			return
		}
		if len(out.Entries) > n {
			out.Entries = out.Entries[len(out.Entries)-n:]
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func compareUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// journalsOf returns the journal of one customer, or every journal (the
// one of requests without a customer included) when id is empty.
func (s *Server) journalsOf(id string) []*journal.Journal {
	if id != "" {
		if t := s.lookupTenant(id); t != nil {
			return []*journal.Journal{t.journal}
		}
		return nil
	}
	out := []*journal.Journal{s.other}
	for _, t := range s.allTenants() {
		out = append(out, t.journal)
	}
	return out
}

// journalFilter builds the filter of GET /__admin/journal. since is a time
// (RFC 3339) or a sequence number.
func journalFilter(requestID, loginID, endpoint, kind, since string) (func(*journal.Entry) bool, error) {
	var (
		afterSeq  uint64
		afterTime time.Time
	)
	if since != "" {
		if n, err := strconv.ParseUint(since, 10, 64); err == nil {
			afterSeq = n
		} else if t, err := time.Parse(time.RFC3339Nano, since); err == nil {
			afterTime = t
		} else {
			return nil, fmt.Errorf("since %q must be a time such as 2026-11-24T10:00:00Z or a sequence number", since)
		}
	}
	if kind != "" && kind != journal.KindRequest && kind != journal.KindWebhook {
		return nil, fmt.Errorf("kind %q must be %s or %s", kind, journal.KindRequest, journal.KindWebhook)
	}
	return func(e *journal.Entry) bool {
		return (requestID == "" || e.RequestID == requestID) &&
			(loginID == "" || strings.EqualFold(e.LoginID, loginID)) &&
			(endpoint == "" || e.Endpoint == endpoint) &&
			(kind == "" || e.Kind == kind) &&
			(afterSeq == 0 || e.Seq > afterSeq) &&
			(afterTime.IsZero() || !e.Time.Before(afterTime))
	}, nil
}

type clearedBody struct {
	Cleared int `json:"cleared"`
}

// clearJournal empties the journal of one customer, or every journal.
func (s *Server) clearJournal(w http.ResponseWriter, r *http.Request) {
	n := 0
	for _, j := range s.journalsOf(r.URL.Query().Get("customerId")) {
		n += j.Clear()
	}
	s.journals.shrink(n)
	writeJSON(w, http.StatusOK, clearedBody{Cleared: n})
}

func (s *Server) clockState() admin.ClockState {
	mode := "real"
	if _, ok := s.clock.(*clock.Virtual); ok {
		mode = "virtual"
	}
	return admin.ClockState{Mode: mode, Now: s.clock.Now()}
}

func (s *Server) getClock(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.clockState())
}

// virtualClock returns the server's virtual clock, or answers 409.
func (s *Server) virtualClock(w http.ResponseWriter, r *http.Request) *clock.Virtual {
	v, ok := s.clock.(*clock.Virtual)
	if !ok {
		s.adminError(w, r, http.StatusConflict, "INVALID_REQUEST", "The server runs on the real clock; start it with --clock virtual to move time")
	}
	return v
}

// advanceClock moves a virtual clock forward: {"by": "10m"}.
func (s *Server) advanceClock(w http.ResponseWriter, r *http.Request) {
	v := s.virtualClock(w, r)
	if v == nil {
		return
	}
	var body struct {
		By string `json:"by"`
	}
	if err := json.Unmarshal(bodyOf(r), &body); err != nil {
		s.adminError(w, r, http.StatusBadRequest, "INVALID_REQUEST", "Request body: "+jsonProblem(err))
		return
	}
	d, err := time.ParseDuration(body.By)
	if err != nil || d < 0 {
		s.adminError(w, r, http.StatusBadRequest, "INVALID_REQUEST", fmt.Sprintf("\"by\" %q must be a positive duration such as \"10s\" or \"30m\"", body.By))
		return
	}
	v.Advance(d)
	s.log.Info("clock advanced", "by", d, "now", v.Now())
	writeJSON(w, http.StatusOK, s.clockState())
}

// setClock moves a virtual clock to a time: {"now": "2026-11-24T10:00:00Z"}.
func (s *Server) setClock(w http.ResponseWriter, r *http.Request) {
	v := s.virtualClock(w, r)
	if v == nil {
		return
	}
	var body struct {
		Now time.Time `json:"now"`
	}
	if err := json.Unmarshal(bodyOf(r), &body); err != nil {
		s.adminError(w, r, http.StatusBadRequest, "INVALID_REQUEST", "Request body: \"now\" must be a time such as \"2026-11-24T10:00:00Z\"")
		return
	}
	if err := v.Set(body.Now); err != nil {
		s.adminError(w, r, http.StatusBadRequest, "INVALID_REQUEST", err.Error())
		return
	}
	s.log.Info("clock set", "now", v.Now())
	writeJSON(w, http.StatusOK, s.clockState())
}
