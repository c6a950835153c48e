package mockserver

import (
	"encoding/json"
	"slices"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

// ReloadReport says what a Reload changed, by login name.
type ReloadReport struct {
	Added, Changed, Removed []string
	// Kept lists the customers whose run-time scenarios no longer build on
	// top of the new library; they keep their previous library.
	Kept []string
}

// Reload serves a new library (the scenario files changed on disk). State
// is kept for the logins whose scenario did not change; the sessions and
// step positions of changed or removed logins are forgotten. Customers
// with run-time scenarios get them rebuilt on top of the new library.
func (s *Server) Reload(lib *scenarios.Library) ReloadReport {
	old := s.base.Swap(lib)
	var rep ReloadReport
	forget := map[string]bool{}
	for _, l := range lib.Logins {
		prev := findLogin(old, l.Name)
		switch {
		case prev == nil:
			rep.Added = append(rep.Added, l.Name)
		case !sameLogin(prev, l):
			rep.Changed = append(rep.Changed, l.Name)
			forget[prev.LoginID] = true
		}
	}
	for _, l := range old.Logins {
		if findLogin(lib, l.Name) == nil {
			rep.Removed = append(rep.Removed, l.Name)
			forget[l.LoginID] = true
		}
	}
	for _, t := range s.allTenants() {
		t.overlayMu.Lock()
		if len(t.overlay) > 0 {
			built, err := s.buildFor(t.overlay)
			if err != nil {
				rep.Kept = append(rep.Kept, t.id)
				s.log.Warn("run-time scenarios do not build on the reloaded files; the customer keeps its previous library", "customerId", t.id, "err", err)
			} else {
				t.lib.Store(built)
			}
		}
		t.overlayMu.Unlock()
		if len(forget) > 0 {
			s.sessions.shrink(t.forgetLogins(forget))
		}
	}
	slices.Sort(rep.Kept)
	return rep
}

// sameLogin reports whether two built logins behave the same.
func sameLogin(a, b *scenarios.Login) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}
