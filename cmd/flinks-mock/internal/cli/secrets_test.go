package cli

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeKeepsSecretsOutOfItsOutput runs serve with every credential
// flag and debug logs, in text and in JSON, sends requests with right and
// wrong credentials, and finds none of them in the log or the journal file.
// (mockserver's own test covers the MFA answers and passwords of a flow.)
func TestServeKeepsSecretsOutOfItsOutput(t *testing.T) {
	const (
		secretKey  = "SK-serve-31f0c2"
		apiKey     = "AK-serve-9a7e55"
		adminToken = "AT-serve-c0ffee"
		wrongKey   = "XX-serve-badbad"
		password   = "PW-serve-deadbeef"
	)
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			journal := filepath.Join(t.TempDir(), "journal.jsonl")
			base, log, stop := startServe(t, "--addr", "127.0.0.1:0", "--log-level", "debug", "--log-format", format,
				"--secret-key", secretKey, "--api-key", apiKey, "--admin-token", adminToken, "--journal-file", journal)
			send := func(method, path string, header map[string]string, body string) int {
				req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				for k, v := range header {
					req.Header.Set(k, v)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			const flinks = "/v3/c/BankingServices/"
			checks := []struct {
				method, path string
				header       map[string]string
				body         string
				want         int
			}{
				{"POST", flinks + "GenerateAuthorizeToken", map[string]string{"flinks-auth-key": wrongKey}, "", 401},
				{"POST", flinks + "GenerateAuthorizeToken", map[string]string{"flinks-auth-key": secretKey}, "", 200},
				{"POST", flinks + "Authorize", map[string]string{"flinks-auth-key": secretKey}, `{"Username":"Greatday","Password":"` + password + `","Institution":"FlinksCapital"}`, 401},
				{"POST", flinks + "GetAccountsDetail", map[string]string{"x-api-key": wrongKey}, `{"RequestId":"r"}`, 401},
				{"POST", flinks + "GetAccountsDetail", map[string]string{"x-api-key": apiKey}, `{"RequestId":"r"}`, 400},
				{"GET", "/__admin/journal", map[string]string{"Authorization": "Bearer " + wrongKey}, "", 401},
				{"GET", "/__admin/journal", map[string]string{"Authorization": "Bearer " + adminToken}, "", 200},
			}
			for _, c := range checks {
				if got := send(c.method, c.path, c.header, c.body); got != c.want {
					t.Errorf("%s %s answered %d, want %d", c.method, c.path, got, c.want)
				}
			}
			if code := stop(); code != ExitOK {
				t.Fatalf("exit %d", code)
			}
			file, err := os.ReadFile(journal)
			if err != nil {
				t.Fatal(err)
			}
			for where, text := range map[string]string{"the log": log.String(), "the journal file": string(file)} {
				if strings.Count(text, flinks) < 5 {
					t.Errorf("%s does not name the 5 Flinks requests:\n%s", where, text)
				}
				for _, secret := range []string{secretKey, apiKey, adminToken, wrongKey, password} {
					if strings.Contains(text, secret) {
						t.Errorf("%s holds %q:\n%s", where, secret, text)
					}
				}
			}
		})
	}
}
