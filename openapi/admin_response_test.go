package openapi

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

const (
	clockJSON    = `{"mode":"virtual","now":"2025-10-30T04:14:31.123456789Z"}`
	entryJSON    = `{"seq":41,"time":"2025-10-30T04:04:31.077-04:00","kind":"request","customerId":"c","method":"POST","path":"/v3/c/BankingServices/Authorize","endpoint":"Authorize","requestId":"r","loginId":"l","token":"reused","tokenRef":"9f2c41aa","apiKey":true,"body":"{}","mode":"cached","answered":["q"],"challenges":["q"],"status":401,"flinksCode":"ACCESS_DENIED","latencyNs":0}`
	webhookEntry = `{"seq":42,"time":"2025-10-30T04:04:32Z","kind":"webhook","method":"POST","path":"/hook","url":"http://127.0.0.1:9000/hook","attempt":2,"responseType":"KYC","error":"connection refused","deliveryId":"d1","status":0,"latencyNs":1200}`
	deliveryJSON = `{"id":"d1","customerId":"c","url":"http://127.0.0.1:9000/hook","responseType":"GetAccountsDetail","requestId":"r","loginId":"l","state":"pending","attempts":[{"attempt":1,"time":"2025-10-30T04:04:32Z","status":500,"error":"answered 500","durationNs":3100000}],"nextAttempt":"2025-10-30T04:34:32Z"}`
	listingJSON  = `{"name":"greatday","description":"d","username":"Greatday","password":"Everyday","loginId":"06471b6b-2212-4e49-bff0-250437191029","institution":"FlinksCapital","tokenRequired":true,"mfa":"live","prompts":["What shape do people like most?"],"source":"library/toolbox.yaml"}`
	problemsJSON = `{"HttpStatusCode":400,"FlinksCode":"INVALID_REQUEST","Message":"The scenario file has 2 problems","ValidationDetails":{"problems":[{"file":"","line":4,"path":"logins[0].loginId","message":"required"},{"message":"the file is empty"}]}}`
)

func TestAdminValidateResponseAcceptsWhatTheServerSends(t *testing.T) {
	s := loadAdmin(t)
	tests := []struct {
		name, method, target string
		status               int
		contentType, body    string
	}{
		{"health", http.MethodGet, "health", 200, "", `{"status":"ok"}`},
		{"the document as served", http.MethodGet, "openapi.yaml", 200, "application/yaml; charset=utf-8", string(AdminDocument())},
		{"listing", http.MethodGet, "scenarios?customerId=c", 200, "", `[` + listingJSON + `,{"name":"jane","username":"u","password":"p","loginId":"l","institution":"FlinksCapital","tokenRequired":false,"source":"runtime"}]`},
		{"empty listing", http.MethodGet, "scenarios", 200, "", `[]`},
		{"convention listing", http.MethodGet, "scenarios", 200, "", `[{"name":"pending_3","description":"d","username":"pending_3","password":"Everyday","loginId":"971272fd-9547-5ff8-8400-0000c0000000","institution":"FlinksCapital","tokenRequired":true,"source":"convention","convention":"pending_<n>"}]`},
		{"added", http.MethodPost, "scenarios?customerId=c", 200, "", `{"customerId":"c","added":["jane"],"replaced":[]}`},
		{"refused file", http.MethodPost, "scenarios?customerId=c", 400, "", problemsJSON},
		{"unsupported media type", http.MethodPost, "scenarios?customerId=c", 415, "", `{"HttpStatusCode":415,"FlinksCode":"INVALID_REQUEST","Message":"m"}`},
		{"removed", http.MethodDelete, "scenarios?customerId=c&name=jane", 200, "", `{"customerId":"c","removed":["jane"]}`},
		{"nothing to remove", http.MethodDelete, "scenarios?customerId=c&name=joe", 404, "", `{"HttpStatusCode":404,"FlinksCode":"INVALID_REQUEST","Message":"m"}`},
		{"token missing", http.MethodDelete, "scenarios?customerId=c", 401, "", `{"HttpStatusCode":401,"FlinksCode":"ACCESS_DENIED","Message":"m"}`},
		{"reset", http.MethodPost, "reset", 200, "", `{"reset":["a","b"]}`},
		{"journal", http.MethodGet, "journal", 200, "", `{"entries":[` + entryJSON + `,` + webhookEntry + `],"dropped":3,"total":5}`},
		{"empty journal", http.MethodGet, "journal?limit=1", 200, "", `{"entries":[],"dropped":0,"total":1}`},
		{"cleared", http.MethodDelete, "journal", 200, "", `{"cleared":0}`},
		{"clock", http.MethodGet, "clock", 200, "", clockJSON},
		{"real clock", http.MethodGet, "clock", 200, "", `{"mode":"real","now":"2025-10-30T04:14:31.5+02:00"}`},
		{"advanced", http.MethodPost, "clock/advance", 200, "", clockJSON},
		{"real clock cannot move", http.MethodPost, "clock/set", 409, "", `{"HttpStatusCode":409,"FlinksCode":"INVALID_REQUEST","Message":"m"}`},
		{"targets", http.MethodGet, "webhooks/targets?customerId=c", 200, "", `{"customerId":"c","targets":[{"url":"http://127.0.0.1:9000/hook","secretSet":true}]}`},
		{"targets set", http.MethodPut, "webhooks/targets?customerId=c", 200, "", `{"customerId":"c","targets":[]}`},
		{"deliveries", http.MethodGet, "webhooks/deliveries", 200, "", `{"deliveries":[` + deliveryJSON + `]}`},
		{"fired", http.MethodPost, "webhooks/fire", 200, "", deliveryJSON},
		{"re-sent", http.MethodPost, "webhooks/resend", 200, "", strings.Replace(deliveryJSON, `"durationNs":`, `"resent":true,"durationNs":`, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := jsonHeader()
			if tt.contentType != "" {
				header = http.Header{"Content-Type": {tt.contentType}}
			}
			req := httptest.NewRequest(tt.method, adminBase+tt.target, nil)
			if err := s.ValidateResponse(req, tt.status, header, []byte(tt.body)); err != nil {
				t.Errorf("ValidateResponse: %v", err)
			}
		})
	}
}

func TestAdminValidateResponseRejectsDrift(t *testing.T) {
	s := loadAdmin(t)
	tests := []struct {
		name, method, target string
		status               int
		contentType, body    string
		want                 string
	}{
		{
			name: "health with another word", method: http.MethodGet, target: "health", status: 200,
			body: `{"status":"up"}`,
			want: `GET /__admin/health answered 200 with a body that does not match Health: "status" must be "ok", not "up"`,
		},
		{
			name: "listing without source", method: http.MethodGet, target: "scenarios", status: 200,
			body: `[` + strings.Replace(listingJSON, `,"source":"library/toolbox.yaml"`, "", 1) + `]`,
			want: `GET /__admin/scenarios answered 200 with a body that does not match its schema: "[0].source" is required`,
		},
		{
			name: "listing with a convention that is not a string", method: http.MethodGet, target: "scenarios", status: 200,
			body: `[` + strings.Replace(listingJSON, `"source":"library/toolbox.yaml"`, `"source":"convention","convention":{"form":"pending_<n>"}`, 1) + `]`,
			want: `"[0].convention" must be a string, not an object`,
		},
		{
			name: "listing with an MFA struct", method: http.MethodGet, target: "scenarios", status: 200,
			body: `[` + strings.Replace(listingJSON, `"mfa":"live"`, `"mfa":{"when":"live"}`, 1) + `]`,
			want: `"[0].mfa" must be one of "live" or "always", not an object`,
		},
		{
			name: "journal entry with a Go-named field", method: http.MethodGet, target: "journal", status: 200,
			body: `{"entries":[` + strings.Replace(entryJSON, `"latencyNs":0`, `"Latency":0`, 1) + `],"dropped":0,"total":1}`,
			want: `GET /__admin/journal answered 200 with a body that does not match Journal: "entries[0].Latency" is not allowed`,
		},
		{
			name: "journal entry of an unknown token state", method: http.MethodGet, target: "journal", status: 200,
			body: `{"entries":[` + strings.Replace(entryJSON, `"reused"`, `"stale"`, 1) + `],"dropped":0,"total":1}`,
			want: `"entries[0].token" must be one of "missing", "fresh", "reused", "expired", "unknown" or "secret", not "stale"`,
		},
		{
			name: "journal without dropped", method: http.MethodGet, target: "journal", status: 200,
			body: `{"entries":[]}`,
			want: `does not match Journal: "dropped" is required`,
		},
		{
			name: "clock time without zone", method: http.MethodGet, target: "clock", status: 200,
			body: `{"mode":"virtual","now":"2025-10-30T04:14:31"}`,
			want: `GET /__admin/clock answered 200 with a body that does not match Clock: "now" must be an RFC 3339 date-time such as "2025-10-30T04:04:31Z"`,
		},
		{
			name: "targets that leak the secret", method: http.MethodGet, target: "webhooks/targets?customerId=c", status: 200,
			body: `{"customerId":"c","targets":[{"url":"http://127.0.0.1:9000/hook","secret":"s","secretSet":true}]}`,
			want: `does not match WebhookTargets: "targets[0].secret" is not allowed`,
		},
		{
			name: "delivery in an unknown state", method: http.MethodPost, target: "webhooks/fire", status: 200,
			body: strings.Replace(deliveryJSON, `"pending"`, `"retrying"`, 1),
			want: `does not match Delivery: "state" must be one of "pending", "delivered", "failed" or "dropped", not "retrying"`,
		},
		{
			name: "problem with an unknown field", method: http.MethodPost, target: "scenarios?customerId=c", status: 400,
			body: strings.Replace(problemsJSON, `"message":"required"`, `"message":"required","column":3`, 1),
			want: `does not match Error: "ValidationDetails.problems[0].column" is not allowed`,
		},
		{
			name: "error with a RequestId", method: http.MethodPost, target: "clock/advance", status: 409,
			body: `{"HttpStatusCode":409,"FlinksCode":"INVALID_REQUEST","Message":"m","RequestId":"r"}`,
			want: `does not match Error: "RequestId" is not allowed`,
		},
		{
			name: "HttpStatusCode differs from the status", method: http.MethodPost, target: "clock/advance", status: 409,
			body: `{"HttpStatusCode":400,"FlinksCode":"INVALID_REQUEST","Message":"m"}`,
			want: `POST /__admin/clock/advance answered 409 but its body says "HttpStatusCode": 400: the two must be equal`,
		},
		{
			name: "undeclared status", method: http.MethodPost, target: "clock/advance", status: 500,
			body: `{"HttpStatusCode":500,"FlinksCode":"AGGREGATION_ERROR","Message":"m"}`,
			want: `POST /__admin/clock/advance answered 500, a status the document does not declare for AdvanceClock (it declares 200, 400, 401, 403, 409, 413, 415)`,
		},
		{
			name: "the document as JSON", method: http.MethodGet, target: "openapi.yaml", status: 200,
			body: `{}`,
			want: `GET /__admin/openapi.yaml answered 200 with Content-Type "application/json; charset=utf-8": the document declares application/yaml`,
		},
		{
			name: "the document cut short", method: http.MethodGet, target: "openapi.yaml", status: 200, contentType: "application/yaml",
			body: "openapi: [\n",
			want: `GET /__admin/openapi.yaml answered 200 with a body that is not valid application/yaml: `,
		},
		{
			name: "the Flinks document instead", method: http.MethodGet, target: "openapi.yaml", status: 200, contentType: "application/yaml",
			body: strings.Replace(string(Document()), "openapi: 3.0.3", "openapi: 3.1.0", 1),
			want: `does not match OpenAPIDocument: "openapi" must be "3.0.3", not "3.1.0"`,
		},
		{
			name: "health as text", method: http.MethodGet, target: "health", status: 200, contentType: "text/plain",
			body: "ok",
			want: `GET /__admin/health answered 200 with Content-Type "text/plain": the document declares application/json`,
		},
		{
			name: "health that is not JSON", method: http.MethodGet, target: "health", status: 200,
			body: `{"status":"ok"`,
			want: `GET /__admin/health answered 200 with a body that is not valid JSON: unexpected end of JSON input at offset 14`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := jsonHeader()
			if tt.contentType != "" {
				header = http.Header{"Content-Type": {tt.contentType}}
			}
			req := httptest.NewRequest(tt.method, adminBase+tt.target, nil)
			err := s.ValidateResponse(req, tt.status, header, []byte(tt.body))
			if err == nil {
				t.Fatalf("ValidateResponse = nil, want an error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ValidateResponse =\n  %v\nwant it to contain\n  %s", err, tt.want)
			}
		})
	}
}

func TestAdminValidateResponseOfAnUnknownPath(t *testing.T) {
	s := loadAdmin(t)
	req := httptest.NewRequest(http.MethodGet, adminBase+"stats", nil)
	err := s.ValidateResponse(req, 200, jsonHeader(), []byte(`{}`))
	if err == nil || !strings.Contains(err.Error(), "GET /__admin/stats matches no operation of the admin document") {
		t.Errorf("ValidateResponse = %v, want an error naming the missing operation", err)
	}
}

// TestAdminValidateResponseAcceptsEveryExample replays each response
// example of the admin document through ValidateResponse, as the server
// would send it.
func TestAdminValidateResponseAcceptsEveryExample(t *testing.T) {
	s := loadAdmin(t)
	// The admin document declares exact statuses only: a range would let
	// an answer drift unseen.
	for _, path := range s.doc.Paths.InMatchingOrder() {
		for method, op := range s.doc.Paths.Value(path).Operations() {
			for _, code := range op.Responses.Keys() {
				if _, err := strconv.Atoi(code); err != nil {
					t.Errorf("%s %s declares %s: the admin document declares exact statuses", method, path, code)
				}
			}
		}
	}
	replayExamples(t, s, 30)
}

func TestAdminSpecValidatesNoWebhook(t *testing.T) {
	s := loadAdmin(t)
	err := s.ValidateWebhook(WebhookKYC, []byte(`{}`))
	if err == nil || !strings.Contains(err.Error(), "the admin document describes no webhook bodies; validate webhooks with the Spec of Load") {
		t.Errorf("ValidateWebhook = %v, want an error pointing to Load", err)
	}
}
