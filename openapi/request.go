package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

const codeInvalidRequest = "INVALID_REQUEST"

// RequestError is a request that does not match the document, as the
// server should answer it: HTTP status and HttpStatusCode Status, FlinksCode
// and Message. Details lists every problem when there are several.
//
// FlinksCode is always INVALID_REQUEST. Status is 413 for a body over the
// server's limit, 415 for a Content-Type the operation does not take, and
// otherwise the status of INVALID_REQUEST in the FlinksCode table (401) for
// the Flinks document, and 400 for the admin document.
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
// Content-Type to an operation that takes one is taken as JSON, or as YAML
// by an operation that takes YAML (YAML reads JSON too): the header is set
// on r before validating. A body cut short by http.MaxBytesReader is
// answered with status 413.
func (s *Spec) ValidateRequest(r *http.Request) *RequestError {
	s.ready()
	route, pathParams, err := s.router.FindRoute(r)
	if err != nil {
		return nil
	}
	return s.validate(r, route, pathValues{m: pathParams, fixed: true})
}

// ValidateOperation is ValidateRequest for a request the server already
// routed to one of the document's operations (Operations lists them), with
// the path parameters it found: it skips finding the route again. A
// method and path the document does not have are not checked.
func (s *Spec) ValidateOperation(r *http.Request, op Operation, pathParams map[string]string) *RequestError {
	s.ready()
	route := s.routes[routeKey{op.Method, op.Path}]
	if route == nil {
		return nil
	}
	return s.validate(r, route, pathValues{m: pathParams, fixed: true})
}

// PathValuer gives the path parameters of a request by name, as
// r.PathValue does: *http.Request is one.
type PathValuer interface {
	PathValue(name string) string
}

// ValidateRouted is ValidateOperation for a request whose path parameters
// a router has found: params gives them (r itself when the router set
// them as its path values). The map of them that kin-openapi takes is
// only built for a request checked in full, not for one found valid
// before.
func (s *Spec) ValidateRouted(r *http.Request, op Operation, params PathValuer) *RequestError {
	s.ready()
	route := s.routes[routeKey{op.Method, op.Path}]
	if route == nil {
		return nil
	}
	return s.validate(r, route, pathValues{r: params})
}

// pathValues are the path parameters of a request: a map given by the
// caller (fixed), or the request's path values.
type pathValues struct {
	m     map[string]string
	r     PathValuer
	fixed bool
}

// get returns the value of the parameter name.
func (p pathValues) get(name string) string {
	if p.fixed {
		return p.m[name]
	}
	return p.r.PathValue(name)
}

// all returns the parameters as a map, for kin-openapi: the names of the
// template of route, with their values.
func (p pathValues) all(route *routers.Route) map[string]string {
	if p.fixed {
		return p.m
	}
	var m map[string]string
	for seg := range strings.SplitSeq(route.Path, "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			name = strings.TrimSuffix(name, "}")
			if m == nil {
				m = map[string]string{}
			}
			m[name] = p.r.PathValue(name)
		}
	}
	return m
}

// validate checks r against the operation of route. A request found
// valid before, byte for byte in all that is checked, is not checked
// again (see validMemo).
func (s *Spec) validate(r *http.Request, route *routers.Route, params pathValues) *RequestError {
	op := route.Operation
	handlerDecoded := s.handlerDecoded[op]
	withBody := hasBody(r)
	var data []byte
	if withBody {
		var e *RequestError
		if data, e = s.readBody(r); e != nil {
			return e
		}
		setContentType(r, data, op.RequestBody, handlerDecoded)
	}
	if handlerDecoded || len(data) > memoMaxKey {
		return s.validateAll(r, route, params.all(route), withBody, data)
	}
	buf := keyBuffers.Get().(*[]byte)
	key := appendKey((*buf)[:0], route, r, params, withBody, data)
	e := s.validateOnce(r, route, params, withBody, data, key)
	if cap(key) <= 4*memoMaxKey {
		*buf = key[:0]
		keyBuffers.Put(buf)
	}
	return e
}

// validateOnce is validateAll for a request that has not been found valid
// before under key, and remembers it when it is.
func (s *Spec) validateOnce(r *http.Request, route *routers.Route, params pathValues, withBody bool, data, key []byte) *RequestError {
	if s.memo.remembered(key) {
		return nil
	}
	if e := s.validateAll(r, route, params.all(route), withBody, data); e != nil {
		return e
	}
	s.memo.remember(key)
	return nil
}

// validateAll checks r, whose body (when withBody) has been read into
// data, against the operation of route.
func (s *Spec) validateAll(r *http.Request, route *routers.Route, pathParams map[string]string, withBody bool, data []byte) *RequestError {
	op := route.Operation
	handlerDecoded := s.handlerDecoded[op]
	empty := true
	if withBody {
		if e := s.checkBody(r, data, op.RequestBody, handlerDecoded); e != nil {
			return e
		}
		empty = len(data) == 0
		replayable(r, data)
	}
	options := s.reqOptions
	var problems []problem
	if handlerDecoded {
		options = s.handlerDecodedOptions
		// kin-openapi checks a required body only with the rest of the
		// body, which it skips here.
		if rb := op.RequestBody.Value; empty && rb.Required {
			problems = append(problems, problem{subject: subjectRequestBody, text: "is required: send it as " + mediaTypes(rb.Content)})
		}
	}
	input := &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: pathParams,
		Route:      route,
		Options:    options,
	}
	if err := openapi3filter.ValidateRequest(r.Context(), input); err != nil {
		collectRequest(err, &problems)
		if len(problems) == 0 {
			problems = append(problems, problem{subject: "Request", text: "does not match " + s.api})
		}
	}
	if len(problems) > 0 {
		return s.invalid(problems...)
	}
	return nil
}

// Middleware validates each request and hands the invalid ones to write
// (which renders the error envelope) instead of next.
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

// heldBody is a request body read whole before validation (the server's
// middleware reads it once): Held returns its bytes, however much of it
// has been read.
type heldBody interface {
	Held() []byte
}

// readBody reads the body once and puts it back, so that a body over the
// server's limit is reported as such whatever the operation. A held body
// is not read again: its bytes are taken as they are.
func (s *Spec) readBody(r *http.Request) ([]byte, *RequestError) {
	if held, ok := r.Body.(heldBody); ok {
		data := held.Held()
		r.ContentLength = int64(len(data))
		return data, nil
	}
	data, err := readAll(r.Body, r.ContentLength)
	_ = r.Body.Close()
	r.ContentLength = int64(len(data))
	body := newReplayBody(data)
	r.Body, r.GetBody = body, body.again
	if err == nil {
		return data, nil
	}
	if tooLarge, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return nil, &RequestError{
			Status:     http.StatusRequestEntityTooLarge,
			FlinksCode: codeInvalidRequest,
			Message:    fmt.Sprintf("Request body is larger than the limit of %d bytes", tooLarge.Limit),
		}
	}
	return nil, s.invalid(problem{subject: subjectRequestBody, text: "could not be read: " + err.Error()})
}

// replayable makes r.Body, whose bytes are data, readable again from the
// start through r.GetBody, as kin-openapi needs once it has read it.
func replayable(r *http.Request, data []byte) {
	if r.GetBody == nil {
		r.GetBody = newReplayBody(data).again
	}
}

// replayBody is a body read whole, readable again from the start through
// again (the request's GetBody).
type replayBody struct {
	bytes.Reader
	data []byte
}

func newReplayBody(data []byte) *replayBody {
	b := &replayBody{data: data}
	b.Reset(data)
	return b
}

// Close does nothing: the bytes are in memory.
func (*replayBody) Close() error { return nil }

func (b *replayBody) again() (io.ReadCloser, error) { return newReplayBody(b.data), nil }

// setContentType takes a body sent without Content-Type to an operation
// that declares one as JSON, or as YAML when the handler decodes it and
// the operation takes YAML, and sets the header on r.
func setContentType(r *http.Request, data []byte, declared *openapi3.RequestBodyRef, handlerDecoded bool) {
	if len(data) == 0 || declared == nil || declared.Value == nil || r.Header.Get("Content-Type") != "" {
		return
	}
	ct := "application/json"
	if handlerDecoded && declared.Value.Content["application/yaml"] != nil {
		ct = "application/yaml"
	}
	r.Header.Set("Content-Type", ct)
}

// checkBody answers, for an operation that declares a body, the problems
// kin-openapi would report with a wording no person can act on: a wrong
// Content-Type, and JSON that does not parse (kin-openapi's decoder also
// accepts trailing garbage after the first value). A body the handler
// decodes is checked for its Content-Type only.
func (s *Spec) checkBody(r *http.Request, data []byte, declared *openapi3.RequestBodyRef, handlerDecoded bool) *RequestError {
	if len(data) == 0 || declared == nil || declared.Value == nil {
		return nil // the caller reports a missing required body.
	}
	rb := declared.Value
	ct := r.Header.Get("Content-Type")
	if rb.Content.Get(ct) == nil {
		return &RequestError{
			Status:     http.StatusUnsupportedMediaType,
			FlinksCode: codeInvalidRequest,
			Message:    fmt.Sprintf("Content-Type %s is not supported: send the body as %s", quote(ct), mediaTypes(rb.Content)),
		}
	}
	if handlerDecoded {
		return nil
	}
	if !json.Valid(data) {
		return s.invalid(problem{subject: subjectRequestBody, text: "is not valid JSON: " + jsonSyntax(data)})
	}
	return nil
}

// mediaTypes lists the media types of content for a message, sorted:
// "application/json or application/yaml".
func mediaTypes(content openapi3.Content) string {
	names := make([]string, 0, len(content))
	for name := range content {
		names = append(names, name)
	}
	slices.Sort(names)
	return orList(names)
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
		case e.Parameter != nil && isParseError(e.Err) && e.Parameter.Schema != nil && e.Parameter.Schema.Value != nil:
			// kin-openapi's reason ("invalid syntax") names no type.
			*out = append(*out, problem{subject: subject, text: "must be " + expectedType(e.Parameter.Schema.Value)})
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

func isParseError(err error) bool {
	_, ok := errors.AsType[*openapi3filter.ParseError](err)
	return ok
}
