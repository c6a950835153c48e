package mockserver

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
)

// adminJSONBody reads a JSON body on the admin API whatever its
// Content-Type says, as WireMock's admin API does: curl -d sends a JSON
// body as a form, and a person who typed the command meant JSON. A body
// that is not JSON keeps its Content-Type, so a YAML scenario file sent as
// text/plain is still refused with the types the endpoint takes. The
// Flinks endpoints keep Flinks' own behaviour and never pass here.
func adminJSONBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && mt == "application/json" {
			next.ServeHTTP(w, r)
			return
		}
		// readBody has read the body into memory, bounded; reading it
		// again costs a copy.
		body, err := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err == nil && len(bytes.TrimSpace(body)) > 0 && json.Valid(body) {
			r.Header.Set("Content-Type", "application/json")
		}
		next.ServeHTTP(w, r)
	})
}
