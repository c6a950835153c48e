package scenarios

import (
	"strings"
	"testing"
)

func TestParseShape(t *testing.T) {
	tests := []struct {
		text string
		want Shape
		err  string
	}{
		{text: "", want: Shape{Mode: ShapesFull}},
		{text: "full", want: Shape{Mode: ShapesFull}},
		{text: "minimal", want: Shape{Mode: ShapesMinimal}},
		{text: "varied(42)", want: Shape{Mode: ShapesVaried, Seed: 42}},
		{text: " varied( 7 ) ", want: Shape{Mode: ShapesVaried, Seed: 7}},
		{text: "varied(18446744073709551615)", want: Shape{Mode: ShapesVaried, Seed: 1<<64 - 1}},
		{text: "varied", err: `"varied" is not a shape: use full, minimal or varied(seed), e.g. varied(42)`},
		{text: "varied(-1)", err: "is not a shape"},
		{text: "varied(x)", err: "is not a shape"},
		{text: "Full", err: "is not a shape"},
	}
	for _, tt := range tests {
		got, err := ParseShape(tt.text)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseShape(%q) = %v, %v; want the error %q", tt.text, got, err, tt.err)
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("ParseShape(%q) = %v, %v; want %v", tt.text, got, err, tt.want)
		case tt.err == "" && got.String() != strings.ReplaceAll(strings.TrimSpace(orFull(tt.text)), " ", ""):
			t.Errorf("ParseShape(%q).String() = %q", tt.text, got.String())
		}
	}
}

func orFull(s string) string {
	if s == "" {
		return ShapesFull
	}
	return s
}

// A shape or a null that the contract does not allow is refused with its
// file, line and field path.
func TestParseRejectsIllegalShapesAndNulls(t *testing.T) {
	const login = "logins:\n  - name: a\n    username: u\n    loginId: 396fc774-7f7a-4c31-7c44-08da172863b5\n"
	tests := []struct{ name, yaml, want string }{
		{"shape", "settings:\n  shapes: varied(seven)\n",
			`bank.yaml:2: settings.shapes: "varied(seven)" is not a shape: use full, minimal or varied(seed), e.g. varied(42)`},
		{"non-nullable field", login + "    nulls: [Balance.Current, Id]\n",
			`bank.yaml:5: logins[0].nulls[1]: "Id": Account.Id may not be null in openapi/flinks.yaml`},
		{"unknown field", login + "    nulls:\n      - Balance.Curent\n",
			`bank.yaml:6: logins[0].nulls[0]: "Balance.Curent": Account.Balance has no field "Curent"; its fields are Available, Current, Limit`},
		{"account's own", login + "    accounts:\n      - Id: acc-1\n        Title: Chequing\n        AccountNumber: '1111000'\n        Balance: {Current: 1}\n" +
			"        Category: Operations\n        Type: Chequing\n        Currency: CAD\n        nulls: [Transactions.Date, Holder.Email]\n",
			`bank.yaml:13: logins[0].accounts[0].nulls[1]: "Holder.Email": Account.Holder.Email may not be null in openapi/flinks.yaml`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseErrors(t, tt.yaml); got != tt.want {
				t.Errorf("errors:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}
