package contract_test

import (
	"os"
	"strings"
	"testing"

	"github.com/flinks-mock/flinks-mock/contract"
)

// TestRulesAreDocumented keeps docs/contract-rules.md in step with the
// rules: a heading per id, and the statement word for word.
func TestRulesAreDocumented(t *testing.T) {
	raw, err := os.ReadFile("../docs/contract-rules.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for _, r := range contract.Rules() {
		if !strings.Contains(doc, "\n## "+r.ID+"\n") {
			t.Errorf("docs/contract-rules.md has no heading ## %s", r.ID)
		}
		if !strings.Contains(doc, "**Statement.** "+r.Statement+"\n") {
			t.Errorf("docs/contract-rules.md does not state %s as the code does:\n%s", r.ID, r.Statement)
		}
	}
}
