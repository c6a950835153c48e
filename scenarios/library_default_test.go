package scenarios_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

func buildDefaultLibrary(t *testing.T) *scenarios.Library {
	t.Helper()
	srcs, err := scenarios.DefaultSources()
	if err != nil {
		t.Fatalf("DefaultSources: %v", err)
	}
	lib, err := scenarios.Build(time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC), srcs...)
	if err != nil {
		t.Fatalf("Build(default library): %v", err)
	}
	return lib
}

// stepSummary writes a sequence compactly, e.g. "pending×3, ready".
func stepSummary(ss []scenarios.Step) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		p := s.Respond
		if s.FlinksCode != "" {
			p += " " + s.FlinksCode
		}
		switch {
		case s.Calls > 0:
			p += fmt.Sprintf("×%d", s.Calls)
		case s.For > 0:
			p += " for " + s.For.String()
		}
		parts[i] = p
	}
	return strings.Join(parts, ", ")
}

func TestDefaultLibraryKeepsItsLogins(t *testing.T) {
	// defaultLogins is the default library as documented. Users hard-code these
	// LoginIds in their tests, so an entry may be added but never changed.
	defaultLogins := []struct {
		username, loginID         string
		authorize, accountsDetail string
	}{
		{"Greatday", "06471b6b-2212-4e49-bff0-250437191029", "ok", "pending×1, ready"},
		{"greatday_nomfa", "ef47846c-ff93-40a0-8535-c0bdd29b61d2", "ok", "ready"},
		{"test_disabled_account", "ea610bb3-1e10-4120-82aa-d54c816c6d6c", "error DISABLED_LOGIN", "ready"},
		{"test_service_unavailable", "d8ce3828-47f0-4f13-9362-b6292d4c3988", "error RETRY_LATER", "ready"},
		{"test_dispatched", "575b97e3-8473-44ab-8980-dbbc3016d0fc", "ok", "dispatched×1, ready"},
		{"test_pending", "8f8b6728-6599-438f-8a69-751904fabfb6", "ok", "pending×3, ready"},
		{"mock_multiple_choice", "317d6c45-0ec5-4ae6-9131-c470627523f1", "ok", "ready"},
		{"mock_image_selection", "733b47c5-3dd5-43ae-97cd-ae8066879014", "ok", "ready"},
		{"mock_multiple_answers", "4b93be38-bf5a-4fd7-ac29-67d9d0ce5c34", "ok", "ready"},
		{"mock_triple_mfa", "164ec415-1bab-4215-b3a5-24314ffd75a9", "ok", "ready"},
		{"mock_two_rounds", "6df971d9-94ef-4f85-aa89-96972e4457f7", "ok", "ready"},
		{"mock_mfa_always", "a8dc3086-76f4-4d85-acd2-1bb96ec07e2e", "ok", "ready"},
		{"mock_pending_2m", "c168644f-6771-4db1-a758-982927c84447", "ok", "pending for 2m0s, ready"},
		{"mock_pending_45m", "5cd479c4-2ab1-48a1-950e-a9757a2fe2d8", "ok", "pending for 45m0s, ready"},
		{"mock_aggregation_error", "809734b7-39fa-42b1-ba72-cc78d7e354f2", "ok", "error AGGREGATION_ERROR"},
		{"mock_retry_then_ok", "36cd8067-fcb9-4a9f-bb97-58bfef068014", "error RETRY_LATER×2, ok", "ready"},
		{"mock_empty_account", "c864cffc-3c0c-4565-91bd-c5cd0ca7a9ca", "ok", "ready"},
		{"mock_business", "4ed46086-4db2-40e2-8296-86a739f5f026", "ok", "ready"},
		{"mock_statements", "8d684e90-6010-4771-9b2d-2eadce2ec7e8", "ok", "ready"},
	}
	lib := buildDefaultLibrary(t)
	doc, err := os.ReadFile("../docs/default-logins.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(lib.Logins) != len(defaultLogins) {
		t.Errorf("the default library has %d logins, this table %d: list every login here and in docs/default-logins.md", len(lib.Logins), len(defaultLogins))
	}
	for _, w := range defaultLogins {
		l := lib.LoginByUsername(scenarios.DefaultInstitution, w.username)
		if l == nil {
			t.Errorf("no login %q", w.username)
			continue
		}
		if l.LoginID != w.loginID || lib.Login(w.loginID) != l {
			t.Errorf("%s: LoginId %s, want %s (published LoginIds must never change)", w.username, l.LoginID, w.loginID)
		}
		if l.Password != scenarios.DefaultPassword || l.Username != w.username {
			t.Errorf("%s: username %q, password %q", w.username, l.Username, l.Password)
		}
		if got := stepSummary(l.Authorize); got != w.authorize {
			t.Errorf("%s: authorize %q, want %q", w.username, got, w.authorize)
		}
		if got := stepSummary(l.AccountsDetail); got != w.accountsDetail {
			t.Errorf("%s: accountsDetail %q, want %q", w.username, got, w.accountsDetail)
		}
		if row := fmt.Sprintf("| `%s` | `%s` |", w.username, w.loginID); !strings.Contains(string(doc), row) {
			t.Errorf("docs/default-logins.md has no row starting %s", row)
		}
		if len(l.AllAccounts()) == 0 {
			t.Errorf("%s has no accounts", w.username)
		}
		for _, a := range l.AllAccounts() {
			if a.Holder == nil || a.Holder != l.Holder {
				t.Errorf("%s: account %s is not held by the login's holder", w.username, a.Title)
			}
		}
	}
}

func TestDefaultLibraryAsksTheSandboxQuestions(t *testing.T) {
	// The wording of the API transcripts, not of the newer test-users page.
	sandbox := map[string]string{
		"What city were you born in?":        "Montreal",
		"What is the best country on earth?": "Canada",
		"What shape do people like most?":    "Triangle",
	}
	lib := buildDefaultLibrary(t)
	l := lib.LoginByUsername(scenarios.DefaultInstitution, "Greatday")
	if l == nil || l.MFA == nil || l.MFA.When != scenarios.MFAWhenLive || len(l.MFA.Rounds) != 1 {
		t.Fatalf("Greatday must have one round of MFA on live refresh, got %+v", l)
	}
	round := l.MFA.Rounds[0]
	if round.Pick != 1 || len(round.Challenges) != len(sandbox) {
		t.Errorf("Greatday must ask 1 of %d questions, asks %d of %d", len(sandbox), round.Pick, len(round.Challenges))
	}
	for _, c := range round.Challenges {
		answer, ok := sandbox[c.Prompt]
		if !ok {
			t.Errorf("unexpected prompt %q", c.Prompt)
			continue
		}
		if c.Type != scenarios.ChallengeQuestionAndAnswer || !c.Accepts([]string{answer}) || c.Accepts([]string{"Toronto"}) {
			t.Errorf("%q: type %s, answers %v; want QuestionAndAnswer answered by %s", c.Prompt, c.Type, c.Answers, answer)
		}
	}
}

func TestDefaultLibraryHasEnoughHistory(t *testing.T) {
	// Days90 must give the 25 transactions Flinks' attributes need on the
	// first account of every generated login.
	lib := buildDefaultLibrary(t)
	for _, l := range lib.Logins {
		if l.Generate == nil {
			continue
		}
		n := 0
		for _, tx := range l.AllAccounts()[0].Transactions {
			if tx.Date >= "2025-04-02" {
				n++
			}
		}
		if n < 25 {
			t.Errorf("%s: %d transactions in the last 90 days of %s, want at least 25", l.Name, n, l.AllAccounts()[0].Title)
		}
	}
}
