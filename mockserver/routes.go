package mockserver

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/openapi"
)

// flinksHandlers is the handler of every operation of openapi/flinks.yaml,
// by operationId: the whole Flinks API surface of the server, one line per
// operation. The paths and methods are the document's.
func (s *Server) flinksHandlers() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"GenerateAuthorizeToken":      s.api.GenerateAuthorizeToken,
		"Authorize":                   s.api.Authorize,
		"GetAccountsDetail":           s.api.GetAccountsDetail,
		"GetAccountsDetailAsync":      s.api.GetAccountsDetailAsync,
		"GetAccountsDetailAsyncPost":  s.api.GetAccountsDetailAsync,
		"GetAccountsSummary":          s.api.GetAccountsSummary,
		"GetAccountsSummaryAsync":     s.api.GetAccountsSummaryAsync,
		"GetAccountsSummaryAsyncPost": s.api.GetAccountsSummaryAsync,
		"GetStatements":               s.api.GetStatements,
		"GetStatementsAsync":          s.api.GetStatementsAsync,
		"GetStatementsAsyncPost":      s.api.GetStatementsAsync,
		"DeleteCard":                  s.api.DeleteCard,
		"Institutions":                s.api.Institutions,
		"InstitutionByRoutingNumber":  s.api.InstitutionByRoutingNumber,
		"Token":                       s.api.Token,
		"GetMFAQuestions":             s.api.GetMFAQuestions,
		"AnswerMFAQuestions":          s.api.AnswerMFAQuestions,
		"SetScheduledRefresh":         s.api.SetScheduledRefresh,
		"GetNightlyRefreshStatus":     s.api.GetNightlyRefreshStatus,
		"AuthorizeAsync":              s.api.AuthorizeAsync,
	}
}

// adminHandlers is the handler of every operation of openapi/admin.yaml,
// by operationId.
func (s *Server) adminHandlers() map[string]http.HandlerFunc {
	a := s.adminAPI
	return map[string]http.HandlerFunc{
		"GetHealth":             a.Health,
		"GetAdminDocument":      a.Document,
		"ListScenarios":         a.ListScenarios,
		"AddScenarios":          a.AddScenarios,
		"RemoveScenarios":       a.RemoveScenarios,
		"Reset":                 a.Reset,
		"GetJournal":            a.GetJournal,
		"ClearJournal":          a.ClearJournal,
		"GetClock":              a.GetClock,
		"AdvanceClock":          a.AdvanceClock,
		"SetClock":              a.SetClock,
		"GetWebhookTargets":     a.GetWebhookTargets,
		"SetWebhookTargets":     a.SetWebhookTargets,
		"ListWebhookDeliveries": a.ListDeliveries,
		"FireWebhook":           a.FireWebhook,
		"ResendWebhook":         a.ResendWebhook,
	}
}

// openAdmin are the admin operations open to anyone, unvalidated and
// answering HEAD as well as GET: a health check and a document, which a
// probe reads without the admin token.
var openAdmin = []string{"GetHealth", "GetAdminDocument"}

// routes builds the routing table from the two OpenAPI documents and the
// pages no document describes, and wraps it in the middleware chain,
// outermost first: journal → panic recovery → body limit → routing →
// the guard against web pages and foreign Host names (admin API, Connect
// forms) → OpenAPI validation (and, on the admin API, the admin token) →
// handler.
func (s *Server) routes() (http.Handler, error) {
	rt := &router{notFound: s.notFound, methodNotAllowed: s.methodNotAllowed}
	flinks, err := bind(s.spec, s.flinksHandlers())
	if err != nil {
		return nil, err
	}
	for _, b := range flinks {
		rt.handle(b.op.Method, b.op.Path, validated(s.spec, b.op, s.api.InvalidRequest, b.handler))
	}
	admin, err := bind(s.admin, s.adminHandlers())
	if err != nil {
		return nil, err
	}
	for _, b := range admin {
		if slices.Contains(openAdmin, b.op.ID) {
			rt.handle(b.op.Method, b.op.Path, b.handler)
			rt.handle(http.MethodHead, b.op.Path, b.handler)
			continue
		}
		rt.handle(b.op.Method, b.op.Path, s.guarded(s.adminAPI.RequireAdmin(adminJSONBody(validated(s.admin, b.op, s.adminAPI.InvalidRequest, b.handler)))))
	}

	// Pages no document describes: the Flinks document itself, the
	// Connect simulator, an HTML page for a browser at the path of the
	// Flinks Connect iframe, and the inspector.
	rt.handle(http.MethodGet, "/openapi.yaml", http.HandlerFunc(serveDocument))
	rt.handle(http.MethodHead, "/openapi.yaml", http.HandlerFunc(serveDocument))
	rt.handle(http.MethodGet, "/v2/", http.HandlerFunc(s.connect.Page))
	rt.handle(http.MethodPost, "/v2/", s.guarded(http.HandlerFunc(s.connect.Page)))
	rt.handle(http.MethodGet, "/v2", http.HandlerFunc(s.connect.Redirect))

	// The inspector, a page for a browser: it is no API, so no document
	// describes it. The page and its assets hold no data and are open;
	// its views and event stream are behind the admin token.
	ui := s.ui
	rt.handle(http.MethodGet, "/__admin/ui", http.HandlerFunc(ui.Redirect))
	rt.handle(http.MethodGet, "/__admin/ui/", http.HandlerFunc(ui.Page))
	rt.handle(http.MethodGet, "/__admin/ui/assets/{name}", http.HandlerFunc(ui.Asset))
	rt.handle(http.MethodGet, "/__admin/ui/view/{view}", s.adminAPI.RequireAdmin(http.HandlerFunc(ui.View)))
	rt.handle(http.MethodGet, "/__admin/ui/events", s.adminAPI.RequireAdmin(http.HandlerFunc(ui.Events)))

	return s.middleware(rt), nil
}

// binding is an operation of a document and its handler.
type binding struct {
	op      openapi.Operation
	handler http.HandlerFunc
}

// bind pairs each operation of a document with its handler. An operation
// without a handler, or a handler without an operation, is an error: the
// document and the server must describe the same API.
func bind(spec *openapi.Spec, handlers map[string]http.HandlerFunc) ([]binding, error) {
	var out []binding
	var missing []string
	seen := map[string]bool{}
	for _, op := range spec.Operations() {
		h, ok := handlers[op.ID]
		if !ok {
			missing = append(missing, fmt.Sprintf("%s (%s %s)", op.ID, op.Method, op.Path))
			continue
		}
		seen[op.ID] = true
		out = append(out, binding{op: op, handler: h})
	}
	var extra []string
	for id := range handlers {
		if !seen[id] {
			extra = append(extra, id)
		}
	}
	slices.Sort(extra)
	switch {
	case len(missing) > 0:
		return nil, fmt.Errorf("the document's operations %s have no handler", strings.Join(missing, ", "))
	case len(extra) > 0:
		return nil, fmt.Errorf("the handlers of %s have no operation in the document", strings.Join(extra, ", "))
	}
	return out, nil
}

// validated checks each request against its operation of spec before h
// answers it; invalid answers the requests the document rejects. The
// path parameters are those the router set (exchange.SetPathValue).
func validated(spec *openapi.Spec, op openapi.Operation, invalid func(http.ResponseWriter, *http.Request, *openapi.RequestError), h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var params openapi.PathValuer = r
		if x := exchange.Of(r); x != nil {
			params = x
		}
		if err := spec.ValidateRouted(r, op, params); err != nil {
			invalid(w, r, err)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// notFound answers a path the mock does not serve.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	msg := fmt.Sprintf("No endpoint %s %s: Flinks paths look like /v3/{customerId}/BankingServices/Authorize; GET /openapi.yaml lists them all", r.Method, r.URL.Path)
	exchange.WriteError(w, r, exchange.WithStatus(r, http.StatusNotFound, "INVALID_REQUEST", msg, ""))
}

// methodNotAllowed answers a known path called with the wrong method; the
// Allow header comes from the routing table itself.
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request, allowed []string) {
	list := strings.Join(allowed, ", ")
	w.Header().Set("Allow", list)
	msg := fmt.Sprintf("Method %s is not allowed on %s; use %s", r.Method, r.URL.Path, list)
	exchange.WriteError(w, r, exchange.WithStatus(r, http.StatusMethodNotAllowed, "INVALID_REQUEST", msg, ""))
}

// serveDocument serves the OpenAPI document of the contract.
func serveDocument(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	_, _ = w.Write(openapi.Document())
}
