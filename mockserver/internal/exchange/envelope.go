package exchange

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"sync"
	"sync/atomic"

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
		x.Entry.FlinksCode, x.Entry.Message = e.FlinksCode, e.Message
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
	setJSONHeaders(w.Header(), len(body))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// WriteParts sends a JSON body encoded in two parts (session.Body): the
// shared bytes, then the session's own.
//
// net/http sends a body past its 4 KiB buffer straight from the slice it
// is given, and what follows that slice in a write of its own: two parts
// would cost a system call, and a TCP segment for the client to wake up
// to, more than one body. Bodies up to joinLimit are therefore joined in a
// pooled buffer first; copying them costs less than the call.
func WriteParts(w http.ResponseWriter, status int, b session.Body) {
	n := len(b.Shared) + len(b.Own)
	setJSONHeaders(w.Header(), n)
	w.WriteHeader(status)
	if len(b.Shared) == 0 || len(b.Own) == 0 || n <= splitFree || n > joinLimit {
		_, _ = w.Write(b.Shared)
		_, _ = w.Write(b.Own)
		return
	}
	buf := joinBuffers.Get().(*[]byte)
	joined := append(append((*buf)[:0], b.Shared...), b.Own...)
	_, _ = w.Write(joined)
	*buf = joined[:0]
	joinBuffers.Put(buf)
}

const (
	// splitFree is the body size under which net/http buffers both parts
	// and sends them in one call anyway.
	splitFree = 2048
	// joinLimit bounds the bodies WriteParts joins, and so the buffers its
	// pool keeps: one per answer being written at once.
	joinLimit = 256 << 10
)

// joinBuffers are the buffers WriteParts joins the parts of a body in.
var joinBuffers = sync.Pool{New: func() any { return new([]byte) }}

// jsonContentType is the Content-Type of every JSON answer, as a header
// value shared by them all: net/http only reads the values of a header.
var jsonContentType = []string{"application/json; charset=utf-8"}

// setJSONHeaders sets the Content-Type and Content-Length of a JSON body
// of n bytes, as h.Set would (the keys are canonical), from shared values.
func setJSONHeaders(h http.Header, n int) {
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = contentLength(n)
}

// contentLengths holds the Content-Length values of the body sizes sent
// lately, one per slot by size: a client polling one answer gets the
// same value every time without formatting it again.
var contentLengths [256]atomic.Pointer[lengthValue]

// lengthValue is a Content-Length header value and the size it says.
type lengthValue struct {
	n     int
	value [1]string
}

// contentLength returns the Content-Length value of a body of n bytes,
// shared by every answer of that size while its slot holds it.
func contentLength(n int) []string {
	slot := &contentLengths[n&(len(contentLengths)-1)]
	if v := slot.Load(); v != nil && v.n == n {
		return v.value[:]
	}
	v := &lengthValue{n: n, value: [1]string{strconv.Itoa(n)}}
	slot.Store(v)
	return v.value[:]
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
