package contract_test

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/contract"
	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/mocktest"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{10 * time.Second, "10s"},
		{18 * time.Second, "18s"},
		{100 * time.Millisecond, "100ms"},
		{3600 * time.Millisecond, "3600ms"},
		{1500 * time.Microsecond, "2ms"}, // rounded up: never shorter
		{time.Nanosecond, "1ms"},
		{0, "0s"},
	}
	for _, tt := range tests {
		if got := contract.FormatDuration(tt.d); got != tt.want {
			t.Errorf("FormatDuration(%s) = %s, want %s", tt.d, got, tt.want)
		}
	}
}

func defaultLibrary(t *testing.T) *scenarios.Library {
	t.Helper()
	lib, err := scenarios.Load(mocktest.Start, true)
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

func TestTargetEnv(t *testing.T) {
	lib := defaultLibrary(t)
	sc, err := contract.ScenarioByName("triple-mfa")
	if err != nil {
		t.Fatal(err)
	}
	login, err := sc.LoginOf(lib)
	if err != nil {
		t.Fatal(err)
	}
	target := contract.NewTarget(sc, login, "http://127.0.0.1:9", "cust")
	target.PollInterval = 20 * time.Millisecond
	env := map[string]string{}
	for _, kv := range target.Env() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	for k, want := range map[string]string{
		"FLINKS_BASE_URL":           "http://127.0.0.1:9/v3/cust",
		"FLINKS_CUSTOMER_ID":        "cust",
		"FLINKS_SECRET_KEY":         "c4569c54-e167-4d34-8de6-f4113bc82414",
		"FLINKS_API_KEY":            contract.ToolboxAPIKey,
		"FLINKS_LOGIN_ID":           "164ec415-1bab-4215-b3a5-24314ffd75a9",
		"FLINKS_USERNAME":           "mock_triple_mfa",
		"FLINKS_PASSWORD":           "Everyday",
		"FLINKS_INSTITUTION":        "FlinksCapital",
		"FLINKS_MOST_RECENT_CACHED": "false",
		"FLINKS_SCENARIO":           "triple-mfa",
		"FLINKS_POLL_INTERVAL":      "20ms",
		"FLINKS_TIMEOUT":            "1800s",
		"FLINKS_RETRY_BACKOFF":      "10s",
	} {
		if env[k] != want {
			t.Errorf("%s=%q, want %q", k, env[k], want)
		}
	}
	var answers map[string][]string
	if err := json.Unmarshal([]byte(env["FLINKS_MFA_ANSWERS"]), &answers); err != nil {
		t.Fatalf("FLINKS_MFA_ANSWERS is not JSON: %v", err)
	}
	if got := answers["What city were you born in?"]; !slices.Equal(got, []string{"Montreal"}) || len(answers) != 3 {
		t.Errorf("FLINKS_MFA_ANSWERS = %v", answers)
	}
	if _, ok := env["FLINKS_WEBHOOK_ADDR"]; ok {
		t.Error("webhook variables set outside the webhook scenario")
	}
}

func TestMFAAnswersSendEveryAnswerOfAMultipleAnswersChallenge(t *testing.T) {
	lib := defaultLibrary(t)
	var login *scenarios.Login
	for _, l := range lib.Logins {
		if l.Name == "mock_multiple_answers" {
			login = l
		}
	}
	got := contract.MFAAnswers(login)["Select every bank you have had an account with."]
	if !slices.Equal(got, []string{"Desjardins", "TD Canada Trust"}) {
		t.Errorf("answers %v", got)
	}
}

func TestEveryScenarioNamesADefaultLogin(t *testing.T) {
	lib := defaultLibrary(t)
	for _, sc := range contract.Scenarios() {
		if _, err := sc.LoginOf(lib); err != nil && !sc.SlowAnswers {
			// slow-answers runs on a login the harness adds for the run.
			t.Error(err)
		}
		if sc.What == "" || sc.Want.String() == "" {
			t.Errorf("scenario %s says nothing of what it is or wants", sc.Name)
		}
	}
	if _, err := contract.ScenarioByName("nope"); err == nil || !strings.Contains(err.Error(), "happy, mfa") {
		t.Errorf("ScenarioByName(nope) = %v", err)
	}
}

// The rules and the harness reach a mock through its admin API and the
// journal package only: programs that judge need not link the server.
func TestContractDoesNotLinkTheServer(t *testing.T) {
	if contract.ToolboxSecretKey != mockserver.ToolboxSecretKey {
		t.Errorf("contract.ToolboxSecretKey %q is not the mock's %q", contract.ToolboxSecretKey, mockserver.ToolboxSecretKey)
	}
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "github.com/flinks-mock/flinks-mock/mockserver" {
			t.Fatal("package contract imports the mockserver root package")
		}
	}
}
