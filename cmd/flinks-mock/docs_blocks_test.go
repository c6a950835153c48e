package main_test

// Every fenced block of the README and of docs/ is checked by a test, or
// says why it cannot be: the conventions are in CONTRIBUTING.md.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

// checkedBy says which test checks a block, or "" when none does.
func checkedBy(b docBlock) string {
	lang, _, _ := strings.Cut(b.lang, " ")
	switch {
	case b.notRun != "":
		return "none: " + b.notRun
	case b.include != "", b.from != "":
		return "TestDocsIncludes (and the tests of the file it shows)"
	case lang == "text":
		return "none: output or a diagram, not something to run"
	case lang == "sh":
		return "TestDocsRun"
	case lang == "yaml":
		return "TestDocsYAML"
	}
	return ""
}

// TestDocsBlocksAreChecked fails on a fenced block that no test checks and
// that does not say why it cannot run, so that no page goes unchecked.
func TestDocsBlocksAreChecked(t *testing.T) {
	root := repoRoot(t)
	blocks := 0
	var unchecked []string
	for _, file := range docPages(t, root) {
		for _, b := range docBlocks(t, root, file) {
			blocks++
			if checkedBy(b) == "" {
				unchecked = append(unchecked, fmt.Sprintf("%s:%d: ```%s", file, b.line, b.lang))
			}
		}
	}
	if blocks < 50 {
		t.Fatalf("found only %d blocks in the README and docs/: the extraction is broken", blocks)
	}
	if len(unchecked) > 0 {
		t.Errorf("no test checks these blocks:\n\t%s\n"+
			"Make each a ```sh block (TestDocsRun runs it) or a ```yaml scenario (TestDocsYAML parses it); "+
			"show a file that runs as a test with <!-- include: path --> (the whole file) or <!-- from: path --> (lines of it) on the line above; "+
			"mark output as ```text; or say why it cannot run with <!-- not run: reason --> on the line above (see CONTRIBUTING.md)",
			strings.Join(unchecked, "\n\t"))
	}
}

// TestDocsYAML parses every ```yaml block of the README and of docs/ as a
// scenario file; a ```yaml invalid block must fail to parse.
func TestDocsYAML(t *testing.T) {
	root := repoRoot(t)
	parsed := 0
	for _, file := range docPages(t, root) {
		for _, b := range docBlocks(t, root, file) {
			lang, mod, _ := strings.Cut(b.lang, " ")
			if lang != "yaml" || checkedBy(b) != "TestDocsYAML" {
				continue
			}
			parsed++
			_, err := scenarios.Parse("bank.yaml", []byte(b.body))
			switch {
			case mod == "invalid" && err == nil:
				t.Errorf("%s:%d: the block marked invalid parses", file, b.line)
			case mod != "invalid" && err != nil:
				t.Errorf("%s:%d: the scenario does not parse:\n%v", file, b.line, err)
			}
		}
	}
	if parsed == 0 {
		t.Fatal("no ```yaml block found")
	}
}

// TestCheckedBy: which blocks count as checked.
func TestCheckedBy(t *testing.T) {
	tests := []struct {
		name  string
		block docBlock
		want  bool
	}{
		{"shell", docBlock{lang: "sh"}, true},
		{"output", docBlock{lang: "text"}, true},
		{"scenario", docBlock{lang: "yaml"}, true},
		{"broken scenario", docBlock{lang: "yaml invalid"}, true},
		{"go shown from a file", docBlock{lang: "go", from: "examples/gotest/client_test.go"}, true},
		{"a file", docBlock{lang: "dockerfile", include: "Dockerfile"}, true},
		{"said why not", docBlock{lang: "json", notRun: "abridged"}, true},
		{"go alone", docBlock{lang: "go"}, false},
		{"no language", docBlock{}, false},
		{"json alone", docBlock{lang: "json"}, false},
	}
	for _, tt := range tests {
		if got := checkedBy(tt.block) != ""; got != tt.want {
			t.Errorf("%s: checked = %v, want %v", tt.name, got, tt.want)
		}
	}
}
