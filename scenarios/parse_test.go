package scenarios

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// parseErrors parses data as bank.yaml and returns the error text, one
// problem per line, or "" when the file is valid.
func parseErrors(t *testing.T, data string) string {
	t.Helper()
	_, err := Parse("bank.yaml", []byte(data))
	if err == nil {
		return ""
	}
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("Parse returned %T, want Errors: %v", err, err)
	}
	return err.Error()
}

// TestParseRejects covers the YAML layer and every kind of schema error.
// The texts are the exact messages a user reads.
func TestParseRejects(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{
			name: "empty file",
			yaml: "",
			want: "bank.yaml: the file holds no scenario: expected a mapping with logins, institutions or settings",
		},
		{
			name: "only comments",
			yaml: "# nothing yet\n",
			want: "bank.yaml: the file holds no scenario: expected a mapping with logins, institutions or settings",
		},
		{
			name: "null document",
			yaml: "---\n~\n",
			want: "bank.yaml:2: the file holds no scenario: expected a mapping with logins, institutions or settings",
		},
		{
			name: "two documents",
			yaml: "logins: []\n---\nlogins: []\n",
			want: `bank.yaml:2: a second YAML document starts here; a scenario file holds one document, so remove the "---" and merge the two`,
		},
		{
			name: "a trailing document marker is harmless",
			yaml: "logins: []\n---\n",
		},
		{
			name: "syntax error",
			yaml: "logins:\n  - name: a\n    username: @b\n",
			want: "bank.yaml:3: YAML syntax: found character that cannot start any token",
		},
		{
			name: "syntax error found by the parser, located at the start of its block",
			yaml: "logins:\n  - name: a\n    username: b\n  loginId: c\n",
			want: "bank.yaml:2: YAML syntax: did not find expected '-' indicator",
		},
		{
			name: "root is a list",
			yaml: "- name: a\n",
			want: "bank.yaml:1: the file must be a mapping with logins, institutions or settings, not a list",
		},
		{
			name: "duplicate key",
			yaml: `logins:
  - name: a
    username: u
    loginId: 396fc774-7f7a-4c31-7c44-08da172863b5
    username: v
`,
			want: `bank.yaml:5: logins[0].username: duplicate key "username"; it is already set at line 3`,
		},
		{
			name: "key that is not a string",
			yaml: "settings:\n  statuses:\n    401: 400\n",
			want: "bank.yaml:3: settings.statuses: the key 401 must be text; put it in quotes",
		},
		{
			name: "alias that contains itself",
			yaml: "logins: &l\n  - *l\n",
			want: "bank.yaml:2: logins[0]: alias *l refers to a value that contains it",
		},
		{
			name: "unsupported tag",
			yaml: "logins: !custom []\n",
			want: "bank.yaml:1: logins: the YAML tag !custom is not supported; remove it",
		},
		{
			name: "infinite number",
			yaml: "logins:\n  - name: a\n    username: u\n    loginId: 396fc774-7f7a-4c31-7c44-08da172863b5\n    accounts:\n      - {Id: a, Title: t, AccountNumber: '1', Category: Operations, Type: Chequing, Currency: CAD, Balance: {Current: .inf}}\n",
			want: "bank.yaml:6: logins[0].accounts[0].Balance.Current: must be a finite number, not .inf",
		},
		{
			name: "missing required fields, on the line of the mapping that lacks them",
			yaml: `logins:
  - name: a
    username: u
    loginId: 396fc774-7f7a-4c31-7c44-08da172863b5
    mfa:
      rounds:
        - challenges:
            - prompt: What city were you born in?
`,
			want: "bank.yaml:8: logins[0].mfa.rounds[0].challenges[0].answers: required",
		},
		{
			name: "several required fields",
			yaml: "logins:\n  - description: nothing else\n",
			want: `bank.yaml:2: logins[0].loginId: required
bank.yaml:2: logins[0].username: required`,
		},
		{
			name: "unknown field",
			yaml: `logins:
  - name: a
    username: u
    loginId: 396fc774-7f7a-4c31-7c44-08da172863b5
    mfa:
      rounds:
        - challenges:
            - prompt: What city were you born in?
              answers: [Montreal]
              colour: blue
`,
			want: `bank.yaml:10: logins[0].mfa.rounds[0].challenges[0].colour: unknown field "colour"; allowed: answers, iterables, prompt, type`,
		},
		{
			name: "unknown field that differs only in case",
			yaml: "logins:\n  - name: a\n    username: u\n    LoginId: 396fc774-7f7a-4c31-7c44-08da172863b5\n",
			want: `bank.yaml:2: logins[0].loginId: required
bank.yaml:4: logins[0].LoginId: unknown field "LoginId" (did you mean "loginId"? mock settings are camelCase, Flinks objects PascalCase); allowed: accounts, accountsDetail, accountsSummary, authorize, description, generate, holder, institution, loginId, mfa, name, nulls, password, statements, tokenRequired, type, username, webhooks`,
		},
		{
			name: "unknown top-level field",
			yaml: "login:\n  - name: a\n",
			want: `bank.yaml:1: login: unknown field "login"; allowed: institutions, logins, settings, and keys starting with "x-" to hold YAML anchors`,
		},
		{
			name: "string expected",
			yaml: "logins:\n  - name: 42\n    username: u\n    loginId: 396fc774-7f7a-4c31-7c44-08da172863b5\n",
			want: "bank.yaml:2: logins[0].name: must be a string, not a number",
		},
		{
			name: "list expected",
			yaml: "logins:\n  name: a\n",
			want: "bank.yaml:1: logins: must be a list, not a mapping",
		},
		{
			name: "mapping expected",
			yaml: "settings: fast\n",
			want: "bank.yaml:1: settings: must be a mapping, not a string",
		},
		{
			name: "boolean expected",
			yaml: "logins:\n  - name: a\n    username: u\n    loginId: 396fc774-7f7a-4c31-7c44-08da172863b5\n    tokenRequired: \"no\"\n",
			want: "bank.yaml:5: logins[0].tokenRequired: must be a boolean, not a string",
		},
		{
			name: "integer expected",
			yaml: "institutions:\n  - name: Bank\n    id: 1.5\n",
			want: "bank.yaml:3: institutions[0].id: must be an integer, not 1.5",
		},
		{
			name: "null where a mapping is expected",
			yaml: "settings:\n",
			want: "bank.yaml:1: settings: must be a mapping, not null",
		},
		{
			name: "enum",
			yaml: "settings:\n  invalidTokenCode: DENIED\n",
			want: `bank.yaml:2: settings.invalidTokenCode: "DENIED" is not one of: ACCESS_DENIED, UNAUTHORIZED`,
		},
		{
			name: "enum of a Flinks object",
			yaml: "logins:\n  - name: a\n    username: u\n    loginId: 396fc774-7f7a-4c31-7c44-08da172863b5\n    accounts:\n      - {Id: a, Title: t, AccountNumber: '1', Category: Operations, Type: Chequing, Currency: EUR, Balance: {Current: 1}}\n",
			want: `bank.yaml:6: logins[0].accounts[0].Currency: "EUR" is not one of: CAD, USD`,
		},
		{
			name: "loginId that is not a UUID",
			yaml: "logins:\n  - name: a\n    username: u\n    loginId: abc\n",
			want: `bank.yaml:4: logins[0].loginId: "abc" is not a UUID such as 396fc774-7f7a-4c31-7c44-08da172863b5`,
		},
		{
			name: "duration with a bad unit",
			yaml: "settings:\n  tokenLifetime: 10x\n",
			want: `bank.yaml:2: settings.tokenLifetime: "10x" is not a duration such as "10s" or "30m"`,
		},
		{
			name: "duration written as a number",
			yaml: "settings:\n  tokenLifetime: 10\n",
			want: `bank.yaml:2: settings.tokenLifetime: must be a duration such as "10s" or "30m", not a number`,
		},
		{
			name: "duration past what Go holds",
			yaml: "logins:\n  - name: a\n    username: u\n    loginId: 396fc774-7f7a-4c31-7c44-08da172863b5\n    authorize:\n      - respond: ok\n        latency: 9999999999h\n",
			want: `bank.yaml:7: logins[0].authorize[0].latency: "9999999999h" is past the longest duration, about 2562047h (292 years)`,
		},
		{
			name: "end date before year 1900",
			yaml: "logins:\n  - name: a\n    username: u\n    loginId: 396fc774-7f7a-4c31-7c44-08da172863b5\n    generate: {seed: 1, chequing: 1, endDate: \"0001-01-01\"}\n",
			want: `bank.yaml:5: logins[0].generate.endDate: "0001-01-01" is out of range; use a date from 1900-01-01 to 9999-12-31`,
		},
		{
			name: "date pattern",
			yaml: "logins:\n  - name: a\n    username: u\n    loginId: 396fc774-7f7a-4c31-7c44-08da172863b5\n    generate: {seed: 1, chequing: 1, endDate: 31/01/2025}\n",
			want: `bank.yaml:5: logins[0].generate.endDate: "31/01/2025" is not a date written YYYY-MM-DD`,
		},
		{
			name: "institution number pattern",
			yaml: "institutions:\n  - name: Bank\n    id: 2\n    institutionNumber: \"12\"\n",
			want: `bank.yaml:4: institutions[0].institutionNumber: "12" is not a three-digit institution number such as "777" (quote it so leading zeros stay)`,
		},
		{
			name: "minimum",
			yaml: "settings:\n  statuses:\n    RETRY_LATER: 42\n",
			want: "bank.yaml:3: settings.statuses.RETRY_LATER: must be at least 100, not 42",
		},
		{
			name: "maximum",
			yaml: "logins:\n  - name: a\n    username: u\n    loginId: 396fc774-7f7a-4c31-7c44-08da172863b5\n    generate: {seed: 1, chequing: 1, days: 731}\n",
			want: "bank.yaml:5: logins[0].generate.days: must be at most 730, not 731",
		},
		{
			name: "empty string",
			yaml: "logins:\n  - name: \"\"\n    username: u\n    loginId: 396fc774-7f7a-4c31-7c44-08da172863b5\n",
			want: "bank.yaml:2: logins[0].name: must not be empty",
		},
		{
			name: "every error at once, sorted by line",
			yaml: `settings:
  colour: red
logins:
  - name: a
    username: u
    loginId: nope
    type: Persnal
`,
			want: `bank.yaml:2: settings.colour: unknown field "colour"; allowed: authorizeIdleTimeout, invalidTokenCode, processingTimeout, sessionLifetime, shapes, statuses, tokenLifetime, webhooks, wrongPasswordCode
bank.yaml:6: logins[0].loginId: "nope" is not a UUID such as 396fc774-7f7a-4c31-7c44-08da172863b5
bank.yaml:7: logins[0].type: "Persnal" is not one of: Personal, Business`,
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

// TestParseRefusesAFileTooLarge: past MaxFileBytes a file is refused
// before it is parsed (a 50 MB file took 1.8 GB to parse), from Parse as
// from a path.
func TestParseRefusesAFileTooLarge(t *testing.T) {
	big := "logins: []\n" + strings.Repeat("# padding\n", MaxFileBytes/10+1)
	_, err := Parse("big.yaml", []byte(big))
	if err == nil || !strings.Contains(err.Error(), "big.yaml: the file is") || !strings.Contains(err.Error(), "past the limit of 4194304 (4 MiB)") {
		t.Errorf("Parse of %d bytes: %v", len(big), err)
	}
	if _, err := Parse("ok.yaml", []byte(big[:MaxFileBytes])); err != nil {
		t.Errorf("Parse of exactly MaxFileBytes: %v", err)
	}

	// A 50 MB file on disk (sparse: it costs no disk) is refused without
	// being read whole.
	path := filepath.Join(t.TempDir(), "huge.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(50 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = ReadSources(path)
	var es Errors
	if !errors.As(err, &es) || len(es) != 1 || !strings.Contains(es[0].Msg, "the file is 52428800 bytes, past the limit") {
		t.Errorf("ReadSources of a 50 MB file: %v", err)
	}
}

func TestParseAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString(`a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
	prev := "a"
	for _, name := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		b.WriteString(name + ": &" + name + " [")
		for i := 0; i < 9; i++ {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("*" + prev)
		}
		b.WriteString("]\n")
		prev = name
	}
	got := parseErrors(t, b.String())
	if !strings.Contains(got, "the aliases of this file expand to more than") {
		t.Errorf("errors = %q, want the alias expansion to be refused", got)
	}
}

func TestParseAccepts(t *testing.T) {
	ptr := func(f float64) *float64 { return &f }
	str := func(s string) *string { return &s }
	yes := true
	holder := &Holder{
		Name:        "Jo Tremblay",
		Address:     Address{CivicAddress: "1 Rue Principale", City: "Montreal", Province: "QC", PostalCode: "H2X 1Y4", Country: "CA"},
		Email:       "jo@example.com",
		PhoneNumber: "514-555-0100",
	}
	tests := []struct {
		name string
		file string
		want File
	}{
		{
			name: "YAML with every feature",
			file: `# yaml-language-server: $schema=../schema.json
settings:
  tokenLifetime: 2m
  authorizeIdleTimeout: 90s
  processingTimeout: 1h30m
  invalidTokenCode: UNAUTHORIZED
  wrongPasswordCode: INVALID_PASSWORD
  statuses:
    SESSION_EXPIRED: 400
institutions:
  - name: MapleBank
    id: 901
    displayName: Maple Bank
    institutionNumber: "099"
x-holders:
  jo: &jo
    Name: Jo Tremblay
    Address:
      CivicAddress: 1 Rue Principale
      City: Montreal
      Province: QC
      PostalCode: H2X 1Y4
      POBox: null
      Country: CA
    Email: jo@example.com
    PhoneNumber: 514-555-0100
logins:
  - name: maple
    description: Two MFA rounds, then data after two polls.
    username: jo
    password: secret
    institution: MapleBank
    loginId: 5F2A0E6C-1111-4C31-8C44-08DA172863B5
    type: Business
    tokenRequired: true
    mfa:
      when: always
      rounds:
        - pick: 1
          challenges:
            - prompt: What city were you born in?
              answers: [Montreal]
            - type: MultipleChoice
              prompt: Pick a colour
              iterables: [Red, Green]
              answers: [green]
        - challenges:
            - type: TextOrCall
              prompt: Enter the code we sent
              answers: ["123456"]
    authorize:
      - respond: error
        flinksCode: RETRY_LATER
        calls: 2
      - respond: ok
    holder: *jo
    accounts:
      - Id: 0f4a6f7e-0000-4000-8000-000000000001
        Title: Chequing CAD
        AccountNumber: "1111000"
        LastFourDigits: "1000"
        TransitNumber: "12345"
        InstitutionNumber: "099"
        OverdraftLimit: 500
        Balance: {Available: 1200.5, Current: 1200.5, Limit: null}
        Category: Operations
        Type: Chequing
        Currency: CAD
        AccountType: Personal
        Transactions:
          - Id: 0f4a6f7e-0000-4000-8000-00000000000a
            Date: 2025-01-31
            Code: null
            Description: PAYROLL
            Debit: null
            Credit: 1000
            Balance: 1200.5
    generate:
      seed: -7
      chequing: 1
      savings: 0
      creditCards: 2
      days: 90
      endDate: 2025-01-31
      currency: USD
    accountsDetail:
      - respond: pending
        calls: 2
      - respond: dispatched
        for: 10s
        latency: 250ms
      - respond: error
        flinksCode: AGGREGATION_ERROR
        status: 503
        message: try again
      - respond: ready
    accountsSummary:
      - respond: ready
`,
			want: File{
				Settings: &Settings{
					TokenLifetime:        Duration(2 * 60e9),
					AuthorizeIdleTimeout: Duration(90e9),
					ProcessingTimeout:    Duration(90 * 60e9),
					InvalidTokenCode:     "UNAUTHORIZED",
					WrongPasswordCode:    "INVALID_PASSWORD",
					Statuses:             map[string]int{"SESSION_EXPIRED": 400},
				},
				Institutions: []Institution{{Name: "MapleBank", ID: 901, DisplayName: "Maple Bank", InstitutionNumber: "099"}},
				Logins: []Login{{
					Name:          "maple",
					Description:   "Two MFA rounds, then data after two polls.",
					Username:      "jo",
					Password:      "secret",
					Institution:   "MapleBank",
					LoginID:       "5F2A0E6C-1111-4C31-8C44-08DA172863B5",
					Type:          "Business",
					TokenRequired: &yes,
					MFA: &MFA{When: MFAWhenAlways, Rounds: []Round{
						{Pick: 1, Challenges: []Challenge{
							{Prompt: "What city were you born in?", Answers: []string{"Montreal"}},
							{Type: ChallengeMultipleChoice, Prompt: "Pick a colour", Iterables: []string{"Red", "Green"}, Answers: []string{"green"}},
						}},
						{Challenges: []Challenge{{Type: ChallengeTextOrCall, Prompt: "Enter the code we sent", Answers: []string{"123456"}}}},
					}},
					Authorize: []Step{
						{Respond: RespondError, FlinksCode: "RETRY_LATER", Calls: 2},
						{Respond: RespondOK},
					},
					Holder: holder,
					Accounts: []Account{{
						Id: "0f4a6f7e-0000-4000-8000-000000000001", Title: "Chequing CAD", AccountNumber: "1111000",
						LastFourDigits: str("1000"), TransitNumber: "12345", InstitutionNumber: "099", OverdraftLimit: 500,
						Balance:  Balance{Available: ptr(1200.5), Current: 1200.5},
						Category: "Operations", Type: "Chequing", Currency: "CAD", AccountType: str("Personal"),
						Transactions: []Transaction{{
							Id: "0f4a6f7e-0000-4000-8000-00000000000a", Date: "2025-01-31", Description: "PAYROLL",
							Credit: ptr(1000), Balance: 1200.5,
						}},
					}},
					Generate: &Generate{Seed: -7, Chequing: 1, CreditCards: 2, Days: 90, EndDate: "2025-01-31", Currency: "USD"},
					AccountsDetail: []Step{
						{Respond: RespondPending, Calls: 2},
						{Respond: RespondDispatched, For: Duration(10e9), Latency: Duration(250e6)},
						{Respond: RespondError, FlinksCode: "AGGREGATION_ERROR", Status: 503, Message: "try again"},
						{Respond: RespondReady},
					},
					AccountsSummary: []Step{{Respond: RespondReady}},
				}},
			},
		},
		{
			name: "JSON body",
			file: `{"$schema": "https://flinks-mock.dev/scenarios/schema.json",
 "logins": [{"name": "a", "username": "u", "loginId": "396fc774-7f7a-4c31-7c44-08da172863b5",
             "generate": {"seed": 9007199254740993, "chequing": 1}}]}`,
			want: File{Logins: []Login{{
				Name: "a", Username: "u", LoginID: "396fc774-7f7a-4c31-7c44-08da172863b5",
				Generate: &Generate{Seed: 9007199254740993, Chequing: 1},
			}}},
		},
		{
			name: "merge keys",
			file: `logins:
  - &base
    name: a
    username: a
    password: shared
    loginId: 396fc774-7f7a-4c31-7c44-08da172863b5
  - <<: *base
    name: b
    username: b
    loginId: 396fc774-7f7a-4c31-7c44-08da172863b6
`,
			want: File{Logins: []Login{
				{Name: "a", Username: "a", Password: "shared", LoginID: "396fc774-7f7a-4c31-7c44-08da172863b5"},
				{Name: "b", Username: "b", Password: "shared", LoginID: "396fc774-7f7a-4c31-7c44-08da172863b6"},
			}},
		},
		{
			name: "settings alone",
			file: "settings:\n  tokenLifetime: 1m\n",
			want: File{Settings: &Settings{TokenLifetime: Duration(60e9)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := Parse("good.yaml", []byte(tt.file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if src.Name != "good.yaml" {
				t.Errorf("Name = %q", src.Name)
			}
			if !reflect.DeepEqual(*src.File, tt.want) {
				got, _ := json.MarshalIndent(src.File, "", "  ")
				want, _ := json.MarshalIndent(tt.want, "", "  ")
				t.Errorf("File:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestParseRecordsLines checks the index Build relies on to locate its own
// errors, including through a merge key.
func TestParseRecordsLines(t *testing.T) {
	src, err := Parse("lines.yaml", []byte(`logins:
  - &base
    name: a
    username: a
    loginId: 396fc774-7f7a-4c31-7c44-08da172863b5
    mfa:
      rounds:
        - challenges:
            - prompt: p
              answers: [x]
  - <<: *base
    name: b
    username: b
    loginId: 396fc774-7f7a-4c31-7c44-08da172863b6
`))
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]int{
		"":                  1,
		"logins":            1,
		"logins[0]":         2, // the line of its anchor
		"logins[0].loginId": 5,
		"logins[0].mfa.rounds[0].challenges[0].answers":    10,
		"logins[0].mfa.rounds[0].challenges[0].answers[0]": 10,
		"logins[1]":         11,
		"logins[1].loginId": 14,
		"logins[1].mfa":     6, // merged: where it is written
	} {
		if got, ok := src.lines[path]; !ok || got != want {
			t.Errorf("lines[%q] = %d, %v; want %d", path, got, ok, want)
		}
	}
	if e := src.errorAt("logins[1].loginId", "x"); e.Error() != "lines.yaml:14: logins[1].loginId: x" {
		t.Errorf("errorAt = %q", e)
	}
}

// FuzzParse checks that no input makes Parse panic, and that every
// rejection explains itself.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/*.yaml")
	for _, name := range seeds {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{
		"", "logins: []", "{}", "[]", "a: &a [*a]", "<<: {logins: []}", "logins: [{<<: [*x]}]",
		"logins:\n  - name: a\n    username: u\n    loginId: 396fc774-7f7a-4c31-7c44-08da172863b5\n    accountsDetail: [{respond: pending}]\n",
		"settings: {statuses: {X: 1e400}, tokenLifetime: 99999999999999999h}",
		"logins: [{name: a, username: u, loginId: 396fc774-7f7a-4c31-7c44-08da172863b5, generate: {seed: 1e30, chequing: 1}}]",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		src, err := Parse("fuzz.yaml", data)
		if err == nil {
			if src.File == nil {
				t.Fatal("no error and no File")
			}
			return
		}
		var es Errors
		if !errors.As(err, &es) || len(es) == 0 {
			t.Fatalf("error %T %q is not a non-empty Errors", err, err)
		}
		for _, e := range es {
			if e.Msg == "" {
				t.Fatalf("error without a message: %+v", e)
			}
		}
	})
}

// TestParseSmallestLogin: a login needs no name; it takes the username.
func TestParseSmallestLogin(t *testing.T) {
	src, err := Parse("jo.yaml", []byte(`logins:
  - username: jo_tremblay
    password: hunter2
    institution: FlinksCapital
    loginId: 5f2a0e6c-1111-4c31-8c44-08da172863b5
  - username: sam
    loginId: 5f2a0e6c-2222-4c31-8c44-08da172863b5
`))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"jo_tremblay", "sam"} {
		if got := src.File.Logins[i].Name; got != want {
			t.Errorf("logins[%d].name = %q, want the username %q", i, got, want)
		}
	}
}
