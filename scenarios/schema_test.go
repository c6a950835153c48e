package scenarios

import (
	"encoding/json"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/flinks-mock/flinks-mock/openapi"
)

func schemaDefs(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(schemaJSON, &doc); err != nil {
		t.Fatalf("schema.json: %v", err)
	}
	if doc["$id"] != SchemaID {
		t.Errorf("$id = %v, want %s", doc["$id"], SchemaID)
	}
	defs, _ := doc["$defs"].(map[string]any)
	return defs
}

// TestSchemaMatchesModel keeps schema.json and model.go in step: every json
// field of each Go type is a property of the $defs entry of the same name,
// and the other way round.
func TestSchemaMatchesModel(t *testing.T) {
	defs := schemaDefs(t)
	for _, v := range []any{
		File{}, Settings{}, Institution{}, Login{}, Step{}, MFA{}, Round{}, Challenge{},
		Holder{}, Address{}, Account{}, Balance{}, Transaction{}, Generate{},
	} {
		typ := reflect.TypeOf(v)
		t.Run(typ.Name(), func(t *testing.T) {
			def, ok := defs[typ.Name()].(map[string]any)
			if !ok {
				t.Fatalf("$defs has no %s", typ.Name())
			}
			props, _ := def["properties"].(map[string]any)
			var goNames []string
			for f := range typ.Fields() {
				if !f.IsExported() {
					continue
				}
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				if name == "-" {
					continue // not part of the format (set by Build)
				}
				if name == "" {
					t.Errorf("field %s has no json name", f.Name)
					continue
				}
				goNames = append(goNames, name)
				if _, ok := props[name]; !ok {
					t.Errorf("field %s (json %q) is missing from $defs/%s/properties", f.Name, name, typ.Name())
				}
			}
			for name := range props {
				if name == "$schema" && typ.Name() == "File" {
					continue // for editors of JSON files only
				}
				if !slices.Contains(goNames, name) {
					t.Errorf("$defs/%s/properties/%s has no field in the Go type", typ.Name(), name)
				}
			}
			if def["additionalProperties"] != false {
				t.Errorf("$defs/%s allows unknown fields", typ.Name())
			}
		})
	}
	if d, _ := defs["Duration"].(map[string]any); d == nil || d["type"] != "string" {
		t.Errorf("$defs/Duration = %v, want a string type", defs["Duration"])
	}
}

// TestSchemaDescribesEveryProperty checks what editors show on hover.
func TestSchemaDescribesEveryProperty(t *testing.T) {
	for defName, d := range schemaDefs(t) {
		def := d.(map[string]any)
		if s, _ := def["description"].(string); s == "" {
			t.Errorf("$defs/%s has no description", defName)
		}
		props, _ := def["properties"].(map[string]any)
		for name, p := range props {
			if s, _ := p.(map[string]any)["description"].(string); s == "" {
				t.Errorf("$defs/%s/properties/%s has no description", defName, name)
			}
		}
	}
}

// TestSchemaEnumsMatchModel keeps the enums of the schema equal to the
// values the Go code acts on.
func TestSchemaEnumsMatchModel(t *testing.T) {
	defs := schemaDefs(t)
	prop := func(def, name, key string) []string {
		p := defs[def].(map[string]any)["properties"].(map[string]any)[name].(map[string]any)
		var out []string
		for _, v := range p[key].([]any) {
			out = append(out, v.(string))
		}
		return out
	}
	tests := []struct {
		def, prop, key string
		want           []string
	}{
		{"Step", "respond", "enum", []string{RespondOK, RespondError, RespondPending, RespondDispatched, RespondReady}},
		{"MFA", "when", "enum", []string{MFAWhenLive, MFAWhenAlways}},
		{"Challenge", "type", "enum", []string{ChallengeQuestionAndAnswer, ChallengeMultipleChoice, ChallengeMultipleChoiceMultipleAnswers, ChallengeImageSelection, ChallengeTextOrCall}},
		{"Step", "flinksCode", "examples", openapi.CodeNames()},
	}
	for _, tt := range tests {
		got := prop(tt.def, tt.prop, tt.key)
		if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(tt.want))) {
			t.Errorf("$defs/%s/properties/%s/%s = %v, want %v", tt.def, tt.prop, tt.key, got, tt.want)
		}
	}
	if got := prop("Settings", "invalidTokenCode", "enum"); !slices.Contains(got, DefaultInvalidTokenCode) {
		t.Errorf("invalidTokenCode enum %v lacks the default %s", got, DefaultInvalidTokenCode)
	}
	if got := prop("Settings", "wrongPasswordCode", "enum"); !slices.Contains(got, DefaultWrongPasswordCode) {
		t.Errorf("wrongPasswordCode enum %v lacks the default %s", got, DefaultWrongPasswordCode)
	}
	for _, code := range append(prop("Settings", "invalidTokenCode", "enum"), prop("Settings", "wrongPasswordCode", "enum")...) {
		if _, ok := openapi.LookupCode(code); !ok {
			t.Errorf("settings enum names %s, which openapi/codes.go does not know", code)
		}
	}
}

func TestSchemaCompiles(t *testing.T) {
	if _, err := compiledSchema(); err != nil {
		t.Fatal(err)
	}
	if string(Schema()) != string(schemaJSON) {
		t.Error("Schema() differs from schema.json")
	}
}

// The default library is parsed without the JSON Schema at every start;
// this is where its files are checked against it, and where skipping it
// is shown to change nothing.
func TestDefaultLibraryMatchesTheSchema(t *testing.T) {
	names, err := fs.Glob(library, "library/*.yaml")
	if err != nil || len(names) == 0 {
		t.Fatalf("list the default library: %v (%d files)", err, len(names))
	}
	for _, name := range names {
		data, err := library.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		checked, err := Parse(name, data)
		if err != nil {
			t.Errorf("%s does not match the schema: %v", name, err)
			continue
		}
		unchecked, err := parse(name, data, false)
		if err != nil {
			t.Fatalf("%s without the schema: %v", name, err)
		}
		if !reflect.DeepEqual(checked, unchecked) {
			t.Errorf("%s parses differently without the schema", name)
		}
	}
}
