package mockserver_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// TestScriptedLatencyOutlastsWriteTimeout runs the handler in an HTTP
// server whose WriteTimeout is shorter than a step's scripted latency, as
// `flinks-mock serve` is for latencies over a minute: the answer must still
// arrive whole. (The test waits out the latency once: 400 ms.)
func TestScriptedLatencyOutlastsWriteTimeout(t *testing.T) {
	const writeTimeout, latency = 100 * time.Millisecond, 400 * time.Millisecond
	sources, err := scenarios.DefaultSources()
	if err != nil {
		t.Fatal(err)
	}
	slow, err := scenarios.Parse("slow.yaml", []byte("logins:\n  - name: slow\n    username: slow\n    loginId: 9d0c6a38-3a52-4a49-9d5e-0a3c6c8f1e99\n    tokenRequired: false\n    authorize:\n      - respond: ok\n        latency: "+latency.String()+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	lib, err := scenarios.Build(start, append(sources, slow)...)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := mockserver.New(mockserver.Config{Library: lib, Clock: clock.NewVirtual(start)})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Config.WriteTimeout = writeTimeout
	hs.Start()
	t.Cleanup(hs.Close)

	req, _ := http.NewRequest(http.MethodPost, hs.URL+"/v3/slow/BankingServices/Authorize", strings.NewReader(`{"LoginId":"9d0c6a38-3a52-4a49-9d5e-0a3c6c8f1e99","MostRecentCached":true}`))
	req.Header.Set("Content-Type", "application/json")
	began := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("a latency of %s behind a WriteTimeout of %s lost the answer: %v", latency, writeTimeout, err)
	}
	defer resp.Body.Close()
	var out struct{ RequestId string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.RequestId == "" {
		t.Errorf("answer %d, %v, RequestId %q; want a whole 200", resp.StatusCode, err, out.RequestId)
	}
	if took := time.Since(began); took < latency {
		t.Errorf("answered after %s, before the scripted %s", took, latency)
	}
}
