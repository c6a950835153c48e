package openapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// loadAdmin loads the embedded admin document once per test.
func loadAdmin(t testing.TB) *Spec {
	t.Helper()
	s, err := LoadAdmin(context.Background())
	if err != nil {
		t.Fatalf("LoadAdmin: %v", err)
	}
	return s
}

func TestLoadAdminValidatesTheDocument(t *testing.T) {
	s := loadAdmin(t)
	if got := s.doc.OpenAPI; got != "3.0.3" {
		t.Errorf("openapi version = %q, want 3.0.3", got)
	}
	if err := s.doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Errorf("document does not validate with its examples: %v", err)
	}
	if n, problems := checkExamples(s.doc); n < 30 {
		t.Errorf("found %d examples, want at least 30: the walk misses some", n)
	} else {
		for _, p := range problems {
			t.Error(p)
		}
	}
}

// checkExamples checks every example against its schema with the
// document's own formats, which kin-openapi's example validation leaves
// out, and returns how many it checked and the problems.
func checkExamples(doc *openapi3.T) (int, []string) {
	all := examples(doc)
	var problems []string
	for _, ex := range all {
		opts := append(doc.GetSchemaValidationOptions(), openapi3.MultiErrors())
		if ex.request {
			opts = append(opts, openapi3.VisitAsRequest())
		} else {
			opts = append(opts, openapi3.VisitAsResponse())
		}
		if err := ex.schema.VisitJSON(ex.value, opts...); err != nil {
			problems = append(problems, fmt.Sprintf("%s: example does not match its schema: %v", ex.where, err))
		}
	}
	return len(all), problems
}

func TestCheckExamplesUsesTheDocumentFormats(t *testing.T) {
	const old = "                - url: https://hooks.example.test/flinks\n      responses:"
	if !strings.Contains(adminYAML, old) {
		t.Fatalf("the admin document no longer contains %q: update the test", old)
	}
	broken := strings.Replace(adminYAML, old, "                - url: https://hooks.example.test/%zz\n      responses:", 1)
	doc, err := openapi3.NewLoader().LoadFromData([]byte(broken))
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range adminSource().formats {
		doc.SetStringFormatValidator(name, v)
	}
	if _, problems := checkExamples(doc); len(problems) != 1 || !strings.Contains(problems[0], "/targets/1/url") {
		t.Errorf("checkExamples of a document with a URL that is no URI = %q, want one problem at /targets/1/url", problems)
	}
}

// TestLoadAdminRefusesABrokenExample proves example validation is on for
// the admin document.
func TestLoadAdminRefusesABrokenExample(t *testing.T) {
	tests := []struct {
		name, old, new string
	}{
		{"negative duration", "              by: 10m\n", "              by: -10m\n"},
		{"clock mode", "            mode: virtual\n", "            mode: frozen\n"},
		{"time that is no date-time", "              now: '2025-10-30T05:00:00Z'\n", "              now: tomorrow\n"},
		{"unknown field in a response", "                cleared: 42\n", "                cleared: 42\n                kept: 1\n"},
		{"error status outside the list", "            HttpStatusCode: 409\n", "            HttpStatusCode: 422\n"},
		{"listing without source", "                  source: runtime\n", "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(adminYAML, tt.old) {
				t.Fatalf("the admin document no longer contains %q: update the test", tt.old)
			}
			broken := strings.Replace(adminYAML, tt.old, tt.new, 1)
			if _, err := load(context.Background(), adminSource(), []byte(broken), true); err == nil {
				t.Fatalf("load accepted an admin document whose example is broken (%s)", tt.name)
			}
		})
	}
}

// TestAdminOperationsAreDocumented holds every operation to what a reader
// needs: an id, a summary, a description, and an example of each success.
func TestAdminOperationsAreDocumented(t *testing.T) {
	s := loadAdmin(t)
	n := 0
	for _, path := range s.doc.Paths.InMatchingOrder() {
		if !strings.HasPrefix(path, "/__admin/") {
			t.Errorf("path %s is outside /__admin/", path)
		}
		for method, op := range s.doc.Paths.Value(path).Operations() {
			n++
			where := method + " " + path
			if op.OperationID == "" || op.Summary == "" || op.Description == "" {
				t.Errorf("%s: operationId %q, summary %q, description %q: all three are needed", where, op.OperationID, op.Summary, op.Description)
			}
			ok := op.Responses.Value("200")
			if ok == nil {
				t.Errorf("%s declares no 200", where)
				continue
			}
			for ct, mt := range ok.Value.Content {
				if mt.Example == nil && len(mt.Examples) == 0 {
					t.Errorf("%s 200 %s has no example", where, ct)
				}
			}
			if rb := op.RequestBody; rb != nil {
				for ct, mt := range rb.Value.Content {
					if mt.Example == nil && len(mt.Examples) == 0 {
						t.Errorf("%s request %s has no example", where, ct)
					}
				}
			}
		}
	}
	if n != 16 {
		t.Errorf("the admin document has %d operations, want 16", n)
	}
}

// TestAdminResponseSchemasAreClosed makes every object a response can hold
// refuse unknown fields, so a handler that drifts is caught; the OpenAPI
// document served as YAML is the one open object.
func TestAdminResponseSchemasAreClosed(t *testing.T) {
	s := loadAdmin(t)
	seen := map[*openapi3.Schema]bool{}
	var check func(where string, ref *openapi3.SchemaRef)
	check = func(where string, ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] || ref.Ref == "#/components/schemas/OpenAPIDocument" {
			return
		}
		seen[ref.Value] = true
		sc := ref.Value
		if sc.Type.Is(openapi3.TypeObject) {
			if sc.AdditionalProperties.Has == nil || *sc.AdditionalProperties.Has {
				t.Errorf("%s: object schema without additionalProperties: false", where)
			}
			for _, name := range sortedKeys(sc.Properties) {
				check(where+"."+name, sc.Properties[name])
			}
		}
		if sc.Items != nil {
			check(where+"[]", sc.Items)
		}
	}
	for _, path := range s.doc.Paths.InMatchingOrder() {
		for method, op := range s.doc.Paths.Value(path).Operations() {
			for _, code := range op.Responses.Keys() {
				for ct, mt := range op.Responses.Value(code).Value.Content {
					check(method+" "+path+" "+code+" "+ct, mt.Schema)
				}
			}
		}
	}
	if len(seen) < 15 {
		t.Errorf("checked %d schemas, want at least 15: the walk misses some", len(seen))
	}
}

// TestAdminSecurityIsOptional: the token is the server's to check, and two
// operations never need it.
func TestAdminSecurityIsOptional(t *testing.T) {
	s := loadAdmin(t)
	if scheme := s.doc.Components.SecuritySchemes["adminToken"]; scheme == nil || scheme.Value.Type != "http" || scheme.Value.Scheme != "bearer" {
		t.Fatalf("securitySchemes.adminToken = %+v, want http bearer", scheme)
	}
	if !slices.ContainsFunc(s.doc.Security, func(r openapi3.SecurityRequirement) bool { return len(r) == 0 }) {
		t.Errorf("the document's security %v does not make the token optional ({})", s.doc.Security)
	}
	for _, path := range []string{"/__admin/health", "/__admin/openapi.yaml"} {
		op := s.doc.Paths.Value(path).Get
		if op.Security == nil || len(*op.Security) != 0 {
			t.Errorf("GET %s: security %v, want [] (never needs the token)", path, op.Security)
		}
	}
}

func TestAdminRoutesMatchAnyHost(t *testing.T) {
	s := loadAdmin(t)
	tests := []struct {
		name   string
		req    *http.Request
		wantOp string
	}{
		{"loopback with a port", httptest.NewRequest(http.MethodGet, "http://127.0.0.1:41234/__admin/health", nil), "GetHealth"},
		{"another host", httptest.NewRequest(http.MethodPost, "https://mock.example.test/__admin/clock/advance", nil), "AdvanceClock"},
		{"as a server reads it", serverRequest(t, "DELETE /__admin/scenarios?customerId=c HTTP/1.1\r\nHost: 10.1.2.3:9999\r\n\r\n"), "RemoveScenarios"},
		{"a query string", httptest.NewRequest(http.MethodGet, "http://[::1]:8080/__admin/journal?limit=5", nil), "GetJournal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			route, _, err := s.router.FindRoute(tt.req)
			if err != nil {
				t.Fatalf("FindRoute(%s %s): %v", tt.req.Method, tt.req.URL, err)
			}
			if route.Operation.OperationID != tt.wantOp {
				t.Errorf("operation = %s, want %s", route.Operation.OperationID, tt.wantOp)
			}
		})
	}
}

// TestDocumentsAreKeptApart: neither Spec routes the other's paths.
func TestDocumentsAreKeptApart(t *testing.T) {
	flinks, admin := loadSpec(t), loadAdmin(t)
	if _, _, err := flinks.router.FindRoute(httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/__admin/health", nil)); err == nil {
		t.Errorf("the Flinks Spec routes /__admin/health")
	}
	if _, _, err := admin.router.FindRoute(httptest.NewRequest(http.MethodPost, base+"Authorize", nil)); err == nil {
		t.Errorf("the admin Spec routes /Authorize")
	}
	if len(admin.handlerDecoded) != 1 || len(flinks.handlerDecoded) != 0 {
		t.Errorf("operations with a body the handler decodes: admin %d, Flinks %d; want 1 (POST /__admin/scenarios) and 0", len(admin.handlerDecoded), len(flinks.handlerDecoded))
	}
}

func TestAdminDocumentReturnsAFreshCopy(t *testing.T) {
	a := AdminDocument()
	if !strings.HasPrefix(string(a), "openapi: 3.0.3\n") {
		t.Fatalf("AdminDocument() does not start with the OpenAPI version: %.40q", a)
	}
	a[0] = 'X'
	if b := AdminDocument(); b[0] != 'o' {
		t.Errorf("changing the bytes of one AdminDocument() call changed the next one")
	}
}
