package mockserver_test

import (
	"fmt"

	"github.com/flinks-mock/flinks-mock/mockserver"
)

// A receiver recomputes the signature over the raw body it got and
// compares it with the flinks-authenticity-key header.
func ExampleSign() {
	body := []byte(`{"ResponseType":"KYC","HttpStatusCode":200}`)
	fmt.Println(mockserver.Sign("whsec-test-1", body))
	// Output: jUEsZoa8P3JlyeT5IC46Wvuv9nckcJCg7DcPWmNYCVw=
}
