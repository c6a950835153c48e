// Package openapi holds the two contracts flinks-mock serves, as OpenAPI 3
// documents (embedded): flinks.yaml, the Flinks API as the mock imitates it,
// and admin.yaml, the mock's own admin API under /__admin/. It also holds
// the FlinksCode table, a request validator that turns every problem of a
// request into one error (FlinksCode INVALID_REQUEST) with a message a
// person can act on, and response and webhook validators that keep the
// server from drifting from the published documents.
//
// Load each document once per process, with Load and LoadAdmin; the
// returned Spec is safe for concurrent use.
package openapi

import (
	"cmp"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// documentYAML and adminYAML are strings, not []byte, so that no caller
// can change the contracts the process serves.
var (
	//go:embed flinks.yaml
	documentYAML string
	//go:embed admin.yaml
	adminYAML string
)

// Document returns the OpenAPI document of the Flinks API, as written, for
// serving at /openapi.yaml. Each call returns a fresh copy.
func Document() []byte {
	return []byte(documentYAML)
}

// AdminDocument returns the OpenAPI document of the admin API, as written,
// for serving at /__admin/openapi.yaml. Each call returns a fresh copy.
func AdminDocument() []byte {
	return []byte(adminYAML)
}

// Webhook ResponseType values that ValidateWebhook knows.
const (
	WebhookAccountsDetail = "GetAccountsDetail"
	WebhookKYC            = "KYC"
)

// Spec is a loaded and validated document with its router. It is read-only
// after Load or LoadAdmin and safe for concurrent use.
type Spec struct {
	doc    *openapi3.T
	router routers.Router
	// routes holds every operation by method and path template, so a
	// request the server already routed skips a second routing.
	routes map[routeKey]*routers.Route
	// operations lists them, sorted by path then method.
	operations []Operation
	// document and api name the document and its API in messages.
	document, api string
	reqOptions    *openapi3filter.Options
	respOptions   *openapi3filter.Options
	// handlerDecoded holds the operations whose request body the handler
	// decodes itself (scenario files in YAML): the validator checks their
	// Content-Type and that a body is there, and nothing else of it.
	handlerDecoded map[*openapi3.Operation]bool
	// handlerDecodedOptions are reqOptions without body validation.
	handlerDecodedOptions *openapi3filter.Options
	webhooks              map[string]webhookSchema
	// memo remembers the requests found valid.
	memo *validMemo
	// invalidRequestStatus is the status of a request that does not match
	// the document.
	invalidRequestStatus int
	// fill, when set, builds the document and sets every field above but
	// operations, once, before the first validation (LoadAdminOnUse).
	fill func()
}

// ready builds the document of a Spec of LoadAdminOnUse, the first time.
func (s *Spec) ready() {
	if s.fill != nil {
		s.fill()
	}
}

type webhookSchema struct {
	name string
	ref  *openapi3.SchemaRef
}

// source describes one of the embedded documents.
type source struct {
	// file names the document in errors, e.g. "openapi/flinks.yaml".
	file string
	// document and api name the document and its API in messages, e.g.
	// "the Flinks document" and "the Flinks API".
	document, api string
	// invalidRequestStatus is the status of INVALID_REQUEST; 0 takes it
	// from the FlinksCode table.
	invalidRequestStatus int
	// webhooks maps a webhook ResponseType to its component schema.
	webhooks map[string]string
	// formats are string formats the document uses beyond those
	// kin-openapi knows, scoped to this document.
	formats map[string]openapi3.StringFormatValidator
	// build builds the document as parsing it would, its references not
	// yet resolved (documents_gen.go).
	build func() *openapi3.T
}

// flinksSource is the Flinks document: its bad requests are 401, as
// Flinks answers them.
func flinksSource() source {
	return source{
		file:     "openapi/flinks.yaml",
		document: "the Flinks document",
		api:      "the Flinks API",
		webhooks: map[string]string{
			WebhookAccountsDetail: "AccountsDetailWebhook",
			WebhookKYC:            "KYCWebhook",
		},
		build: flinksDocument,
	}
}

// adminSource is the admin document.
func adminSource() source {
	return source{
		file:     "openapi/admin.yaml",
		document: "the admin document",
		api:      "the admin API",
		// The admin API is flinks-mock's own, not Flinks': a bad request is
		// a plain 400, not the 401 Flinks answers.
		invalidRequestStatus: 400,
		formats: map[string]openapi3.StringFormatValidator{
			"uri": openapi3.NewCallbackValidator(absoluteURI),
		},
		build: adminDocument,
	}
}

// absoluteURI is the "uri" format of JSON Schema: a URI with a scheme.
func absoluteURI(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if !u.IsAbs() {
		return errors.New("not an absolute URI")
	}
	return nil
}

// Load builds the embedded Flinks document and its router. Call it once
// per process: it is too slow for a request path. The document is not
// parsed at run time: go generate writes the code that builds it from
// flinks.yaml (documents_gen.go), and the package's tests check that it
// builds the very document parsing gives, and validate that document with
// its examples.
func Load(ctx context.Context) (*Spec, error) {
	return loadBuilt(flinksSource())
}

// LoadAdmin is Load for the admin document. A request that does not match
// it is answered 400 INVALID_REQUEST (the Flinks document's 401 is Flinks'
// own choice), and the body of POST /__admin/scenarios, a scenario file in
// YAML or JSON, is left to the handler to decode: the validator checks only
// its Content-Type and that it is there.
func LoadAdmin(ctx context.Context) (*Spec, error) {
	return loadBuilt(adminSource())
}

// LoadAdminOnUse is LoadAdmin for a server, which needs the admin API's
// operations to route at start-up but its document only on the first
// admin request: the returned Spec lists the operations at once (go
// generate writes them with the document) and builds the document on its
// first validation. LoadAdmin's tests check both, so it cannot fail then.
func LoadAdminOnUse() *Spec {
	s := &Spec{operations: adminOperations()}
	s.fill = sync.OnceFunc(func() {
		built, err := loadBuilt(adminSource())
		if err != nil {
			panic(fmt.Sprintf("openapi: %v", err))
		}
		s.doc, s.router, s.routes = built.doc, built.router, built.routes
		s.document, s.api = built.document, built.api
		s.reqOptions, s.respOptions = built.reqOptions, built.respOptions
		s.handlerDecoded, s.handlerDecodedOptions = built.handlerDecoded, built.handlerDecodedOptions
		s.webhooks, s.memo, s.invalidRequestStatus = built.webhooks, built.memo, built.invalidRequestStatus
	})
	return s
}

// loadBuilt is load for an embedded document, built by the code go
// generate wrote from it rather than parsed: the same document in a small
// fraction of the time.
func loadBuilt(src source) (*Spec, error) {
	doc, err := buildDocument(src)
	if err != nil {
		return nil, err
	}
	return newSpec(src, doc, true)
}

// buildDocument builds an embedded document and resolves its references,
// as parseDocument does after parsing it.
func buildDocument(src source) (*openapi3.T, error) {
	doc := src.build()
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	if err := loader.ResolveRefsIn(doc, nil); err != nil {
		return nil, fmt.Errorf("resolve the references of %s: %w", src.file, err)
	}
	for name, v := range src.formats {
		doc.SetStringFormatValidator(name, v)
	}
	return doc, nil
}

// load is Load for any document, so tests can prove that a broken one is
// refused; check validates the document and its examples.
func load(ctx context.Context, src source, data []byte, check bool) (*Spec, error) {
	doc, err := parseDocument(ctx, src, data, check)
	if err != nil {
		return nil, err
	}
	return newSpec(src, doc, false)
}

// newSpec builds the Spec of a loaded document. The router of an embedded
// document, which the package's tests build, is built on its first use
// (the server routes by itself and never uses it); any other document's
// is built now, so that a problem with its paths is reported now.
func newSpec(src source, doc *openapi3.T, lazyRouter bool) (*Spec, error) {
	// The document lists servers for people to read, but the mock listens on
	// whatever host and port it is given: route on paths alone by building
	// the router from a copy without servers.
	routed := *doc
	routed.Servers = nil
	var router routers.Router = &onceRouter{build: sync.OnceValues(func() (routers.Router, error) {
		return gorillamux.NewRouter(&routed)
	})}
	if !lazyRouter {
		var err error
		if router, err = gorillamux.NewRouter(&routed); err != nil {
			return nil, fmt.Errorf("build the router of %s: %w", src.file, err)
		}
	}
	webhooks, err := webhookSchemas(src, doc)
	if err != nil {
		return nil, err
	}
	status := src.invalidRequestStatus
	if status == 0 {
		code, ok := LookupCode(codeInvalidRequest)
		if !ok {
			return nil, fmt.Errorf("the FlinksCode table has no %s", codeInvalidRequest)
		}
		status = code.Status
	}
	s := &Spec{
		doc:                  doc,
		router:               router,
		document:             src.document,
		api:                  src.api,
		handlerDecoded:       handlerDecodedOperations(doc),
		webhooks:             webhooks,
		invalidRequestStatus: status,
		memo:                 newValidMemo(),
	}
	s.setOptions(doc.GetSchemaValidationOptions())
	s.routes, s.operations = operationsOf(doc, &routed)
	return s, nil
}

// parseDocument parses a document, and validates it with its examples
// when check is set.
func parseDocument(ctx context.Context, src source, data []byte, check bool) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", src.file, err)
	}
	// The formats are set on the document, not registered globally, so
	// that they reach its examples and requests and nothing else.
	for name, v := range src.formats {
		doc.SetStringFormatValidator(name, v)
	}
	if !check {
		return doc, nil
	}
	if err := doc.Validate(ctx, openapi3.EnableMultiError(), openapi3.EnableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("%s is not a valid OpenAPI document: %w", src.file, err)
	}
	return doc, nil
}

// webhookSchemas finds the component schema of each webhook of src.
func webhookSchemas(src source, doc *openapi3.T) (map[string]webhookSchema, error) {
	webhooks := make(map[string]webhookSchema, len(src.webhooks))
	for responseType, name := range src.webhooks {
		ref := doc.Components.Schemas[name]
		if ref == nil || ref.Value == nil {
			return nil, fmt.Errorf("%s has no schema %s for webhook %s", src.file, name, responseType)
		}
		webhooks[responseType] = webhookSchema{name: name, ref: ref}
	}
	return webhooks, nil
}

// setOptions sets the options of request and response validation.
func (s *Spec) setOptions(schemaOptions []openapi3.SchemaValidationOption) {
	s.reqOptions = &openapi3filter.Options{
		MultiError: true,
		// The server checks the credentials itself (flinks-auth-key,
		// x-api-key, the admin token) and answers 401 with its own
		// messages; the security schemes are in the documents for readers.
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
		// Defaults are the handler's business: the body it decodes must
		// be the body the client sent.
		SkipSettingDefaults:     true,
		SchemaValidationOptions: schemaOptions,
	}
	handlerDecodedOptions := *s.reqOptions
	// Per validation, rather than a body decoder registered in
	// kin-openapi's global registry: kin-openapi has no decoder for
	// text/yaml, and would check a YAML body against a JSON schema.
	handlerDecodedOptions.ExcludeRequestBody = true
	s.handlerDecodedOptions = &handlerDecodedOptions
	s.respOptions = &openapi3filter.Options{
		MultiError:              true,
		IncludeResponseStatus:   true,
		SchemaValidationOptions: schemaOptions,
	}
}

// operationsOf lists the operations of doc, and their routes by method
// and path template.
func operationsOf(doc, routed *openapi3.T) (map[routeKey]*routers.Route, []Operation) {
	routes := map[routeKey]*routers.Route{}
	var operations []Operation
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			routes[routeKey{method, path}] = &routers.Route{Spec: routed, Path: path, PathItem: item, Method: method, Operation: op}
			operations = append(operations, Operation{ID: op.OperationID, Method: method, Path: path})
		}
	}
	slices.SortFunc(operations, func(a, b Operation) int { return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Method, b.Method)) })
	return routes, operations
}

// onceRouter is a router built on its first use.
type onceRouter struct {
	build func() (routers.Router, error)
}

// FindRoute builds the router the first time, then finds the route; an
// error building it (never for the embedded documents, which the tests
// route with) is every call's error.
func (o *onceRouter) FindRoute(req *http.Request) (*routers.Route, map[string]string, error) {
	r, err := o.build()
	if err != nil {
		return nil, nil, err
	}
	return r.FindRoute(req)
}

// routeKey finds an operation by method and path template, without
// building a string on each request.
type routeKey struct{ method, path string }

// Operation is one operation of a document: the server routes each to its
// handler, by ID.
type Operation struct {
	// ID is the operationId, e.g. "GetAccountsDetailAsync".
	ID string
	// Method and Path are as the document writes them, e.g. "GET" and
	// "/v3/{customerId}/BankingServices/GetAccountsDetailAsync/{requestId}".
	Method string
	Path   string
}

// Operations lists the operations of the document, sorted by path then
// method: the routing table of the server comes from it.
func (s *Spec) Operations() []Operation { return slices.Clone(s.operations) }

// handlerDecodedOperations finds the operations that take a YAML body.
// YAML is decoded by the handler, which reports each problem with its line;
// kin-openapi cannot decode every YAML media type, and the same operation's
// JSON is decoded by the same handler, so its body is never checked here.
func handlerDecodedOperations(doc *openapi3.T) map[*openapi3.Operation]bool {
	ops := map[*openapi3.Operation]bool{}
	for _, path := range doc.Paths.InMatchingOrder() {
		for _, op := range doc.Paths.Value(path).Operations() {
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			for mt := range op.RequestBody.Value.Content {
				if isYAML(mt) {
					ops[op] = true
				}
			}
		}
	}
	return ops
}

// isYAML tells whether a media type (without parameters) is one a
// scenario file is posted as.
func isYAML(mediaType string) bool {
	switch mediaType {
	case "application/yaml", "application/x-yaml", "text/yaml":
		return true
	}
	return false
}
