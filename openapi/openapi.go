// Package openapi holds the Flinks contract as flinks-mock serves it: the
// OpenAPI 3 document flinks.yaml (embedded), the FlinksCode table, a request
// validator that turns every problem of a request into the error Flinks
// answers (FlinksCode INVALID_REQUEST) with a message a person can act on,
// and response and webhook validators that keep the server from drifting
// from the published document.
//
// Load the document once per process with Load; the returned Spec is safe
// for concurrent use.
package openapi

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// documentYAML is a string, not a []byte, so that no caller can change the
// contract the process serves.
//
//go:embed flinks.yaml
var documentYAML string

// Document returns the OpenAPI document, as written, for serving at
// /openapi.yaml. Each call returns a fresh copy.
func Document() []byte {
	return []byte(documentYAML)
}

// Webhook ResponseType values that ValidateWebhook knows.
const (
	WebhookAccountsDetail = "GetAccountsDetail"
	WebhookKYC            = "KYC"
)

// webhookSchemas maps a webhook ResponseType to its component schema.
var webhookSchemas = map[string]string{
	WebhookAccountsDetail: "AccountsDetailWebhook",
	WebhookKYC:            "KYCWebhook",
}

// Spec is the loaded and validated document with its router. It is
// read-only after Load and safe for concurrent use.
type Spec struct {
	doc         *openapi3.T
	router      routers.Router
	reqOptions  *openapi3filter.Options
	respOptions *openapi3filter.Options
	webhooks    map[string]*openapi3.SchemaRef
	// invalidRequestStatus is the status of INVALID_REQUEST in codes.go,
	// looked up once.
	invalidRequestStatus int
}

// Load parses the embedded document, validates it (examples included) and
// builds the router. Call it once per process: it is far too slow for a
// request path.
func Load(ctx context.Context) (*Spec, error) {
	return load(ctx, []byte(documentYAML))
}

// load is Load for any document, so tests can prove that a broken one is
// refused.
func load(ctx context.Context, data []byte) (*Spec, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("parse openapi/flinks.yaml: %w", err)
	}
	if err := doc.Validate(ctx, openapi3.EnableExamplesValidation(), openapi3.EnableMultiError()); err != nil {
		return nil, fmt.Errorf("openapi/flinks.yaml is not a valid OpenAPI document: %w", err)
	}

	// The document lists servers for people to read, but the mock listens on
	// whatever host and port it is given: route on paths alone by building
	// the router from a copy without servers.
	routed := *doc
	routed.Servers = nil
	router, err := gorillamux.NewRouter(&routed)
	if err != nil {
		return nil, fmt.Errorf("build the router of openapi/flinks.yaml: %w", err)
	}

	webhooks := make(map[string]*openapi3.SchemaRef, len(webhookSchemas))
	for responseType, name := range webhookSchemas {
		ref := doc.Components.Schemas[name]
		if ref == nil || ref.Value == nil {
			return nil, fmt.Errorf("openapi/flinks.yaml has no schema %s for webhook %s", name, responseType)
		}
		webhooks[responseType] = ref
	}

	code, ok := LookupCode(codeInvalidRequest)
	if !ok {
		return nil, fmt.Errorf("the FlinksCode table has no %s", codeInvalidRequest)
	}

	return &Spec{
		doc:    doc,
		router: router,
		reqOptions: &openapi3filter.Options{
			MultiError: true,
			// The server checks flinks-auth-key and x-api-key itself and
			// answers 401 with Flinks' own messages; the security schemes are
			// in the document for readers only.
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
			// Defaults are the handler's business: the body it decodes must
			// be the body the client sent.
			SkipSettingDefaults: true,
		},
		respOptions: &openapi3filter.Options{
			MultiError:            true,
			IncludeResponseStatus: true,
		},
		webhooks:             webhooks,
		invalidRequestStatus: code.Status,
	}, nil
}

const codeInvalidRequest = "INVALID_REQUEST"

// RequestError is a request that does not match the document, as the
// server should answer it: HTTP status and HttpStatusCode Status, FlinksCode
// and Message. Details lists every problem when there are several.
type RequestError struct {
	Status     int
	FlinksCode string
	Message    string
	Details    []string
}

// Error returns the Message.
func (e *RequestError) Error() string {
	return e.Message
}

// ValidateRequest checks r against the document and returns nil when it is
// valid or when no operation of the document matches it (answering 404 or
// 405 is the server's job).
//
// It reads the whole body and leaves r.Body readable again from the start
// (r.GetBody too), so the handler can decode it. A body sent without
// Content-Type to an operation that takes one is taken as JSON: the header
// is set to application/json on r before validating. A body cut short by
// http.MaxBytesReader is answered with status 413.
func (s *Spec) ValidateRequest(r *http.Request) *RequestError {
	route, pathParams, err := s.router.FindRoute(r)
	if err != nil {
		return nil
	}
	if hasBody(r) {
		if e := s.checkBody(r, route.Operation.RequestBody); e != nil {
			return e
		}
	}
	input := &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: pathParams,
		Route:      route,
		Options:    s.reqOptions,
	}
	if err := openapi3filter.ValidateRequest(r.Context(), input); err != nil {
		return s.requestError(err)
	}
	return nil
}

// Middleware validates each request and hands the invalid ones to write
// (which renders the Flinks error envelope) instead of next.
func (s *Spec) Middleware(write func(w http.ResponseWriter, r *http.Request, err *RequestError)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := s.ValidateRequest(r); err != nil {
				write(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func hasBody(r *http.Request) bool {
	return r.Body != nil && r.Body != http.NoBody
}

// checkBody reads the body once and puts it back, so that a body over the
// server's limit is reported as such whatever the operation. For an
// operation that declares a body, it also answers the problems kin-openapi
// would report with a wording no person can act on: a wrong Content-Type,
// and JSON that does not parse (kin-openapi's decoder also accepts trailing
// garbage after the first value).
func (s *Spec) checkBody(r *http.Request, declared *openapi3.RequestBodyRef) *RequestError {
	data, err := readAll(r.Body, r.ContentLength)
	_ = r.Body.Close()
	r.ContentLength = int64(len(data))
	r.Body = io.NopCloser(bytes.NewReader(data))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	if err != nil {
		if tooLarge, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return &RequestError{
				Status:     http.StatusRequestEntityTooLarge,
				FlinksCode: codeInvalidRequest,
				Message:    fmt.Sprintf("Request body is larger than the limit of %d bytes", tooLarge.Limit),
			}
		}
		return s.invalid(problem{subject: subjectRequestBody, text: "could not be read: " + err.Error()})
	}
	if len(data) == 0 || declared == nil || declared.Value == nil {
		return nil // openapi3filter reports a missing required body.
	}
	rb := declared.Value
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		ct = "application/json"
		r.Header.Set("Content-Type", ct)
	}
	if rb.Content.Get(ct) == nil {
		return &RequestError{
			Status:     http.StatusUnsupportedMediaType,
			FlinksCode: codeInvalidRequest,
			Message:    fmt.Sprintf("Content-Type %s is not supported: send the body as application/json", quote(ct)),
		}
	}
	if !json.Valid(data) {
		return s.invalid(problem{subject: subjectRequestBody, text: "is not valid JSON: " + jsonSyntax(data)})
	}
	return nil
}

// readAll is io.ReadAll that sizes its buffer from Content-Length, which
// saves the reallocations of a body read 512 bytes at a time.
func readAll(body io.Reader, contentLength int64) ([]byte, error) {
	size := int64(512)
	if contentLength > 0 && contentLength < 1<<20 {
		size = contentLength + 1 // +1 so the final read sees io.EOF without growing
	}
	buf := make([]byte, 0, size)
	for {
		n, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
}

// jsonSyntax says why data is not JSON, with the offset of the problem.
func jsonSyntax(data []byte) string {
	var v any
	err := json.Unmarshal(data, &v)
	if syntax, ok := errors.AsType[*json.SyntaxError](err); ok {
		return fmt.Sprintf("%s at offset %d", syntax.Error(), syntax.Offset)
	}
	if err != nil {
		return err.Error()
	}
	return "it is not a single JSON value"
}

func (s *Spec) invalid(problems ...problem) *RequestError {
	msg, details := summarize(problems)
	return &RequestError{
		Status:     s.invalidRequestStatus,
		FlinksCode: codeInvalidRequest,
		Message:    msg,
		Details:    details,
	}
}

// requestError turns what openapi3filter.ValidateRequest returned into one
// RequestError.
func (s *Spec) requestError(err error) *RequestError {
	var problems []problem
	collectRequest(err, &problems)
	if len(problems) == 0 {
		problems = append(problems, problem{subject: "Request", text: "does not match the Flinks API"})
	}
	return s.invalid(problems...)
}

const (
	subjectRequestBody  = "Request body"
	subjectResponseBody = "Response body"
)

func collectRequest(err error, out *[]problem) {
	switch e := err.(type) {
	case openapi3.MultiError:
		for _, inner := range e {
			collectRequest(inner, out)
		}
	case *openapi3filter.RequestError:
		subject := "Request"
		switch {
		case e.Parameter != nil:
			subject = fmt.Sprintf("%s parameter %q", capitalize(e.Parameter.In), e.Parameter.Name)
		case e.RequestBody != nil:
			subject = subjectRequestBody
		}
		switch {
		case e.Err == nil:
			*out = append(*out, problem{subject: subject, text: e.Reason})
		case errors.Is(e.Err, openapi3filter.ErrInvalidRequired):
			text := "is required"
			if e.RequestBody != nil {
				text = "is required: send a JSON object"
			}
			*out = append(*out, problem{subject: subject, text: text})
		case errors.Is(e.Err, openapi3filter.ErrInvalidEmptyValue):
			*out = append(*out, problem{subject: subject, text: "must not be empty"})
		default:
			collectSchema(e.Err, subject, out)
		}
	case *openapi3filter.SecurityRequirementsError:
		// Unreachable with NoopAuthenticationFunc; worded without the
		// credentials' values should the options ever change.
		*out = append(*out, problem{subject: "Request", text: "does not carry the credentials the operation needs"})
	default:
		*out = append(*out, problem{subject: "Request", text: err.Error()})
	}
}

// collectSchema turns schema errors into problems under subject.
func collectSchema(err error, subject string, out *[]problem) {
	switch e := err.(type) {
	case openapi3.MultiError:
		for _, inner := range e {
			collectSchema(inner, subject, out)
		}
	case *openapi3.SchemaError:
		*out = append(*out, schemaProblem(e, subject))
	case *openapi3filter.ParseError:
		text := "could not be parsed"
		if cause := e.RootCause(); cause != nil {
			text += ": " + cause.Error()
		} else if e.Reason != "" {
			text += ": " + e.Reason
		}
		*out = append(*out, problem{subject: subject, text: text})
	default:
		*out = append(*out, problem{subject: subject, text: err.Error()})
	}
}

// problem is one thing wrong with a request or a response: the value at
// path (field names and array indexes) of subject, and what is wrong with it.
type problem struct {
	subject string
	path    []string
	text    string
}

// field renders the path as a person writes it: Accounts[0].Balance.
func (p problem) field() string {
	var b strings.Builder
	for i, seg := range p.path {
		if isIndex(seg) {
			b.WriteByte('[')
			b.WriteString(seg)
			b.WriteByte(']')
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(seg)
	}
	return b.String()
}

// short is the problem without its subject.
func (p problem) short() string {
	if len(p.path) == 0 {
		return p.text
	}
	return strconv.Quote(p.field()) + " " + p.text
}

// String is the problem as one sentence.
func (p problem) String() string {
	if len(p.path) == 0 {
		return p.subject + " " + p.text
	}
	return p.subject + ": " + p.short()
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// summarize makes one message of the problems, in a stable order, and the
// list of details when there are several.
func summarize(problems []problem) (string, []string) {
	if len(problems) == 1 {
		return problems[0].String(), nil
	}
	slices.SortFunc(problems, func(a, b problem) int {
		if c := strings.Compare(a.subject, b.subject); c != 0 {
			return c
		}
		if c := strings.Compare(a.field(), b.field()); c != 0 {
			return c
		}
		return strings.Compare(a.text, b.text)
	})
	problems = slices.CompactFunc(problems, func(a, b problem) bool {
		return a.subject == b.subject && a.field() == b.field() && a.text == b.text
	})
	details := make([]string, len(problems))
	sameSubject := true
	for i, p := range problems {
		details[i] = p.String()
		sameSubject = sameSubject && p.subject == problems[0].subject
	}
	if len(problems) == 1 {
		return details[0], nil
	}
	var b strings.Builder
	if sameSubject {
		fmt.Fprintf(&b, "%s has %d problems: ", problems[0].subject, len(problems))
		for i, p := range problems {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(p.short())
		}
	} else {
		fmt.Fprintf(&b, "Request has %d problems: %s", len(problems), strings.Join(details, "; "))
	}
	return b.String(), details
}

// schemaProblem words a kin-openapi schema error. It never quotes a value
// except the bad value of an enum, which is one of a few known words.
func schemaProblem(e *openapi3.SchemaError, subject string) problem {
	p := problem{subject: subject, path: e.JSONPointer()}
	switch e.SchemaField {
	case "type", "nullable":
		p.text = fmt.Sprintf("must be %s, not %s", expectedType(e.Schema), kindOf(e.Value))
	case "required":
		p.text = "is required"
	case "enum":
		p.text = fmt.Sprintf("must be %s, not %s", oneOf(e.Schema.Enum), enumValue(e.Value))
	case "properties":
		// The path is the object's; the reason names the unknown key.
		if name, ok := unsupportedProperty(e.Reason); ok {
			p.path = append(p.path, name)
			p.text = "is not allowed"
		} else {
			p.text = e.Reason
		}
	case "pattern":
		p.text = "does not match the pattern " + e.Schema.Pattern
	case "minItems":
		p.text = fmt.Sprintf("must have at least %d items", e.Schema.MinItems)
	case "minimum":
		p.text = "must be at least " + formatFloat(e.Schema.Min)
	case "maximum":
		p.text = "must be at most " + formatFloat(e.Schema.Max)
	default:
		p.text = "is invalid: " + e.Reason
	}
	return p
}

func unsupportedProperty(reason string) (string, bool) {
	rest, ok := strings.CutPrefix(reason, "property ")
	if !ok {
		return "", false
	}
	rest, ok = strings.CutSuffix(rest, " is unsupported")
	if !ok {
		return "", false
	}
	name, err := strconv.Unquote(rest)
	return name, err == nil
}

func formatFloat(f *float64) string {
	if f == nil {
		return "?"
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

// expectedType is the schema's type with its article: "a boolean".
func expectedType(s *openapi3.Schema) string {
	if s == nil || s.Type == nil || len(*s.Type) == 0 {
		return "a value"
	}
	types := s.Type.Slice()
	words := make([]string, len(types))
	for i, t := range types {
		words[i] = withArticle(t)
	}
	return strings.Join(words, " or ")
}

func withArticle(t string) string {
	switch t {
	case openapi3.TypeArray, openapi3.TypeObject, openapi3.TypeInteger:
		return "an " + t
	case openapi3.TypeNull:
		return "null"
	}
	return "a " + t
}

// kindOf names the JSON type of a decoded value: "a string", "null".
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case json.Number, float64, float32, int, int64, int32:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a %T", v)
}

func enumValue(v any) string {
	if s, ok := v.(string); ok {
		return quote(s)
	}
	return kindOf(v)
}

// oneOf words the allowed values of an enum: one of "Days90" or "Days365".
func oneOf(enum []any) string {
	words := make([]string, len(enum))
	for i, v := range enum {
		b, err := json.Marshal(v)
		if err != nil {
			words[i] = fmt.Sprint(v)
			continue
		}
		words[i] = string(b)
	}
	switch len(words) {
	case 0:
		return "one of the allowed values"
	case 1:
		return words[0]
	}
	return "one of " + strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// quote quotes s for a message, cut short so that a huge header or value
// cannot bloat the answer.
func quote(s string) string {
	const limit = 64
	if len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut] + "…")
	}
	return strconv.Quote(s)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ValidateResponse checks a response the server produced for req against
// the document: the status must be declared for the operation, the
// Content-Type must be JSON, the body must match the schema, and its
// HttpStatusCode must equal status. It is meant for tests.
func (s *Spec) ValidateResponse(req *http.Request, status int, header http.Header, body []byte) error {
	route, pathParams, err := s.router.FindRoute(req)
	if err != nil {
		return fmt.Errorf("%s %s matches no operation of the Flinks document: %w", req.Method, req.URL.Path, err)
	}
	if header == nil {
		header = http.Header{}
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: pathParams,
			Route:      route,
			Options:    s.respOptions,
		},
		Status:  status,
		Header:  header,
		Options: s.respOptions,
	}
	input.SetBodyBytes(body)
	what := fmt.Sprintf("%s %s answered %d", req.Method, req.URL.Path, status)
	if err := openapi3filter.ValidateResponse(req.Context(), input); err != nil {
		return responseError(what, route.Operation, status, header, body, err)
	}
	if len(body) > 0 {
		var envelope struct{ HttpStatusCode *int }
		if err := json.Unmarshal(body, &envelope); err == nil && envelope.HttpStatusCode != nil && *envelope.HttpStatusCode != status {
			return fmt.Errorf("%s but its body says \"HttpStatusCode\": %d: the two must be equal", what, *envelope.HttpStatusCode)
		}
	}
	return nil
}

func responseError(what string, op *openapi3.Operation, status int, header http.Header, body []byte, err error) error {
	re, ok := errors.AsType[*openapi3filter.ResponseError](err)
	if !ok {
		return fmt.Errorf("%s: %w", what, err)
	}
	switch {
	case re.Reason == "status is not supported":
		return fmt.Errorf("%s, a status the document does not declare for %s (it declares %s)",
			what, op.OperationID, strings.Join(op.Responses.Keys(), ", "))
	case strings.Contains(re.Reason, "Content-Type"):
		return fmt.Errorf("%s with Content-Type %s: the document declares application/json", what, quote(header.Get("Content-Type")))
	case re.Reason == "failed to decode response body" && !json.Valid(body):
		return fmt.Errorf("%s with a body that is not valid JSON: %s", what, jsonSyntax(body))
	case re.Err == nil:
		return fmt.Errorf("%s: %s", what, re.Reason)
	}
	schema := "its schema"
	if r := op.Responses.Status(status); r != nil && r.Value != nil {
		if mt := r.Value.Content.Get(header.Get("Content-Type")); mt != nil && mt.Schema != nil && mt.Schema.Ref != "" {
			schema = mt.Schema.Ref[strings.LastIndexByte(mt.Schema.Ref, '/')+1:]
		}
	}
	var problems []problem
	collectSchema(re.Err, subjectResponseBody, &problems)
	return fmt.Errorf("%s with a body that does not match %s: %s", what, schema, joinShort(problems))
}

// joinShort lists problems without their subject, in a stable order.
func joinShort(problems []problem) string {
	parts := make([]string, len(problems))
	for i, p := range problems {
		parts[i] = p.short()
	}
	slices.Sort(parts)
	return strings.Join(slices.Compact(parts), "; ")
}

// ValidateWebhook checks the body of a webhook the mock posts against the
// schema of its ResponseType: AccountsDetailWebhook for "GetAccountsDetail",
// KYCWebhook for "KYC".
func (s *Spec) ValidateWebhook(responseType string, body []byte) error {
	ref, ok := s.webhooks[responseType]
	if !ok {
		known := make([]string, 0, len(s.webhooks))
		for k := range s.webhooks {
			known = append(known, strconv.Quote(k))
		}
		slices.Sort(known)
		return fmt.Errorf("webhook ResponseType %s has no schema in the Flinks document: use %s", quote(responseType), strings.Join(known, " or "))
	}
	name := webhookSchemas[responseType]
	if !json.Valid(body) {
		return fmt.Errorf("webhook %s: body is not valid JSON: %s", responseType, jsonSyntax(body))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var value any
	if err := dec.Decode(&value); err != nil {
		return fmt.Errorf("webhook %s: decode body: %w", responseType, err)
	}
	if err := ref.Value.VisitJSON(value, openapi3.MultiErrors(), openapi3.VisitAsResponse()); err != nil {
		var problems []problem
		collectSchema(err, "Webhook body", &problems)
		return fmt.Errorf("webhook %s: body does not match %s: %s", responseType, name, joinShort(problems))
	}
	return nil
}
