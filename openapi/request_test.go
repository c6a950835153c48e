package openapi

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
)

const (
	base      = "http://127.0.0.1:41234/v3/43387ca6-0391-4c82-857d-70d95f087ecb/BankingServices/"
	requestID = "b851931b-7d7c-4279-9b82-344c0e846b52"
	secretKey = "c4569c54-e167-4d34-8de6-f4113bc82414"
)

// newRequest builds a request; contentType "" sends no Content-Type.
func newRequest(method, endpoint, contentType, body string) *http.Request {
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, base+endpoint, nil)
	} else {
		r = httptest.NewRequest(method, base+endpoint, strings.NewReader(body))
	}
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	r.Header.Set("flinks-auth-key", secretKey)
	return r
}

const jsonCT = "application/json"

func TestValidateRequestAcceptsValidRequests(t *testing.T) {
	s := loadSpec(t)
	tests := []struct {
		name, method, endpoint, contentType, body string
	}{
		{"GenerateAuthorizeToken without a body", http.MethodPost, "GenerateAuthorizeToken", "", ""},
		{"GenerateAuthorizeToken ignores any body", http.MethodPost, "GenerateAuthorizeToken", "text/plain", "hello"},
		{"Authorize cached", http.MethodPost, "Authorize", jsonCT, `{"LoginId":"396fc774-7f7a-4c31-7c44-08da172863b5","MostRecentCached":true,"Save":true}`},
		{"Authorize with an unknown LoginId that is no UUID", http.MethodPost, "Authorize", jsonCT, `{"LoginId":"not-a-uuid","MostRecentCached":true}`},
		{"Authorize legacy with lower-case fields", http.MethodPost, "Authorize", jsonCT, `{"username":"Greatday","Password":"Everyday","institution":"FlinksCapital","MostRecentCached":false,"enhancedMFA":true}`},
		{"Authorize answering MFA", http.MethodPost, "Authorize", jsonCT, `{"RequestId":"` + requestID + `","MostRecentCached":false,"SecurityResponses":{"What shape do people like most?":["Triangle"]}}`},
		{"Authorize with every flag", http.MethodPost, "Authorize", "application/json; charset=utf-8", `{"LoginId":"x","MostRecentCached":false,"Language":"fr","Save":true,"Tag":"t","WithMFAQuestions":true,"ScheduleRefresh":false,"DirectRefresh":true,"WithTransactions":true,"WithBalance":true}`},
		{"Authorize with booleans as strings, as Flinks' legacy example and C# SDK send them", http.MethodPost, "Authorize", jsonCT, `{"LoginId":"x","MostRecentCached":"true","Save":"false","WithMFAQuestions":"false","ScheduleRefresh":"true"}`},
		{"Authorize without Content-Type", http.MethodPost, "Authorize", "", `{"LoginId":"x","MostRecentCached":true}`},
		{"Authorize with an empty JSON object", http.MethodPost, "Authorize", jsonCT, `{}`},
		{"GetAccountsDetail minimal", http.MethodPost, "GetAccountsDetail", jsonCT, `{"RequestId":"` + requestID + `"}`},
		{"GetAccountsDetail with every option", http.MethodPost, "GetAccountsDetail", jsonCT, `{"RequestId":"x","WithAccountIdentity":true,"WithKYC":true,"WithTransactions":true,"WithBalance":true,"WithDetailsAndBankingStatements":false,"MostRecentCached":true,"DaysOfTransactions":"Days365","AccountsFilter":["a","b"],"NumberOfBankingStatements":"MostRecent","DateFrom":"2025-01-01"}`},
		{"GetAccountsDetailAsync by GET", http.MethodGet, "GetAccountsDetailAsync/" + requestID, "", ""},
		{"GetAccountsDetailAsync by POST without a body", http.MethodPost, "GetAccountsDetailAsync/" + requestID, "", ""},
		{"GetAccountsDetailAsync by POST with a body", http.MethodPost, "GetAccountsDetailAsync/" + requestID, jsonCT, `{"RequestId":"x"}`},
		{"GetAccountsSummary", http.MethodPost, "GetAccountsSummary", jsonCT, `{"RequestId":"x","WithBalance":true,"WithAccountIdentity":false}`},
		{"GetAccountsSummaryAsync by GET", http.MethodGet, "GetAccountsSummaryAsync/" + requestID, "", ""},
		{"GetAccountsSummaryAsync by POST", http.MethodPost, "GetAccountsSummaryAsync/" + requestID, "", ""},
		{"unknown endpoint is the server's business", http.MethodPost, "AuthorizeMultiple", jsonCT, `not json`},
		{"wrong method is the server's business", http.MethodDelete, "Authorize", jsonCT, `not json`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest(tt.method, tt.endpoint, tt.contentType, tt.body)
			if err := s.ValidateRequest(r); err != nil {
				t.Fatalf("ValidateRequest = %d %s %q (details %q), want nil", err.Status, err.FlinksCode, err.Message, err.Details)
			}
			if got := readBody(t, r); got != tt.body {
				t.Errorf("body after validation = %q, want %q", got, tt.body)
			}
		})
	}
}

func readBody(t *testing.T, r *http.Request) string {
	t.Helper()
	if r.Body == nil {
		return ""
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatalf("read body after validation: %v", err)
	}
	return string(b)
}

func TestValidateRequestRejectsInvalidRequests(t *testing.T) {
	s := loadSpec(t)
	tests := []struct {
		name, method, endpoint, contentType, body string
		wantStatus                                int
		wantMessage                               string
		wantDetails                               []string
	}{
		{
			name: "truncated JSON", method: http.MethodPost, endpoint: "Authorize", contentType: jsonCT,
			body:       `{"LoginId": `,
			wantStatus: 401, wantMessage: `Request body is not valid JSON: unexpected end of JSON input at offset 12`,
		},
		{
			name: "trailing garbage after the JSON", method: http.MethodPost, endpoint: "GetAccountsDetail", contentType: jsonCT,
			body:       `{"RequestId":"x"} {}`,
			wantStatus: 401, wantMessage: `Request body is not valid JSON: invalid character '{' after top-level value at offset 19`,
		},
		{
			name: "boolean sent as a string to a data endpoint", method: http.MethodPost, endpoint: "GetAccountsDetail", contentType: jsonCT,
			body:       `{"RequestId":"x","WithTransactions":"true"}`,
			wantStatus: 401, wantMessage: `Request body: "WithTransactions" must be a boolean, not a string`,
		},
		{
			name: "MostRecentCached neither a boolean nor \"true\" or \"false\"", method: http.MethodPost, endpoint: "Authorize", contentType: jsonCT,
			body:       `{"LoginId":"x","MostRecentCached":"yes"}`,
			wantStatus: 401, wantMessage: `Request body: "MostRecentCached" is invalid: value doesn't match any schema from "oneOf"`,
		},
		{
			name: "missing RequestId", method: http.MethodPost, endpoint: "GetAccountsDetail", contentType: jsonCT,
			body:       `{"WithTransactions":true}`,
			wantStatus: 401, wantMessage: `Request body: "RequestId" is required`,
		},
		{
			name: "RequestId null", method: http.MethodPost, endpoint: "GetAccountsSummary", contentType: jsonCT,
			body:       `{"RequestId":null}`,
			wantStatus: 401, wantMessage: `Request body: "RequestId" must be a string, not null`,
		},
		{
			name: "RequestId a number", method: http.MethodPost, endpoint: "GetAccountsSummary", contentType: jsonCT,
			body:       `{"RequestId":42}`,
			wantStatus: 401, wantMessage: `Request body: "RequestId" must be a string, not a number`,
		},
		{
			name: "no body where one is required", method: http.MethodPost, endpoint: "GetAccountsDetail", contentType: jsonCT,
			body:       ``,
			wantStatus: 401, wantMessage: `Request body is required: send a JSON object`,
		},
		{
			name: "body is an array", method: http.MethodPost, endpoint: "Authorize", contentType: jsonCT,
			body:       `[]`,
			wantStatus: 401, wantMessage: `Request body must be an object, not an array`,
		},
		{
			name: "DaysOfTransactions Days30", method: http.MethodPost, endpoint: "GetAccountsDetail", contentType: jsonCT,
			body:       `{"RequestId":"x","DaysOfTransactions":"Days30"}`,
			wantStatus: 401, wantMessage: `Request body: "DaysOfTransactions" must be one of "Days90" or "Days365", not "Days30"`,
		},
		{
			name: "DaysOfTransactions a number", method: http.MethodPost, endpoint: "GetAccountsDetail", contentType: jsonCT,
			body:       `{"RequestId":"x","DaysOfTransactions":90}`,
			wantStatus: 401, wantMessage: `Request body: "DaysOfTransactions" must be one of "Days90" or "Days365", not a number`,
		},
		{
			name: "AccountsFilter a string", method: http.MethodPost, endpoint: "GetAccountsDetail", contentType: jsonCT,
			body:       `{"RequestId":"x","AccountsFilter":"a"}`,
			wantStatus: 401, wantMessage: `Request body: "AccountsFilter" must be an array, not a string`,
		},
		{
			name: "AccountsFilter item a number", method: http.MethodPost, endpoint: "GetAccountsDetail", contentType: jsonCT,
			body:       `{"RequestId":"x","AccountsFilter":["a",7]}`,
			wantStatus: 401, wantMessage: `Request body: "AccountsFilter[1]" must be a string, not a number`,
		},
		{
			name: "wrong content type", method: http.MethodPost, endpoint: "Authorize", contentType: "text/plain",
			body:       `{"LoginId":"x"}`,
			wantStatus: 415, wantMessage: `Content-Type "text/plain" is not supported: send the body as application/json`,
		},
		{
			name: "form content type", method: http.MethodPost, endpoint: "GetAccountsDetail", contentType: "application/x-www-form-urlencoded",
			body:       `RequestId=x`,
			wantStatus: 415, wantMessage: `Content-Type "application/x-www-form-urlencoded" is not supported: send the body as application/json`,
		},
		{
			name: "very long content type is cut short", method: http.MethodPost, endpoint: "Authorize", contentType: "text/" + strings.Repeat("x", 100),
			body:       `{}`,
			wantStatus: 415, wantMessage: `Content-Type "text/` + strings.Repeat("x", 59) + `…" is not supported: send the body as application/json`,
		},
		{
			name: "null body", method: http.MethodPost, endpoint: "Authorize", contentType: jsonCT,
			body:       `null`,
			wantStatus: 401, wantMessage: `Request body must be an object, not null`,
		},
		{
			name: "blank body", method: http.MethodPost, endpoint: "Authorize", contentType: jsonCT,
			body:       "  ",
			wantStatus: 401, wantMessage: `Request body is not valid JSON: unexpected end of JSON input at offset 2`,
		},
		{
			name: "SecurityResponses value not an array", method: http.MethodPost, endpoint: "Authorize", contentType: jsonCT,
			body:       `{"RequestId":"x","SecurityResponses":{"What shape do people like most?":"Triangle"}}`,
			wantStatus: 401, wantMessage: `Request body: "SecurityResponses.What shape do people like most?" must be an array, not a string`,
		},
		{
			name: "SecurityResponses not an object", method: http.MethodPost, endpoint: "Authorize", contentType: jsonCT,
			body:       `{"RequestId":"x","SecurityResponses":["Triangle"]}`,
			wantStatus: 401, wantMessage: `Request body: "SecurityResponses" must be an object, not an array`,
		},
		{
			name: "Language in capitals", method: http.MethodPost, endpoint: "Authorize", contentType: jsonCT,
			body:       `{"LoginId":"x","Language":"EN"}`,
			wantStatus: 401, wantMessage: `Request body: "Language" must be one of "en" or "fr", not "EN"`,
		},
		{
			name: "several problems at once", method: http.MethodPost, endpoint: "GetAccountsDetail", contentType: jsonCT,
			body:        `{"WithBalance":"yes","DaysOfTransactions":"Days30"}`,
			wantStatus:  401,
			wantMessage: `Request body has 3 problems: "DaysOfTransactions" must be one of "Days90" or "Days365", not "Days30"; "RequestId" is required; "WithBalance" must be a boolean, not a string`,
			wantDetails: []string{
				`Request body: "DaysOfTransactions" must be one of "Days90" or "Days365", not "Days30"`,
				`Request body: "RequestId" is required`,
				`Request body: "WithBalance" must be a boolean, not a string`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest(tt.method, tt.endpoint, tt.contentType, tt.body)
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
			if err.Error() != err.Message {
				t.Errorf("Error() = %q, want the Message", err.Error())
			}
			if strings.Contains(err.Message, secretKey) || slices.ContainsFunc(err.Details, func(d string) bool { return strings.Contains(d, secretKey) }) {
				t.Errorf("the message carries the flinks-auth-key value")
			}
			if got := readBody(t, r); got != tt.body {
				t.Errorf("body after validation = %q, want %q", got, tt.body)
			}
		})
	}
}

func TestValidateRequestStatusOfInvalidRequestComesFromTheCodeTable(t *testing.T) {
	s := loadSpec(t)
	code, _ := LookupCode("INVALID_REQUEST")
	err := s.ValidateRequest(newRequest(http.MethodPost, "GetAccountsDetail", jsonCT, `{}`))
	if err == nil || err.Status != code.Status {
		t.Fatalf("ValidateRequest = %+v, want status %d from codes.go", err, code.Status)
	}
}

func TestValidateRequestTakesABodyWithoutContentTypeAsJSON(t *testing.T) {
	s := loadSpec(t)
	r := newRequest(http.MethodPost, "GetAccountsDetail", "", `{"RequestId":"x"}`)
	if err := s.ValidateRequest(r); err != nil {
		t.Fatalf("ValidateRequest = %q, want nil", err.Message)
	}
	if got := r.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type after validation = %q, want application/json", got)
	}
	r = newRequest(http.MethodPost, "GetAccountsDetail", "", `{"RequestId":1}`)
	if err := s.ValidateRequest(r); err == nil || err.Message != `Request body: "RequestId" must be a string, not a number` {
		t.Errorf("ValidateRequest = %+v, want the body checked as JSON", err)
	}
}

func TestValidateRequestReportsABodyOverTheLimit(t *testing.T) {
	s := loadSpec(t)
	body := `{"RequestId":"` + strings.Repeat("x", 100) + `"}`
	for _, endpoint := range []string{"GetAccountsDetail", "GetAccountsDetailAsync/" + requestID, "GenerateAuthorizeToken"} {
		t.Run(endpoint, func(t *testing.T) {
			r := newRequest(http.MethodPost, endpoint, jsonCT, body)
			r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 64)
			err := s.ValidateRequest(r)
			if err == nil {
				t.Fatal("ValidateRequest = nil, want 413")
			}
			if err.Status != http.StatusRequestEntityTooLarge || err.FlinksCode != "INVALID_REQUEST" || err.Message != "Request body is larger than the limit of 64 bytes" {
				t.Errorf("ValidateRequest = %d %s %q", err.Status, err.FlinksCode, err.Message)
			}
		})
	}
}

func TestValidateRequestLeavesGetBodyUsable(t *testing.T) {
	s := loadSpec(t)
	body := `{"RequestId":"x"}`
	r := newRequest(http.MethodPost, "GetAccountsDetail", jsonCT, body)
	if err := s.ValidateRequest(r); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		rc, err := r.GetBody()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		if string(b) != body {
			t.Errorf("GetBody() = %q, want %q", b, body)
		}
	}
}

func TestMiddleware(t *testing.T) {
	s := loadSpec(t)
	var written *RequestError
	var nextBody string
	h := s.Middleware(func(w http.ResponseWriter, r *http.Request, err *RequestError) {
		written = err
		w.WriteHeader(err.Status)
	})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		nextBody = string(b)
		w.WriteHeader(http.StatusOK)
	}))

	w := httptest.NewRecorder()
	h.ServeHTTP(w, newRequest(http.MethodPost, "GetAccountsDetail", jsonCT, `{"RequestId":"x"}`))
	if w.Code != http.StatusOK || written != nil || nextBody != `{"RequestId":"x"}` {
		t.Errorf("valid request: status %d, written %+v, next read %q; want 200 from next with the whole body", w.Code, written, nextBody)
	}

	nextBody = "not called"
	w = httptest.NewRecorder()
	h.ServeHTTP(w, newRequest(http.MethodPost, "GetAccountsDetail", jsonCT, `{}`))
	if w.Code != 401 || written == nil || written.Message != `Request body: "RequestId" is required` || nextBody != "not called" {
		t.Errorf("invalid request: status %d, written %+v, next %q; want 401 from write and next not called", w.Code, written, nextBody)
	}
}

// TestValidateRequestConcurrently lets the race detector see the Spec
// shared between requests.
func TestValidateRequestConcurrently(t *testing.T) {
	s := loadSpec(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 20 {
				body := `{"RequestId":"x"}`
				want := ""
				if (i+j)%2 == 1 {
					body = `{"RequestId":7}`
					want = `Request body: "RequestId" must be a string, not a number`
				}
				got := ""
				if err := s.ValidateRequest(newRequest(http.MethodPost, "GetAccountsDetail", jsonCT, body)); err != nil {
					got = err.Message
				}
				if got != want {
					t.Errorf("ValidateRequest(%s) = %q, want %q", body, got, want)
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkValidateRequest(b *testing.B) {
	s := loadSpec(b)
	body := []byte(`{"RequestId":"b851931b-7d7c-4279-9b82-344c0e846b52","WithAccountIdentity":true,"WithTransactions":true,"DaysOfTransactions":"Days90","MostRecentCached":true}`)
	r := httptest.NewRequest(http.MethodPost, base+"GetAccountsDetail", nil)
	r.Header.Set("Content-Type", jsonCT)
	r.Header.Set("x-api-key", "3d5266a8-b697-48d4-8de6-52e2e2662acc")
	b.ReportAllocs()
	for b.Loop() {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		if err := s.ValidateRequest(r); err != nil {
			b.Fatal(err)
		}
	}
}
