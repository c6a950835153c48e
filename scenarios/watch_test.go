package scenarios

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFingerprintChangesWithTheFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("a.yaml", "logins: []\n")
	first := Fingerprint(dir)
	if again := Fingerprint(dir); again != first {
		t.Fatal("the fingerprint of unchanged files changed")
	}
	steps := []struct {
		name string
		do   func()
	}{
		{"an edit", func() { write("a.yaml", "logins: [] # edited\n") }},
		{"a new file", func() { write("b.yml", "{}\n") }},
		{"a file ignored by extension", nil},
		{"a removed file", func() { os.Remove(filepath.Join(dir, "b.yml")) }},
	}
	prev := first
	for _, st := range steps {
		if st.do == nil {
			write("notes.txt", "not a scenario")
			if got := Fingerprint(dir); got != prev {
				t.Errorf("%s changed the fingerprint", st.name)
			}
			continue
		}
		st.do()
		got := Fingerprint(dir)
		if got == prev {
			t.Errorf("%s did not change the fingerprint", st.name)
		}
		prev = got
	}
	if Fingerprint(filepath.Join(dir, "missing.yaml")) == Fingerprint(dir) {
		t.Error("a missing path has the fingerprint of a directory")
	}
}
