package exchange

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"

	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// Error is an error answer: the Flinks envelope plus its status. The admin
// API answers its errors in the same envelope.
type Error struct {
	Status            int                `json:"HttpStatusCode"`
	FlinksCode        string             `json:"FlinksCode"`
	Message           string             `json:"Message"`
	RequestID         string             `json:"RequestId,omitempty"`
	ValidationDetails *ValidationDetails `json:"ValidationDetails,omitempty"`
}

// ValidationDetails lists the problems of a rejected scenario file.
type ValidationDetails struct {
	Problems []admin.Problem `json:"problems"`
}

// Code builds the error answer of a FlinksCode, with its status as the
// settings of the library in force for r say, and a message (the code's
// default when empty).
func Code(r *http.Request, code, message, requestID string) *Error {
	if message == "" {
		c, _ := openapi.LookupCode(code)
		message = c.Message
	}
	var settings scenarios.Settings // the FlinksCode table's statuses
	if x := Of(r); x != nil && x.Lib != nil {
		settings = x.Lib.Settings
	}
	return &Error{Status: settings.Status(code), FlinksCode: code, Message: message, RequestID: requestID}
}

// WithStatus builds the error answer of a FlinksCode with a status of its
// own (an admin status, or a scripted error step's).
func WithStatus(r *http.Request, status int, code, message, requestID string) *Error {
	e := Code(r, code, message, requestID)
	if status != 0 {
		e.Status = status
	}
	return e
}

// Refused builds the error answer of a refused authorize event.
func Refused(r *http.Request, f *session.Refusal) *Error {
	return WithStatus(r, f.Status, f.Code, f.Message, f.RequestID)
}

// WriteError sends an error envelope and records it in the journal entry.
func WriteError(w http.ResponseWriter, r *http.Request, e *Error) {
	if x := Of(r); x != nil {
		x.Entry.FlinksCode = e.FlinksCode
		if x.Entry.RequestID == "" {
			x.Entry.RequestID = e.RequestID
		}
	}
	WriteJSON(w, e.Status, e)
}

// encodeFailure is the answer to a value that did not encode: a bug,
// answered as Flinks answers its own.
var encodeFailure = []byte(`{"HttpStatusCode":500,"FlinksCode":"AGGREGATION_ERROR","Message":"the mock could not encode its answer"}`)

// marshal encodes v as JSON without HTML escaping: the messages are for a
// person, and a hint such as "mfa_<type>_<rounds>" must read as written,
// not as "mfa_\u003ctype\u003e". No body of the mock is ever put in HTML.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// WriteJSON encodes v as the JSON body of a response with this status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	body, err := marshal(v)
	if err != nil {
		body, status = encodeFailure, http.StatusInternalServerError
	}
	WriteBody(w, status, body)
}

// Encode marshals a response body built by the server, or the envelope of
// an encoding failure.
func Encode(v any) []byte {
	b, err := marshal(v)
	if err != nil {
		return encodeFailure
	}
	return b
}

// WriteBody sends an already encoded JSON body.
func WriteBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// WriteParts sends a JSON body encoded in two parts (session.Body): the
// shared bytes, then the session's own.
func WriteParts(w http.ResponseWriter, status int, b session.Body) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b.Shared)+len(b.Own)))
	w.WriteHeader(status)
	_, _ = w.Write(b.Shared)
	_, _ = w.Write(b.Own)
}

// JSONProblem words a decoding error for the person who sent the body.
func JSONProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return fmt.Sprintf("%q must be %s, not %s", typeErr.Field, jsonTypeName(typeErr.Type.Kind()), typeErr.Value)
	}
	return "not valid JSON: " + err.Error()
}

// jsonTypeName names a Go kind the way a JSON author thinks of it.
func jsonTypeName(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	default:
		return "a number"
	}
}
