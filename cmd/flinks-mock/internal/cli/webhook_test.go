package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/mockserver/mocktest"
)

// fireReceiver records the webhooks it gets and answers them status.
type fireReceiver struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []string
	paths  []string
	status int
}

func newFireReceiver(t *testing.T, status int) *fireReceiver {
	rc := &fireReceiver{status: status}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.bodies = append(rc.bodies, string(body))
		rc.paths = append(rc.paths, r.URL.Path)
		rc.mu.Unlock()
		w.WriteHeader(rc.status)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *fireReceiver) got() ([]string, []string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.bodies...), append([]string(nil), rc.paths...)
}

func TestWebhookFire(t *testing.T) {
	ok := newFireReceiver(t, http.StatusOK)
	failing := newFireReceiver(t, http.StatusServiceUnavailable)
	srv := mocktest.NewServer(t, mocktest.WithConfig(func(c *mockserver.Config) { c.AdminToken = "admin-t" }))
	srv.Admin = admin.New(srv.URL, "admin-t", nil)
	if _, err := srv.Admin.SetWebhookTargets(context.Background(), srv.CustomerID, []admin.WebhookTargetSetting{{URL: ok.URL + "/hook"}}); err != nil {
		t.Fatal(err)
	}
	payload := filepath.Join(t.TempDir(), "payload.json")
	if err := os.WriteFile(payload, []byte(`{"ResponseType":"KYC","HttpStatusCode":200,"RequestId":"r-9"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	notJSON := filepath.Join(t.TempDir(), "payload.txt")
	if err := os.WriteFile(notJSON, []byte("[1, 2]"), 0o600); err != nil {
		t.Fatal(err)
	}
	nomfa := srv.Login("greatday_nomfa").LoginID
	base := []string{"webhook", "fire", "--server", srv.URL, "--customer-id", srv.CustomerID}
	withToken := map[string]string{"FLINKS_MOCK_ADMIN_TOKEN": "admin-t"}

	tests := []struct {
		name       string
		env        map[string]string
		args       []string
		code       int
		state      string // of the printed delivery; empty when none is printed
		stderr     string
		wantBodies int // webhooks the ok receiver has got after the case
	}{
		{name: "a body of a file", env: withToken, args: append(base, "--body", payload), code: ExitOK, state: "delivered", wantBodies: 1},
		{name: "a login's accounts; FLINKS_MOCK_WEBHOOK_URL is not a target", env: map[string]string{"FLINKS_MOCK_ADMIN_TOKEN": "admin-t", "FLINKS_MOCK_WEBHOOK_URL": failing.URL},
			args: append(base, "--login-id", nomfa), code: ExitOK, state: "delivered", wantBodies: 2},
		{name: "a KYC webhook to a URL of the call", args: append(base, "--login-id", nomfa, "--response-type", "KYC", "--webhook-url", ok.URL+"/kyc", "--admin-token", "admin-t"), code: ExitOK, state: "delivered", wantBodies: 3},
		{name: "a receiver that fails", env: withToken, args: append(base, "--body", payload, "--webhook-url", failing.URL), code: ExitFailure, state: "pending",
			stderr: "not delivered to " + failing.URL + ": answered 503 Service Unavailable; only 200 counts as delivered; the mock tries again at", wantBodies: 3},
		{name: "no admin token", args: append(base, "--body", payload), code: ExitFailure, stderr: "answered 401", wantBodies: 3},
		{name: "an unknown session", env: withToken, args: append(base, "--request-id", "nope"), code: ExitFailure, stderr: "answered 404: Customer", wantBodies: 3},
		{name: "no customer", args: []string{"webhook", "fire", "--body", payload}, code: ExitUsage, stderr: "--customer-id is required", wantBodies: 3},
		{name: "no payload", args: base, code: ExitUsage, stderr: "give one of --request-id, --login-id or --body", wantBodies: 3},
		{name: "two payloads", args: append(base, "--login-id", nomfa, "--body", payload), code: ExitUsage, stderr: "give one of", wantBodies: 3},
		{name: "a body that is no object", args: append(base, "--body", notJSON), code: ExitFailure, stderr: "the payload must be a JSON object", wantBodies: 3},
		{name: "a missing body file", args: append(base, "--body", filepath.Join(t.TempDir(), "none.json")), code: ExitFailure, stderr: "--body:", wantBodies: 3},
		{name: "a server that is no URL", args: []string{"webhook", "fire", "--server", "127.0.0.1:8080", "--customer-id", "c", "--body", payload}, code: ExitUsage, stderr: "--server \"127.0.0.1:8080\": give the base URL", wantBodies: 3},
		{name: "an unknown subcommand", args: []string{"webhook", "send"}, code: ExitUsage, stderr: `unknown subcommand "send"`, wantBodies: 3},
		{name: "no subcommand", args: []string{"webhook"}, code: ExitUsage, stderr: "Usage: flinks-mock webhook fire", wantBodies: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tt.env, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout, stderr)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %q does not contain %q", stderr, tt.stderr)
			}
			if tt.state != "" {
				var d admin.Delivery
				if err := json.Unmarshal([]byte(stdout), &d); err != nil {
					t.Fatalf("stdout is no delivery: %v\n%s", err, stdout)
				}
				if d.State != tt.state || d.CustomerID != srv.CustomerID || len(d.Attempts) != 1 {
					t.Errorf("delivery %+v, want state %s after one attempt", d, tt.state)
				}
			} else if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			if bodies, _ := ok.got(); len(bodies) != tt.wantBodies {
				t.Errorf("the receiver got %d webhooks, want %d", len(bodies), tt.wantBodies)
			}
		})
	}

	bodies, paths := ok.got()
	if len(bodies) < 3 {
		t.Fatalf("the receiver got %d webhooks", len(bodies))
	}
	if bodies[0] != `{"ResponseType":"KYC","HttpStatusCode":200,"RequestId":"r-9"}` {
		t.Errorf("the body sent is %s, want the file's object", bodies[0])
	}
	if !strings.Contains(bodies[1], `"ResponseType":"GetAccountsDetail"`) || !strings.Contains(bodies[1], nomfa) {
		t.Errorf("the login's webhook is %.200s", bodies[1])
	}
	if !strings.HasPrefix(bodies[2], `{"ResponseType":"KYC"`) || paths[2] != "/kyc" {
		t.Errorf("the KYC webhook went to %s: %.200s", paths[2], bodies[2])
	}
	if failed, _ := failing.got(); len(failed) != 1 {
		t.Errorf("the failing receiver got %d webhooks, want 1 (FLINKS_MOCK_WEBHOOK_URL must not be a target)", len(failed))
	}
}

func TestWebhookFireHelp(t *testing.T) {
	code, stdout, _ := run(t, nil, "webhook", "fire", "--help")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	for _, flag := range []string{"-server", "-customer-id", "-request-id", "-login-id", "-body", "-webhook-url", "-admin-token", "never read from the environment"} {
		if !strings.Contains(stdout, flag) {
			t.Errorf("help lacks %q:\n%s", flag, stdout)
		}
	}
}

// A webhook fired at a URL that is no target is signed with the server's
// secret, as every webhook the server sends; --secret and --unsigned say
// otherwise.
func TestWebhookFireToAURLSignsWithTheServersSecret(t *testing.T) {
	type got struct{ body, sig string }
	var mu sync.Mutex
	var seen []got
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, got{string(body), r.Header.Get("flinks-authenticity-key")})
		mu.Unlock()
	}))
	t.Cleanup(rc.Close)
	srv := mocktest.NewServer(t, mocktest.WithConfig(func(c *mockserver.Config) { c.WebhookSecret = "server-secret" }))
	base := []string{"webhook", "fire", "--server", srv.URL, "--customer-id", srv.CustomerID, "--login-id", srv.Login("greatday_nomfa").LoginID, "--webhook-url", rc.URL}
	for _, tc := range []struct {
		name   string
		args   []string
		secret string // "" for no signature
	}{
		{"the server's secret", nil, "server-secret"},
		{"--secret", []string{"--secret", "other"}, "other"},
		{"--unsigned", []string{"--unsigned"}, ""},
	} {
		if code, _, stderr := run(t, nil, append(base, tc.args...)...); code != ExitOK {
			t.Fatalf("%s: exit %d: %s", tc.name, code, stderr)
		}
		mu.Lock()
		last := seen[len(seen)-1]
		mu.Unlock()
		want := ""
		if tc.secret != "" {
			want = mockserver.Sign(tc.secret, []byte(last.body))
		}
		if last.sig != want {
			t.Errorf("%s: flinks-authenticity-key %q, want %q", tc.name, last.sig, want)
		}
	}
	if code, _, stderr := run(t, nil, append(base, "--unsigned", "--secret", "x")...); code != ExitUsage || !strings.Contains(stderr, "not both") {
		t.Errorf("--unsigned with --secret: exit %d: %s", code, stderr)
	}
}
