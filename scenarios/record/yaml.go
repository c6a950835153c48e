package record

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/flinks-mock/flinks-mock/scenarios"
	"go.yaml.in/yaml/v3"
)

// schemaComment opens every written file, for editors that complete and
// check scenario files.
const schemaComment = "# yaml-language-server: $schema=https://raw.githubusercontent.com/flinks-mock/flinks-mock/main/scenarios/schema.json"

// marshalFile writes a scenario file as YAML in block style, keys in the
// order of the model (camelCase for the mock, PascalCase for what Flinks
// returns), with the lines of header as a comment on top.
//
// The model has JSON tags only, so the file goes through JSON: JSON is
// YAML, and a YAML node read from it keeps the keys in order. Every node
// is then made plain, and the encoder quotes the strings that would read
// back as something else ("0914", "2026-11-02", "null").
func marshalFile(f *scenarios.File, header []string) ([]byte, error) {
	j, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("encode the scenario file: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(j, &doc); err != nil {
		return nil, fmt.Errorf("encode the scenario file: %w", err)
	}
	plain(&doc)
	lines := []string{schemaComment, "#"}
	for _, h := range header {
		lines = append(lines, strings.TrimRight("# "+h, " "))
	}
	if len(doc.Content) > 0 {
		doc.Content[0].HeadComment = strings.Join(lines, "\n")
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("encode the scenario file: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode the scenario file: %w", err)
	}
	return buf.Bytes(), nil
}

// plain clears the flow and quoting styles JSON gave the nodes.
func plain(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		plain(c)
	}
}
