package mockserver

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/flinks-mock/flinks-mock/openapi"
)

// link is one entry of a Flinks "Links" array.
type link struct {
	Rel     string  `json:"rel"`
	Href    string  `json:"href"`
	Example *string `json:"example"`
}

// flinksError is an error answer: the Flinks envelope plus its status.
type flinksError struct {
	Status     int    `json:"HttpStatusCode"`
	FlinksCode string `json:"FlinksCode"`
	Message    string `json:"Message"`
	RequestID  string `json:"RequestId,omitempty"`
}

// codeError builds the error answer of a FlinksCode with its status (as the
// library's settings say) and a message (the code's default when empty).
func (s *Server) codeError(code, message, requestID string) *flinksError {
	if message == "" {
		c, _ := openapi.LookupCode(code)
		message = c.Message
	}
	return &flinksError{Status: s.lib.Settings.Status(code), FlinksCode: code, Message: message, RequestID: requestID}
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

// writeJSON encodes v as the JSON body of a response with this status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
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
