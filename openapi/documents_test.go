package openapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
)

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

// TestLoadAdminOnUse checks that the Spec a server gets lists the
// operations of LoadAdmin's at once, and once first used holds what
// LoadAdmin's holds, field for field; its first uses may come at once.
func TestLoadAdminOnUse(t *testing.T) {
	want, err := LoadAdmin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := LoadAdminOnUse()
	if !reflect.DeepEqual(got.Operations(), want.Operations()) {
		t.Fatalf("operations: got %v, want %v", got.Operations(), want.Operations())
	}
	if got.doc != nil {
		t.Fatal("the document was built before its first use")
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			r := httptest.NewRequest(http.MethodGet, "/__admin/clock", nil)
			if err := got.ValidateOperation(r, Operation{ID: "GetClock", Method: http.MethodGet, Path: "/__admin/clock"}, nil); err != nil {
				t.Errorf("GET /__admin/clock: %v", err)
			}
		})
	}
	wg.Wait()
	gv, wv := reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem()
	for i := range gv.NumField() {
		name := gv.Type().Field(i).Name
		if name == "fill" {
			continue
		}
		if gv.Field(i).IsZero() != wv.Field(i).IsZero() {
			t.Errorf("field %s: set %v once used, %v by LoadAdmin", name, !gv.Field(i).IsZero(), !wv.Field(i).IsZero())
		}
	}
	// Every entry point builds the document first: a fresh Spec refuses a
	// bad body however it is asked.
	bad := httptest.NewRequest(http.MethodPost, "/__admin/clock/advance", strings.NewReader("not json"))
	bad.Header.Set("Content-Type", "application/json")
	if err := LoadAdminOnUse().ValidateRouted(bad, Operation{ID: "AdvanceClock", Method: http.MethodPost, Path: "/__admin/clock/advance"}, bad); err == nil {
		t.Error("ValidateRouted of a fresh Spec let a body that is no JSON through")
	}
	got.doc.SetStringFormatValidator("uri", nil)
	want.doc.SetStringFormatValidator("uri", nil)
	if !reflect.DeepEqual(got.doc, want.doc) {
		t.Error("the document built on first use differs from LoadAdmin's")
	}
}
