package tenancy

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

// NotAddedError is returned by RemoveScenarios for a login name the tenant
// did not add at run time.
type NotAddedError struct{ Name string }

// Error names the login.
func (e *NotAddedError) Error() string { return "no login named " + e.Name + " was added at run time" }

// A scenario file added at run time costs in memory, once parsed and
// built into the customer's library, ScenarioBytesPerByte times its size
// and ScenarioBytesPerField for each of its fields: a file of 9 000 short
// logins (36 000 fields, 1 MB) measured 12.5 MB, counted 12.8 MB.
const (
	ScenarioBytesPerByte  = 2
	ScenarioBytesPerField = 300
)

// ScenariosFullError is returned when a scenario file added at run time
// would take the run-time scenarios of all customers past their bound.
type ScenariosFullError struct {
	Held, Max int64
}

// Error says how to make room.
func (e *ScenariosFullError) Error() string {
	return fmt.Sprintf("The scenario files added at run time would take %d MiB of memory, past the bound of %d MiB (a file takes %d times its size and %d bytes a field); remove some with DELETE /__admin/scenarios?customerId=... or reset a customer",
		e.Held>>20, e.Max>>20, ScenarioBytesPerByte, ScenarioBytesPerField)
}

// AddScenarios adds or replaces logins for the tenant from a parsed
// scenario file of size bytes, on top of the server's library, and
// forgets the sessions of the logins it replaced. It returns the names
// added and replaced, or a *ScenariosFullError when the run-time files of
// all customers would pass the bound in bytes.
func (t *Tenant) AddScenarios(src scenarios.Source, size int) (added, replaced []string, err error) {
	t.overlayMu.Lock()
	defer t.overlayMu.Unlock()
	cost := int64(size)*ScenarioBytesPerByte + int64(src.Fields())*ScenarioBytesPerField
	if !t.Live() {
		cost = 0 // reset under the request: retire released its files
	}
	if !t.reg.chargeScenarios(cost) {
		return nil, nil, &ScenariosFullError{Held: t.reg.scenarioBytes.Load() + cost, Max: t.reg.cfg.ScenarioBytes}
	}
	before := t.reg.Library(t)
	lib, err := t.reg.build(append(slices.Clone(t.overlay), src))
	if err != nil {
		t.reg.scenarioBytes.Add(-cost)
		return nil, nil, err
	}
	t.overlayBytes += cost
	added, replaced = []string{}, []string{}
	changed := map[string]bool{}
	for _, l := range src.File.Logins {
		if old := findLogin(before, l.Name); old != nil {
			replaced = append(replaced, l.Name)
			changed[old.LoginID] = true
		} else {
			added = append(added, l.Name)
		}
	}
	t.overlay = append(t.overlay, src)
	t.lib.Store(lib)
	t.ForgetLogins(changed)
	return added, replaced, nil
}

// RemoveScenarios removes the logins the tenant added at run time: the one
// named name, or every one when name is empty. It returns the names
// removed, or a *NotAddedError when name names none.
func (t *Tenant) RemoveScenarios(name string) ([]string, error) {
	t.overlayMu.Lock()
	defer t.overlayMu.Unlock()
	before := t.reg.Library(t)
	removed := []string{}
	var overlay []scenarios.Source
	for _, src := range t.overlay {
		f := *src.File
		f.Logins = slices.DeleteFunc(slices.Clone(f.Logins), func(l scenarios.Login) bool {
			if name == "" || l.Name == name {
				if !slices.Contains(removed, l.Name) {
					removed = append(removed, l.Name)
				}
				return true
			}
			return false
		})
		src.File = &f
		overlay = append(overlay, src)
	}
	if name != "" && len(removed) == 0 {
		return nil, &NotAddedError{Name: name}
	}
	if name == "" {
		// Removing a login keeps the file it came from (and its cost);
		// removing them all lets every file go.
		overlay = nil
		t.reg.scenarioBytes.Add(-t.overlayBytes)
		t.overlayBytes = 0
	}
	lib, err := t.reg.build(overlay)
	if err != nil {
		return nil, err
	}
	changed := map[string]bool{}
	for _, n := range removed {
		if old := findLogin(before, n); old != nil {
			changed[old.LoginID] = true
		}
	}
	t.overlay = overlay
	t.lib.Store(lib)
	t.ForgetLogins(changed)
	return removed, nil
}

// chargeScenarios counts cost more bytes of run-time scenarios, unless
// that passes the bound.
func (r *Registry) chargeScenarios(cost int64) bool {
	for {
		held := r.scenarioBytes.Load()
		if r.cfg.ScenarioBytes > 0 && held+cost > r.cfg.ScenarioBytes {
			return false
		}
		if r.scenarioBytes.CompareAndSwap(held, held+cost) {
			return true
		}
	}
}

// ReloadReport says what a Reload changed, by login name; Kept lists the
// customers whose run-time scenarios no longer build on top of the new
// library (they keep their previous one).
type ReloadReport struct {
	Added, Changed, Removed, Kept []string
}

// Reload serves a new library. State is kept for the logins whose scenario
// did not change; the sessions and step positions of changed or removed
// logins are forgotten. Customers with run-time scenarios get them rebuilt
// on top of the new library.
func (r *Registry) Reload(lib *scenarios.Library) ReloadReport {
	old := r.base.Swap(lib)
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
	for _, t := range r.All() {
		if !t.rebuild() {
			rep.Kept = append(rep.Kept, t.id)
		}
		t.ForgetLogins(forget)
	}
	slices.Sort(rep.Kept)
	return rep
}

// rebuild builds the tenant's run-time scenarios on the server's library
// again; it reports false, keeping the previous library, when they do not
// build.
func (t *Tenant) rebuild() bool {
	t.overlayMu.Lock()
	defer t.overlayMu.Unlock()
	if len(t.overlay) == 0 {
		return true
	}
	built, err := t.reg.build(t.overlay)
	if err != nil {
		t.reg.cfg.Log.Warn("run-time scenarios do not build on the reloaded files; the customer keeps its previous library", "customerId", t.id, "err", err)
		return false
	}
	t.lib.Store(built)
	return true
}

// build builds the library of a tenant: the server's files, then the
// tenant's. An empty overlay gives nil (the server's library).
func (r *Registry) build(overlay []scenarios.Source) (*scenarios.Library, error) {
	if len(overlay) == 0 {
		return nil, nil
	}
	base := r.base.Load()
	return scenarios.Build(base.Built, append(slices.Clone(base.Sources), overlay...)...)
}

// findLogin returns the login of a library with this name, or nil.
func findLogin(lib *scenarios.Library, name string) *scenarios.Login {
	for _, l := range lib.Logins {
		if l.Name == name {
			return l
		}
	}
	return nil
}

// sameLogin reports whether two built logins behave the same.
func sameLogin(a, b *scenarios.Login) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}
