package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/mocktest"
)

func TestRecordUsage(t *testing.T) {
	out := filepath.Join(t.TempDir(), "rec.yaml")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"help", []string{"record", "--help"}, ExitOK, "-stop-after"},
		{"no upstream", []string{"record", "--out", out}, ExitUsage, "--upstream is required"},
		{"upstream without a scheme", []string{"record", "--upstream", "toolbox-api.private.fin.ag", "--out", out}, ExitUsage, "give an absolute http or https URL"},
		{"no out", []string{"record", "--upstream", "https://toolbox-api.private.fin.ag"}, ExitUsage, "--out is required"},
		{"negative stop-after", []string{"record", "--upstream", "https://x", "--out", out, "--stop-after", "-1"}, ExitUsage, "--stop-after -1"},
		{"a directory that does not exist", []string{"record", "--upstream", "https://x", "--out", filepath.Join(out, "no", "such.yaml"), "--addr", "127.0.0.1:0"}, ExitFailure, "--out"},
		{"stray argument", []string{"record", "--upstream", "https://x", "--out", out, "more"}, ExitUsage, `unexpected argument "more"`},
		{"help names the credentials flag", []string{"record", "--help"}, ExitOK, "-keep-credentials"},
		{"no upstream timeout", []string{"record", "--upstream", "https://x", "--out", out, "--upstream-timeout", "0s"}, ExitUsage, "--upstream-timeout 0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, nil, tt.args...)
			if code == ExitOK {
				stderr = stdout // help goes to stdout
			}
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d (want %d), stderr:\n%s\nwant it to contain %q", code, tt.code, stderr, tt.stderr)
			}
		})
	}
}

// flinksPost posts a JSON body to a Flinks endpoint and decodes the answer.
func flinksPost(t *testing.T, base, endpoint string, header map[string]string, body any) (int, map[string]any) {
	t.Helper()
	raw, _ := json.Marshal(body)
	method := http.MethodPost
	var rd *bytes.Reader
	if body != nil {
		rd = bytes.NewReader(raw)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, base+"/BankingServices/"+endpoint, rd)
	if err != nil {
		t.Fatal(err)
	}
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
		t.Fatalf("%s answered %d without JSON: %v", endpoint, resp.StatusCode, err)
	}
	return resp.StatusCode, out
}

// greatdayFlow is a live refresh of Greatday, answered with the sandbox
// answers, then GetAccountsDetail polled to its 200. It returns the prompt
// asked, the 202s seen and the number of accounts.
func greatdayFlow(t *testing.T, base string) (prompt string, pending, accounts int) {
	t.Helper()
	token := func() map[string]string {
		_, tok := flinksPost(t, base, "GenerateAuthorizeToken", map[string]string{"flinks-auth-key": mockserver.ToolboxSecretKey}, nil)
		return map[string]string{"flinks-auth-key": tok["Token"].(string)}
	}
	status, a := flinksPost(t, base, "Authorize", token(), map[string]any{"LoginId": "06471b6b-2212-4e49-bff0-250437191029", "MostRecentCached": false})
	if status != 203 {
		t.Fatalf("Greatday answered %d %v", status, a)
	}
	prompt = a["SecurityChallenges"].([]any)[0].(map[string]any)["Prompt"].(string)
	answer := map[string]string{"What city were you born in?": "Montreal", "What is the best country on earth?": "Canada", "What shape do people like most?": "Triangle"}[prompt]
	status, a = flinksPost(t, base, "Authorize", token(), map[string]any{"RequestId": a["RequestId"], "SecurityResponses": map[string][]string{prompt: {answer}}})
	if status != 200 {
		t.Fatalf("the answer got %d %v", status, a)
	}
	rid := a["RequestId"].(string)
	status, d := flinksPost(t, base, "GetAccountsDetail", nil, map[string]any{"RequestId": rid})
	for ; status == 202; pending++ {
		status, d = flinksPost(t, base, "GetAccountsDetailAsync/"+rid, nil, nil)
	}
	if status != 200 {
		t.Fatalf("the data answered %d %v", status, d)
	}
	return prompt, pending, len(d["Accounts"].([]any))
}

// startRecord runs record until it exits, logging to log, and returns its
// base URL and a channel with its exit code.
func startRecord(t *testing.T, ctx context.Context, stdout, log *lockedBuffer, args ...string) (string, chan int) {
	t.Helper()
	started := make(chan string, 1)
	p := Program{Stdout: stdout, Stderr: log, Started: func(u string) { started <- u }}
	done := make(chan int, 1)
	go func() { done <- p.Run(ctx, append([]string{"record", "--addr", "127.0.0.1:0"}, args...)) }()
	select {
	case base := <-started:
		return base, done
	case code := <-done:
		t.Fatalf("record exited with %d: %s", code, log.String())
	case <-time.After(10 * time.Second):
		t.Fatal("record did not start within 10 s")
	}
	return "", nil
}

func TestRecordStopsAfterFlowsAndWritesAFileThatReplays(t *testing.T) {
	upstream := mocktest.NewServer(t)
	out := filepath.Join(t.TempDir(), "my.yaml")
	stdout, log := &lockedBuffer{}, &lockedBuffer{}
	base, done := startRecord(t, context.Background(), stdout, log, "--upstream", upstream.URL, "--out", out, "--stop-after", "2")
	base += "/v3/" + upstream.CustomerID

	prompt, pending, accounts := greatdayFlow(t, base)
	_, tok := flinksPost(t, base, "GenerateAuthorizeToken", map[string]string{"flinks-auth-key": "s"}, nil)
	status, a := flinksPost(t, base, "Authorize", map[string]string{"flinks-auth-key": tok["Token"].(string)}, map[string]any{"LoginId": "ea610bb3-1e10-4120-82aa-d54c816c6d6c", "MostRecentCached": true})
	if status != 401 || a["FlinksCode"] != "DISABLED_LOGIN" {
		t.Fatalf("test_disabled_account answered %d %v", status, a)
	}
	select {
	case code := <-done:
		if code != ExitOK {
			t.Fatalf("record exited with %d", code)
		}
	case <-time.After(ShutdownTimeout + 2*time.Second):
		t.Fatal("record did not stop after 2 flows")
	}
	if !strings.Contains(stdout.String(), "wrote "+out+": 2 login(s) from 2 flow(s)") {
		t.Errorf("stdout: %s", stdout.String())
	}
	// Each flow says what the recording holds so far.
	for _, want := range []string{
		"flow recorded\" flow=1 of=2 loginId=06471b6b-2212-4e49-bff0-250437191029 status=200 flinksCode=\"\" logins=1",
		"flow recorded\" flow=2 of=2 loginId=ea610bb3-1e10-4120-82aa-d54c816c6d6c status=401 flinksCode=DISABLED_LOGIN logins=2",
	} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("the log has no %s:\n%s", want, log.String())
		}
	}
	for _, args := range [][]string{{"validate", out}, {"validate", "--no-default-scenarios", out}} {
		if code, stdout, _ := run(t, nil, args...); code != ExitOK {
			t.Errorf("flinks-mock %v exited %d: %s", args, code, stdout)
		}
	}

	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	replay := mocktest.NewServer(t, mocktest.WithoutDefaultScenarios(), mocktest.WithScenarios(string(data)))
	gotPrompt, gotPending, gotAccounts := greatdayFlow(t, replay.BaseURL())
	if gotPrompt != prompt || gotPending != pending || gotAccounts != accounts {
		t.Errorf("the replay asked %q, answered 202 %d times and gave %d accounts; the recording %q, %d, %d", gotPrompt, gotPending, gotAccounts, prompt, pending, accounts)
	}
	_, tok = flinksPost(t, replay.BaseURL(), "GenerateAuthorizeToken", map[string]string{"flinks-auth-key": "s"}, nil)
	status, a = flinksPost(t, replay.BaseURL(), "Authorize", map[string]string{"flinks-auth-key": tok["Token"].(string)}, map[string]any{"LoginId": "ea610bb3-1e10-4120-82aa-d54c816c6d6c", "MostRecentCached": true})
	if status != 401 || a["FlinksCode"] != "DISABLED_LOGIN" {
		t.Errorf("the replay of test_disabled_account answered %d %v", status, a)
	}
}

// TestRecordWritesTheFileWhenStopped stops record the way SIGINT does.
func TestRecordWritesTheFileWhenStopped(t *testing.T) {
	upstream := mocktest.NewServer(t)
	out := filepath.Join(t.TempDir(), "stopped.yaml")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	base, done := startRecord(t, ctx, &lockedBuffer{}, &lockedBuffer{}, "--upstream", upstream.URL, "--out", out)
	greatdayFlow(t, base+"/v3/"+upstream.CustomerID)
	if _, err := os.Stat(out); err == nil {
		t.Fatal("the file is written before the recording stops")
	}
	cancel()
	select {
	case code := <-done:
		if code != ExitOK {
			t.Fatalf("record exited with %d", code)
		}
	case <-time.After(ShutdownTimeout + 2*time.Second):
		t.Fatal("record did not stop")
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("name: greatday")) || !bytes.Contains(data, []byte("1 flow(s)")) {
		t.Errorf("the file:\n%.600s", data)
	}
	if info, _ := os.Stat(out); info.Mode().Perm()&0o077 != 0 {
		t.Errorf("the file is readable by others: %v", info.Mode())
	}
}

// TestRecordScrubsCredentialsUnlessKept: the username of a login outside
// the public library is written as a fake, and as recorded only with
// --keep-credentials.
func TestRecordScrubsCredentialsUnlessKept(t *testing.T) {
	upstream := mocktest.NewServer(t, mocktest.WithScenarios(`
logins:
  - name: private_person
    username: Private_Person_4821
    loginId: 7a1c2e3d-4b5f-4a6e-9c7d-8e9f0a1b2c3d
    authorize:
      - respond: error
        flinksCode: RETRY_LATER
`))
	for _, keep := range []bool{false, true} {
		out := filepath.Join(t.TempDir(), "rec.yaml")
		args := []string{"--upstream", upstream.URL, "--out", out, "--stop-after", "1"}
		if keep {
			args = append(args, "--keep-credentials")
		}
		base, done := startRecord(t, context.Background(), &lockedBuffer{}, &lockedBuffer{}, args...)
		base += "/v3/" + upstream.CustomerID
		_, tok := flinksPost(t, base, "GenerateAuthorizeToken", map[string]string{"flinks-auth-key": "s"}, nil)
		if status, a := flinksPost(t, base, "Authorize", map[string]string{"flinks-auth-key": tok["Token"].(string)},
			map[string]any{"Username": "Private_Person_4821", "Password": "Everyday", "Institution": "FlinksCapital"}); status != 401 || a["FlinksCode"] != "RETRY_LATER" {
			t.Fatalf("Authorize answered %d %v", status, a)
		}
		select {
		case code := <-done:
			if code != ExitOK {
				t.Fatalf("record exited with %d", code)
			}
		case <-time.After(ShutdownTimeout + 2*time.Second):
			t.Fatal("record did not stop after 1 flow")
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if kept := strings.Contains(strings.ToLower(string(data)), "private_person_4821"); kept != keep {
			t.Errorf("with --keep-credentials %v the username is kept: %v\n%s", keep, kept, data)
		}
	}
}
