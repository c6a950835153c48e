package openapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// TestSchemasMatchTheScenarioModel keeps the response schemas and the Go
// types the server marshals in step: same JSON names, and a field is
// required exactly when encoding/json always writes it.
func TestSchemasMatchTheScenarioModel(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(openapi.Document())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		schema string
		typ    reflect.Type
	}{
		{"Account", reflect.TypeFor[scenarios.Account]()},
		{"Transaction", reflect.TypeFor[scenarios.Transaction]()},
		{"Balance", reflect.TypeFor[scenarios.Balance]()},
		{"Holder", reflect.TypeFor[scenarios.Holder]()},
		{"Address", reflect.TypeFor[scenarios.Address]()},
	}
	for _, tt := range tests {
		t.Run(tt.schema, func(t *testing.T) {
			schema := doc.Components.Schemas[tt.schema].Value
			var names, always []string
			for f := range tt.typ.Fields() {
				name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
				if name == "nulls" {
					continue // the scenario's nulls (Account.Nulls), never sent
				}
				names = append(names, name)
				if !strings.Contains(opts, "omitempty") {
					always = append(always, name)
				}
			}
			var props []string
			for name := range schema.Properties {
				props = append(props, name)
			}
			required := slices.Clone(schema.Required)
			slices.Sort(names)
			slices.Sort(always)
			slices.Sort(props)
			slices.Sort(required)
			if !slices.Equal(names, props) {
				t.Errorf("schema %s has properties %v, %s has JSON fields %v", tt.schema, props, tt.typ, names)
			}
			if !slices.Equal(always, required) {
				t.Errorf("schema %s requires %v, %s always writes %v", tt.schema, required, tt.typ, always)
			}
		})
	}
}

func TestMarshalledAccountsAreValidResponses(t *testing.T) {
	spec, err := openapi.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	f := func(v float64) *float64 { return &v }
	code, business, pobox, last4 := "DEP", "Business", "PO 12", "1000"
	full := scenarios.Account{
		Id: "a1", Title: "Business Chequing", AccountNumber: "1111000", LastFourDigits: &last4,
		TransitNumber: "77777", InstitutionNumber: "777", OverdraftLimit: 500,
		Balance:  scenarios.Balance{Available: f(10), Current: 10, Limit: f(500)},
		Category: "Operations", Type: "Chequing", Currency: "USD", AccountType: &business,
		Holder: &scenarios.Holder{Name: "Jane", Email: "jane@example.com", PhoneNumber: "555",
			Address: scenarios.Address{CivicAddress: "1 Main", City: "Montreal", Province: "QC", PostalCode: "H3B", POBox: &pobox, Country: "CA"}},
		EftEligibleRatio: f(1), ETransferEligibleRatio: f(0.5),
		Transactions: []scenarios.Transaction{
			{Id: "t1", Date: "2025-10-29", Code: &code, Description: "Pay", Credit: f(100), Balance: 10},
			{Id: "t2", Date: "2025-10-28", Description: "Rent", Debit: f(90), Balance: -90},
		},
	}
	minimal := scenarios.Account{Id: "a2", Category: "Credits", Type: "CreditCard", Currency: "CAD", Transactions: []scenarios.Transaction{}}

	body, err := json.Marshal(map[string]any{
		"HttpStatusCode":  200,
		"Accounts":        []scenarios.Account{full, minimal},
		"InstitutionName": "FlinksCapital",
		"Login":           map[string]any{"Username": "Greatday", "IsScheduledRefresh": false, "LastRefresh": "2025-10-30T04:04:31.0777383", "Type": "Personal", "Id": "396fc774-7f7a-4c31-7c44-08da172863b5"},
		"InstitutionId":   14,
		"Institution":     "FlinksCapital",
		"RequestId":       "b851931b-7d7c-4279-9b82-344c0e846b52",
	})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/v3/abc/BankingServices/GetAccountsDetailAsync/b851931b", nil)
	header := http.Header{"Content-Type": {"application/json"}}
	if err := spec.ValidateResponse(req, 200, header, body); err != nil {
		t.Errorf("a GetAccountsDetail 200 built from scenarios.Account is refused: %v", err)
	}
}
