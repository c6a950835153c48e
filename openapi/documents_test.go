package openapi

import (
	"bytes"
	"context"
	"os"
	"reflect"
	"testing"

	"github.com/flinks-mock/flinks-mock/openapi/internal/docgen"
)

// TestGeneratedDocuments fails when documents_gen.go is not what go
// generate writes from flinks.yaml and admin.yaml today: run go generate
// ./openapi after changing a document.
func TestGeneratedDocuments(t *testing.T) {
	want, err := docgen.Source("openapi", docgen.Header,
		docgen.Document{Func: "flinksDocument", Data: []byte(documentYAML)},
		docgen.Document{Func: "adminDocument", Data: []byte(adminYAML)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("documents_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("documents_gen.go is out of date with flinks.yaml or admin.yaml: run go generate ./openapi")
	}
}

// TestBuiltDocumentsAreParsedDocuments checks that the documents the
// server builds are, field for field, the documents parsing the YAML
// gives.
func TestBuiltDocumentsAreParsedDocuments(t *testing.T) {
	for _, tt := range []struct {
		src  source
		yaml string
	}{
		{flinksSource(), documentYAML},
		{adminSource(), adminYAML},
	} {
		t.Run(tt.src.file, func(t *testing.T) {
			parsed, err := parseDocument(context.Background(), tt.src, []byte(tt.yaml), false)
			if err != nil {
				t.Fatal(err)
			}
			built, err := buildDocument(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			// The string formats are functions, which never compare equal.
			for name := range tt.src.formats {
				parsed.SetStringFormatValidator(name, nil)
				built.SetStringFormatValidator(name, nil)
			}
			if !reflect.DeepEqual(parsed, built) {
				t.Fatalf("the document built from documents_gen.go differs from the parsed %s", tt.src.file)
			}
		})
	}
}
