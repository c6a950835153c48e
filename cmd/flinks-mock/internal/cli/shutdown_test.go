package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/onsi/gomega"
)

// slowLogin answers its data a second after each call.
const slowLogin = `logins:
  - name: slow
    username: slow
    loginId: 7e0c6a38-3a52-4a49-9d5e-0a3c6c8f1e42
    accountsDetail:
      - respond: ready
        latency: 1s
`

// answered is what a client got for one request: the endpoint and status.
type answered struct {
	endpoint string
	status   int
}

// loadClient sends full flows for its own customer in a loop until a
// request fails, and keeps every answer it got, in order.
type loadClient struct {
	customer string
	http     *http.Client
	base     string
	got      []answered
	err      error
	sent     atomic.Int64
}

func (c *loadClient) post(endpoint, key, body string) (map[string]any, bool) {
	req, _ := http.NewRequest(http.MethodPost, c.base+"/v3/"+c.customer+"/BankingServices/"+endpoint, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("flinks-auth-key", key)
	}
	c.sent.Add(1)
	resp, err := c.http.Do(req)
	if err != nil {
		c.err = err
		return nil, false
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		// A status without its whole body is a cut answer.
		c.err = fmt.Errorf("%s answered %d, then the body broke: %w", endpoint, resp.StatusCode, err)
		return nil, false
	}
	name, _, _ := strings.Cut(endpoint, "/")
	c.got = append(c.got, answered{name, resp.StatusCode})
	return out, true
}

func (c *loadClient) run(limit int) {
	for c.sent.Load() < int64(limit) {
		tok, ok := c.post("GenerateAuthorizeToken", "secret", "")
		if !ok {
			return
		}
		auth, ok := c.post("Authorize", fmt.Sprint(tok["Token"]), `{"LoginId":"ef47846c-ff93-40a0-8535-c0bdd29b61d2","MostRecentCached":true}`)
		if !ok {
			return
		}
		if _, ok := c.post("GetAccountsDetail", "", fmt.Sprintf(`{"RequestId":%q}`, auth["RequestId"])); !ok {
			return
		}
	}
}

// TestShutdownUnderLoad stops serve (as SIGTERM does: its context ends)
// while clients send full flows and one request waits out a scripted
// latency: that request completes, new connections are refused, serve
// exits 0 within ShutdownTimeout, and the journal file holds exactly the
// requests that got an answer.
func TestShutdownUnderLoad(t *testing.T) {
	dir := t.TempDir()
	scenarioFile := filepath.Join(dir, "slow.yaml")
	if err := os.WriteFile(scenarioFile, []byte(slowLogin), 0o600); err != nil {
		t.Fatal(err)
	}
	journalFile := filepath.Join(dir, "journal.jsonl")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := make(chan string, 1)
	var logs lockedBuffer
	p := Program{Stdout: io.Discard, Stderr: &logs, Started: func(u string) { started <- u }}
	done := make(chan int, 1)
	go func() {
		done <- p.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--scenarios", scenarioFile, "--journal-file", journalFile})
	}()
	var base string
	select {
	case base = <-started:
	case code := <-done:
		t.Fatalf("serve exited with %d: %s", code, logs.String())
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start within 10 s")
	}
	addr := strings.TrimPrefix(base, "http://")

	// The slow request asks for 100 Continue: the server sends it when
	// the handler reads the body, which shows the request is in its hands.
	slow := &loadClient{customer: "slow", base: base, http: &http.Client{Transport: &http.Transport{ExpectContinueTimeout: 10 * time.Second}}}
	tok, ok := slow.post("GenerateAuthorizeToken", "secret", "")
	if !ok {
		t.Fatal(slow.err)
	}
	auth, ok := slow.post("Authorize", fmt.Sprint(tok["Token"]), `{"LoginId":"7e0c6a38-3a52-4a49-9d5e-0a3c6c8f1e42","MostRecentCached":true}`)
	if !ok {
		t.Fatal(slow.err)
	}

	const clients, limit = 4, 3000
	load := make([]*loadClient, clients)
	var wg sync.WaitGroup
	for i := range load {
		load[i] = &loadClient{customer: fmt.Sprintf("client-%d", i), base: base, http: &http.Client{Transport: &http.Transport{}}}
		wg.Go(func() { load[i].run(limit) })
	}
	g := gomega.NewWithT(t)
	for _, c := range load {
		g.Eventually(c.sent.Load).WithTimeout(10*time.Second).WithPolling(5*time.Millisecond).
			Should(gomega.BeNumerically(">=", 30), "%s is not sending requests", c.customer)
	}

	accepted := make(chan struct{})
	slowDone := make(chan struct{})
	go func() {
		defer close(slowDone)
		trace := &httptrace.ClientTrace{Got100Continue: func() { close(accepted) }}
		req, _ := http.NewRequest(http.MethodPost, base+"/v3/slow/BankingServices/GetAccountsDetail", strings.NewReader(fmt.Sprintf(`{"RequestId":%q}`, auth["RequestId"])))
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Expect", "100-continue")
		resp, err := slow.http.Do(req)
		if err != nil {
			slow.err = err
			return
		}
		defer resp.Body.Close()
		if _, err := io.ReadAll(resp.Body); err != nil {
			slow.err = err
			return
		}
		slow.got = append(slow.got, answered{"GetAccountsDetail", resp.StatusCode})
	}()
	select {
	case <-accepted:
	case <-slowDone:
		t.Fatalf("the slow request failed before the server took it: %v", slow.err)
	}

	stopAt := time.Now()
	cancel()
	var code int
	select {
	case code = <-done:
	case <-time.After(ShutdownTimeout + 5*time.Second):
		t.Fatalf("serve did not stop within %s", ShutdownTimeout)
	}
	took := time.Since(stopAt)
	wg.Wait()
	<-slowDone

	if code != ExitOK {
		t.Errorf("serve exited with %d: %s", code, logs.String())
	}
	if took >= ShutdownTimeout {
		t.Errorf("shutdown took %s, past its deadline of %s", took, ShutdownTimeout)
	}
	if slow.err != nil || len(slow.got) != 3 || slow.got[2].status != http.StatusOK {
		t.Errorf("the request in flight at shutdown: %v, %v; want its 200", slow.got, slow.err)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("a new connection was accepted after shutdown")
	}
	total := len(slow.got)
	for _, c := range load {
		total += len(c.got)
		if c.err == nil && c.sent.Load() < limit {
			t.Errorf("%s stopped without an error", c.customer)
		}
		if c.err != nil && !refused(c.err) {
			t.Errorf("%s: a request failed otherwise than by a refused or closed connection: %v", c.customer, c.err)
		}
	}
	t.Logf("shutdown took %s with a 1 s latency in flight; %d requests answered", took.Round(time.Millisecond), total)

	// The journal file holds exactly what the clients were answered.
	byCustomer := readJournalFile(t, journalFile)
	for _, c := range append(load, slow) {
		if !slices.Equal(byCustomer[c.customer], c.got) {
			t.Errorf("%s was answered %d requests; the journal file holds %d:\nanswered %v\njournal  %v",
				c.customer, len(c.got), len(byCustomer[c.customer]), tail(c.got), tail(byCustomer[c.customer]))
		}
	}
}

// refused reports whether err is a request that the server never took: a
// connection refused, or a kept-alive connection closed before the server
// read the request.
func refused(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "EOF") || strings.Contains(msg, "server closed idle connection") ||
		strings.Contains(msg, "connection reset") || strings.Contains(msg, "broken pipe")
}

func readJournalFile(t *testing.T, path string) map[string][]answered {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]answered{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e journal.Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("journal line %q: %v", sc.Text(), err)
		}
		out[e.Tenant] = append(out[e.Tenant], answered{e.Endpoint, e.Status})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func tail(a []answered) []answered {
	if len(a) > 4 {
		return a[len(a)-4:]
	}
	return a
}
