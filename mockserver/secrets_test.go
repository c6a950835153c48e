package mockserver_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/clock"
)

// Distinctive secrets: none may appear in a log line or a journal entry.
const (
	secretKey      = "SK-7f3e1c-secret-key"
	wrongSecretKey = "SK-wrong-0b9d44"
	apiKey         = "AK-4c2a9e-api-key"
	wrongAPIKey    = "AK-wrong-71e0aa"
	adminToken     = "AT-9b8c7d-admin-token"
	wrongAdmin     = "AT-wrong-5d5d5d"
	password       = "PW-1a2b3c-password"
	wrongPassword  = "PW-wrong-d4e5f6"
	mfaAnswer      = "MFA-8e8e8e-answer"
	wrongAnswer    = "MFA-wrong-3c3c3c"
	vaultPrompt    = "What is the name of your first vault?"
	vaultLoginID   = "5c1d8a9e-2f4b-4c6d-8e0f-1a2b3c4d5e6f"
)

const vaultScenario = `logins:
  - name: vault
    username: vault-user
    password: ` + password + `
    loginId: ` + vaultLoginID + `
    mfa:
      rounds:
        - challenges:
            - type: QuestionAndAnswer
              prompt: "` + vaultPrompt + `"
              answers: [` + mfaAnswer + `]
`

// TestSecretsStayOutOfLogsAndJournal runs full flows with distinctive
// credentials, right and wrong, with debug logs in text and in JSON, and
// looks for every one of them in the logs, the journal file and GET
// /__admin/journal.
func TestSecretsStayOutOfLogsAndJournal(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var logs, file mockserver.LockedBuffer
			opts := &slog.HandlerOptions{Level: slog.LevelDebug}
			var handler slog.Handler = slog.NewTextHandler(&logs, opts)
			if format == "json" {
				handler = slog.NewJSONHandler(&logs, opts)
			}
			srv, err := mockserver.New(mockserver.Config{
				Library: library, Clock: clock.NewVirtual(start),
				SecretKey: secretKey, APIKey: apiKey, AdminToken: adminToken,
				Logger: slog.New(handler), JournalFile: &file,
			})
			if err != nil {
				t.Fatal(err)
			}
			hs := httptest.NewServer(srv.Handler())
			defer hs.Close()
			c := secretsClient{t: t, base: hs.URL + "/v3/vault-bank/BankingServices/"}
			secrets := []string{secretKey, wrongSecretKey, apiKey, wrongAPIKey, adminToken, wrongAdmin, password, wrongPassword, mfaAnswer, wrongAnswer}

			c.admin(hs.URL, "POST", "/__admin/scenarios?customerId=vault-bank", adminToken, vaultScenario, http.StatusOK)
			c.admin(hs.URL, "GET", "/__admin/journal", wrongAdmin, "", http.StatusUnauthorized)

			c.expect(c.call("GenerateAuthorizeToken", hdrs("flinks-auth-key", wrongSecretKey), ""), 401)
			token := func() string {
				a := c.call("GenerateAuthorizeToken", hdrs("flinks-auth-key", secretKey), "")
				c.expect(a, 200)
				tok := a["Token"].(string)
				secrets = append(secrets, tok)
				return tok
			}
			legacy := func(pw string) string {
				return `{"Username":"vault-user","Password":"` + pw + `","Institution":"FlinksCapital","MostRecentCached":false}`
			}
			c.expect(c.call("Authorize", hdrs("flinks-auth-key", token()), legacy(wrongPassword)), 401)
			used := token()
			mfa := c.call("Authorize", hdrs("flinks-auth-key", used), legacy(password))
			c.expect(mfa, 203)
			rid := mfa["RequestId"].(string)
			answer := func(a string) string {
				return `{"RequestId":"` + rid + `","SecurityResponses":{"` + vaultPrompt + `":["` + a + `"]}}`
			}
			c.expect(c.call("Authorize", hdrs("flinks-auth-key", token()), answer(wrongAnswer)), 401)
			c.expect(c.call("Authorize", hdrs("flinks-auth-key", used), answer(mfaAnswer)), 401) // a reused token
			c.expect(c.call("Authorize", hdrs("flinks-auth-key", token()), answer(mfaAnswer)), 200)
			c.expect(c.call("GetAccountsDetail", hdrs("x-api-key", wrongAPIKey), `{"RequestId":"`+rid+`"}`), 401)
			c.expect(c.call("GetAccountsDetail", hdrs("x-api-key", apiKey), `{"RequestId":"`+rid+`"}`), 200)
			c.expect(c.call("GetAccountsDetailAsync/"+rid, hdrs("x-api-key", apiKey), ""), 200)
			c.expect(c.call("Authorize", hdrs("flinks-auth-key", secretKey), `{"LoginId":"`+vaultLoginID+`","MostRecentCached":true}`), 401)

			page := c.admin(hs.URL, "GET", "/__admin/journal?customerId=vault-bank", adminToken, "", http.StatusOK)
			// The inspector shows the same entries: its timeline, its
			// customer view and the detail of every entry.
			c.admin(hs.URL, "GET", "/__admin/ui/view/timeline?customerId=vault-bank", wrongAdmin, "", http.StatusUnauthorized)
			inspector := c.admin(hs.URL, "GET", "/__admin/ui/view/timeline?customerId=vault-bank", adminToken, "", http.StatusOK) +
				c.admin(hs.URL, "GET", "/__admin/ui/view/customer?customerId=vault-bank", adminToken, "", http.StatusOK)
			for _, m := range regexp.MustCompile(`"seq":(\d+)`).FindAllStringSubmatch(page, -1) {
				inspector += c.admin(hs.URL, "GET", "/__admin/ui/view/entry?customerId=vault-bank&seq="+m[1], adminToken, "", http.StatusOK)
			}
			if err := srv.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			outputs := map[string]string{"the log": logs.String(), "the journal file": file.String(), "GET /__admin/journal": page, "the inspector": inspector}
			for where, text := range outputs {
				for _, secret := range secrets {
					if strings.Contains(text, secret) {
						t.Errorf("%s holds the secret %q:\n%s", where, secret, text)
					}
				}
			}
			// The outputs are not empty by accident: every request is
			// there, with a trace of its token.
			for where, text := range outputs {
				if n := strings.Count(text, "/v3/vault-bank/BankingServices/"); n < 12 {
					t.Errorf("%s names %d requests, want at least 12:\n%s", where, n, text)
				}
			}
			if !strings.Contains(file.String(), `"token":"reused"`) || !strings.Contains(file.String(), `"tokenRef":"`) {
				t.Errorf("the journal file lacks the token states:\n%s", file.String())
			}
		})
	}
}

type secretsClient struct {
	t    *testing.T
	base string
}

func hdrs(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func (c secretsClient) call(endpoint string, header map[string]string, body string) map[string]any {
	c.t.Helper()
	method := http.MethodPost
	if strings.Contains(endpoint, "Async/") {
		method = http.MethodGet
	}
	req, _ := http.NewRequest(method, c.base+endpoint, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		c.t.Fatal(err)
	}
	return out
}

func (c secretsClient) expect(a map[string]any, status int) {
	c.t.Helper()
	if code, _ := a["HttpStatusCode"].(float64); int(code) != status {
		c.t.Fatalf("answer %v, want %d", a, status)
	}
}

func (c secretsClient) admin(base, method, path, token, body string, status int) string {
	c.t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/yaml")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		c.t.Fatalf("%s %s answered %d, want %d: %s", method, path, resp.StatusCode, status, raw)
	}
	return string(raw)
}
