package scenarios

import (
	"strings"
	"testing"
)

// oneLogin is a valid file with one login; the extra lines (written as if
// at the login's indentation) start at line 5.
func oneLogin(extra string) string {
	var b strings.Builder
	b.WriteString("logins:\n  - name: a\n    username: u\n    loginId: 396fc774-7f7a-4c31-7c44-08da172863b5\n")
	for _, line := range strings.Split(strings.TrimSuffix(extra, "\n"), "\n") {
		if line != "" {
			b.WriteString("    " + line + "\n")
		}
	}
	return b.String()
}

// TestCheck covers every semantic check, with the exact message.
func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{
			name: "duplicate login name, LoginId and username",
			yaml: `logins:
  - name: a
    username: Greatday
    loginId: 396fc774-7f7a-4c31-7c44-08da172863b5
  - name: a
    username: greatday
    institution: flinkscapital
    loginId: 396FC774-7F7A-4C31-7C44-08DA172863B5
`,
			want: `bank.yaml:5: logins[1].name: the name "a" is already used by the login at line 2; names must be unique
bank.yaml:6: logins[1].username: username "greatday" at flinkscapital is also used by login "a" (line 2)
bank.yaml:8: logins[1].loginId: LoginId 396FC774-7F7A-4C31-7C44-08DA172863B5 is also used by login "a" (line 2)`,
		},
		{
			name: "same username at two institutions is fine",
			yaml: `institutions:
  - {name: MapleBank, id: 901}
logins:
  - {name: a, username: jo, loginId: 396fc774-7f7a-4c31-7c44-08da172863b5}
  - {name: b, username: jo, institution: MapleBank, loginId: 396fc774-7f7a-4c31-7c44-08da172863b6}
`,
		},
		{
			name: "duplicate institution",
			yaml: "institutions:\n  - {name: Maple, id: 901}\n  - {name: maple, id: 901}\n",
			want: `bank.yaml:3: institutions[1].id: id 901 is already used by institution "Maple"
bank.yaml:3: institutions[1].name: institution "maple" is already defined at line 2`,
		},
		{
			name: "mfa without rounds",
			yaml: oneLogin("mfa:\n  rounds: []"),
			want: "bank.yaml:6: logins[0].mfa.rounds: at least one round is needed; leave mfa out for a login without MFA",
		},
		{
			name: "round without challenges",
			yaml: oneLogin("mfa:\n  rounds:\n    - challenges: []"),
			want: "bank.yaml:7: logins[0].mfa.rounds[0].challenges: a round needs at least one challenge",
		},
		{
			name: "challenge without answers",
			yaml: oneLogin("mfa:\n  rounds:\n    - challenges:\n        - prompt: Why?\n          answers: []"),
			want: "bank.yaml:9: logins[0].mfa.rounds[0].challenges[0].answers: a challenge with no answer can never be passed; list at least one",
		},
		{
			name: "prompts repeated in a round",
			yaml: oneLogin("mfa:\n  rounds:\n    - challenges:\n        - {prompt: Why, answers: [a]}\n        - {prompt: Why, answers: [b]}"),
			want: `bank.yaml:9: logins[0].mfa.rounds[0].challenges[1].prompt: prompt "Why" is already asked by challenges[0] of this round; clients answer by prompt, so the prompts of a round must differ`,
		},
		{
			name: "choice challenge without iterables",
			yaml: oneLogin("mfa:\n  rounds:\n    - challenges:\n        - {type: ImageSelection, prompt: Pick the cat, answers: [cat]}"),
			want: "bank.yaml:8: logins[0].mfa.rounds[0].challenges[0].iterables: ImageSelection challenges need iterables: the choices the user picks the answers from",
		},
		{
			name: "answer that is not a choice",
			yaml: oneLogin("mfa:\n  rounds:\n    - challenges:\n        - type: MultipleChoiceMultipleAnswers\n          prompt: Pick the fruits\n          iterables: [Apple, Pear, Leek]\n          answers: [apple, plum]"),
			want: `bank.yaml:11: logins[0].mfa.rounds[0].challenges[0].answers[1]: "plum" is not one of the iterables (Apple, Pear, Leek), so it can never be chosen`,
		},
		{
			name: "iterables on a question",
			yaml: oneLogin("mfa:\n  rounds:\n    - challenges:\n        - prompt: Why?\n          iterables: [a]\n          answers: [a]\n        - type: TextOrCall\n          prompt: Code?\n          iterables: [a]\n          answers: [a]"),
			want: `bank.yaml:9: logins[0].mfa.rounds[0].challenges[0].iterables: QuestionAndAnswer challenges take no iterables; only MultipleChoice, MultipleChoiceMultipleAnswers and ImageSelection challenges offer choices
bank.yaml:13: logins[0].mfa.rounds[0].challenges[1].iterables: TextOrCall challenges take no iterables; only MultipleChoice, MultipleChoiceMultipleAnswers and ImageSelection challenges offer choices`,
		},
		{
			name: "pick more than the challenges",
			yaml: oneLogin("mfa:\n  rounds:\n    - pick: 2\n      challenges:\n        - {prompt: Why, answers: [a]}"),
			want: "bank.yaml:7: logins[0].mfa.rounds[0].pick: pick 2 asks for more challenges than the round has (1); use at most 1, or 0 to ask them all",
		},
		{
			name: "respond not allowed in authorize",
			yaml: oneLogin("authorize:\n  - respond: ready"),
			want: `bank.yaml:6: logins[0].authorize[0].respond: "ready" is not allowed in authorize; use ok or error`,
		},
		{
			name: "respond not allowed in accountsDetail",
			yaml: oneLogin("accountsDetail:\n  - respond: ok"),
			want: `bank.yaml:6: logins[0].accountsDetail[0].respond: "ok" is not allowed in accountsDetail; use pending, dispatched, ready or error`,
		},
		{
			name: "error step without a code",
			yaml: oneLogin("accountsSummary:\n  - respond: error"),
			want: "bank.yaml:6: logins[0].accountsSummary[0].flinksCode: required on an error step, e.g. flinksCode: RETRY_LATER",
		},
		{
			name: "error fields on a step that is not an error",
			yaml: oneLogin("authorize:\n  - respond: ok\n    flinksCode: RETRY_LATER\n    status: 401\n    message: hi"),
			want: `bank.yaml:7: logins[0].authorize[0].flinksCode: only an error step takes a flinksCode; this step responds "ok"
bank.yaml:8: logins[0].authorize[0].status: only an error step takes a status; this step responds "ok"
bank.yaml:9: logins[0].authorize[0].message: only an error step takes a message; this step responds "ok"`,
		},
		{
			name: "misspelt FlinksCode",
			yaml: oneLogin("authorize:\n  - respond: error\n    flinksCode: RETRY_LATR"),
			want: `bank.yaml:7: logins[0].authorize[0].flinksCode: unknown FlinksCode "RETRY_LATR"; did you mean RETRY_LATER?`,
		},
		{
			name: "unknown FlinksCode with nothing near",
			yaml: oneLogin("authorize:\n  - respond: error\n    flinksCode: BANK_ON_FIRE"),
			want: `bank.yaml:7: logins[0].authorize[0].flinksCode: unknown FlinksCode "BANK_ON_FIRE"; see openapi/codes.go for the codes of the contract`,
		},
		{
			name: "202 code on an error step",
			yaml: oneLogin("accountsDetail:\n  - respond: error\n    flinksCode: OPERATION_DISPATCHED"),
			want: "bank.yaml:7: logins[0].accountsDetail[0].flinksCode: OPERATION_DISPATCHED is a 202, not an error; use respond: dispatched",
		},
		{
			name: "status out of range",
			yaml: oneLogin("authorize:\n  - respond: error\n    flinksCode: RETRY_LATER\n    status: 302"),
			want: "bank.yaml:8: logins[0].authorize[0].status: must be at least 400, not 302",
		},
		{
			name: "calls and for together",
			yaml: oneLogin("accountsDetail:\n  - respond: pending\n    calls: 2\n    for: 10s\n  - respond: ready"),
			want: "bank.yaml:8: logins[0].accountsDetail[0].for: a step lasts either calls or for, not both; keep one",
		},
		{
			name: "for in authorize",
			yaml: oneLogin("authorize:\n  - respond: error\n    flinksCode: RETRY_LATER\n    for: 1m\n  - respond: ok"),
			want: "bank.yaml:8: logins[0].authorize[0].for: authorize steps are counted in calls; for is only for accountsDetail and accountsSummary",
		},
		{
			name: "step after ready",
			yaml: oneLogin("accountsDetail:\n  - respond: ready\n  - respond: error\n    flinksCode: RETRY_LATER"),
			want: "bank.yaml:7: logins[0].accountsDetail[1]: this step is never reached: the step before it is ready, and a session stays ready once its data has arrived",
		},
		{
			name: "sequence that never finishes",
			yaml: oneLogin("accountsDetail:\n  - respond: pending\n    calls: 3\n  - respond: dispatched"),
			want: "bank.yaml:8: logins[0].accountsDetail[1].respond: the last step must be ready or error, or the data never arrives; a dispatched step repeats for ever",
		},
		{
			name: "calls and for on the last step",
			yaml: oneLogin("accountsSummary:\n  - respond: error\n    flinksCode: RETRY_LATER\n    calls: 2\naccountsDetail:\n  - respond: ready\n    for: 5s"),
			want: `bank.yaml:8: logins[0].accountsSummary[0].calls: the last step repeats for ever, so calls has no effect; remove it, or add the step that comes next
bank.yaml:11: logins[0].accountsDetail[0].for: the last step repeats for ever, so for has no effect; remove it, or add the step that comes next`,
		},
		{
			name: "for of zero",
			yaml: oneLogin("accountsDetail:\n  - respond: pending\n    for: 0s\n  - respond: ready"),
			want: "bank.yaml:7: logins[0].accountsDetail[0].for: must be longer than 0s",
		},
		{
			name: "settings",
			yaml: "settings:\n  tokenLifetime: 0s\n  processingTimeout: 0m\n  statuses:\n    SESSION_EXPIRD: 400\n    SESSION_EXPIRED: 400\n",
			want: `bank.yaml:2: settings.tokenLifetime: must be longer than 0s; leave it out for the default (30m)
bank.yaml:3: settings.processingTimeout: must be longer than 0s; leave it out for the default (30m)
bank.yaml:5: settings.statuses.SESSION_EXPIRD: unknown FlinksCode "SESSION_EXPIRD"; did you mean SESSION_EXPIRED?`,
		},
		{
			name: "generate no account",
			yaml: oneLogin("generate:\n  seed: 4\n  chequing: 0"),
			want: "bank.yaml:5: logins[0].generate: no account to generate; set chequing, savings or creditCards to 1 or more",
		},
		{
			name: "generate end date that does not exist",
			yaml: oneLogin("generate: {seed: 4, savings: 1, endDate: 2025-02-29}"),
			want: `bank.yaml:5: logins[0].generate.endDate: "2025-02-29" is not a real date written YYYY-MM-DD`,
		},
		{
			name: "accounts in full",
			yaml: oneLogin(`accounts:
  - Id: acc-1
    Title: Chequing
    AccountNumber: "1"
    Balance: {Current: 10}
    Category: Operations
    Type: Chequing
    Currency: CAD
    Transactions:
      - {Id: t1, Date: 2025-04-31, Description: coffee, Debit: 3, Balance: 10}
  - Id: ACC-1
    Title: Savings
    AccountNumber: "2"
    Balance: {Current: 0}
    Category: Operations
    Type: Savings
    Currency: CAD`),
			want: `bank.yaml:14: logins[0].accounts[0].Transactions[0].Date: "2025-04-31" is not a real date written YYYY-MM-DD
bank.yaml:15: logins[0].accounts[1].Id: account Id "ACC-1" is already used by accounts[0] of this login`,
		},
		{
			name: "a complete sequence is fine",
			yaml: oneLogin("accountsDetail:\n  - respond: pending\n    calls: 2\n  - respond: dispatched\n    for: 30s\n  - respond: error\n    flinksCode: RETRY_LATER\n  - respond: ready\n    latency: 1s"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseErrors(t, tt.yaml)
			if got != tt.want {
				t.Errorf("errors:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestNearestCodes(t *testing.T) {
	tests := []struct {
		code string
		want string
	}{
		{"RETRY_LATR", "RETRY_LATER"},
		{"retry_later", "RETRY_LATER"},
		{"INVALID_LOGN", "INVALID_LOGIN"},
		{"LOGIN", "INVALID_LOGIN DISABLED_LOGIN"},
		{"XYZ", ""},
	}
	for _, tt := range tests {
		if got := strings.Join(nearestCodes(tt.code), " "); got != tt.want {
			t.Errorf("nearestCodes(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
}
