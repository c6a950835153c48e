package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// ValidateResponse checks a response the server produced for req against
// the document: the status must be declared for the operation, the
// Content-Type must be one the document declares for it (JSON, except for
// the YAML of the admin document), the body must match the schema, and
// the HttpStatusCode of a JSON body must equal status. It is meant for
// tests.
func (s *Spec) ValidateResponse(req *http.Request, status int, header http.Header, body []byte) error {
	s.ready()
	route, pathParams, err := s.router.FindRoute(req)
	if err != nil {
		return fmt.Errorf("%s %s matches no operation of %s: %w", req.Method, req.URL.Path, s.document, err)
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
	var declared openapi3.Content
	if r := op.Responses.Status(status); r != nil && r.Value != nil {
		declared = r.Value.Content
	}
	ct := header.Get("Content-Type")
	switch {
	case re.Reason == "status is not supported":
		return fmt.Errorf("%s, a status the document does not declare for %s (it declares %s)",
			what, op.OperationID, strings.Join(op.Responses.Keys(), ", "))
	case strings.Contains(re.Reason, "Content-Type"):
		return fmt.Errorf("%s with Content-Type %s: the document declares %s", what, quote(ct), mediaTypes(declared))
	case re.Reason == "failed to decode response body" && isJSON(ct) && !json.Valid(body):
		return fmt.Errorf("%s with a body that is not valid JSON: %s", what, jsonSyntax(body))
	case re.Reason == "failed to decode response body" && isParseError(re.Err):
		return fmt.Errorf("%s with a body that is not valid %s: %w", what, baseMediaType(ct), rootCause(re.Err))
	case re.Err == nil:
		return fmt.Errorf("%s: %s", what, re.Reason)
	}
	schema := "its schema"
	if mt := declared.Get(ct); mt != nil && mt.Schema != nil && mt.Schema.Ref != "" {
		schema = mt.Schema.Ref[strings.LastIndexByte(mt.Schema.Ref, '/')+1:]
	}
	var problems []problem
	collectSchema(re.Err, subjectResponseBody, &problems)
	return fmt.Errorf("%s with a body that does not match %s: %s", what, schema, joinShort(problems))
}

// isJSON tells whether a Content-Type header names JSON.
func isJSON(contentType string) bool {
	mt := baseMediaType(contentType)
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// baseMediaType is a Content-Type without its parameters, in lower case.
func baseMediaType(contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return quote(contentType)
	}
	return mt
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
// schema of its ResponseType in the Flinks document: AccountsDetailWebhook
// for "GetAccountsDetail", KYCWebhook for "KYC". The admin document
// describes no webhook body, so its Spec refuses every one.
func (s *Spec) ValidateWebhook(responseType string, body []byte) error {
	s.ready()
	schema, ok := s.webhooks[responseType]
	if !ok {
		if len(s.webhooks) == 0 {
			return fmt.Errorf("webhook ResponseType %s: %s describes no webhook bodies; validate webhooks with the Spec of Load", quote(responseType), s.document)
		}
		known := make([]string, 0, len(s.webhooks))
		for k := range s.webhooks {
			known = append(known, strconv.Quote(k))
		}
		slices.Sort(known)
		return fmt.Errorf("webhook ResponseType %s has no schema in %s: use %s", quote(responseType), s.document, strings.Join(known, " or "))
	}
	if !json.Valid(body) {
		return fmt.Errorf("webhook %s: body is not valid JSON: %s", responseType, jsonSyntax(body))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var value any
	if err := dec.Decode(&value); err != nil {
		return fmt.Errorf("webhook %s: decode body: %w", responseType, err)
	}
	opts := append([]openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.VisitAsResponse()}, s.respOptions.SchemaValidationOptions...)
	if err := schema.ref.Value.VisitJSON(value, opts...); err != nil {
		var problems []problem
		collectSchema(err, "Webhook body", &problems)
		return fmt.Errorf("webhook %s: body does not match %s: %s", responseType, schema.name, joinShort(problems))
	}
	return nil
}

// rootCause is the error under kin-openapi's ParseError, which words it
// better than the ParseError does.
func rootCause(err error) error {
	if pe, ok := errors.AsType[*openapi3filter.ParseError](err); ok {
		if cause := pe.RootCause(); cause != nil {
			return cause
		}
	}
	return err
}
