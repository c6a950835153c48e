package main_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/flinks-mock/flinks-mock/openapi"
)

// TestDocsListEveryEndpoint keeps the endpoint tables of the README and
// docs/api.md in step with the OpenAPI documents: every Flinks path in
// both, every admin path in docs/api.md.
func TestDocsListEveryEndpoint(t *testing.T) {
	read := func(name string) string {
		raw, err := os.ReadFile("../../" + name)
		if err != nil {
			t.Fatal(err)
		}
		return string(raw)
	}
	readme, api := read("README.md"), read("docs/api.md")
	flinks := regexp.MustCompile(`(?m)^  /v3/\{customerId\}/BankingServices/(\S+):$`).FindAllStringSubmatch(string(openapi.Document()), -1)
	if len(flinks) == 0 {
		t.Fatal("no path in openapi/flinks.yaml")
	}
	for _, m := range flinks {
		path := "`/" + m[1]
		for name, doc := range map[string]string{"README.md": readme, "docs/api.md": api} {
			if !strings.Contains(doc, path) {
				t.Errorf("%s does not list the endpoint /%s", name, m[1])
			}
		}
	}
	for _, m := range regexp.MustCompile(`(?m)^  (/__admin/\S+):$`).FindAllStringSubmatch(string(openapi.AdminDocument()), -1) {
		if !strings.Contains(api, "`"+m[1]) {
			t.Errorf("docs/api.md does not list the admin endpoint %s", m[1])
		}
	}
}
