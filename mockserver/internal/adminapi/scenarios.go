package adminapi

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/tenancy"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// runtimeSource names the scenario files posted to the admin API in
// errors and in listings.
const runtimeSource = "runtime"

// ListScenarios lists the logins a customer sees (the server's when no
// customerId is given), then one example of each form of convention
// username, which every customer can use.
func (a *API) ListScenarios(w http.ResponseWriter, r *http.Request) {
	lib := a.cfg.Tenants.Base()
	if id := r.URL.Query().Get("customerId"); id != "" {
		lib = a.cfg.Tenants.Library(a.cfg.Tenants.Lookup(id))
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
		item.Description, item.Convention, item.Source = c.Description, c.Form, scenarios.ConventionOrigin
		out = append(out, item)
	}
	exchange.WriteJSON(w, http.StatusOK, out)
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

// adding is held while a scenario file added at run time is read and
// built.
var adding sync.Mutex

// AddScenarios adds or replaces logins for one customer from a scenario
// file in the body (YAML or JSON).
func (a *API) AddScenarios(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("customerId")
	t := a.tenant(w, r, id)
	if t == nil {
		return
	}
	// Reading a file takes up to 60 times its size for a moment: one file
	// at a time keeps that within one file's worth.
	adding.Lock()
	defer adding.Unlock()
	src, err := scenarios.Parse(runtimeSource, exchange.Body(r))
	if err != nil {
		scenarioError(w, r, err)
		return
	}
	added, replaced, err := t.AddScenarios(src, len(exchange.Body(r)))
	var full *tenancy.ScenariosFullError
	switch {
	case errors.As(err, &full):
		fail(w, r, http.StatusConflict, "TOO_MANY_REQUESTS", err.Error())
		return
	case err != nil:
		scenarioError(w, r, err)
		return
	}
	a.cfg.Log.Info("scenarios added at run time", "customerId", id, "added", added, "replaced", replaced)
	exchange.WriteJSON(w, http.StatusOK, admin.ScenariosAdded{CustomerID: id, Added: added, Replaced: replaced})
}

// RemoveScenarios removes logins added at run time (one by name, or all).
func (a *API) RemoveScenarios(w http.ResponseWriter, r *http.Request) {
	id, name := r.URL.Query().Get("customerId"), r.URL.Query().Get("name")
	notAdded := func() {
		fail(w, r, http.StatusNotFound, "INVALID_REQUEST", fmt.Sprintf("Customer %q added no login named %q at run time", id, name))
	}
	t := a.cfg.Tenants.Lookup(id)
	if t == nil {
		if name != "" {
			notAdded()
			return
		}
		exchange.WriteJSON(w, http.StatusOK, admin.ScenariosRemoved{CustomerID: id, Removed: []string{}})
		return
	}
	removed, err := t.RemoveScenarios(name)
	var none *tenancy.NotAddedError
	switch {
	case errors.As(err, &none):
		notAdded()
	case err != nil:
		scenarioError(w, r, err)
	default:
		exchange.WriteJSON(w, http.StatusOK, admin.ScenariosRemoved{CustomerID: id, Removed: removed})
	}
}

// scenarioError answers a scenario file that did not load, with every
// problem in ValidationDetails.
func scenarioError(w http.ResponseWriter, r *http.Request, err error) {
	e := exchange.WithStatus(r, http.StatusBadRequest, "INVALID_REQUEST", "", "")
	var list scenarios.Errors
	if errors.As(err, &list) {
		e.Message = fmt.Sprintf("The scenario file has %d problem(s): %s", len(list), list[0])
		e.ValidationDetails = &exchange.ValidationDetails{}
		for _, p := range list {
			e.ValidationDetails.Problems = append(e.ValidationDetails.Problems, admin.Problem{File: p.File, Line: p.Line, Path: p.Path, Message: p.Msg})
		}
	} else {
		e.Message = "The scenario file did not load: " + err.Error()
	}
	exchange.WriteError(w, r, e)
}
