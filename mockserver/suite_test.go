package mockserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

func TestMockserver(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "mockserver")
}

// The contract and the default library load once for the suite (the
// library before the spec tree is built, since specs are generated from
// it); every spec gets its own server on 127.0.0.1 with a random port.
var (
	start   = time.Date(2026, 11, 2, 15, 4, 5, 0, time.UTC)
	library = func() *scenarios.Library {
		lib, err := scenarios.Load(start, true)
		if err != nil {
			panic(err)
		}
		return lib
	}()
	spec      *openapi.Spec
	adminSpec *openapi.Spec
)

var _ = BeforeSuite(func() {
	var err error
	spec, err = openapi.Load(context.Background())
	Expect(err).NotTo(HaveOccurred())
	adminSpec, err = openapi.LoadAdmin(context.Background())
	Expect(err).NotTo(HaveOccurred())
})

// fixture is one running server and a client that checks every answer
// against the OpenAPI document.
type fixture struct {
	URL      string
	Customer string
	Clock    *clock.Virtual
	Server   *mockserver.Server
}

// newFixture starts a server with the default library (or lib) on a
// virtual clock, stopped when the spec ends.
func newFixture(cfg mockserver.Config) *fixture {
	GinkgoHelper()
	if cfg.Library == nil {
		cfg.Library = library
	}
	vc := clock.NewVirtual(start)
	cfg.Clock = vc
	cfg.Spec = spec
	srv, err := mockserver.New(cfg)
	Expect(err).NotTo(HaveOccurred())
	hs := httptest.NewServer(srv.Handler())
	DeferCleanup(hs.Close)
	return &fixture{URL: hs.URL, Customer: "43387ca6-0391-4c82-857d-70d95f087ecb", Clock: vc, Server: srv}
}

// answer is a response, its body parsed and kept raw.
type answer struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

// call sends a request to a Flinks endpoint of the fixture's customer and
// validates the answer against the OpenAPI document.
func (f *fixture) call(method, endpoint string, header map[string]string, body any) answer {
	GinkgoHelper()
	return f.send(true, method, "/v3/"+f.Customer+"/BankingServices/"+endpoint, header, body)
}

// do sends a request to a path the Flinks document does not describe:
// admin answers are validated against the admin document, answers to
// unknown paths and wrong methods are not validated.
func (f *fixture) do(method, path string, header map[string]string, body any) answer {
	GinkgoHelper()
	return f.send(false, method, path, header, body)
}

// send sends a request; body may be nil, a string (sent raw) or a value
// encoded as JSON.
func (f *fixture) send(validate bool, method, path string, header map[string]string, body any) answer {
	GinkgoHelper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		raw, err := json.Marshal(b)
		Expect(err).NotTo(HaveOccurred())
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, f.URL+path, rd)
	Expect(err).NotTo(HaveOccurred())
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	a := answer{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	if len(raw) > 0 && raw[0] == '{' {
		Expect(json.Unmarshal(raw, &a.Body)).To(Succeed(), string(raw))
	}
	if validate {
		Expect(spec.ValidateResponse(req, resp.StatusCode, resp.Header, raw)).To(Succeed(), "%s %s answered %d %s", method, path, resp.StatusCode, raw)
	} else if strings.HasPrefix(path, "/__admin/") && resp.StatusCode != http.StatusMethodNotAllowed {
		Expect(adminSpec.ValidateResponse(req, resp.StatusCode, resp.Header, raw)).To(Succeed(), "%s %s answered %d %s", method, path, resp.StatusCode, raw)
	}
	return a
}

// token asks for a fresh authorize token.
func (f *fixture) token() string {
	GinkgoHelper()
	a := f.call("POST", "GenerateAuthorizeToken", map[string]string{"flinks-auth-key": mockserver.ToolboxSecretKey}, nil)
	Expect(a.Status).To(Equal(200), string(a.Raw))
	return a.Body["Token"].(string)
}

// authorize calls /Authorize with a fresh token.
func (f *fixture) authorize(body map[string]any) answer {
	GinkgoHelper()
	return f.call("POST", "Authorize", map[string]string{"flinks-auth-key": f.token()}, body)
}

// authorized opens a session of a login of the default library with
// cached data and returns its RequestId.
func (f *fixture) authorized(name string) string {
	GinkgoHelper()
	a := f.authorize(map[string]any{"LoginId": login(name).LoginID, "MostRecentCached": true})
	Expect(a.Status).To(Equal(200), string(a.Raw))
	return a.Body["RequestId"].(string)
}

// login returns a login of the default library by name.
func login(name string) *scenarios.Login {
	GinkgoHelper()
	for _, l := range library.Logins {
		if l.Name == name {
			return l
		}
	}
	Fail("no login " + name + " in the default library")
	return nil
}

// haveFlinksError matches an error envelope with this status and code.
func haveFlinksError(status int, code string) OmegaMatcher {
	return SatisfyAll(
		HaveField("Status", status),
		HaveField("Body", HaveKeyWithValue("FlinksCode", code)),
		HaveField("Body", HaveKeyWithValue("HttpStatusCode", BeNumerically("==", status))),
		HaveField("Body", HaveKeyWithValue("Message", Not(BeEmpty()))),
	)
}

// validatingTransport checks every admin answer against the admin
// document, so the typed admin client's calls are checked too.
type validatingTransport struct{}

func (validatingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	if err := adminSpec.ValidateResponse(req, resp.StatusCode, resp.Header, raw); err != nil {
		return nil, fmt.Errorf("the admin answer does not match openapi/admin.yaml: %w", err)
	}
	return resp, nil
}

// validatedAdmin is an admin client of srv whose answers are checked
// against the admin document.
func validatedAdmin(url, token string) *admin.Client {
	return admin.New(url, token, &http.Client{Transport: validatingTransport{}})
}
