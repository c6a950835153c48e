// Package adminapi holds the handlers of the admin API (/__admin/...),
// which scripts and inspects a running server: its scenarios, its
// customers, its journal, its clock and its webhooks. The wire types are
// package admin's, which the Go client shares.
package adminapi

import (
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/flinksapi"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/tenancy"
	"github.com/flinks-mock/flinks-mock/mockserver/webhook"
	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// Renderer renders what the Flinks API answers, for the webhooks fired
// through the admin API.
type Renderer interface {
	// LoginByID finds the login of a LoginId, convention logins included.
	LoginByID(lib *scenarios.Library, loginID string) *scenarios.Login
	// SessionEvent describes the data of a session, or of a fresh session
	// of login (sess nil); waiting when the session has no data yet.
	SessionEvent(t *tenancy.Tenant, lib *scenarios.Library, sess *session.Session, login *scenarios.Login) (ev flinksapi.DataEvent, waiting bool)
	// ForgetCaches empties the caches of rendered data (a full reset).
	ForgetCaches()
}

// Config is what the admin API needs.
type Config struct {
	Tenants  *tenancy.Registry
	Clock    clock.Clock
	Log      *slog.Logger
	Hooks    *webhook.Dispatcher
	Renderer Renderer
	// Token, when set, must be sent as "Authorization: Bearer <token>".
	Token string
}

// API is the admin API of one server.
type API struct {
	cfg Config
}

// New returns the handlers of cfg.
func New(cfg Config) *API { return &API{cfg: cfg} }

// fail answers an admin request with the Flinks envelope and a status of
// the admin API (400, 404, 409...).
func fail(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	exchange.WriteError(w, r, exchange.WithStatus(r, status, code, message, ""))
}

// badRequest answers 400 INVALID_REQUEST.
func badRequest(w http.ResponseWriter, r *http.Request, message string) {
	fail(w, r, http.StatusBadRequest, "INVALID_REQUEST", message)
}

// RequireAdmin checks the admin token on the admin routes that need it.
func (a *API) RequireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.cfg.Token != "" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(a.cfg.Token)) != 1 {
				fail(w, r, http.StatusUnauthorized, "ACCESS_DENIED", "The admin API needs the header \"Authorization: Bearer <admin token>\" (the token given with --admin-token)")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// InvalidRequest answers an admin request the admin document rejects.
func (a *API) InvalidRequest(w http.ResponseWriter, r *http.Request, err *openapi.RequestError) {
	fail(w, r, err.Status, err.FlinksCode, err.Message)
}

// Health answers 200 once the server exists: New only returns after the
// contract and every scenario have loaded.
func (a *API) Health(w http.ResponseWriter, r *http.Request) {
	exchange.WriteJSON(w, http.StatusOK, admin.HealthStatus{Status: "ok"})
}

// Document serves the OpenAPI document of the admin API.
func (a *API) Document(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	_, _ = w.Write(openapi.AdminDocument())
}

// tenant returns the tenant an admin call names, creating it, or answers
// why it cannot and returns nil.
func (a *API) tenant(w http.ResponseWriter, r *http.Request, customerID string) *tenancy.Tenant {
	t, err := a.cfg.Tenants.Tenant(customerID)
	switch {
	case errors.Is(err, tenancy.ErrCustomerIDTooLong):
		badRequest(w, r, err.Error())
	case err != nil:
		fail(w, r, http.StatusConflict, "TOO_MANY_REQUESTS", err.Error())
	}
	return t
}
