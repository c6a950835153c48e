package openapi

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// loadSpec loads the embedded document once per test.
func loadSpec(t testing.TB) *Spec {
	t.Helper()
	s, err := Load(context.Background())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return s
}

func TestLoadValidatesTheDocument(t *testing.T) {
	s := loadSpec(t)
	if got := s.doc.OpenAPI; got != "3.0.3" {
		t.Errorf("openapi version = %q, want 3.0.3", got)
	}
	if err := s.doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Errorf("document does not validate with its examples: %v", err)
	}
	if !strings.Contains(s.doc.Info.Description, "inferred in openapi/codes.go") {
		t.Errorf("info.description does not say that inferred statuses are configurable:\n%s", s.doc.Info.Description)
	}
}

// TestLoadRefusesABrokenExample proves example validation is on: each
// edit breaks one example and Load must refuse the document.
func TestLoadRefusesABrokenExample(t *testing.T) {
	tests := []struct {
		name, old, new string
	}{
		{"token of the wrong type", "Token: d65f1adb-8ebc-48dc-be8b-20c773ba1565", "Token: 42"},
		{"203 with a FlinksCode", "                HttpStatusCode: 203\n", "                HttpStatusCode: 203\n                FlinksCode: OPERATION_PENDING\n"},
		{"LastRefresh with a Z", "LastRefresh: '2025-10-30T04:04:31.0777383'", "LastRefresh: '2025-10-30T04:04:31Z'"},
		{"request example of the wrong type", "              WithAccountIdentity: true\n", "              WithAccountIdentity: 'yes'\n"},
		{"webhook example with an unknown field", "        Tag: order-42\n", "        Tag: order-42\n        Extra: 1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(documentYAML, tt.old) {
				t.Fatalf("the document no longer contains %q: update the test", tt.old)
			}
			broken := strings.Replace(documentYAML, tt.old, tt.new, 1)
			if _, err := load(context.Background(), flinksSource(), []byte(broken), true); err == nil {
				t.Fatalf("load accepted a document whose example is broken (%s)", tt.name)
			}
		})
	}
}

// example is one example of the document with the schema it illustrates.
type example struct {
	where    string
	status   int // 0 for request bodies and component schemas
	value    any
	schema   *openapi3.Schema
	request  bool
	response bool
}

// examples walks every example of the document.
func examples(doc *openapi3.T) []example {
	var out []example
	add := func(where string, status int, mt *openapi3.MediaType, request bool) {
		if mt == nil || mt.Schema == nil {
			return
		}
		if mt.Example != nil {
			out = append(out, example{where, status, mt.Example, mt.Schema.Value, request, !request})
		}
		for _, name := range sortedKeys(mt.Examples) {
			out = append(out, example{where + " " + name, status, mt.Examples[name].Value.Value, mt.Schema.Value, request, !request})
		}
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			where := method + " " + path
			if op.RequestBody != nil {
				for ct, mt := range op.RequestBody.Value.Content {
					add(where+" request "+ct, 0, mt, true)
				}
			}
			for _, code := range op.Responses.Keys() {
				status, _ := strconv.Atoi(code)
				for ct, mt := range op.Responses.Value(code).Value.Content {
					add(where+" "+code+" "+ct, status, mt, false)
				}
			}
		}
	}
	for _, name := range sortedKeys(doc.Components.Schemas) {
		if s := doc.Components.Schemas[name].Value; s.Example != nil {
			out = append(out, example{where: "schema " + name, value: s.Example, schema: s, response: true})
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestEveryExampleMatchesItsSchema(t *testing.T) {
	s := loadSpec(t)
	all := examples(s.doc)
	// The document has examples for every operation and status it knows;
	// a walk that finds few of them is broken, not a passing check.
	if len(all) < 40 {
		t.Fatalf("found %d examples, want at least 40: the walk misses some", len(all))
	}
	for _, ex := range all {
		opts := []openapi3.SchemaValidationOption{openapi3.MultiErrors()}
		if ex.request {
			opts = append(opts, openapi3.VisitAsRequest())
		} else {
			opts = append(opts, openapi3.VisitAsResponse())
		}
		if err := ex.schema.VisitJSON(ex.value, opts...); err != nil {
			t.Errorf("%s: example does not match its schema: %v", ex.where, err)
		}
	}
}

// TestExamplesAgreeWithTheCodeTable keeps the examples' statuses and
// messages equal to what the server sends by default.
func TestExamplesAgreeWithTheCodeTable(t *testing.T) {
	s := loadSpec(t)
	for _, ex := range examples(s.doc) {
		body, ok := ex.value.(map[string]any)
		if !ok || ex.request {
			continue
		}
		// Two answers Flinks documents without HttpStatusCode: DeleteCard's
		// 200 names it StatusCode, and Institutions has none.
		status, has := body["HttpStatusCode"]
		if !has {
			status, has = body["StatusCode"]
		}
		if ex.status != 0 && (has || body["FlinksCode"] != nil) {
			if got, _ := status.(float64); int(got) != ex.status {
				t.Errorf("%s: HttpStatusCode %v, want %d", ex.where, status, ex.status)
			}
		}
		name, ok := body["FlinksCode"].(string)
		if !ok {
			continue
		}
		code, known := LookupCode(name)
		if !known {
			t.Errorf("%s: FlinksCode %s is not in codes.go", ex.where, name)
			continue
		}
		if ex.status != code.Status && name != codeInvalidRequest {
			t.Errorf("%s: %s answered with %d, codes.go says %d", ex.where, name, ex.status, code.Status)
		}
		msg := body["Message"]
		switch name {
		case codeInvalidRequest, "INVALID_LOGIN", "UNAUTHORIZED", "INVALID_SECURITY_RESPONSE":
			// The server words these for the request at hand (the LoginId,
			// the endpoint, the prompt); mockserver's examples_test.go
			// checks the examples against real answers.
		case "ACCESS_DENIED":
			if msg != MessageInvalidAuthKey && msg != MessageInvalidToken {
				t.Errorf("%s: ACCESS_DENIED message %q is neither credential message", ex.where, msg)
			}
		default:
			if msg != code.Message {
				t.Errorf("%s: Message %q, codes.go says %q", ex.where, msg, code.Message)
			}
		}
	}
}

func TestFlinksCodeEnumEqualsTheCodeTable(t *testing.T) {
	s := loadSpec(t)
	var inDoc []string
	for _, v := range s.doc.Components.Schemas["Error"].Value.Properties["FlinksCode"].Value.Enum {
		inDoc = append(inDoc, v.(string))
	}
	slices.Sort(inDoc)
	table := CodeNames()
	for _, n := range table {
		if !slices.Contains(inDoc, n) {
			t.Errorf("FlinksCode %s of codes.go is missing from the Error schema's enum", n)
		}
	}
	for _, n := range inDoc {
		if !slices.Contains(table, n) {
			t.Errorf("FlinksCode %s of the Error schema's enum is not in codes.go", n)
		}
	}
	if len(inDoc) != len(slices.Compact(slices.Clone(inDoc))) {
		t.Errorf("the Error schema's FlinksCode enum lists a code twice: %v", inDoc)
	}
}

// TestRoutesMatchAnyHost proves the servers listed for readers do not
// restrict routing.
func TestRoutesMatchAnyHost(t *testing.T) {
	s := loadSpec(t)
	tests := []struct {
		name   string
		req    *http.Request
		wantOp string
	}{
		{"loopback with a port", httptest.NewRequest(http.MethodPost, "http://127.0.0.1:41234/v3/abc/BankingServices/Authorize", nil), "Authorize"},
		{"another host", httptest.NewRequest(http.MethodPost, "https://mock.example.test/v3/43387ca6-0391-4c82-857d-70d95f087ecb/BankingServices/GetAccountsDetail", nil), "GetAccountsDetail"},
		{"as a server reads it", serverRequest(t, "POST /v3/abc/BankingServices/GenerateAuthorizeToken HTTP/1.1\r\nHost: 10.1.2.3:9999\r\n\r\n"), "GenerateAuthorizeToken"},
		{"async by GET", httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/v3/abc/BankingServices/GetAccountsDetailAsync/b851931b", nil), "GetAccountsDetailAsync"},
		{"async by POST", httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080/v3/abc/BankingServices/GetAccountsSummaryAsync/b851931b", nil), "GetAccountsSummaryAsyncPost"},
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

func serverRequest(t testing.TB, raw string) *http.Request {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		t.Fatalf("read request: %v", err)
	}
	return r
}

func TestDocumentReturnsAFreshCopy(t *testing.T) {
	a := Document()
	if !strings.HasPrefix(string(a), "openapi: 3.0.3\n") {
		t.Fatalf("Document() does not start with the OpenAPI version: %.40q", a)
	}
	a[0] = 'X'
	if b := Document(); b[0] != 'o' {
		t.Errorf("changing the bytes of one Document() call changed the next one")
	}
}

// Load skips validation to start fast: both documents and their examples
// are checked here instead.
func TestTheExamplesOfBothDocumentsAreValid(t *testing.T) {
	if _, err := load(context.Background(), flinksSource(), []byte(documentYAML), true); err != nil {
		t.Errorf("flinks.yaml: %v", err)
	}
	if _, err := load(context.Background(), adminSource(), []byte(adminYAML), true); err != nil {
		t.Errorf("admin.yaml: %v", err)
	}
}
