package mockserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// link is one entry of a Flinks "Links" array.
type link struct {
	Rel     string  `json:"rel"`
	Href    string  `json:"href"`
	Example *string `json:"example"`
}

// flinksError is an error answer: the Flinks envelope plus its status.
type flinksError struct {
	Status            int                `json:"HttpStatusCode"`
	FlinksCode        string             `json:"FlinksCode"`
	Message           string             `json:"Message"`
	RequestID         string             `json:"RequestId,omitempty"`
	ValidationDetails *validationDetails `json:"ValidationDetails,omitempty"`
}

// validationDetails lists the problems of a rejected scenario file.
type validationDetails struct {
	Problems []problem `json:"problems"`
}

type problem struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

// codeError builds the error answer of a FlinksCode with its status (as the
// library's settings say) and a message (the code's default when empty).
func (s *Server) codeError(r *http.Request, code, message, requestID string) *flinksError {
	if message == "" {
		c, _ := openapi.LookupCode(code)
		message = c.Message
	}
	return &flinksError{Status: s.settings(r).Status(code), FlinksCode: code, Message: message, RequestID: requestID}
}

// settings returns the scenario settings in force for a request: those of
// its tenant's library once the handler has entered one, else the server's.
func (s *Server) settings(r *http.Request) *scenarios.Settings {
	if x := exchangeOf(r); x != nil && x.lib != nil {
		return &x.lib.Settings
	}
	return &s.base.Load().Settings
}

// writeError sends an error envelope and records it in the journal entry.
func writeError(w http.ResponseWriter, r *http.Request, e *flinksError) {
	if ent := entryOf(r); ent != nil {
		ent.FlinksCode = e.FlinksCode
		if ent.RequestID == "" {
			ent.RequestID = e.RequestID
		}
	}
	writeJSON(w, e.Status, e)
}

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

// writeJSON encodes v as the JSON body of a response with this status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := marshal(v)
	if err != nil {
		// Every value written here is a plain struct of the package; an
		// encoding failure is a bug, answered as Flinks answers its own.
		body = []byte(`{"HttpStatusCode":500,"FlinksCode":"AGGREGATION_ERROR","Message":"the mock could not encode its answer"}`)
		status = http.StatusInternalServerError
	}
	writeBody(w, status, body)
}

// writeBody sends an already encoded JSON body.
func writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
