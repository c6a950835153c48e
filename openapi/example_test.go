package openapi_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/flinks-mock/flinks-mock/openapi"
)

func ExampleSpec_ValidateRequest() {
	spec, err := openapi.Load(context.Background())
	if err != nil {
		panic(err)
	}

	ok := httptest.NewRequest("POST", "http://127.0.0.1:8080/v3/abc/BankingServices/GetAccountsDetail",
		strings.NewReader(`{"RequestId":"b851931b-7d7c-4279-9b82-344c0e846b52","DaysOfTransactions":"Days90"}`))
	ok.Header.Set("Content-Type", "application/json")
	fmt.Println(spec.ValidateRequest(ok) == nil)

	bad := httptest.NewRequest("POST", "http://127.0.0.1:8080/v3/abc/BankingServices/GetAccountsDetail",
		strings.NewReader(`{"RequestId":"b851931b-7d7c-4279-9b82-344c0e846b52","WithTransactions":"true"}`))
	bad.Header.Set("Content-Type", "application/json")
	if err := spec.ValidateRequest(bad); err != nil {
		fmt.Println(err.Status, err.FlinksCode)
		fmt.Println(err.Message)
	}
	// Output:
	// true
	// 401 INVALID_REQUEST
	// Request body: "WithTransactions" must be a boolean, not a string
}
