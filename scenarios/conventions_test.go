package scenarios_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
	"github.com/google/uuid"
)

// steps writes a sequence of steps as "pending×3 ready" for comparisons.
func steps(ss []scenarios.Step) string {
	var out []string
	for _, s := range ss {
		w := s.Respond
		if s.FlinksCode != "" {
			w += ":" + s.FlinksCode
		}
		if s.Calls > 0 {
			w += fmt.Sprintf("×%d", s.Calls)
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

// mfaShape writes the MFA of a login as "type rounds×challenges".
func mfaShape(l *scenarios.Login) string {
	if l.MFA == nil {
		return ""
	}
	return fmt.Sprintf("%s %d×%d", l.MFA.Rounds[0].Challenges[0].Type, len(l.MFA.Rounds), len(l.MFA.Rounds[0].Challenges))
}

// asFile parses the login as a scenario file would hold it, so that a
// convention login passes every check a written login must pass.
func asFile(t *testing.T, l *scenarios.Login) scenarios.Source {
	t.Helper()
	data, err := json.Marshal(scenarios.File{Logins: []scenarios.Login{*l}})
	if err != nil {
		t.Fatal(err)
	}
	src, err := scenarios.Parse("convention.json", data)
	if err != nil {
		t.Fatalf("the login of %q is not a valid scenario: %v\n%s", l.Username, err, data)
	}
	return src
}

func TestParseConvention(t *testing.T) {
	tests := []struct {
		username  string
		canonical string
		authorize string // the authorize steps, "" for the default
		mfa       string
		detail    string // the accountsDetail steps, "" for the default
		accounts  [3]int // chequing, savings, credit cards
		days      int
	}{
		{username: "error_RETRY_LATER", canonical: "error_RETRY_LATER", authorize: "error:RETRY_LATER", accounts: [3]int{1, 1, 1}},
		{username: "Error_disabled_login", canonical: "error_DISABLED_LOGIN", authorize: "error:DISABLED_LOGIN", accounts: [3]int{1, 1, 1}},
		{username: "error_AGGREGATION_ERROR", canonical: "error_AGGREGATION_ERROR", detail: "error:AGGREGATION_ERROR", accounts: [3]int{1, 1, 1}},
		{username: "error_NO_TRANSACTION", canonical: "error_NO_TRANSACTION", detail: "error:NO_TRANSACTION", accounts: [3]int{1, 1, 1}},
		{username: "mfa_question_2_3", canonical: "mfa_question_2_3", mfa: "QuestionAndAnswer 2×3", accounts: [3]int{1, 1, 1}},
		{username: "mfa_choice_1_1", canonical: "mfa_choice_1_1", mfa: "MultipleChoice 1×1", accounts: [3]int{1, 1, 1}},
		{username: "MFA_Multi_1_2", canonical: "mfa_multi_1_2", mfa: "MultipleChoiceMultipleAnswers 1×2", accounts: [3]int{1, 1, 1}},
		{username: "mfa_image_5_5", canonical: "mfa_image_5_5", mfa: "ImageSelection 5×5", accounts: [3]int{1, 1, 1}},
		{username: "mfa_textorcall_1_1", canonical: "mfa_textorcall_1_1", mfa: "TextOrCall 1×1", accounts: [3]int{1, 1, 1}},
		{username: "pending_3", canonical: "pending_3", detail: "pending×3 ready", accounts: [3]int{1, 1, 1}},
		{username: "pending_003", canonical: "pending_3", detail: "pending×3 ready", accounts: [3]int{1, 1, 1}},
		{username: "dispatched_100", canonical: "dispatched_100", detail: "dispatched×100 ready", accounts: [3]int{1, 1, 1}},
		{username: "accounts_1_days_1", canonical: "accounts_1_days_1", accounts: [3]int{1, 0, 0}, days: 1},
		{username: "accounts_20_days_730", canonical: "accounts_20_days_730", accounts: [3]int{7, 7, 6}, days: 730},
		{username: "accounts_5", canonical: "accounts_5", accounts: [3]int{2, 2, 1}},

		// Combinations, in any order; the canonical order is fixed.
		{username: "mfa_question_1_1__pending_3", canonical: "mfa_question_1_1__pending_3", mfa: "QuestionAndAnswer 1×1", detail: "pending×3 ready", accounts: [3]int{1, 1, 1}},
		{username: "pending_2__dispatched_1", canonical: "dispatched_1__pending_2", detail: "dispatched×1 pending×2 ready", accounts: [3]int{1, 1, 1}},
		{username: "accounts_2_days_30__pending_1__error_AGGREGATION_ERROR__mfa_image_1_2", canonical: "error_AGGREGATION_ERROR__mfa_image_1_2__pending_1__accounts_2_days_30",
			mfa: "ImageSelection 1×2", detail: "pending×1 error:AGGREGATION_ERROR", accounts: [3]int{1, 1, 0}, days: 30},
	}
	for _, tt := range tests {
		t.Run(tt.username, func(t *testing.T) {
			l, err := scenarios.ParseConvention(tt.username)
			if err != nil {
				t.Fatalf("ParseConvention(%q): %v", tt.username, err)
			}
			if l.Username != tt.canonical || l.Name != tt.canonical {
				t.Errorf("username %q, name %q; want %q", l.Username, l.Name, tt.canonical)
			}
			if got := steps(l.Authorize); got != tt.authorize {
				t.Errorf("authorize %q, want %q", got, tt.authorize)
			}
			if got := mfaShape(l); got != tt.mfa {
				t.Errorf("mfa %q, want %q", got, tt.mfa)
			}
			if got := steps(l.AccountsDetail); got != tt.detail {
				t.Errorf("accountsDetail %q, want %q", got, tt.detail)
			}
			g := l.Generate
			if got := [3]int{g.Chequing, g.Savings, g.CreditCards}; got != tt.accounts || g.Days != tt.days {
				t.Errorf("generate %v days %d, want %v days %d", got, g.Days, tt.accounts, tt.days)
			}
			if l.Password != "" || l.Institution != "" || l.Holder == nil {
				t.Errorf("password %q institution %q holder %v: want the defaults (Everyday, FlinksCapital) and a holder", l.Password, l.Institution, l.Holder)
			}
			asFile(t, l)

			again, err := scenarios.ParseConvention(tt.canonical)
			if err != nil || again.LoginID != l.LoginID {
				t.Errorf("the canonical spelling %q gives LoginId %v (%v), want %s", tt.canonical, again, err, l.LoginID)
			}
			back, err := scenarios.ConventionByLoginID(strings.ToUpper(l.LoginID))
			if err != nil || back.Username != tt.canonical {
				t.Errorf("ConventionByLoginID(%s) = %v, %v; want the login %q", l.LoginID, back, err, tt.canonical)
			}
		})
	}
}

func TestParseConventionRejects(t *testing.T) {
	tests := []struct {
		username string
		problem  string // in the message, after "is not one: "
	}{
		{"mfa_question_x", `"mfa_question_x" is not mfa_<type>_<rounds>_<challenges>`},
		{"mfa_question_1", `is not mfa_<type>_<rounds>_<challenges>`},
		{"mfa_question_x_1", `rounds must be a number from 1 to 5, not "x"`},
		{"mfa_question_6_1", "rounds must be from 1 to 5, not 6"},
		{"mfa_question_1_0", "challenges must be from 1 to 5, not 0"},
		{"mfa_sms_1_1", `names no MFA type; use question, choice, multi, image or textorcall`},
		{"error_NOT_A_CODE", `unknown FlinksCode "NOT_A_CODE"`},
		{"error_RETRY_LATE", `did you mean RETRY_LATER?`},
		{"error_", `unknown FlinksCode ""`},
		{"error_OPERATION_PENDING", "OPERATION_PENDING is a 202, not an error; use pending_<n>"},
		{"error_OPERATION_DISPATCHED", "use dispatched_<n>"},
		{"pending_0", "pending_<n> must be from 1 to 100, not 0"},
		{"pending_101", "not 101"},
		{"pending_-1", `pending_<n> must be a number from 1 to 100, not "-1"`},
		{"pending_+1", `not "+1"`},
		{"pending_", `not ""`},
		{"pending_99999", `not "99999"`},
		{"dispatched_x", `dispatched_<n> must be a number`},
		{"accounts_0_days_1", "accounts_<n> must be from 1 to 20, not 0"},
		{"accounts_21", "not 21"},
		{"accounts_1_days_731", "days_<d> must be from 1 to 730, not 731"},
		{"accounts_1_days_", `days_<d> must be a number from 1 to 730, not ""`},
		{"accounts_1_weeks_2", `accounts_<n> must be a number from 1 to 20, not "1_weeks_2"`},

		// Combinations.
		{"error_RETRY_LATER__error_DISABLED_LOGIN", "it has two error_ parts"},
		{"mfa_question_1_1__mfa_choice_1_1", "it has two mfa_ parts"},
		{"pending_1__pending_2", "it has two pending_ parts"},
		{"dispatched_1__dispatched_2", "it has two dispatched_ parts"},
		{"accounts_1__accounts_2", "it has two accounts_ parts"},
		{"error_RETRY_LATER__mfa_question_1_1", "error_RETRY_LATER fails /Authorize, so its mfa_ part would never be reached"},
		{"error_DISABLED_LOGIN__pending_1__accounts_2", "so its pending_ and accounts_ part would never be reached"},
		{"pending_1____mfa_question_1_1", "it has an empty part"},
		{"pending_1__", "it has an empty part"},
		{"greatday__pending_1", `the part "greatday" is none of error_, mfa_, pending_, dispatched_, statements_ or accounts_`},
	}
	for _, tt := range tests {
		t.Run(tt.username, func(t *testing.T) {
			l, err := scenarios.ParseConvention(tt.username)
			var ce *scenarios.ConventionError
			if !errors.As(err, &ce) {
				t.Fatalf("ParseConvention(%q) = %v, %v; want a *ConventionError", tt.username, l, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, "is not one: "+tt.problem) && !strings.Contains(msg, tt.problem) {
				t.Errorf("message %q\ndoes not say %q", msg, tt.problem)
			}
			for _, form := range []string{"error_<FLINKSCODE>", "mfa_<question|choice|multi|image|textorcall>_<rounds 1-5>_<challenges 1-5>", "pending_<n 1-100>", "dispatched_<n 1-100>", "accounts_<n 1-20>[_days_<d 1-730>]"} {
				if !strings.Contains(msg, form) {
					t.Errorf("message %q does not list the form %s", msg, form)
				}
			}
		})
	}
}

func TestParseConventionLeavesOtherUsernamesAlone(t *testing.T) {
	for _, u := range []string{"", "Greatday", "test_pending", "mock_pending_2m", "pending", "error", "mfa", " pending_3", "my_error_account", "x__y"} {
		if l, err := scenarios.ParseConvention(u); !errors.Is(err, scenarios.ErrNotConvention) {
			t.Errorf("ParseConvention(%q) = %v, %v; want ErrNotConvention", u, l, err)
		}
	}
}

func TestConventionCoversEveryErrorCode(t *testing.T) {
	for _, code := range openapi.CodeNames() {
		l, err := scenarios.ParseConvention("error_" + code)
		if strings.HasPrefix(code, "OPERATION_") {
			if err == nil {
				t.Errorf("error_%s is accepted; a 202 is asked for with pending_ or dispatched_", code)
			}
			continue
		}
		if err != nil {
			t.Errorf("error_%s: %v", code, err)
			continue
		}
		asFile(t, l)
	}
}

// The LoginIds of convention usernames are what a client stores after a
// first link: they must stay the same from one version to the next.
func TestConventionLoginIDsAreStable(t *testing.T) {
	for username, want := range map[string]string{
		"mfa_question_2_3":                   "5444570f-56cc-52ee-8405-300000000000",
		"error_RETRY_LATER":                  "91c4b542-a134-581a-8640-000000000000",
		"mfa_choice_1_1__pending_3":          "556cef3e-5382-5972-8408-9000c0000000",
		"accounts_2_days_90":                 "21289e20-96f8-58f1-8400-0000042d0000",
		"error_AGGREGATION_ERROR__pending_2": "ab4a705d-9be6-562b-8440-000080000000",
	} {
		l, err := scenarios.ParseConvention(username)
		if err != nil {
			t.Fatal(err)
		}
		if l.LoginID != want {
			t.Errorf("LoginId of %s is %s, was %s", username, l.LoginID, want)
		}
		if id := uuid.MustParse(l.LoginID); id.Version() != 5 || id.Variant() != uuid.RFC4122 {
			t.Errorf("LoginId of %s is not a version-5 RFC 4122 UUID", username)
		}
	}
}

func TestConventionByLoginIDRejects(t *testing.T) {
	l, err := scenarios.ParseConvention("mfa_question_2_3")
	if err != nil {
		t.Fatal(err)
	}
	tampered := []byte(l.LoginID)
	tampered[len(tampered)-8] = '1' // the packed part, changed: the hash no longer matches
	for _, id := range []string{
		"", "nope", "06471b6b-2212-4e49-bff0-250437191029", // a library LoginId (version 4)
		uuid.NewSHA1(uuid.NameSpaceURL, []byte("x")).String(), // version 5, but not packed
		string(tampered),
		"5444570f-56cc-52ee-8405-300000000001", // a spare bit set
		"5444570f-56cc-52ee-8409-300000000000", // another convention, with the first's hash
	} {
		if got, err := scenarios.ConventionByLoginID(id); !errors.Is(err, scenarios.ErrNotConvention) {
			t.Errorf("ConventionByLoginID(%q) = %v, %v; want ErrNotConvention", id, got, err)
		}
	}
}

func TestConventionAnswers(t *testing.T) {
	tests := []struct {
		username  string
		prompt    string
		iterables []string
		right     [][]string
		wrong     [][]string
	}{
		{"mfa_question_2_3", "Question 3 of round 2?", nil, [][]string{{"answer-2-3"}, {" ANSWER-2-3 "}}, [][]string{{"answer-3-2"}, {}}},
		{"mfa_choice_1_2", "Question 2 of round 1?", []string{"wrong-1-2-1", "answer-1-2", "wrong-1-2-2"}, [][]string{{"answer-1-2"}}, [][]string{{"wrong-1-2-1"}}},
		{"mfa_image_1_1", "Question 1 of round 1?", []string{"wrong-1-1-1", "answer-1-1", "wrong-1-1-2"}, [][]string{{"answer-1-1"}}, [][]string{{"wrong-1-1-2"}}},
		{"mfa_multi_1_1", "Question 1 of round 1?", []string{"answer-1-1", "wrong-1-1-1", "also-1-1", "wrong-1-1-2"},
			[][]string{{"answer-1-1", "also-1-1"}, {"also-1-1", "answer-1-1"}}, [][]string{{"answer-1-1"}, {"answer-1-1", "also-1-1", "wrong-1-1-1"}}},
		{"mfa_textorcall_3_1", "Question 1 of round 3?", nil, [][]string{{"answer-3-1"}}, [][]string{{"123456"}}},
	}
	for _, tt := range tests {
		t.Run(tt.username, func(t *testing.T) {
			l, err := scenarios.ParseConvention(tt.username)
			if err != nil {
				t.Fatal(err)
			}
			var found *scenarios.Challenge
			for _, r := range l.MFA.Rounds {
				for i := range r.Challenges {
					if r.Challenges[i].Prompt == tt.prompt {
						found = &r.Challenges[i]
					}
				}
			}
			if found == nil {
				t.Fatalf("no challenge %q", tt.prompt)
			}
			if strings.Join(found.Iterables, ",") != strings.Join(tt.iterables, ",") {
				t.Errorf("iterables %v, want %v", found.Iterables, tt.iterables)
			}
			for _, a := range tt.right {
				if !found.Accepts(a) {
					t.Errorf("%v is refused", a)
				}
			}
			for _, a := range tt.wrong {
				if found.Accepts(a) {
					t.Errorf("%v is accepted", a)
				}
			}
		})
	}
}

func TestConventionsListsWorkingExamples(t *testing.T) {
	forms := scenarios.Conventions()
	if len(forms) < 6 {
		t.Fatalf("%d forms listed", len(forms))
	}
	for _, c := range forms {
		if _, err := scenarios.ParseConvention(c.Example); err != nil {
			t.Errorf("the example %q of %s does not parse: %v", c.Example, c.Form, err)
		}
		if c.Description == "" {
			t.Errorf("%s has no description", c.Form)
		}
	}
}

func FuzzParseConvention(f *testing.F) {
	for _, s := range []string{
		"mfa_question_2_3", "error_RETRY_LATER", "pending_3__mfa_choice_1_1", "accounts_20_days_730",
		"dispatched_1__pending_2__accounts_1__error_NO_TRANSACTION", "mfa_x", "error_", "a____b", "Greatday",
		"ACCOUNTS_1_DAYS_1", "pending_0007", "mfa_multi_5_5__",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, username string) {
		l, err := scenarios.ParseConvention(username)
		var ce *scenarios.ConventionError
		switch {
		case errors.Is(err, scenarios.ErrNotConvention):
			return
		case errors.As(err, &ce):
			if !strings.Contains(err.Error(), "Valid forms") {
				t.Fatalf("message %q lists no form", err)
			}
			return
		case err != nil:
			t.Fatalf("ParseConvention(%q) returned %T: %v", username, err, err)
		}
		src := asFile(t, l)
		if _, err := scenarios.Build(time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), src); err != nil {
			t.Fatalf("the login of %q does not build: %v", username, err)
		}
		back, err := scenarios.ConventionByLoginID(l.LoginID)
		if err != nil || back.Username != l.Username {
			t.Fatalf("LoginId %s of %q gives back %v, %v", l.LoginID, username, back, err)
		}
		again, err := scenarios.ParseConvention(l.Username)
		if err != nil || again.LoginID != l.LoginID {
			t.Fatalf("the canonical %q of %q gives %v, %v", l.Username, username, again, err)
		}
	})
}

func ExampleParseConvention() {
	l, err := scenarios.ParseConvention("pending_2__MFA_question_2_1")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(l.Username, l.LoginID)
	for r, round := range l.MFA.Rounds {
		for _, c := range round.Challenges {
			fmt.Printf("round %d: %q → %s\n", r+1, c.Prompt, c.Answers[0])
		}
	}
	for _, s := range l.AccountsDetail {
		fmt.Println("GetAccountsDetail:", s.Respond, s.Calls)
	}

	_, err = scenarios.ParseConvention("pending_x")
	fmt.Println(err)
	// Output:
	// mfa_question_2_1__pending_2 4917c410-301d-5372-8405-100080000000
	// round 1: "Question 1 of round 1?" → answer-1-1
	// round 2: "Question 1 of round 2?" → answer-2-1
	// GetAccountsDetail: pending 2
	// GetAccountsDetail: ready 0
	// Username "pending_x" looks like a convention username but is not one: pending_<n> must be a number from 1 to 100, not "x". Valid forms, combined with "__": error_<FLINKSCODE>; mfa_<question|choice|multi|image|textorcall>_<rounds 1-5>_<challenges 1-5>; pending_<n 1-100>; dispatched_<n 1-100>; statements_<n 1-100>; accounts_<n 1-20>[_days_<d 1-730>]
}
