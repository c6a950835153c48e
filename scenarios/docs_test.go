package scenarios

import (
	"bufio"
	"bytes"
	"os"
	"strings"
	"testing"
)

// docBlock is one fenced code block of a Markdown file.
type docBlock struct {
	info string // what follows the opening ```, e.g. "yaml invalid"
	line int    // line of the opening fence
	body string
}

func fencedBlocks(t *testing.T, name string) []docBlock {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []docBlock
	var cur *docBlock
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			cur = &docBlock{info: strings.TrimSpace(strings.TrimPrefix(line, "```")), line: n}
		case cur != nil && strings.TrimSpace(line) == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.body += line + "\n"
		}
	}
	if cur != nil {
		t.Fatalf("%s:%d: code block never closed", name, cur.line)
	}
	return blocks
}

// TestDocsExamples parses every ```yaml block of docs/scenarios.md, so the
// reference cannot drift from the decoder. Blocks marked ```yaml invalid
// must fail; when a ```text block follows one, it is the exact error.
func TestDocsExamples(t *testing.T) {
	const doc = "../docs/scenarios.md"
	blocks := fencedBlocks(t, doc)
	valid, invalid := 0, 0
	for i, b := range blocks {
		fields := strings.Fields(b.info)
		if len(fields) == 0 || fields[0] != "yaml" {
			continue
		}
		_, err := Parse("bank.yaml", []byte(b.body))
		if len(fields) > 1 && fields[1] == "invalid" {
			invalid++
			if err == nil {
				t.Errorf("%s:%d: the block marked invalid parses", doc, b.line)
				continue
			}
			if i+1 < len(blocks) && blocks[i+1].info == "text" {
				if want := strings.TrimSuffix(blocks[i+1].body, "\n"); err.Error() != want {
					t.Errorf("%s:%d: the block fails with\n%s\nbut the text after it says\n%s", doc, b.line, err, want)
				}
			}
			continue
		}
		valid++
		if err != nil {
			t.Errorf("%s:%d: the example does not parse:\n%v", doc, b.line, err)
		}
	}
	if valid < 10 || invalid < 1 {
		t.Errorf("found %d valid and %d invalid yaml blocks; the extraction is broken", valid, invalid)
	}
}
