package scenarios

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func sourceNames(sources []Source) string {
	names := make([]string, len(sources))
	for i, s := range sources {
		names[i] = s.Name
	}
	return strings.Join(names, " ")
}

func TestReadSources(t *testing.T) {
	tests := []struct {
		name  string
		paths []string
		want  string
	}{
		{"directory, recursively, in lexical order", []string{"testdata/good"}, "testdata/good/bank.yaml testdata/good/more/cards.yml testdata/good/more/settings.json"},
		{"directory with a trailing slash", []string{"testdata/good/more/"}, "testdata/good/more/cards.yml testdata/good/more/settings.json"},
		{"files as given, in the order given", []string{"testdata/good/more/cards.yml", "testdata/good/bank.yaml"}, "testdata/good/more/cards.yml testdata/good/bank.yaml"},
		{"a file given by name is read whatever its extension", []string{"testdata/good/more/settings.json"}, "testdata/good/more/settings.json"},
		{"nothing", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sources, err := ReadSources(tt.paths...)
			if err != nil {
				t.Fatal(err)
			}
			if got := sourceNames(sources); got != tt.want {
				t.Errorf("sources = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReadSourcesReportsEveryProblem(t *testing.T) {
	_, err := ReadSources("testdata/bad", "testdata/nope.yaml", "testdata/good")
	if err == nil {
		t.Fatal("no error")
	}
	want := `read scenarios: open testdata/nope.yaml: no such file or directory
testdata/bad/broken.yaml:6: logins[0].accountsDetail[0].respond: the last step must be ready or error, or the data never arrives; a pending step repeats for ever
testdata/bad/unknown.yaml:2: logins[0].loginId: required
testdata/bad/unknown.yaml:4: logins[0].loginID: unknown field "loginID" (did you mean "loginId"? mock settings are camelCase, Flinks objects PascalCase); allowed: accounts, accountsDetail, accountsSummary, authorize, description, generate, holder, institution, loginId, mfa, name, nulls, password, statements, tokenRequired, type, username, webhooks`
	if err.Error() != want {
		t.Errorf("error:\n%s\nwant:\n%s", err, want)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("errors.Is(err, fs.ErrNotExist) = false")
	}
	var es Errors
	if !errors.As(err, &es) || len(es) != 3 {
		t.Errorf("errors.As Errors = %d problems, want 3", len(es))
	}
}

func TestReadSourcesEmptyDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadSources(dir)
	want := "read scenarios: the directory " + dir + " holds no .yaml, .yml or .json file"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func TestLoad(t *testing.T) {
	lib, err := Load(testNow, false, "testdata/good")
	if err != nil {
		t.Fatal(err)
	}
	if len(lib.Logins) != 2 {
		t.Fatalf("%d logins, want 2", len(lib.Logins))
	}
	l := lib.Login("5F2A0E6C-1111-4C31-8C44-08DA172863B5")
	if l == nil || l.Name != "maple" {
		t.Fatalf("Login by LoginId = %+v, want maple", l)
	}
	if l.AllAccounts()[0].Holder == nil || l.AllAccounts()[0].Holder.Name != "Jo Tremblay" {
		t.Errorf("account holder = %+v, want the login's holder", l.AllAccounts()[0].Holder)
	}
	if got := lib.Settings.TokenLifetime.D(); got != 2*time.Minute {
		t.Errorf("TokenLifetime = %v, want 2m from settings.json", got)
	}
	if got := lib.Settings.Status("SESSION_EXPIRED"); got != 400 {
		t.Errorf("Status(SESSION_EXPIRED) = %d, want 400", got)
	}
	if lib.LoginByUsername("FlinksCapital", "CARDHOLDER") == nil {
		t.Error("LoginByUsername(cardholder) = nil")
	}
}

// TestLoadLocatesBuildErrors checks that the problems only Build can see,
// across files, still carry file and line.
func TestLoadLocatesBuildErrors(t *testing.T) {
	_, err := Load(testNow, false, "testdata/dup")
	want := `testdata/dup/b.yaml:4: logins[0].institution: unknown institution "Nowhere"; add it under institutions
testdata/dup/b.yaml:8: logins[1].loginId: LoginId 5F2A0E6C-5555-4C31-8C44-08DA172863B5 is also used by login "first"`
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
}

// TestDefaultLibrary parses and builds the embedded library, the
// sandbox-like logins served with no flags.
func TestDefaultLibrary(t *testing.T) {
	sources, err := DefaultSources()
	if err != nil {
		t.Fatalf("the default library does not parse:\n%v", err)
	}
	if len(sources) == 0 {
		t.Fatal("the default library is empty")
	}
	for _, s := range sources {
		if !strings.HasPrefix(s.Name, "library/") {
			t.Errorf("source named %q, want library/<file>", s.Name)
		}
	}
	lib, err := Build(testNow, sources...)
	if err != nil {
		t.Fatalf("the default library does not build:\n%v", err)
	}
	if lib.LoginByUsername("FlinksCapital", "Greatday") == nil {
		t.Error("the default library has no Greatday login at FlinksCapital, the sandbox's standard user")
	}
}

// TestLoadOverridesDefaults checks that a user's login replaces the
// default login of the same name.
func TestLoadOverridesDefaults(t *testing.T) {
	def, err := DefaultSources()
	if err != nil || len(def) == 0 || len(def[0].File.Logins) == 0 {
		t.Skipf("no default login to override: %v", err)
	}
	old := def[0].File.Logins[0]
	file := filepath.Join(t.TempDir(), "mine.yaml")
	body := "logins:\n  - name: " + old.Name + "\n    username: mine\n    loginId: 00000000-0000-4000-8000-00000000abcd\n"
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	lib, err := Load(testNow, true, file)
	if err != nil {
		t.Fatal(err)
	}
	if l := lib.Login("00000000-0000-4000-8000-00000000abcd"); l == nil || l.Name != old.Name {
		t.Errorf("Login(new id) = %+v, want the replacement of %q", l, old.Name)
	}
	if lib.Login(old.LoginID) != nil {
		t.Errorf("the replaced login %q is still served", old.Name)
	}
}

// TestLoadSkipsWhatIsNotAScenario: under a directory, Go test data, a JSON
// Schema and other YAML are left out and listed; a mistyped scenario key,
// a file named on its own and a scenario naming its $schema are not.
func TestLoadSkipsWhatIsNotAScenario(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("bank.yaml", "logins:\n  - username: sam\n    loginId: 0b6c3f4e-5a1d-4e2b-9c7f-2d8e6a4b1c90\n")
	write("with-schema.json", `{"$schema": "schema.json", "settings": {"tokenLifetime": "2m"}}`)
	write("schema.json", `{"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "x", "type": "object"}`)
	write("compose.yml", "services:\n  flinks-mock:\n    image: flinks-mock\n")
	write("testdata/broken.yaml", "logins: [")

	lib, err := Load(testNow, false, dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range lib.Skipped {
		got = append(got, s.String())
	}
	want := []string{
		filepath.Join(dir, "compose.yml") + `: not a scenario file: its top level has "services", and none of logins, institutions or settings`,
		filepath.Join(dir, "schema.json") + ": a JSON Schema, not a scenario file",
		filepath.Join(dir, "testdata") + ": a folder of test data (files broken on purpose, as Go's testdata), not scenarios",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("skipped:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if names := sourceNames(lib.Sources); names != filepath.Join(dir, "bank.yaml")+" "+filepath.Join(dir, "with-schema.json") {
		t.Errorf("loaded %s", names)
	}

	// A mistyped key is a scenario with a problem, not something else.
	write("typo.yaml", "login:\n  - username: x\n")
	if _, err := Load(testNow, false, dir); err == nil || !strings.Contains(err.Error(), `unknown field "login"`) {
		t.Errorf("a mistyped key: err = %v, want the unknown field reported", err)
	}
	// A file named on its own is always read as a scenario.
	if _, err := Load(testNow, false, filepath.Join(dir, "compose.yml")); err == nil {
		t.Error("compose.yml named on its own loaded")
	}
	// A folder with nothing but what is not a scenario says so.
	only := t.TempDir()
	if err := os.WriteFile(filepath.Join(only, "compose.yml"), []byte("services: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(testNow, false, only); err == nil || !strings.Contains(err.Error(), "no scenario file in "+only+" (skipped 1") {
		t.Errorf("a folder of no scenario: err = %v", err)
	}
}
