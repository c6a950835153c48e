package mockserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// The benchmarks call Handler().ServeHTTP directly with a reused request
// and a writer that keeps nothing, so their allocations are the server's:
// routing, the middleware chain (journal, body limit, OpenAPI validation)
// and the handler. BenchmarkBareHandler writes the same bytes with nothing
// in between: it is the floor the others are read against.
//
//	go test -run XXX -bench . -benchmem ./mockserver/
//	go test -run XXX -bench BenchmarkHotPath$ -cpuprofile cpu.out ./mockserver/

// Logins of the default library the benchmarks drive.
const (
	benchNoMFALoginID = "ef47846c-ff93-40a0-8535-c0bdd29b61d2" // greatday_nomfa
	benchMFALoginID   = "06471b6b-2212-4e49-bff0-250437191029" // Greatday
	benchCustomerID   = "43387ca6-0391-4c82-857d-70d95f087ecb"
	benchTenants      = 1000
)

// benchLoaded is the contract and the default library, loaded once for
// every benchmark of the run: they are read-only once loaded.
var benchLoaded = sync.OnceValues(func() (*benchInputs, error) {
	lib, err := scenarios.Load(time.Date(2026, 11, 2, 15, 4, 5, 0, time.UTC), true)
	if err != nil {
		return nil, fmt.Errorf("load the default library: %w", err)
	}
	spec, err := openapi.Load(context.Background())
	if err != nil {
		return nil, fmt.Errorf("load the OpenAPI document: %w", err)
	}
	return &benchInputs{lib: lib, spec: spec}, nil
})

type benchInputs struct {
	lib  *scenarios.Library
	spec *openapi.Spec
}

// benchServer is a server on a virtual clock (so no token or session
// expires however long a benchmark runs) and its handler.
func benchServer(b testing.TB) http.Handler {
	b.Helper()
	in, err := benchLoaded()
	if err != nil {
		b.Fatal(err)
	}
	srv, err := mockserver.New(mockserver.Config{
		Library: in.lib,
		Spec:    in.spec,
		Clock:   clock.NewVirtual(time.Date(2026, 11, 2, 15, 4, 5, 0, time.UTC)),
	})
	if err != nil {
		b.Fatal(err)
	}
	return srv.Handler()
}

// benchWriter is a ResponseWriter that keeps the status and the last body,
// reusing its memory from one request to the next.
type benchWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newBenchWriter() *benchWriter { return &benchWriter{header: http.Header{}} }

func (w *benchWriter) Header() http.Header { return w.header }

func (w *benchWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *benchWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(p)
}

func (w *benchWriter) reset() {
	clear(w.header)
	w.status = 0
	w.body.Reset()
}

// benchBody is a request body that can be rewound without allocating.
type benchBody struct{ bytes.Reader }

func (*benchBody) Close() error { return nil }

// reusedRequest is one request sent again and again.
type reusedRequest struct {
	req  *http.Request
	data []byte
	body benchBody
	w    *benchWriter
}

func newReusedRequest(method, target string, data []byte) *reusedRequest {
	rr := &reusedRequest{data: data, w: newBenchWriter()}
	rr.req = httptest.NewRequest(method, target, nil) // parsed once, outside the timed loop
	if data != nil {
		rr.req.Header.Set("Content-Type", "application/json")
		rr.req.ContentLength = int64(len(data))
	}
	return rr
}

// serve sends the request once and returns the status.
func (rr *reusedRequest) serve(h http.Handler) int {
	rr.w.reset()
	if rr.data != nil {
		rr.body.Reset(rr.data)
		rr.req.Body = &rr.body
	} else {
		rr.req.Body = http.NoBody
	}
	h.ServeHTTP(rr.w, rr.req)
	return rr.w.status
}

// benchCall sends one request through the handler and decodes a JSON
// answer into out when out is not nil.
func benchCall(h http.Handler, w *benchWriter, method, target, authKey string, body []byte, want int, out any) error {
	// http.NewRequest, not httptest.NewRequest: the latter parses a
	// request text through a 4 KiB bufio.Reader, which would count as the
	// server's allocations.
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, "http://mock.test"+target, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if authKey != "" {
		req.Header.Set("flinks-auth-key", authKey)
	}
	w.reset()
	h.ServeHTTP(w, req)
	if w.status != want {
		return fmt.Errorf("%s %s answered %d, want %d: %s", method, target, w.status, want, w.body.Bytes())
	}
	if out != nil {
		if err := json.Unmarshal(w.body.Bytes(), out); err != nil {
			return fmt.Errorf("%s %s: decode the answer: %w", method, target, err)
		}
	}
	return nil
}

// benchAuthorize gets a token and calls /Authorize with it.
func benchAuthorize(h http.Handler, w *benchWriter, base string, body any, want int) (requestID, prompt string, err error) {
	var tok struct{ Token string }
	if err := benchCall(h, w, http.MethodPost, base+"GenerateAuthorizeToken", mockserver.ToolboxSecretKey, nil, http.StatusOK, &tok); err != nil {
		return "", "", err
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return "", "", err
	}
	var a struct {
		RequestId          string
		SecurityChallenges []struct{ Prompt string }
	}
	if err := benchCall(h, w, http.MethodPost, base+"Authorize", tok.Token, raw, want, &a); err != nil {
		return "", "", err
	}
	if len(a.SecurityChallenges) > 0 {
		prompt = a.SecurityChallenges[0].Prompt
	}
	return a.RequestId, prompt, nil
}

func benchBase(customerID string) string { return "/v3/" + customerID + "/BankingServices/" }

// readySession opens a cached greatday_nomfa session and asks for its data
// once, so that every later call answers the encoded 200.
func readySession(b testing.TB, h http.Handler) (requestID string, ready []byte) {
	b.Helper()
	w := newBenchWriter()
	base := benchBase(benchCustomerID)
	id, _, err := benchAuthorize(h, w, base, map[string]any{"LoginId": benchNoMFALoginID, "MostRecentCached": true}, http.StatusOK)
	if err != nil {
		b.Fatal(err)
	}
	if err := benchCall(h, w, http.MethodPost, base+"GetAccountsDetail", "", detailRequest(id), http.StatusOK, nil); err != nil {
		b.Fatal(err)
	}
	return id, bytes.Clone(w.body.Bytes())
}

func detailRequest(requestID string) []byte {
	return fmt.Appendf(nil, `{"RequestId":%q,"WithAccountIdentity":true}`, requestID)
}

// runReused serves rr b.N times and fails on any status but 200.
func runReused(b *testing.B, h http.Handler, rr *reusedRequest) {
	b.Helper()
	if st := rr.serve(h); st != http.StatusOK {
		b.Fatalf("answered %d: %s", st, rr.w.body.Bytes())
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if st := rr.serve(h); st != http.StatusOK {
			b.Fatalf("answered %d: %s", st, rr.w.body.Bytes())
		}
	}
}

// BenchmarkBareHandler is a handler that writes the bytes of a ready
// GetAccountsDetail answer with the same headers and nothing else.
func BenchmarkBareHandler(b *testing.B) {
	id, ready := readySession(b, benchServer(b))
	length := fmt.Sprint(len(ready))
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("Content-Length", length)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(ready)
	})
	runReused(b, bare, newReusedRequest(http.MethodPost, benchBase(benchCustomerID)+"GetAccountsDetail", detailRequest(id)))
}

// BenchmarkHotPath is POST GetAccountsDetail for a ready session: the
// request most polled in a client's test suite.
func BenchmarkHotPath(b *testing.B) {
	h := benchServer(b)
	id, _ := readySession(b, h)
	runReused(b, h, newReusedRequest(http.MethodPost, benchBase(benchCustomerID)+"GetAccountsDetail", detailRequest(id)))
}

// BenchmarkHotPathAsync is GET GetAccountsDetailAsync for a ready session.
func BenchmarkHotPathAsync(b *testing.B) {
	h := benchServer(b)
	id, _ := readySession(b, h)
	runReused(b, h, newReusedRequest(http.MethodGet, benchBase(benchCustomerID)+"GetAccountsDetailAsync/"+id, nil))
}

// BenchmarkHotPathParallel is BenchmarkHotPath from GOMAXPROCS goroutines
// at once on one session: the locks of the session and the tenant's
// journal are shared.
func BenchmarkHotPathParallel(b *testing.B) {
	h := benchServer(b)
	id, _ := readySession(b, h)
	target := benchBase(benchCustomerID) + "GetAccountsDetail"
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		rr := newReusedRequest(http.MethodPost, target, detailRequest(id))
		for pb.Next() {
			if st := rr.serve(h); st != http.StatusOK {
				b.Errorf("answered %d: %s", st, rr.w.body.Bytes())
				return
			}
		}
	})
}

// BenchmarkFlow is one complete flow of Greatday in one of 1000 tenants
// taken in turn: GenerateAuthorizeToken, Authorize live (203),
// GenerateAuthorizeToken, Authorize with the answer (200),
// GetAccountsDetail (202), GetAccountsDetailAsync (200). Building the
// requests and decoding the small answers is in the figures too.
func BenchmarkFlow(b *testing.B) {
	in, err := benchLoaded()
	if err != nil {
		b.Fatal(err)
	}
	answers := map[string]string{}
	for _, round := range in.lib.Login(benchMFALoginID).MFA.Rounds {
		for _, c := range round.Challenges {
			answers[c.Prompt] = c.Answers[0]
		}
	}
	h := benchServer(b)
	bases := make([]string, benchTenants)
	for i := range bases {
		bases[i] = benchBase(fmt.Sprintf("00000000-0000-4000-8000-%012d", i))
	}
	w := newBenchWriter()
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		base := bases[i%len(bases)]
		i++
		id, prompt, err := benchAuthorize(h, w, base, map[string]any{"LoginId": benchMFALoginID, "MostRecentCached": false}, http.StatusNonAuthoritativeInfo)
		if err != nil {
			b.Fatal(err)
		}
		answer := map[string]any{"RequestId": id, "SecurityResponses": map[string][]string{prompt: {answers[prompt]}}}
		if _, _, err := benchAuthorize(h, w, base, answer, http.StatusOK); err != nil {
			b.Fatal(err)
		}
		if err := benchCall(h, w, http.MethodPost, base+"GetAccountsDetail", "", detailRequest(id), http.StatusAccepted, nil); err != nil {
			b.Fatal(err)
		}
		if err := benchCall(h, w, http.MethodGet, base+"GetAccountsDetailAsync/"+id, "", nil, http.StatusOK, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStartup is what serve does before it listens: load the default
// library and the contract, and build the server. It is most of the cold
// start.
func BenchmarkStartup(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		lib, err := scenarios.Load(time.Date(2026, 11, 2, 15, 4, 5, 0, time.UTC), true)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := mockserver.New(mockserver.Config{Library: lib}); err != nil {
			b.Fatal(err)
		}
	}
}
