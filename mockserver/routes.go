package mockserver

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
	"github.com/gorilla/mux"
)

// routes is the whole API surface of the server, one line per endpoint,
// and the middleware chain, outermost first:
// journal → panic recovery → body limit → routing → OpenAPI validation →
// handler.
func (s *Server) routes() http.Handler {
	r := mux.NewRouter()
	s.router = r
	// No redirect to a cleaned path: a Flinks client follows no 301, and
	// a path with dot segments or an encoded slash is answered 404 (or
	// reaches its handler) in the envelope like any other.
	r.SkipClean(true)
	r.NotFoundHandler = http.HandlerFunc(s.notFound)
	r.MethodNotAllowedHandler = http.HandlerFunc(s.methodNotAllowed)

	const flinks = "/v3/{customerId}/BankingServices"
	v := func(h http.HandlerFunc) http.Handler { return s.spec.Middleware(s.invalidRequest)(h) }
	r.Handle(flinks+"/GenerateAuthorizeToken", v(s.generateAuthorizeToken)).Methods(http.MethodPost)
	r.Handle(flinks+"/Authorize", v(s.authorize)).Methods(http.MethodPost)
	r.Handle(flinks+"/GetAccountsDetail", v(s.getAccountsDetail)).Methods(http.MethodPost)
	r.Handle(flinks+"/GetAccountsDetailAsync/{requestId}", v(s.getAccountsDetailAsync)).Methods(http.MethodGet, http.MethodPost)
	r.Handle(flinks+"/GetAccountsSummary", v(s.getAccountsSummary)).Methods(http.MethodPost)
	r.Handle(flinks+"/GetAccountsSummaryAsync/{requestId}", v(s.getAccountsSummaryAsync)).Methods(http.MethodGet, http.MethodPost)

	r.HandleFunc("/openapi.yaml", serveDocument).Methods(http.MethodGet, http.MethodHead)

	// The Flinks Connect simulator, at the path of the Connect iframe.
	r.HandleFunc("/v2/", s.connect).Methods(http.MethodGet, http.MethodPost)
	r.HandleFunc("/v2", s.connectSlash).Methods(http.MethodGet)

	// The admin API: open health and document, the rest behind the admin
	// token and validated against openapi/admin.yaml.
	r.HandleFunc(adminPrefix+"health", s.health).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc(adminPrefix+"openapi.yaml", serveAdminDocument).Methods(http.MethodGet, http.MethodHead)
	a := func(h http.HandlerFunc) http.Handler {
		return s.requireAdmin(adminJSONBody(s.admin.Middleware(s.invalidAdminRequest)(h)))
	}
	r.Handle(adminPrefix+"scenarios", a(s.listScenarios)).Methods(http.MethodGet)
	r.Handle(adminPrefix+"scenarios", a(s.addScenarios)).Methods(http.MethodPost)
	r.Handle(adminPrefix+"scenarios", a(s.removeScenarios)).Methods(http.MethodDelete)
	r.Handle(adminPrefix+"reset", a(s.reset)).Methods(http.MethodPost)
	r.Handle(adminPrefix+"journal", a(s.getJournal)).Methods(http.MethodGet)
	r.Handle(adminPrefix+"journal", a(s.clearJournal)).Methods(http.MethodDelete)
	r.Handle(adminPrefix+"clock", a(s.getClock)).Methods(http.MethodGet)
	r.Handle(adminPrefix+"clock/advance", a(s.advanceClock)).Methods(http.MethodPost)
	r.Handle(adminPrefix+"clock/set", a(s.setClock)).Methods(http.MethodPost)
	r.Handle(adminPrefix+"webhooks/targets", a(s.getWebhookTargets)).Methods(http.MethodGet)
	r.Handle(adminPrefix+"webhooks/targets", a(s.setWebhookTargets)).Methods(http.MethodPut)
	r.Handle(adminPrefix+"webhooks/deliveries", a(s.listDeliveries)).Methods(http.MethodGet)
	r.Handle(adminPrefix+"webhooks/fire", a(s.fireWebhook)).Methods(http.MethodPost)

	return s.middleware(r)
}

// middleware wraps the router in the chain every request goes through,
// outermost first.
func (s *Server) middleware(h http.Handler) http.Handler {
	return s.journalRequests(s.recoverPanics(s.readBody(h)))
}

// invalidRequest answers a request the OpenAPI document rejects.
func (s *Server) invalidRequest(w http.ResponseWriter, r *http.Request, err *openapi.RequestError) {
	if t, _ := s.enter(w, r, endpointName(r)); t == nil {
		return
	}
	e := s.codeError(r, err.FlinksCode, err.Message, "")
	if c, _ := openapi.LookupCode(err.FlinksCode); err.Status != 0 && err.Status != c.Status {
		// A status the validator chose for the kind of problem (415 for a
		// wrong Content-Type) wins over the FlinksCode's default.
		e.Status = err.Status
	}
	writeError(w, r, e)
}

// invalidAdminRequest answers an admin request the admin document rejects.
func (s *Server) invalidAdminRequest(w http.ResponseWriter, r *http.Request, err *openapi.RequestError) {
	s.adminError(w, r, err.Status, err.FlinksCode, err.Message)
}

// notFound answers a path the mock does not serve.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	e := s.codeError(r, "INVALID_REQUEST", fmt.Sprintf("No endpoint %s %s: Flinks paths look like /v3/{customerId}/BankingServices/Authorize; GET /openapi.yaml lists them all", r.Method, r.URL.Path), "")
	e.Status = http.StatusNotFound
	writeError(w, r, e)
}

// methodNotAllowed answers a known path called with the wrong method.
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	allowed := strings.Join(s.allowedMethods(r), ", ")
	w.Header().Set("Allow", allowed)
	e := s.codeError(r, "INVALID_REQUEST", fmt.Sprintf("Method %s is not allowed on %s; use %s", r.Method, r.URL.Path, allowed), "")
	e.Status = http.StatusMethodNotAllowed
	writeError(w, r, e)
}

// allowedMethods lists the methods the routing table serves on the path of
// r, from the table itself, so the Allow header cannot drift from it.
func (s *Server) allowedMethods(r *http.Request) []string {
	var out []string
	_ = s.router.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		var match mux.RouteMatch
		methods, err := route.GetMethods()
		if err != nil {
			return nil
		}
		probe := r.Clone(r.Context())
		for _, m := range methods {
			probe.Method = m
			if route.Match(probe, &match) && !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
		return nil
	})
	slices.Sort(out)
	return out
}

// enter finds the tenant of a Flinks route and its library, and notes them
// and the endpoint in the journal entry. When the server holds as many
// tenants as it may, it answers the request itself and returns nil.
func (s *Server) enter(w http.ResponseWriter, r *http.Request, endpoint string) (*tenant, *scenarios.Library) {
	customerID := mux.Vars(r)["customerId"]
	x := exchangeOf(r)
	if x != nil {
		x.entry.Endpoint = endpoint
	}
	t, err := s.tenant(customerID)
	if errors.Is(err, errCustomerIDTooLong) {
		writeError(w, r, s.codeError(r, "INVALID_REQUEST", err.Error(), ""))
		return nil, nil
	}
	if err != nil {
		writeError(w, r, s.codeError(r, "TOO_MANY_REQUESTS", fmt.Sprintf("The mock already serves %d customerIds; reset one with POST /__admin/reset?customerId=... or start it with a higher --max-tenants", s.cfg.MaxTenants), ""))
		return nil, nil
	}
	lib := s.library(t)
	if x != nil {
		x.entry.Tenant = customerID
		x.tenant, x.lib = t, lib
	}
	return t, lib
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

// serveDocument serves the OpenAPI document of the contract.
func serveDocument(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	_, _ = w.Write(openapi.Document())
}
