package openapi

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

const (
	adminBase = "http://127.0.0.1:41234/__admin/"
	customer  = "43387ca6-0391-4c82-857d-70d95f087ecb"
	yamlCT    = "application/yaml"

	scenarioYAML = "logins:\n  - name: jane\n    username: jane_doe\n    loginId: 3f1e7a52-8c4d-4b9e-a1f0-6d2c5b8e9a17\n    generate: {seed: 7, chequing: 1}\n"
	scenarioJSON = `{"logins":[{"name":"jane","username":"jane_doe","loginId":"3f1e7a52-8c4d-4b9e-a1f0-6d2c5b8e9a17","generate":{"seed":7,"chequing":1}}]}`
)

// newAdminRequest builds a request to the admin API; contentType "" sends
// no Content-Type.
func newAdminRequest(method, target, contentType, body string) *http.Request {
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, adminBase+target, nil)
	} else {
		r = httptest.NewRequest(method, adminBase+target, strings.NewReader(body))
	}
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

func TestAdminValidateRequestAcceptsValidRequests(t *testing.T) {
	s := loadAdmin(t)
	tests := []struct {
		name, method, target, contentType, body string
	}{
		{"health", http.MethodGet, "health", "", ""},
		{"the document", http.MethodGet, "openapi.yaml", "", ""},
		{"list every login", http.MethodGet, "scenarios", "", ""},
		{"list a customer's logins", http.MethodGet, "scenarios?customerId=" + customer, "", ""},
		{"add a YAML scenario file", http.MethodPost, "scenarios?customerId=" + customer, yamlCT, scenarioYAML},
		{"add as application/x-yaml", http.MethodPost, "scenarios?customerId=c", "application/x-yaml", scenarioYAML},
		{"add as text/yaml with a charset", http.MethodPost, "scenarios?customerId=c", "text/yaml; charset=utf-8", scenarioYAML},
		{"add a JSON scenario file", http.MethodPost, "scenarios?customerId=c", jsonCT, scenarioJSON},
		// The handler decodes the file and reports its problems by line.
		{"add YAML that does not parse", http.MethodPost, "scenarios?customerId=c", yamlCT, "logins: [\n"},
		{"add a file with unknown fields", http.MethodPost, "scenarios?customerId=c", jsonCT, `{"logins":[{"nickname":1}]}`},
		{"remove one login", http.MethodDelete, "scenarios?customerId=c&name=jane", "", ""},
		{"remove every run-time login", http.MethodDelete, "scenarios?customerId=c", "", ""},
		{"reset everyone", http.MethodPost, "reset", "", ""},
		{"reset one customer", http.MethodPost, "reset?customerId=c", "", ""},
		{"whole journal", http.MethodGet, "journal", "", ""},
		{"journal with every filter", http.MethodGet, "journal?customerId=c&requestId=r&loginId=l&endpoint=Authorize&kind=webhook&since=41&limit=10", "", ""},
		{"journal since a time", http.MethodGet, "journal?since=2025-10-30T04:04:31.5Z", "", ""},
		{"journal since a time with an offset", http.MethodGet, "journal?since=2025-10-30T04:04:31%2B02:00", "", ""},
		{"clear the journal", http.MethodDelete, "journal", "", ""},
		{"clear one customer's journal", http.MethodDelete, "journal?customerId=c", "", ""},
		{"read the clock", http.MethodGet, "clock", "", ""},
		{"advance", http.MethodPost, "clock/advance", jsonCT, `{"by":"10m"}`},
		{"advance by a compound duration", http.MethodPost, "clock/advance", jsonCT, `{"by":"1h30m0.5s"}`},
		{"advance by zero", http.MethodPost, "clock/advance", jsonCT, `{"by":"0"}`},
		{"advance without Content-Type", http.MethodPost, "clock/advance", "", `{"by":"500ms"}`},
		{"set", http.MethodPost, "clock/set", jsonCT, `{"now":"2025-10-30T05:00:00Z"}`},
		{"set with an offset and nanoseconds", http.MethodPost, "clock/set", jsonCT, `{"now":"2025-10-30T05:00:00.123456789-04:00"}`},
		{"webhook targets", http.MethodGet, "webhooks/targets?customerId=c", "", ""},
		{"set webhook targets", http.MethodPut, "webhooks/targets?customerId=c", jsonCT, `{"targets":[{"url":"http://127.0.0.1:9000/hook","secret":"s"},{"url":"https://hooks.example.test/x"}]}`},
		{"stop webhooks", http.MethodPut, "webhooks/targets?customerId=c", jsonCT, `{"targets":[]}`},
		{"deliveries", http.MethodGet, "webhooks/deliveries", "", ""},
		{"deliveries filtered", http.MethodGet, "webhooks/deliveries?customerId=c&requestId=r&status=failed", "", ""},
		{"fire", http.MethodPost, "webhooks/fire", jsonCT, `{"customerId":"c"}`},
		{"resend", http.MethodPost, "webhooks/resend", jsonCT, `{"deliveryId":"d"}`},
		{"fire with everything", http.MethodPost, "webhooks/fire", jsonCT, `{"customerId":"c","requestId":"r","loginId":"l","responseType":"KYC","url":"http://127.0.0.1:9000/hook","body":{"ResponseType":"KYC"}}`},
		{"unknown path is the server's business", http.MethodGet, "nothing", jsonCT, `not json`},
		{"wrong method is the server's business", http.MethodPatch, "clock", jsonCT, `not json`},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newAdminRequest(tt.method, tt.target, tt.contentType, tt.body)
			if route, _, err := s.router.FindRoute(r); err == nil {
				covered[route.Operation.OperationID] = true
			}
			if err := s.ValidateRequest(r); err != nil {
				t.Fatalf("ValidateRequest = %d %s %q (details %q), want nil", err.Status, err.FlinksCode, err.Message, err.Details)
			}
			if got := readBody(t, r); got != tt.body {
				t.Errorf("body after validation = %q, want %q", got, tt.body)
			}
		})
	}
	for _, path := range s.doc.Paths.InMatchingOrder() {
		for method, op := range s.doc.Paths.Value(path).Operations() {
			if !covered[op.OperationID] {
				t.Errorf("no valid request of %s %s (%s) is tested", method, path, op.OperationID)
			}
		}
	}
}

func TestAdminValidateRequestRejectsInvalidRequests(t *testing.T) {
	s := loadAdmin(t)
	tests := []struct {
		name, method, target, contentType, body string
		wantStatus                              int
		wantMessage                             string
		wantDetails                             []string
	}{
		{
			name: "advance by a number", method: http.MethodPost, target: "clock/advance", contentType: jsonCT,
			body:       `{"by": 10}`,
			wantStatus: 400, wantMessage: `Request body: "by" must be a string, not a number`,
		},
		{
			name: "advance by a negative duration", method: http.MethodPost, target: "clock/advance", contentType: jsonCT,
			body:       `{"by": "-5m"}`,
			wantStatus: 400, wantMessage: `Request body: "by" must be a Go duration that is not negative, such as "10m" or "1h30m"`,
		},
		{
			name: "advance by days", method: http.MethodPost, target: "clock/advance", contentType: jsonCT,
			body:       `{"by": "2d"}`,
			wantStatus: 400, wantMessage: `Request body: "by" must be a Go duration that is not negative, such as "10m" or "1h30m"`,
		},
		{
			name: "advance without by", method: http.MethodPost, target: "clock/advance", contentType: jsonCT,
			body:       `{"By": "10m"}`,
			wantStatus: 400, wantMessage: `Request body has 2 problems: "By" is not allowed; "by" is required`,
			wantDetails: []string{`Request body: "By" is not allowed`, `Request body: "by" is required`},
		},
		{
			name: "advance without a body", method: http.MethodPost, target: "clock/advance", contentType: jsonCT,
			wantStatus: 400, wantMessage: `Request body is required: send a JSON object`,
		},
		{
			name: "advance with truncated JSON", method: http.MethodPost, target: "clock/advance", contentType: jsonCT,
			body:       `{"by":`,
			wantStatus: 400, wantMessage: `Request body is not valid JSON: unexpected end of JSON input at offset 6`,
		},
		{
			name: "set to a non-date", method: http.MethodPost, target: "clock/set", contentType: jsonCT,
			body:       `{"now": "tomorrow"}`,
			wantStatus: 400, wantMessage: `Request body: "now" must be an RFC 3339 date-time such as "2025-10-30T04:04:31Z"`,
		},
		{
			name: "set to a date without time", method: http.MethodPost, target: "clock/set", contentType: jsonCT,
			body:       `{"now": "2025-10-30"}`,
			wantStatus: 400, wantMessage: `Request body: "now" must be an RFC 3339 date-time such as "2025-10-30T04:04:31Z"`,
		},
		{
			name: "journal limit 0", method: http.MethodGet, target: "journal?limit=0",
			wantStatus: 400, wantMessage: `Query parameter "limit" must be at least 1`,
		},
		{
			name: "journal limit not a number", method: http.MethodGet, target: "journal?limit=ten",
			wantStatus: 400, wantMessage: `Query parameter "limit" must be an integer`,
		},
		{
			name: "journal of an unknown kind", method: http.MethodGet, target: "journal?kind=delivery",
			wantStatus: 400, wantMessage: `Query parameter "kind" must be one of "request" or "webhook", not "delivery"`,
		},
		{
			name: "journal since yesterday", method: http.MethodGet, target: "journal?since=yesterday",
			wantStatus: 400, wantMessage: `Query parameter "since" must be a sequence number or an RFC 3339 time such as "2025-10-30T04:04:31Z"`,
		},
		{
			name: "journal since a time whose + became a space", method: http.MethodGet, target: "journal?since=2025-10-30T04:04:31+02:00",
			wantStatus: 400, wantMessage: `Query parameter "since" must be a sequence number or an RFC 3339 time such as "2025-10-30T04:04:31Z"`,
		},
		{
			name: "journal with two problems", method: http.MethodGet, target: "journal?kind=all&limit=-1",
			wantStatus:  400,
			wantMessage: `Request has 2 problems: Query parameter "kind" must be one of "request" or "webhook", not "all"; Query parameter "limit" must be at least 1`,
			wantDetails: []string{`Query parameter "kind" must be one of "request" or "webhook", not "all"`, `Query parameter "limit" must be at least 1`},
		},
		{
			name: "add scenarios without customerId", method: http.MethodPost, target: "scenarios", contentType: yamlCT,
			body:       scenarioYAML,
			wantStatus: 400, wantMessage: `Query parameter "customerId" is required`,
		},
		{
			name: "add scenarios with an empty customerId", method: http.MethodPost, target: "scenarios?customerId=", contentType: yamlCT,
			body:       scenarioYAML,
			wantStatus: 400, wantMessage: `Query parameter "customerId" must not be empty`,
		},
		{
			name: "add scenarios without a body", method: http.MethodPost, target: "scenarios?customerId=c", contentType: yamlCT,
			wantStatus: 400, wantMessage: `Request body is required: send it as application/json, application/x-yaml, application/yaml or text/yaml`,
		},
		{
			name: "add scenarios without anything", method: http.MethodPost, target: "scenarios",
			wantStatus:  400,
			wantMessage: `Request has 2 problems: Query parameter "customerId" is required; Request body is required: send it as application/json, application/x-yaml, application/yaml or text/yaml`,
			wantDetails: []string{`Query parameter "customerId" is required`, `Request body is required: send it as application/json, application/x-yaml, application/yaml or text/yaml`},
		},
		{
			name: "add scenarios as a form", method: http.MethodPost, target: "scenarios?customerId=c", contentType: "application/x-www-form-urlencoded",
			body:       scenarioYAML,
			wantStatus: 415, wantMessage: `Content-Type "application/x-www-form-urlencoded" is not supported: send the body as application/json, application/x-yaml, application/yaml or text/yaml`,
		},
		{
			name: "remove scenarios without customerId", method: http.MethodDelete, target: "scenarios?name=jane",
			wantStatus: 400, wantMessage: `Query parameter "customerId" is required`,
		},
		{
			name: "webhook targets without customerId", method: http.MethodGet, target: "webhooks/targets",
			wantStatus: 400, wantMessage: `Query parameter "customerId" is required`,
		},
		{
			name: "webhook target that is no URL", method: http.MethodPut, target: "webhooks/targets?customerId=c", contentType: jsonCT,
			body:       `{"targets":[{"url":"http://127.0.0.1:9000/ok"},{"url":"localhost:9000"}]}`,
			wantStatus: 400, wantMessage: `Request body: "targets[1].url" must be an absolute http or https URL such as "http://127.0.0.1:9000/webhook"`,
		},
		{
			name: "webhook target with a secretSet", method: http.MethodPut, target: "webhooks/targets?customerId=c", contentType: jsonCT,
			body:       `{"targets":[{"url":"http://127.0.0.1:9000/ok","secretSet":true}]}`,
			wantStatus: 400, wantMessage: `Request body: "targets[0].secretSet" is not allowed`,
		},
		{
			name: "deliveries of an unknown status", method: http.MethodGet, target: "webhooks/deliveries?status=done",
			wantStatus: 400, wantMessage: `Query parameter "status" must be one of "pending", "delivered", "failed" or "dropped", not "done"`,
		},
		{
			name: "fire an unknown response type", method: http.MethodPost, target: "webhooks/fire", contentType: jsonCT,
			body:       `{"customerId":"c","responseType":"Investments"}`,
			wantStatus: 400, wantMessage: `Request body: "responseType" must be one of "GetAccountsDetail" or "KYC", not "Investments"`,
		},
		{
			name: "resend without deliveryId", method: http.MethodPost, target: "webhooks/resend", contentType: jsonCT,
			body: `{}`, wantStatus: 400, wantMessage: `Request body: "deliveryId" is required`,
		},
		{
			name: "fire without customerId", method: http.MethodPost, target: "webhooks/fire", contentType: jsonCT,
			body:        `{"body":[]}`,
			wantStatus:  400,
			wantMessage: `Request body has 2 problems: "body" must be an object, not an array; "customerId" is required`,
			wantDetails: []string{`Request body: "body" must be an object, not an array`, `Request body: "customerId" is required`},
		},
		{
			name: "fire as YAML", method: http.MethodPost, target: "webhooks/fire", contentType: yamlCT,
			body:       "customerId: c\n",
			wantStatus: 415, wantMessage: `Content-Type "application/yaml" is not supported: send the body as application/json`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newAdminRequest(tt.method, tt.target, tt.contentType, tt.body)
			err := s.ValidateRequest(r)
			if err == nil {
				t.Fatalf("ValidateRequest = nil, want %d %q", tt.wantStatus, tt.wantMessage)
			}
			if err.Status != tt.wantStatus || err.FlinksCode != "INVALID_REQUEST" || err.Message != tt.wantMessage {
				t.Errorf("ValidateRequest =\n  %d %s %q\nwant\n  %d INVALID_REQUEST %q", err.Status, err.FlinksCode, err.Message, tt.wantStatus, tt.wantMessage)
			}
			if !slices.Equal(err.Details, tt.wantDetails) {
				t.Errorf("Details = %q, want %q", err.Details, tt.wantDetails)
			}
			if got := readBody(t, r); got != tt.body {
				t.Errorf("body after validation = %q, want %q", got, tt.body)
			}
		})
	}
}

// TestAdminValidateRequestTakesABodyWithoutContentType: a scenario file is
// read as YAML (which reads JSON too), any other body as JSON.
func TestAdminValidateRequestTakesABodyWithoutContentType(t *testing.T) {
	s := loadAdmin(t)
	tests := []struct {
		target, body, want string
	}{
		{"scenarios?customerId=c", scenarioYAML, "application/yaml"},
		{"scenarios?customerId=c", scenarioJSON, "application/yaml"},
		{"clock/advance", `{"by":"1m"}`, "application/json"},
	}
	for _, tt := range tests {
		r := newAdminRequest(http.MethodPost, tt.target, "", tt.body)
		if err := s.ValidateRequest(r); err != nil {
			t.Fatalf("POST %s: ValidateRequest = %q, want nil", tt.target, err.Message)
		}
		if got := r.Header.Get("Content-Type"); got != tt.want {
			t.Errorf("POST %s: Content-Type after validation = %q, want %s", tt.target, got, tt.want)
		}
	}
}

// TestAdminValidateRequestLeavesTheTokenToTheServer: validation neither
// needs the admin token nor minds one.
func TestAdminValidateRequestLeavesTheTokenToTheServer(t *testing.T) {
	s := loadAdmin(t)
	for _, auth := range []string{"", "Bearer 0123456789abcdef", "Basic dXNlcjpwYXNz", "garbage"} {
		r := newAdminRequest(http.MethodGet, "journal?limit=5", "", "")
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		if err := s.ValidateRequest(r); err != nil {
			t.Errorf("Authorization %q: ValidateRequest = %q, want nil", auth, err.Message)
		}
	}
}

func TestAdminValidateRequestReportsABodyOverTheLimit(t *testing.T) {
	s := loadAdmin(t)
	for _, target := range []string{"scenarios?customerId=c", "clock/advance", "reset"} {
		t.Run(target, func(t *testing.T) {
			r := newAdminRequest(http.MethodPost, target, yamlCT, scenarioYAML)
			r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 32)
			err := s.ValidateRequest(r)
			if err == nil {
				t.Fatal("ValidateRequest = nil, want 413")
			}
			if err.Status != http.StatusRequestEntityTooLarge || err.FlinksCode != "INVALID_REQUEST" || err.Message != "Request body is larger than the limit of 32 bytes" {
				t.Errorf("ValidateRequest = %d %s %q", err.Status, err.FlinksCode, err.Message)
			}
		})
	}
}

// TestAdminMiddleware: the same Middleware serves both documents, with the
// admin document's status.
func TestAdminMiddleware(t *testing.T) {
	s := loadAdmin(t)
	var written *RequestError
	h := s.Middleware(func(w http.ResponseWriter, r *http.Request, err *RequestError) {
		written = err
		w.WriteHeader(err.Status)
	})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, newAdminRequest(http.MethodGet, "journal?limit=0", "", ""))
	if w.Code != http.StatusBadRequest || written == nil || written.Message != `Query parameter "limit" must be at least 1` {
		t.Errorf("invalid request: status %d, written %+v; want 400 from write", w.Code, written)
	}
	written = nil
	w = httptest.NewRecorder()
	h.ServeHTTP(w, newAdminRequest(http.MethodGet, "journal?limit=1", "", ""))
	if w.Code != http.StatusOK || written != nil {
		t.Errorf("valid request: status %d, written %+v; want 200 from next", w.Code, written)
	}
}
