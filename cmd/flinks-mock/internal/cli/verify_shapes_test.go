package cli

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/flinks-mock/flinks-mock/contract"
	"github.com/flinks-mock/flinks-mock/contract/broken"
)

// The Node.js and Python examples pass the varied-shapes scenario, and
// their variants that trust an optional field (broken.CrashCases) fail it
// on their outcome, with every rule kept.
func TestVerifyVariedShapes(t *testing.T) {
	t.Parallel()
	for _, lang := range []struct{ name, interpreter, client, broken string }{
		{"node", "node", filepath.Join("node", "client.mjs"), "flaws.mjs"},
		{"python", "python3", filepath.Join("python", "client.py"), "flaws.py"},
	} {
		t.Run(lang.name, func(t *testing.T) {
			t.Parallel()
			interpreter, err := exec.LookPath(lang.interpreter)
			if err != nil {
				t.Skipf("%s is not on PATH", lang.interpreter)
			}
			verify := func(t *testing.T, scenario string, command ...string) (int, map[string]string, string) {
				junit := filepath.Join(t.TempDir(), "verify.xml")
				args := append([]string{"verify", "--today", pinnedToday, "--time-scale", "0.05", "--junit", junit, "--scenario", scenario, "--", interpreter}, command...)
				code, stdout, stderr := run(t, nil, args...)
				failed := map[string]string{}
				for _, s := range readJUnit(t, junit).Suites {
					for _, tc := range s.Cases {
						if tc.Failure != nil {
							failed[tc.Name] = tc.Failure.Message
						}
					}
				}
				return code, failed, stdout + stderr
			}
			t.Run("the example", func(t *testing.T) {
				if code, failed, out := verify(t, contract.VariedShapes().Name, filepath.Join(repoRoot, "examples", lang.client)); code != ExitOK || len(failed) > 0 {
					t.Fatalf("exit %d, failed %v\n%s", code, failed, out)
				}
			})
			for _, c := range broken.CrashCases() {
				t.Run(string(c.Flaw), func(t *testing.T) {
					code, failed, out := verify(t, c.Scenario, filepath.Join(repoRoot, "examples", "broken", lang.broken), string(c.Flaw))
					if code != ExitFailure || failed["outcome"] == "" || len(failed) != 1 {
						t.Fatalf("exit %d, failed %v; want only the outcome to fail\n%s", code, failed, out)
					}
				})
			}
		})
	}
}
