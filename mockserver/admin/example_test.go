package admin_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/mockserver/mocktest"
)

// exampleT stands in for the *testing.T an Example does not have.
type exampleT struct{ cleanups []func() }

func (t *exampleT) Helper()                   {}
func (t *exampleT) Cleanup(f func())          { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Fatalf(f string, a ...any) { panic(fmt.Sprintf(f, a...)) }
func (t *exampleT) done() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

// Document fetches the OpenAPI document of the admin API, which describes
// every call of the client.
func ExampleClient_Document() {
	t := &exampleT{}
	defer t.done()
	srv := mocktest.NewServer(t)
	c := admin.New(srv.URL, "", nil) // the URL, admin token and http.Client of any flinks-mock

	doc, err := c.Document(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	first, _, _ := bytes.Cut(doc, []byte("\n"))
	fmt.Println(string(first))
	fmt.Println(bytes.Contains(doc, []byte("operationId: GetAdminDocument")))
	// Output:
	// openapi: 3.0.3
	// true
}
