package scenarios

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Parse decodes one scenario file strictly: YAML (or JSON) in exactly one
// document, checked against the JSON Schema of the format, decoded into a
// File, then checked for the mistakes a schema cannot see (duplicate
// logins, answers that are not among the choices, step sequences that never
// finish, ...). name is the file name errors are reported with.
//
// Every problem found is returned at once, as Errors sorted by line; each
// Error carries the file, line and field path, e.g.
// "bank.yaml:14: logins[2].mfa.rounds[0].challenges[0].answers: required".
func Parse(name string, data []byte) (Source, error) {
	return parse(name, data, true)
}

// parse is Parse; checkSchema=false skips the JSON Schema, for the embedded
// default library only (its tests parse it so; the server builds it from
// library_gen.go): the package's tests check its files against the schema.
func parse(name string, data []byte, checkSchema bool) (Source, error) {
	if len(data) > MaxFileBytes {
		return Source{}, Errors{tooLarge(name, int64(len(data)))}
	}
	root, errs := parseDocument(name, data)
	if errs != nil {
		return Source{}, errs
	}
	w := newWalker(name, root)
	value := w.value(root, "")
	if len(w.errs) > 0 {
		return Source{}, sortErrors(w.errs)
	}
	w.lines[""] = root.Line

	if checkSchema {
		sch, err := compiledSchema()
		if err != nil {
			return Source{}, fmt.Errorf("scenario schema: %w", err)
		}
		if errs := sch.validate(name, value, w.lines); len(errs) > 0 {
			return Source{}, errs
		}
	}

	f, err := decodeFile(value)
	if err != nil {
		return Source{}, Errors{{File: name, Msg: err.Error()}}
	}
	// The smallest login a person writes has a username and no name: the
	// name, the handle a later file replaces the login by, is the username.
	for i := range f.Logins {
		if f.Logins[i].Name == "" {
			f.Logins[i].Name = f.Logins[i].Username
		}
	}
	src := Source{Name: name, File: f, lines: w.lines}
	if errs := check(src); len(errs) > 0 {
		return Source{}, errs
	}
	return src, nil
}

// MaxFileBytes bounds a scenario file. Reading one takes 35 to 60 times
// its size in memory for a moment (the YAML tree, the checked value, the
// typed model): a 50 MB file took 1.8 GB, a 4 MiB one peaks near 225 MiB.
// 4 MiB holds a year of transactions for a dozen accounts; split a larger
// library into files.
const MaxFileBytes = 4 << 20

// tooLarge is the problem of a file of size bytes past MaxFileBytes.
func tooLarge(name string, size int64) *Error {
	return &Error{File: name, Msg: fmt.Sprintf("the file is %d bytes, past the limit of %d (4 MiB) for one scenario file; split it into several files in a directory", size, MaxFileBytes)}
}

// parseDocument returns the root node of the single YAML document in data.
func parseDocument(name string, data []byte) (*yaml.Node, Errors) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	err := dec.Decode(&doc)
	if errors.Is(err, io.EOF) {
		return nil, Errors{{File: name, Msg: msgEmpty}}
	}
	if err != nil {
		return nil, Errors{syntaxError(name, err)}
	}
	for {
		var next yaml.Node
		err := dec.Decode(&next)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, Errors{syntaxError(name, err)}
		}
		if isBlank(&next) {
			continue // a trailing "---" with nothing after it
		}
		return nil, Errors{{File: name, Line: next.Line, Msg: "a second YAML document starts here; a scenario file holds one document, so remove the \"---\" and merge the two"}}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, Errors{{File: name, Msg: msgEmpty}}
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return nil, Errors{{File: name, Line: root.Line, Msg: msgEmpty}}
	}
	return root, nil
}

// isBlank reports whether a document holds nothing at all (not even an
// explicit null).
func isBlank(doc *yaml.Node) bool {
	if len(doc.Content) == 0 {
		return true
	}
	n := doc.Content[0]
	return len(doc.Content) == 1 && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" && n.Value == ""
}

const msgEmpty = "the file holds no scenario: expected a mapping with logins, institutions or settings"

var yamlLineRe = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parserProblems are the messages of yaml.v3's parser (not its scanner).
// yaml.v3 locates them by the 0-based line where the enclosing block
// starts, one less than the line a person counts.
var parserProblems = []string{
	"did not find expected key",
	"did not find expected '-' indicator",
	"did not find expected node content",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"did not find expected <document start>",
}

// syntaxError turns a YAML parser error into an Error located by line.
func syntaxError(name string, err error) *Error {
	msg := err.Error()
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		if slices.Contains(parserProblems, m[2]) {
			line++
		}
		return &Error{File: name, Line: line, Msg: "YAML syntax: " + m[2]}
	}
	return &Error{File: name, Msg: "YAML syntax: " + strings.TrimPrefix(msg, "yaml: ")}
}

// walker turns a YAML node tree into a JSON-compatible value and records
// the line of every field path on the way.
type walker struct {
	name  string
	lines map[string]int
	errs  Errors

	// Aliases are expanded here, not by yaml.v3, so the expansion is
	// bounded here too: a few lines of nested aliases ("billion laughs")
	// would otherwise grow into gigabytes.
	inAlias   int
	expanded  int
	maxExpand int
	active    map[*yaml.Node]bool // the mappings and lists being walked
	stopped   bool
}

func newWalker(name string, root *yaml.Node) *walker {
	return &walker{
		name:      name,
		lines:     map[string]int{},
		maxExpand: 10000 + countNodes(root),
		active:    map[*yaml.Node]bool{},
	}
}

// countNodes counts the nodes written in the document, aliases unexpanded.
func countNodes(n *yaml.Node) int {
	c := 1
	for _, child := range n.Content {
		c += countNodes(child)
	}
	return c
}

func (w *walker) fail(line int, path, msg string) {
	w.errs = append(w.errs, &Error{File: w.name, Line: line, Path: path, Msg: msg})
}

func (w *walker) value(n *yaml.Node, path string) any {
	if w.stopped {
		return nil
	}
	if w.inAlias > 0 {
		w.expanded++
		if w.expanded > w.maxExpand {
			w.fail(n.Line, path, fmt.Sprintf("the aliases of this file expand to more than %d values; write the repeated parts out or nest fewer aliases", w.maxExpand))
			w.stopped = true
			return nil
		}
	}
	if (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && n.Tag != "" && n.Tag != "!" {
		if tag := n.ShortTag(); tag != "!!map" && tag != "!!seq" {
			w.fail(n.Line, path, fmt.Sprintf("the YAML tag %s is not supported; remove it", tag))
			return nil
		}
	}
	switch n.Kind {
	case yaml.AliasNode:
		return w.alias(n, path)
	case yaml.MappingNode:
		w.active[n] = true
		defer delete(w.active, n)
		return w.mapping(n, path)
	case yaml.SequenceNode:
		w.active[n] = true
		defer delete(w.active, n)
		items := make([]any, 0, len(n.Content))
		for i, item := range n.Content {
			p := path + "[" + strconv.Itoa(i) + "]"
			w.lines[p] = item.Line
			items = append(items, w.value(item, p))
		}
		return items
	case yaml.ScalarNode:
		return w.scalar(n, path)
	default:
		w.fail(n.Line, path, "unexpected YAML node")
		return nil
	}
}

func (w *walker) alias(n *yaml.Node, path string) any {
	target := n.Alias
	if target == nil {
		w.fail(n.Line, path, fmt.Sprintf("unknown alias *%s", n.Value))
		return nil
	}
	if w.active[target] {
		w.fail(n.Line, path, fmt.Sprintf("alias *%s refers to a value that contains it", n.Value))
		return nil
	}
	w.inAlias++
	v := w.value(target, path)
	w.inAlias--
	return v
}

func (w *walker) mapping(n *yaml.Node, path string) any {
	out := make(map[string]any, len(n.Content)/2)
	seen := map[string]int{} // key -> line it is written on
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		key, ok := w.key(k, path)
		if !ok {
			continue
		}
		p := joinPath(path, key)
		if first, dup := seen[key]; dup {
			w.fail(k.Line, p, fmt.Sprintf("duplicate key %q; it is already set at line %d", key, first))
			continue
		}
		seen[key] = k.Line
		w.lines[p] = k.Line
		out[key] = w.value(v, p)
	}
	// Keys written in the mapping win over merged ones, and an earlier
	// merged mapping wins over a later one, as YAML's merge key says.
	for _, m := range merges {
		sources := []*yaml.Node{m}
		if deref(m).Kind == yaml.SequenceNode {
			sources = deref(m).Content
		}
		for _, s := range sources {
			w.merge(out, seen, s, path)
		}
	}
	return out
}

// merge adds the keys of the mapping src that out does not have yet.
func (w *walker) merge(out map[string]any, seen map[string]int, src *yaml.Node, path string) {
	if deref(src).Kind != yaml.MappingNode {
		w.fail(src.Line, path, "<< merges a mapping or a list of mappings, nothing else")
		return
	}
	outer := w.lines
	w.lines = map[string]int{}
	v := w.value(src, path)
	inner := w.lines
	w.lines = outer
	m, _ := v.(map[string]any)
	for key, val := range m {
		if _, taken := seen[key]; taken {
			continue
		}
		p := joinPath(path, key)
		seen[key] = inner[p]
		out[key] = val
		for ip, line := range inner {
			if ip == p || strings.HasPrefix(ip, p+".") || strings.HasPrefix(ip, p+"[") {
				w.lines[ip] = line
			}
		}
	}
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// key returns the text of a mapping key, which must be a string.
func (w *walker) key(k *yaml.Node, path string) (string, bool) {
	k = deref(k)
	if k.Kind != yaml.ScalarNode {
		w.fail(k.Line, path, fmt.Sprintf("a key must be text, not %s", article(nodeKindName(k))))
		return "", false
	}
	if tag := k.ShortTag(); tag != "!!str" {
		w.fail(k.Line, path, fmt.Sprintf("the key %s must be text; put it in quotes", k.Value))
		return "", false
	}
	return k.Value, true
}

func nodeKindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	default:
		return "value"
	}
}

// scalar converts a YAML scalar to the JSON value it stands for. Numbers
// become json.Number so no precision is lost before the schema sees them.
func (w *walker) scalar(n *yaml.Node, path string) any {
	switch tag := n.ShortTag(); tag {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			w.fail(n.Line, path, fmt.Sprintf("%s is not a boolean (true or false)", n.Value))
			return nil
		}
		return b
	case "!!int":
		var i int64
		if err := n.Decode(&i); err == nil {
			return json.Number(strconv.FormatInt(i, 10))
		}
		var u uint64
		if err := n.Decode(&u); err == nil {
			return json.Number(strconv.FormatUint(u, 10))
		}
		w.fail(n.Line, path, fmt.Sprintf("%s is not an integer that fits in 64 bits", n.Value))
		return nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			w.fail(n.Line, path, fmt.Sprintf("must be a finite number, not %s", n.Value))
			return nil
		}
		// Whole numbers are written without an exponent so that encoding/json
		// can decode them into integer fields.
		if f == math.Trunc(f) && math.Abs(f) < 1e21 {
			return json.Number(strconv.FormatFloat(f, 'f', -1, 64))
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
	case "!!str", "!!timestamp":
		// Dates such as 2025-01-31 stay text: the format keeps dates as
		// strings.
		return n.Value
	default:
		w.fail(n.Line, path, fmt.Sprintf("the YAML tag %s is not supported; remove it", tag))
		return nil
	}
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// parentPath returns the path of the mapping or list that holds path.
func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// lineOf returns the line of path, or of its nearest ancestor written in the
// file (a field left out has no line of its own).
func lineOf(lines map[string]int, path string) int {
	for {
		if l, ok := lines[path]; ok {
			return l
		}
		if path == "" {
			return 0
		}
		path = parentPath(path)
	}
}

// decodeFile decodes a value that passed the schema into a File.
// DisallowUnknownFields guards against a schema that drifted from the model.
func decodeFile(value any) (*File, error) {
	if m, ok := value.(map[string]any); ok {
		for k := range m {
			if k == "$schema" || strings.HasPrefix(k, "x-") {
				delete(m, k)
			}
		}
	}
	raw, err := json.Marshal(value)
	if err != nil {
		return nil, fmt.Errorf("encode the scenario: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("decode the scenario: %w", err)
	}
	return &f, nil
}

// sortErrors orders errors by line, then path, and drops repeats.
func sortErrors(es Errors) Errors {
	slices.SortStableFunc(es, func(a, b *Error) int {
		if c := a.Line - b.Line; c != 0 {
			return c
		}
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Msg, b.Msg)
	})
	return slices.CompactFunc(es, func(a, b *Error) bool { return *a == *b })
}
