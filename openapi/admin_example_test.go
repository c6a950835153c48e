package openapi_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/flinks-mock/flinks-mock/openapi"
)

func ExampleLoadAdmin() {
	spec, err := openapi.LoadAdmin(context.Background())
	if err != nil {
		panic(err)
	}

	// A scenario file is posted as YAML; the server decodes it.
	add := httptest.NewRequest("POST", "http://127.0.0.1:8080/__admin/scenarios?customerId=ci-run-42",
		strings.NewReader("logins:\n  - name: jane\n    username: jane_doe\n    loginId: 3f1e7a52-8c4d-4b9e-a1f0-6d2c5b8e9a17\n"))
	add.Header.Set("Content-Type", "application/yaml")
	fmt.Println(spec.ValidateRequest(add) == nil)

	advance := httptest.NewRequest("POST", "http://127.0.0.1:8080/__admin/clock/advance", strings.NewReader(`{"by": 10}`))
	advance.Header.Set("Content-Type", "application/json")
	if err := spec.ValidateRequest(advance); err != nil {
		fmt.Println(err.Status, err.FlinksCode)
		fmt.Println(err.Message)
	}
	// Output:
	// true
	// 400 INVALID_REQUEST
	// Request body: "by" must be a string, not a number
}
