package exchange

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Path values set on a request are read back by name, whether the request
// carries an exchange (which holds them) or not (the request does), and
// past the room of the exchange.
func TestPathValues(t *testing.T) {
	tests := []struct {
		name     string
		exchange bool
		set      [][2]string
		want     map[string]string
	}{
		{"no exchange", false, [][2]string{{"customerId", "c"}, {"requestId", "r"}}, map[string]string{"customerId": "c", "requestId": "r", "loginId": ""}},
		{"in the exchange", true, [][2]string{{"customerId", "c"}, {"requestId", "r"}}, map[string]string{"customerId": "c", "requestId": "r", "loginId": ""}},
		{"set again", true, [][2]string{{"customerId", "a"}, {"customerId", "b"}}, map[string]string{"customerId": "b"}},
		{"past the exchange's room", true, [][2]string{{"p0", "0"}, {"p1", "1"}, {"p2", "2"}, {"p3", "3"}, {"p4", "4"}, {"p5", "5"}}, map[string]string{"p0": "0", "p3": "3", "p4": "4", "p5": "5", "p6": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			var x *Exchange
			if tt.exchange {
				x = &Exchange{}
				r = With(r, x)
			}
			for _, kv := range tt.set {
				SetPathValue(r, kv[0], kv[1])
			}
			for name, want := range tt.want {
				if got := PathValue(r, name); got != want {
					t.Errorf("PathValue(%q) = %q, want %q", name, got, want)
				}
				if x != nil {
					if got := x.PathValue(name); got != want {
						t.Errorf("Exchange.PathValue(%q) = %q, want %q", name, got, want)
					}
				}
			}
			if x != nil && x.npaths > 0 && r.PathValue(tt.set[0][0]) != "" {
				t.Errorf("%s was set on the request as well as in its exchange", tt.set[0][0])
			}
		})
	}
}

func ExamplePathValue() {
	r := With(httptest.NewRequest(http.MethodGet, "/v3/c1/BankingServices/GetAccountsDetailAsync/r1", nil), &Exchange{})
	SetPathValue(r, "customerId", "c1")
	SetPathValue(r, "requestId", "r1")
	fmt.Println(PathValue(r, "customerId"), PathValue(r, "requestId"))
	// Output: c1 r1
}
