package main

import (
	"bytes"
	"os"
	"testing"
)

// TestGeneratedDocumentsAreCurrent fails when openapi/documents_gen.go is
// not what go generate writes from openapi/flinks.yaml and admin.yaml
// today: run go generate ./openapi after changing a document.
func TestGeneratedDocumentsAreCurrent(t *testing.T) {
	const dir = "../../../../openapi"
	want, err := generate(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(dir + "/documents_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("openapi/documents_gen.go is out of date with flinks.yaml or admin.yaml: run go generate ./openapi")
	}
}
