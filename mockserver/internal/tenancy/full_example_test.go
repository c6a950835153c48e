package tenancy

import (
	"testing"

	"github.com/flinks-mock/flinks-mock/openapi"
	"go.yaml.in/yaml/v3"
)

// TestFullErrorIsTheDocumentedExample: the admin API documents the 409 of
// a new customer past --max-tenants with the message the server sends.
func TestFullErrorIsTheDocumentedExample(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]struct {
				Content map[string]struct {
					Example any `yaml:"example"`
				} `yaml:"content"`
			} `yaml:"responses"`
		} `yaml:"paths"`
	}
	if err := yaml.Unmarshal(openapi.AdminDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	ex, _ := doc.Paths["/__admin/webhooks/targets"]["put"].Responses["409"].Content["application/json"].Example.(map[string]any)
	// The example shows the default --max-tenants.
	want := (&FullError{Max: 10_000}).Error()
	if ex["Message"] != want || ex["FlinksCode"] != "TOO_MANY_REQUESTS" {
		t.Errorf("admin.yaml: the 409 of PUT /__admin/webhooks/targets shows %v %q; the server answers TOO_MANY_REQUESTS %q", ex["FlinksCode"], ex["Message"], want)
	}
}
