package openapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func jsonHeader() http.Header {
	return http.Header{"Content-Type": {"application/json; charset=utf-8"}}
}

const (
	loginJSON   = `{"Username":"Greatday","IsScheduledRefresh":false,"LastRefresh":"2025-10-30T04:04:31.0777383","Type":"Personal","Id":"396fc774-7f7a-4c31-7c44-08da172863b5"}`
	holderJSON  = `{"Name":"John Doe","Address":{"CivicAddress":"1 Main St","City":"Montreal","Province":"QC","PostalCode":"H3B 5E8","POBox":null,"Country":"CA"},"Email":"john@doe.com","PhoneNumber":"(514) 333-7777"}`
	balanceJSON = `{"Available":10.5,"Current":10.5,"Limit":null}`
	txJSON      = `{"Id":"t1","Date":"2025-10-29","Code":null,"Description":"Coffee","Debit":3.5,"Credit":null,"Balance":10.5}`
	accountJSON = `{"Id":"a1","Title":"Chequing","AccountNumber":"1111000","LastFourDigits":"1000","TransitNumber":"77777","InstitutionNumber":"777","OverdraftLimit":0,"Balance":` + balanceJSON + `,"Category":"Operations","Type":"Chequing","Currency":"CAD","AccountType":"Personal","Holder":` + holderJSON + `,"Transactions":[` + txJSON + `]}`
	institution = `"InstitutionName":"FlinksCapital","InstitutionId":14,"Institution":"FlinksCapital"`
	pendingJSON = `{"FlinksCode":"OPERATION_PENDING","Links":[{"rel":"{Endpoint}Async","href":"/{Endpoint}Async","example":"/{Endpoint}Async/{requestId}"}],"HttpStatusCode":202,"Message":"Your operation is still processing","RequestId":"` + requestID + `"}`
	detailJSON  = `{"HttpStatusCode":200,"Accounts":[` + accountJSON + `],` + institution + `,"Login":` + loginJSON + `,"RequestId":"` + requestID + `"}`
	mfaJSON     = `{"HttpStatusCode":203,"Links":[{"rel":"Authorization","href":"/Authorize","example":null}],"SecurityChallenges":[{"Type":"MultipleChoice","Prompt":"Pick one","Iterables":["a","b"]}],` + institution + `,"RequestId":"` + requestID + `"}`
)

func TestValidateResponseAcceptsWhatTheServerSends(t *testing.T) {
	s := loadSpec(t)
	tests := []struct {
		name, method, endpoint string
		status                 int
		body                   string
	}{
		{"token", http.MethodPost, "GenerateAuthorizeToken", 200, `{"HttpStatusCode":200,"Token":"d65f1adb-8ebc-48dc-be8b-20c773ba1565"}`},
		{"authorize 200", http.MethodPost, "Authorize", 200, `{"HttpStatusCode":200,"Links":[{"rel":"AccountsDetail","href":"/GetAccountsDetail","example":null}],` + institution + `,"Login":` + loginJSON + `,"RequestId":"` + requestID + `"}`},
		{"authorize 203", http.MethodPost, "Authorize", 203, mfaJSON},
		{"authorize 401", http.MethodPost, "Authorize", 401, `{"HttpStatusCode":401,"FlinksCode":"INVALID_REQUEST","Message":"Request body: \"RequestId\" is required","ValidationDetails":{"Problems":["a","b"]}}`},
		{"detail 200", http.MethodPost, "GetAccountsDetail", 200, detailJSON},
		{"detail 200 without holder or transactions", http.MethodPost, "GetAccountsDetail", 200, strings.Replace(strings.Replace(detailJSON, holderJSON, "null", 1), txJSON, "", 1)},
		{"detail 202", http.MethodPost, "GetAccountsDetail", 202, pendingJSON},
		{"detail 400", http.MethodPost, "GetAccountsDetail", 400, `{"HttpStatusCode":400,"FlinksCode":"SESSION_NONEXISTENT","Message":"RequestId is invalid or session has ended","RequestId":"` + requestID + `"}`},
		{"async GET 200", http.MethodGet, "GetAccountsDetailAsync/" + requestID, 200, detailJSON},
		{"async POST 202", http.MethodPost, "GetAccountsDetailAsync/" + requestID, 202, strings.Replace(pendingJSON, "OPERATION_PENDING", "OPERATION_DISPATCHED", 1)},
		{"status a scenario chose, in 4XX", http.MethodPost, "GetAccountsDetail", 429, `{"HttpStatusCode":429,"FlinksCode":"TOO_MANY_REQUESTS","Message":"slow down"}`},
		{"status a scenario chose, in 5XX", http.MethodGet, "GetAccountsSummaryAsync/x", 503, `{"HttpStatusCode":503,"FlinksCode":"RETRY_LATER","Message":"later"}`},
		{"summary 200", http.MethodPost, "GetAccountsSummary", 200, `{"HttpStatusCode":200,"Accounts":[{"EftEligibleRatio":1,"ETransferEligibleRatio":0.5,"Title":"Chequing","AccountNumber":"1111000","LastFourDigits":"1000","Balance":` + balanceJSON + `,"Category":"Operations","Currency":"CAD","Holder":null,"AccountType":null,"Id":"a1"}],"Links":[],` + institution + `,"RequestId":"x"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, base+tt.endpoint, nil)
			if err := s.ValidateResponse(req, tt.status, jsonHeader(), []byte(tt.body)); err != nil {
				t.Errorf("ValidateResponse: %v", err)
			}
		})
	}
}

func TestValidateResponseRejectsDrift(t *testing.T) {
	s := loadSpec(t)
	const detailPath = "/v3/43387ca6-0391-4c82-857d-70d95f087ecb/BankingServices/GetAccountsDetail"
	tests := []struct {
		name, method, endpoint string
		status                 int
		header                 http.Header
		body                   string
		want                   string
	}{
		{
			name: "203 with a FlinksCode", method: http.MethodPost, endpoint: "Authorize", status: 203,
			body: strings.Replace(mfaJSON, `{"HttpStatusCode":203,`, `{"HttpStatusCode":203,"FlinksCode":"SECURITYRESPONSES_REQUIRED",`, 1),
			want: `POST /v3/43387ca6-0391-4c82-857d-70d95f087ecb/BankingServices/Authorize answered 203 with a body that does not match AuthorizeMFA: "FlinksCode" is not allowed`,
		},
		{
			name: "202 without RequestId", method: http.MethodPost, endpoint: "GetAccountsDetail", status: 202,
			body: strings.Replace(pendingJSON, `,"RequestId":"`+requestID+`"`, "", 1),
			want: `POST ` + detailPath + ` answered 202 with a body that does not match Pending: "RequestId" is required`,
		},
		{
			name: "account with an unknown field", method: http.MethodPost, endpoint: "GetAccountsDetail", status: 200,
			body: strings.Replace(detailJSON, `"Title":"Chequing",`, `"Title":"Chequing","Nickname":"main",`, 1),
			want: `POST ` + detailPath + ` answered 200 with a body that does not match AccountsDetail: "Accounts[0].Nickname" is not allowed`,
		},
		{
			name: "transactions null", method: http.MethodPost, endpoint: "GetAccountsDetail", status: 200,
			body: strings.Replace(detailJSON, `"Transactions":[`+txJSON+`]`, `"Transactions":null`, 1),
			want: `POST ` + detailPath + ` answered 200 with a body that does not match AccountsDetail: "Accounts[0].Transactions" must be an array, not null`,
		},
		{
			name: "LastRefresh with a Z", method: http.MethodPost, endpoint: "GetAccountsDetail", status: 200,
			body: strings.Replace(detailJSON, `0777383"`, `0777383Z"`, 1),
			want: `POST ` + detailPath + ` answered 200 with a body that does not match AccountsDetail: "Login.LastRefresh" does not match the pattern ^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?$`,
		},
		{
			name: "undeclared status", method: http.MethodPost, endpoint: "GetAccountsDetail", status: 201,
			body: detailJSON,
			want: `POST ` + detailPath + ` answered 201, a status the document does not declare for GetAccountsDetail (it declares 200, 202, 400, 401, 405, 413, 415, 4XX, 500, 5XX)`,
		},
		{
			name: "HttpStatusCode differs from the status", method: http.MethodPost, endpoint: "GetAccountsDetail", status: 401,
			body: `{"HttpStatusCode":400,"FlinksCode":"UNAUTHORIZED","Message":"m"}`,
			want: `POST ` + detailPath + ` answered 401 but its body says "HttpStatusCode": 400: the two must be equal`,
		},
		{
			name: "error with an unknown FlinksCode", method: http.MethodPost, endpoint: "GetAccountsDetail", status: 401,
			body: `{"HttpStatusCode":401,"FlinksCode":"NOPE","Message":"m"}`,
			want: `with a body that does not match Error: "FlinksCode" must be one of "ACCESS_DENIED", `,
		},
		{
			name: "no Content-Type", method: http.MethodPost, endpoint: "GetAccountsDetail", status: 202, header: http.Header{},
			body: pendingJSON,
			want: `POST ` + detailPath + ` answered 202 with Content-Type "": the document declares application/json`,
		},
		{
			name: "several problems", method: http.MethodPost, endpoint: "Authorize", status: 203,
			body: `{"HttpStatusCode":203,"Links":[],"SecurityChallenges":[{"Type":"TextOnly","Prompt":"p"}],` + institution + `}`,
			want: `answered 203 with a body that does not match AuthorizeMFA: "RequestId" is required; "SecurityChallenges[0].Type" must be one of "QuestionAndAnswer", "MultipleChoice", "MultipleChoiceMultipleAnswers", "ImageSelection" or "TextOrCall", not "TextOnly"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := tt.header
			if header == nil {
				header = jsonHeader()
			}
			req := httptest.NewRequest(tt.method, base+tt.endpoint, nil)
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

func TestValidateResponseOfAnUnknownEndpoint(t *testing.T) {
	s := loadSpec(t)
	req := httptest.NewRequest(http.MethodPost, base+"AuthorizeMultiple", nil)
	err := s.ValidateResponse(req, 200, jsonHeader(), []byte(`{}`))
	if err == nil || !strings.Contains(err.Error(), "matches no operation of the Flinks document") {
		t.Errorf("ValidateResponse = %v, want an error naming the missing operation", err)
	}
}

// TestValidateResponseAcceptsEveryExample replays each response example of
// the document through ValidateResponse, as the server would send it.
func TestValidateResponseAcceptsEveryExample(t *testing.T) {
	replayExamples(t, loadSpec(t), 40)
}

// replayExamples sends every response example of a document through
// ValidateResponse, as the server would send it, and wants at least least
// of them: fewer means the walk misses some. Statuses given as ranges
// (4XX, 5XX) carry no examples.
func replayExamples(t *testing.T, s *Spec, least int) {
	t.Helper()
	params := strings.NewReplacer("{customerId}", "abc", "{requestId}", requestID)
	n := 0
	for _, path := range s.doc.Paths.InMatchingOrder() {
		url := "http://127.0.0.1:8080" + params.Replace(path)
		for method, op := range s.doc.Paths.Value(path).Operations() {
			for _, code := range op.Responses.Keys() {
				status, err := strconv.Atoi(code)
				if err != nil {
					continue
				}
				for ct, mt := range op.Responses.Value(code).Value.Content {
					var values []any
					if mt.Example != nil {
						values = append(values, mt.Example)
					}
					for _, ex := range mt.Examples {
						values = append(values, ex.Value.Value)
					}
					for _, v := range values {
						// JSON is YAML too, so one encoding serves both.
						body, err := json.Marshal(v)
						if err != nil {
							t.Fatal(err)
						}
						n++
						req := httptest.NewRequest(method, url, nil)
						if err := s.ValidateResponse(req, status, http.Header{"Content-Type": {ct}}, body); err != nil {
							t.Errorf("example of %s %s %d: %v", method, path, status, err)
						}
					}
				}
			}
		}
	}
	if n < least {
		t.Errorf("replayed %d response examples, want at least %d", n, least)
	}
}

func TestValidateWebhook(t *testing.T) {
	s := loadSpec(t)
	detailWebhook := strings.Replace(detailJSON, `{"HttpStatusCode":200,`, `{"ResponseType":"GetAccountsDetail","HttpStatusCode":200,"Tag":"order-42",`, 1)
	kycWebhook := `{"ResponseType":"KYC","HttpStatusCode":200,"RequestId":"x","Login":` + loginJSON + `,"Accounts":[{"Id":"a1","Holder":` + holderJSON + `}]}`
	tests := []struct {
		name, responseType, body, want string
	}{
		{"accounts detail", WebhookAccountsDetail, detailWebhook, ""},
		{"accounts detail without a tag", WebhookAccountsDetail, strings.Replace(detailWebhook, `"Tag":"order-42",`, "", 1), ""},
		{"KYC", WebhookKYC, kycWebhook, ""},
		{"detail without ResponseType", WebhookAccountsDetail, detailJSON, `webhook GetAccountsDetail: body does not match AccountsDetailWebhook: "ResponseType" is required`},
		{"detail body sent as KYC", WebhookKYC, detailWebhook, `webhook KYC: body does not match KYCWebhook: `},
		{"KYC with a transaction list", WebhookKYC, strings.Replace(kycWebhook, `"Id":"a1",`, `"Id":"a1","Transactions":[],`, 1), `webhook KYC: body does not match KYCWebhook: "Accounts[0].Transactions" is not allowed`},
		{"unknown type", "Investments", `{}`, `webhook ResponseType "Investments" has no schema in the Flinks document: use "GetAccountsDetail" or "KYC"`},
		{"not JSON", WebhookKYC, `{"ResponseType":`, `webhook KYC: body is not valid JSON: unexpected end of JSON input at offset 16`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.ValidateWebhook(tt.responseType, []byte(tt.body))
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("ValidateWebhook: %v", err)
			case tt.want != "" && err == nil:
				t.Errorf("ValidateWebhook = nil, want %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("ValidateWebhook =\n  %v\nwant it to contain\n  %s", err, tt.want)
			}
		})
	}
}
