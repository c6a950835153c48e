package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/mockserver/mocktest"
	"github.com/onsi/gomega"
)

const secret = "whsec-test-1"

// TestVerify checks verify against signatures computed elsewhere (Python's
// hmac module), not by the mock.
func TestVerify(t *testing.T) {
	body := []byte(`{"ResponseType":"KYC","HttpStatusCode":200}`)
	tests := []struct {
		name, secret string
		body         []byte
		signature    string
		want         bool
	}{
		{"right", secret, body, "jUEsZoa8P3JlyeT5IC46Wvuv9nckcJCg7DcPWmNYCVw=", true},
		{"empty body", "secret", nil, "+eZuF5tnR65UEI+C+K3os8Jddv0wr95sOVgixTAZYWk=", true},
		{"another secret", "whsec-test-2", body, "jUEsZoa8P3JlyeT5IC46Wvuv9nckcJCg7DcPWmNYCVw=", false},
		{"a body changed by one byte", secret, bytes.Replace(body, []byte("200"), []byte("201"), 1), "jUEsZoa8P3JlyeT5IC46Wvuv9nckcJCg7DcPWmNYCVw=", false},
		{"the same JSON re-encoded", secret, []byte(`{"ResponseType": "KYC", "HttpStatusCode": 200}`), "jUEsZoa8P3JlyeT5IC46Wvuv9nckcJCg7DcPWmNYCVw=", false},
		{"no signature", secret, body, "", false},
		{"not Base64", secret, body, "not base64!", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := verify(tt.secret, tt.body, tt.signature); got != tt.want {
				t.Errorf("verify = %v, want %v", got, tt.want)
			}
		})
	}
}

// received collects what a receiver accepted.
type received struct {
	mu    sync.Mutex
	types []string
}

func (r *received) add(responseType, _ string, _ []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.types = append(r.types, responseType)
}

func (r *received) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.types...)
}

// mockWithReceiver starts a mock with the example scenarios whose webhooks
// go, signed with secret, to url.
func mockWithReceiver(t *testing.T, url string) *mocktest.Server {
	t.Helper()
	file, err := os.ReadFile(filepath.Join("..", "scenarios", "webhooks.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	srv := mocktest.NewServer(t, mocktest.WithScenarios(string(file)))
	if _, err := srv.Admin.SetWebhookTargets(context.Background(), srv.CustomerID, []admin.WebhookTargetSetting{{URL: url, Secret: secret}}); err != nil {
		t.Fatal(err)
	}
	return srv
}

// fetch runs a client's flow for a login of the example scenarios: a
// token, a cached /Authorize, one /GetAccountsDetail.
func fetch(t *testing.T, srv *mocktest.Server, login string) string {
	t.Helper()
	post := func(endpoint string, header map[string]string, body any) map[string]any {
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, srv.BaseURL()+"/BankingServices/"+endpoint, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	token := post("GenerateAuthorizeToken", map[string]string{"flinks-auth-key": "any"}, map[string]any{})["Token"].(string)
	auth := post("Authorize", map[string]string{"flinks-auth-key": token}, map[string]any{"LoginId": srv.Login(login).LoginID, "MostRecentCached": true})
	rid, _ := auth["RequestId"].(string)
	if rid == "" {
		t.Fatalf("/Authorize answered %v", auth)
	}
	post("GetAccountsDetail", nil, map[string]any{"RequestId": rid})
	return rid
}

func deliveries(t *testing.T, srv *mocktest.Server, requestID string) []admin.Delivery {
	t.Helper()
	ds, err := srv.Admin.Deliveries(context.Background(), admin.DeliveryFilter{CustomerID: srv.CustomerID, RequestID: requestID})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// waitFor waits until cond holds, as Gomega's Eventually does.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	gomega.NewWithT(t).Eventually(cond).WithTimeout(5*time.Second).Should(gomega.BeTrue(), "still waiting for %s", what)
}

func TestReceiverTakesTheMocksWebhooks(t *testing.T) {
	var got received
	rc := httptest.NewServer(handler(secret, got.add))
	defer rc.Close()
	srv := mockWithReceiver(t, rc.URL+"/flinks")

	kyc := fetch(t, srv, "hook_kyc")
	waitFor(t, "the KYC webhook", func() bool { return len(got.list()) == 1 })
	srv.Advance(20 * time.Second) // two polls' worth: the data is ready
	if want := []string{"KYC", "GetAccountsDetail"}; fmt.Sprint(got.list()) != fmt.Sprint(want) {
		t.Errorf("the receiver accepted %v, want %v", got.list(), want)
	}
	for _, d := range deliveries(t, srv, kyc) {
		if d.State != admin.DeliveryDelivered {
			t.Errorf("%s delivery %s: %+v", d.ResponseType, d.State, d.Attempts)
		}
	}

	forged := fetch(t, srv, "hook_forged")
	waitFor(t, "the forged webhook's first attempt", func() bool {
		ds := deliveries(t, srv, forged)
		return len(ds) == 1 && len(ds[0].Attempts) == 1
	})
	if d := deliveries(t, srv, forged)[0]; d.State != admin.DeliveryPending || d.Attempts[0].Status != http.StatusUnauthorized {
		t.Errorf("the forged webhook: %s after %+v, want pending after a 401", d.State, d.Attempts)
	}
	if len(got.list()) != 2 {
		t.Errorf("the receiver accepted the forged webhook: %v", got.list())
	}
}

// TestNodeReceiver runs the Node.js example against the mock: a webhook
// signed with the secret is taken, one signed with another is refused.
func TestNodeReceiver(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH: the Node.js receiver is not checked")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("..", "node", "receiver.mjs"))
	cmd.Env = append(os.Environ(), "PORT=0", "FLINKS_WEBHOOK_SECRET="+secret)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = cmd.Wait() }()
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() {
		t.Fatal("the Node.js receiver printed nothing")
	}
	url, ok := strings.CutPrefix(lines.Text(), "listening on ")
	if !ok {
		t.Fatalf("the Node.js receiver printed %q", lines.Text())
	}
	go func() {
		for lines.Scan() { // keep its stdout flowing
		}
	}()

	srv := mockWithReceiver(t, url+"/flinks")
	fire := admin.WebhookFire{CustomerID: srv.CustomerID, LoginID: srv.Login("hook_kyc").LoginID}
	d, err := srv.Admin.FireWebhook(ctx, fire)
	if err != nil {
		t.Fatal(err)
	}
	if d.State != admin.DeliveryDelivered {
		t.Errorf("a webhook signed with the secret: %s after %+v", d.State, d.Attempts)
	}
	fire.Secret = "another secret"
	if d, err = srv.Admin.FireWebhook(ctx, fire); err != nil {
		t.Fatal(err)
	}
	if d.State != admin.DeliveryPending || d.Attempts[0].Status != http.StatusUnauthorized {
		t.Errorf("a webhook signed with another secret: %s after %+v, want a 401", d.State, d.Attempts)
	}
}

// TestDocsShowTheExamples keeps the verification code of docs/webhooks.md
// the code these tests run.
func TestDocsShowTheExamples(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "webhooks.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range []struct{ file, start, end string }{
		{"receiver.go", "func verify(", "\n}\n"},
		{filepath.Join("..", "node", "receiver.mjs"), "export function verify(", "\n}\n"},
	} {
		src, err := os.ReadFile(ex.file)
		if err != nil {
			t.Fatal(err)
		}
		i := bytes.Index(src, []byte(ex.start))
		if i < 0 {
			t.Fatalf("%s has no %q", ex.file, ex.start)
		}
		j := bytes.Index(src[i:], []byte(ex.end))
		code := src[i : i+j+len(ex.end)]
		if !bytes.Contains(doc, code) {
			t.Errorf("docs/webhooks.md does not show the verify of %s as it is:\n%s", ex.file, code)
		}
	}
}
