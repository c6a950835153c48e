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

// TestRulesHaveAnExampleReport keeps an example report under each rule of
// docs/contract-rules.md, in the form a report prints it.
func TestRulesHaveAnExampleReport(t *testing.T) {
	raw, err := os.ReadFile("../docs/contract-rules.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for _, r := range contract.Rules() {
		_, section, _ := strings.Cut(doc, "\n## "+r.ID+"\n")
		section, _, _ = strings.Cut(section, "\n## ")
		_, example, ok := strings.Cut(section, "**Example**")
		if !ok || !strings.Contains(example, "```text\n✗ "+r.ID+": "+r.Statement+"\n") || !strings.Contains(example, "    guide: \"") {
			t.Errorf("docs/contract-rules.md has no example report of %s (a ```text block after **Example** that opens with its ✗ line)", r.ID)
		}
	}
}
