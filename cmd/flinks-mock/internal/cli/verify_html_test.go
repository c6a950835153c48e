package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flinks-mock/flinks-mock/contract"
)

// verify --html writes one self-contained page: the broken client that
// reuses its token fails FM001, and the page marks the request; --lang fr
// writes it in French, and a language it has no text for is a usage error.
func TestVerifyWritesAnHTMLReport(t *testing.T) {
	t.Parallel()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH: the broken example (examples/broken/flaws.py) is not verified")
	}
	report := filepath.Join(t.TempDir(), "report.html")
	code, stdout, stderr := run(t, nil, "verify", "--today", pinnedToday, "--time-scale", "0.05", "--html", report, "--lang", "fr",
		"--scenario", "mfa", "--", python, filepath.Join(repoRoot, "examples", "broken", "flaws.py"), "reuse-token")
	if code != ExitFailure {
		t.Fatalf("verify exited with %d, want %d\n%s\n%s", code, ExitFailure, stdout, stderr)
	}
	raw, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	html := string(raw)
	for _, want := range []string{`<html lang="fr">`, "scénario mfa — en échec", `data-scenario="mfa" data-verdict="failed"`, "tl-marked", "[jeton réutilisé]", contract.IDSingleUseToken + ": "} {
		if !strings.Contains(html, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if strings.Contains(html, "exit status") || !strings.Contains(html, "code de sortie ") {
		t.Error("the French report does not say in French how the command ended")
	}

	code, _, stderr = run(t, nil, "verify", "--today", pinnedToday, "--html", filepath.Join(t.TempDir(), "no", "such", "dir.html"),
		"--scenario", "happy", "--", python, filepath.Join(repoRoot, "examples", "broken", "flaws.py"), "reuse-token")
	if code != ExitFailure || !strings.Contains(stderr, "--html") {
		t.Errorf("a report that cannot be written: exit %d, stderr %q; want %d and the flag named", code, stderr, ExitFailure)
	}

	code, _, stderr = run(t, nil, "verify", "--html", report, "--lang", "de", "--", python, "-c", "pass")
	if code != ExitUsage || !strings.Contains(stderr, "--lang") || !strings.Contains(stderr, "en or fr") {
		t.Errorf("--lang de: exit %d, stderr %q; want %d and the languages named", code, stderr, ExitUsage)
	}
}
