// Package flinksapi holds the handlers of the Flinks endpoints the mock
// serves: GenerateAuthorizeToken, Authorize, GetAccountsDetail and
// GetAccountsSummary with their Async polls. They find the tenant of the
// {customerId}, move its sessions through the transitions of package
// session, answer from the login's scenario, and tell the listeners of
// data events (the webhooks) what they served. The authorize logic is
// shared with the Connect simulator through Authorizer.
package flinksapi

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/bounded"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/tenancy"
	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// Config is what the handlers need.
type Config struct {
	Tenants *tenancy.Registry
	Clock   clock.Clock
	Log     *slog.Logger
	// SecretKey, when set, is the only flinks-auth-key that
	// /GenerateAuthorizeToken accepts; APIKey, when set, must be sent as
	// x-api-key on the data endpoints.
	SecretKey string
	APIKey    string
	// Events hears of the data requests served (nil: nobody listens).
	Events DataEvents
	// Shapes is the shape of the answers of a library whose settings set
	// none (--shapes); the zero value is full.
	Shapes scenarios.Shape
}

// API is the Flinks endpoints of one server.
type API struct {
	cfg     Config
	tenants *tenancy.Registry
	clock   clock.Clock
	log     *slog.Logger
	// renders holds the encoded accounts shared by sessions.
	renders *bounded.LRU[renderKey, *session.Shared]
	// generated holds the generated accounts of logins.
	generated *bounded.LRU[*scenarios.Login, []scenarios.Account]
	// conventions holds the convention logins built so far, by LoginId.
	conventions *bounded.LRU[string, *scenarios.Login]
	// requests holds the data requests decoded lately, by their body.
	requests requestMemo
}

// The caches of the handlers, each bounded in bytes: past a bound the
// least recently used item is made again on its next use. A convention
// login is its username's parameters (its accounts are in the cache of
// generated accounts), so a count bounds it with its username.
const (
	// RenderCacheBytes bounds the encoded accounts shared by sessions.
	RenderCacheBytes = 3 << 20
	// AccountsCacheBytes bounds the generated accounts kept.
	AccountsCacheBytes = 6 << 20
	renderCacheSize    = 4096
	accountsCacheSize  = 1024
	// conventionCacheSize bounds the convention logins kept built.
	conventionCacheSize = 256
)

// New returns the handlers of cfg.
func New(cfg Config) *API {
	return &API{
		cfg:     cfg,
		tenants: cfg.Tenants,
		clock:   cfg.Clock,
		log:     cfg.Log,
		renders: bounded.New[renderKey, *session.Shared](renderCacheSize, bounded.Options[renderKey, *session.Shared]{
			Cost: renderBytes, MaxBytes: RenderCacheBytes,
			// Sessions hold the handle: they render it again once dropped.
			OnEvict: func(_ renderKey, h *session.Shared) { h.Drop() },
		}),
		generated: bounded.New[*scenarios.Login, []scenarios.Account](accountsCacheSize, bounded.Options[*scenarios.Login, []scenarios.Account]{
			Cost: accountsBytes, MaxBytes: AccountsCacheBytes,
		}),
		conventions: bounded.New[string, *scenarios.Login](conventionCacheSize, bounded.Options[string, *scenarios.Login]{}),
		requests:    newRequestMemo(),
	}
}

// ForgetCaches empties the caches of encoded answers, generated accounts
// and convention logins: everything in them is made again on its next
// use. A reset of every customer calls it.
func (a *API) ForgetCaches() {
	a.renders.RemoveFunc(func(_ renderKey, h *session.Shared) bool {
		h.Drop()
		return true
	})
	a.generated.Clear()
	a.conventions.Clear()
}

// enter finds the tenant of a Flinks route and its library, and notes them
// and the endpoint in the journal entry. When the customerId is refused
// (too long, or one too many) it answers the request itself and returns
// nil.
func (a *API) enter(w http.ResponseWriter, r *http.Request, endpoint string) (*tenancy.Tenant, *scenarios.Library) {
	exchange.Entry(r).Endpoint = endpoint
	t, err := a.tenants.Tenant(exchange.PathValue(r, "customerId"))
	switch {
	case errors.Is(err, tenancy.ErrCustomerIDTooLong):
		exchange.WriteError(w, r, exchange.Code(r, "INVALID_REQUEST", err.Error(), ""))
		return nil, nil
	case err != nil:
		exchange.WriteError(w, r, exchange.Code(r, "TOO_MANY_REQUESTS", err.Error(), ""))
		return nil, nil
	}
	lib := a.tenants.Library(t)
	exchange.Enter(r, t, lib)
	return t, lib
}

// InvalidRequest answers a request the OpenAPI document rejects.
func (a *API) InvalidRequest(w http.ResponseWriter, r *http.Request, err *openapi.RequestError) {
	if t, _ := a.enter(w, r, endpointName(r)); t == nil {
		return
	}
	e := exchange.Code(r, err.FlinksCode, err.Message, "")
	if c, _ := openapi.LookupCode(err.FlinksCode); err.Status != 0 && err.Status != c.Status {
		// A status the validator chose for the kind of problem (415 for a
		// wrong Content-Type) wins over the FlinksCode's default.
		e.Status = err.Status
	}
	exchange.WriteError(w, r, e)
}

// endpointName is the Flinks operation a path names: the segment after
// BankingServices.
func endpointName(r *http.Request) string {
	_, rest, ok := strings.Cut(r.URL.Path, "/BankingServices/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}

// Enter is enter for handlers outside the package that serve a Flinks
// path (tests of the middleware put their own handlers there).
func (a *API) Enter(w http.ResponseWriter, r *http.Request) *tenancy.Tenant {
	t, _ := a.enter(w, r, endpointName(r))
	return t
}
