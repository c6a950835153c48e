package openapi_test

import (
	"encoding/json"
	"testing"

	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
	"github.com/getkin/kin-openapi/openapi3"
)

// TestAdminScenarioExamplesAreScenarioFiles keeps the examples of POST
// /__admin/scenarios in the format the server decodes: each must parse as
// a scenario file, as strictly as a file loaded at start.
func TestAdminScenarioExamplesAreScenarioFiles(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(openapi.AdminDocument())
	if err != nil {
		t.Fatal(err)
	}
	op := doc.Paths.Value("/__admin/scenarios").Post
	if op == nil || op.RequestBody == nil {
		t.Fatal("POST /__admin/scenarios has no request body")
	}
	n := 0
	for ct, mt := range op.RequestBody.Value.Content {
		var data []byte
		switch v := mt.Example.(type) {
		case string:
			data = []byte(v)
		case nil:
			t.Errorf("%s has no example", ct)
			continue
		default:
			if data, err = json.Marshal(v); err != nil {
				t.Fatal(err)
			}
		}
		n++
		if _, err := scenarios.Parse("example "+ct, data); err != nil {
			t.Errorf("the %s example is not a valid scenario file:\n%v", ct, err)
		}
	}
	if n != 4 {
		t.Errorf("checked %d examples, want one per media type (4)", n)
	}
}
