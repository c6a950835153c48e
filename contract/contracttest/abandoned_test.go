package contracttest_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/contract"
	"github.com/flinks-mock/flinks-mock/contract/contracttest"
	"github.com/flinks-mock/flinks-mock/contract/reference"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// holdFirst stands between an integration and the mock. It holds the body
// of the first request to one endpoint, so that the mock has taken the
// request in (and noted when it came) but cannot answer it; the
// integration gives up on it at its request timeout and sends it again.
// Once the mock has answered that retry, holdFirst lets the body through
// and hands the retry's answer on only when the mock has answered the
// request given up on too: the journal then holds the request given up on
// after its retry, with an earlier time.
type holdFirst struct {
	mock     *url.URL
	endpoint string
	proxy    *httputil.ReverseProxy

	mu      sync.Mutex
	held    bool
	release func()        // lets the held body through
	body    chan struct{} // closed by release
	answer  func()        // the mock has answered the held request
	done    chan struct{} // closed by answer
}

func newHoldFirst(mockURL, endpoint string) (*holdFirst, error) {
	u, err := url.Parse(mockURL)
	if err != nil {
		return nil, err
	}
	h := &holdFirst{mock: u, endpoint: "/" + endpoint, proxy: httputil.NewSingleHostReverseProxy(u),
		body: make(chan struct{}), done: make(chan struct{})}
	h.release = sync.OnceFunc(func() { close(h.body) })
	h.answer = sync.OnceFunc(func() { close(h.done) })
	return h, nil
}

func (h *holdFirst) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.URL.Path, h.endpoint) {
		h.proxy.ServeHTTP(w, r)
		return
	}
	h.mu.Lock()
	first := !h.held
	h.held = true
	h.mu.Unlock()
	if first {
		h.hold(r)
		return
	}
	h.proxy.ServeHTTP(w, r)
	h.release()
	<-h.done
}

// hold sends r to the mock with its body held back, and returns when the
// integration gives up on it; the mock gets the body on release.
func (h *holdFirst) hold(r *http.Request) {
	raw, err := io.ReadAll(r.Body)
	pr, pw := io.Pipe()
	target := h.mock.JoinPath(r.URL.Path)
	target.RawQuery = r.URL.RawQuery
	up, uerr := http.NewRequestWithContext(context.WithoutCancel(r.Context()), r.Method, target.String(), pr)
	if err != nil || uerr != nil {
		h.answer() // nothing held: the spec finds one request in the journal
		return
	}
	up.Header, up.ContentLength = r.Header.Clone(), int64(len(raw))
	go func() {
		defer h.answer()
		if resp, err := http.DefaultClient.Do(up); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
	}()
	go func() {
		<-h.body
		_, _ = io.Copy(pw, bytes.NewReader(raw))
		_ = pw.Close()
	}()
	<-r.Context().Done()
}

var _ = Describe("a request the integration gave up on, answered after its retry", func() {
	It("is judged by the answers the integration had, not by the journal's order", func(ctx SpecContext) {
		run := func(ctx context.Context, t contract.Target) (contract.Outcome, error) {
			hold, err := newHoldFirst(t.BaseURL, "GetStatements")
			if err != nil {
				return contract.Outcome{}, err
			}
			defer hold.release()
			front := httptest.NewServer(hold)
			defer front.Close()
			t.BaseURL = front.URL
			return reference.Run(ctx, t)
		}
		res := contracttest.RunScenario(ctx, "statements", run)
		Expect(res.Err).NotTo(HaveOccurred())

		var calls []journal.Entry
		for _, e := range res.Journal {
			if e.Endpoint == "GetStatements" {
				calls = append(calls, e)
			}
		}
		Expect(calls).To(HaveLen(2), "the request given up on and its retry")
		Expect(calls[1].Time).To(BeTemporally("<", calls[0].Time), "the journal holds the request given up on after its retry")
		Expect(res).To(contracttest.FollowAllRules(requireAPIKey))
		Expect(res.OutcomeProblem).To(BeEmpty())
	})
})
