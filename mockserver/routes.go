package mockserver

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/gorilla/mux"
)

// routes is the whole API surface of the server, one line per endpoint,
// and the middleware chain, outermost first:
// journal → panic recovery → body limit → routing → OpenAPI validation →
// handler.
func (s *Server) routes() http.Handler {
	r := mux.NewRouter()
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
	r.HandleFunc(adminPrefix+"health", s.health).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc(adminPrefix+"scenarios", s.listScenarios).Methods(http.MethodGet)

	return s.record(s.recoverPanics(s.readBody(r)))
}

// invalidRequest answers a request the OpenAPI document rejects.
func (s *Server) invalidRequest(w http.ResponseWriter, r *http.Request, err *openapi.RequestError) {
	s.enter(r, endpointName(r))
	e := s.codeError(err.FlinksCode, err.Message, "")
	if c, _ := openapi.LookupCode(err.FlinksCode); err.Status != 0 && err.Status != c.Status {
		// A status the validator chose for the kind of problem (415 for a
		// wrong Content-Type) wins over the FlinksCode's default.
		e.Status = err.Status
	}
	writeError(w, r, e)
}

// notFound answers a path the mock does not serve.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	e := s.codeError("INVALID_REQUEST", fmt.Sprintf("No endpoint %s %s: Flinks paths look like /v3/{customerId}/BankingServices/Authorize; GET /openapi.yaml lists them all", r.Method, r.URL.Path), "")
	e.Status = http.StatusNotFound
	writeError(w, r, e)
}

// methodNotAllowed answers a known path called with the wrong method.
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	allowed := "POST"
	if strings.Contains(r.URL.Path, "Async/") {
		allowed = "GET, POST"
	} else if !strings.Contains(r.URL.Path, "/BankingServices/") {
		allowed = "GET"
	}
	w.Header().Set("Allow", allowed)
	e := s.codeError("INVALID_REQUEST", fmt.Sprintf("Method %s is not allowed on %s; use %s", r.Method, r.URL.Path, allowed), "")
	e.Status = http.StatusMethodNotAllowed
	writeError(w, r, e)
}

// enter fills the journal entry with the tenant and endpoint of a Flinks
// route and returns the tenant.
func (s *Server) enter(r *http.Request, endpoint string) *tenant {
	customerID := mux.Vars(r)["customerId"]
	if e := entryOf(r); e != nil {
		e.Tenant = customerID
		e.Endpoint = endpoint
	}
	return s.tenant(customerID)
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
