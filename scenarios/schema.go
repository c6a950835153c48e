package scenarios

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"math"
	"math/big"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// SchemaID is the $id of the JSON Schema of scenario files.
const SchemaID = "https://flinks-mock.dev/scenarios/schema.json"

//go:embed schema.json
var schemaJSON []byte

// Schema returns the JSON Schema (draft 2020-12) of scenario files, for
// editors and for anyone who wants to check a file without flinks-mock.
func Schema() []byte { return bytes.Clone(schemaJSON) }

// scenarioSchema is the compiled schema and the document it came from; the
// document names the allowed fields and the expected forms in errors.
type scenarioSchema struct {
	schema *jsonschema.Schema
	doc    any
}

// durationForm is the pattern of schema.json's Duration.
var durationForm = regexp.MustCompile(`^(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$`)

// compiledSchema compiles the embedded schema once per process; the result
// is never modified afterwards.
var compiledSchema = sync.OnceValues(func() (*scenarioSchema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, fmt.Errorf("read schema.json: %w", err)
	}
	c := jsonschema.NewCompiler()
	// A duration of the right form may still be past what Go holds
	// (about 2,562,047 hours): the format catches it with its line.
	c.RegisterFormat(&jsonschema.Format{Name: "go-duration", Validate: func(v any) error {
		s, ok := v.(string)
		if !ok || !durationForm.MatchString(s) {
			return nil // the type or the pattern says what is wrong
		}
		if _, err := time.ParseDuration(s); err != nil {
			return fmt.Errorf("%q is past the longest duration, about %dh (292 years)", s, time.Duration(math.MaxInt64)/time.Hour)
		}
		return nil
	}})
	c.AssertFormat()
	if err := c.AddResource(SchemaID, doc); err != nil {
		return nil, fmt.Errorf("add schema.json: %w", err)
	}
	sch, err := c.Compile(SchemaID)
	if err != nil {
		return nil, fmt.Errorf("compile schema.json: %w", err)
	}
	return &scenarioSchema{schema: sch, doc: doc}, nil
})

// validate checks value against the schema and words every failure for the
// person who has to fix the file.
func (s *scenarioSchema) validate(name string, value any, lines map[string]int) Errors {
	err := s.schema.Validate(value)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return Errors{{File: name, Msg: err.Error()}}
	}
	var errs Errors
	var walk func(*jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		errs = append(errs, s.explain(name, e, value, lines)...)
	}
	walk(ve)
	return sortErrors(errs)
}

// explain turns one leaf validation error into Errors in our own words.
func (s *scenarioSchema) explain(name string, e *jsonschema.ValidationError, root any, lines map[string]int) Errors {
	path, got := instanceAt(root, e.InstanceLocation)
	at := func(p, msg string) *Error {
		return &Error{File: name, Line: lineOf(lines, p), Path: p, Msg: msg}
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		var out Errors
		for _, m := range k.Missing {
			out = append(out, &Error{File: name, Line: lineOf(lines, path), Path: joinPath(path, m), Msg: "required"})
		}
		return out
	case *kind.AdditionalProperties:
		allowed := propertyNames(s.node(e.SchemaURL))
		var out Errors
		for _, p := range k.Properties {
			out = append(out, at(joinPath(path, p), unknownField(p, path, allowed)))
		}
		return out
	case *kind.Type:
		return Errors{at(path, wrongType(k, path, got, e.SchemaURL))}
	}
	return Errors{at(path, s.violation(e, path))}
}

// unknownField words a field the schema does not allow at path.
func unknownField(p, path string, allowed []string) string {
	msg := fmt.Sprintf("unknown field %q", p)
	if hint := sameButCase(p, allowed); hint != "" {
		msg += fmt.Sprintf(" (did you mean %q? mock settings are camelCase, Flinks objects PascalCase)", hint)
	}
	msg += "; allowed: " + strings.Join(allowed, ", ")
	if path == "" {
		msg += `, and keys starting with "x-" to hold YAML anchors`
	}
	return msg
}

// wrongType words a value of the wrong type at path.
func wrongType(k *kind.Type, path string, got any, schemaURL string) string {
	want := make([]string, len(k.Want))
	for i, t := range k.Want {
		want[i] = article(yamlTypeName(t))
	}
	gotName := article(yamlTypeName(k.Got))
	if k.Got == "number" && slices.Contains(k.Want, "integer") {
		gotName = fmt.Sprint(got)
	}
	switch {
	case path == "":
		return fmt.Sprintf("the file must be a mapping with logins, institutions or settings, not %s", gotName)
	case strings.HasSuffix(schemaPointer(schemaURL), "/$defs/Duration"):
		return fmt.Sprintf("must be a duration such as \"10s\" or \"30m\", not %s", gotName)
	}
	return fmt.Sprintf("must be %s, not %s", strings.Join(want, " or "), gotName)
}

// violation words the failure of a value's rule (enum, pattern, bounds).
func (s *scenarioSchema) violation(e *jsonschema.ValidationError, path string) string {
	switch k := e.ErrorKind.(type) {
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, v := range k.Want {
			want[i] = fmt.Sprint(v)
			if v == nil {
				want[i] = "null"
			}
		}
		return fmt.Sprintf("%s is not one of: %s", display(k.Got), strings.Join(want, ", "))
	case *kind.Pattern:
		if m, ok := schemaString(s.node(e.SchemaURL), "patternErrorMessage"); ok {
			return fmt.Sprintf("%q %s", k.Got, m)
		}
		return fmt.Sprintf("%q does not have the expected form %s", k.Got, k.Want)
	case *kind.Format:
		if k.Err != nil {
			return k.Err.Error()
		}
		return fmt.Sprintf("%s is not of the form %s", display(k.Got), k.Want)
	case *kind.MinLength:
		if k.Want == 1 {
			return "must not be empty"
		}
		return fmt.Sprintf("must be at least %d characters long", k.Want)
	case *kind.Minimum:
		return fmt.Sprintf("must be at least %s, not %s", ratString(k.Want), ratString(k.Got))
	case *kind.Maximum:
		return fmt.Sprintf("must be at most %s, not %s", ratString(k.Want), ratString(k.Got))
	case *kind.MinItems:
		return fmt.Sprintf("must hold at least %d items, not %d", k.Want, k.Got)
	case *kind.MaxItems:
		return fmt.Sprintf("must hold at most %d items, not %d", k.Want, k.Got)
	}
	// The schema uses no other keyword; should one be added, still say
	// where and which rule failed.
	return fmt.Sprintf("does not satisfy the schema rule %q", strings.Join(e.ErrorKind.KeywordPath(), "/"))
}

// instanceAt converts a schema instance location into a field path, and
// returns the value found there.
func instanceAt(root any, loc []string) (string, any) {
	path, v := "", root
	for _, tok := range loc {
		switch c := v.(type) {
		case []any:
			path += "[" + tok + "]"
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return path, nil
			}
			v = c[i]
		case map[string]any:
			path = joinPath(path, tok)
			v = c[tok]
		default:
			return joinPath(path, tok), nil
		}
	}
	return path, v
}

// schemaPointer returns the JSON pointer part of a schema location.
func schemaPointer(loc string) string {
	_, frag, _ := strings.Cut(loc, "#")
	if p, err := url.PathUnescape(frag); err == nil {
		return p
	}
	return frag
}

// node returns the schema object at a schema location, or nil.
func (s *scenarioSchema) node(loc string) map[string]any {
	v := s.doc
	for _, tok := range strings.Split(strings.TrimPrefix(schemaPointer(loc), "/"), "/") {
		if tok == "" {
			continue
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[tok]
	}
	m, _ := v.(map[string]any)
	return m
}

func schemaString(node map[string]any, key string) (string, bool) {
	s, ok := node[key].(string)
	return s, ok
}

// propertyNames lists the fields a schema object allows, sorted; $schema
// is left out as it only serves editors.
func propertyNames(node map[string]any) []string {
	props, _ := node["properties"].(map[string]any)
	names := make([]string, 0, len(props))
	for n := range props {
		if n != "$schema" {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// sameButCase returns the allowed name that differs from name only in
// case, catching the usual slip between camelCase and PascalCase.
func sameButCase(name string, allowed []string) string {
	for _, a := range allowed {
		if a != name && strings.EqualFold(a, name) {
			return a
		}
	}
	return ""
}

// yamlTypeName names a JSON Schema type the way a YAML author knows it.
func yamlTypeName(t string) string {
	switch t {
	case "array":
		return "list"
	case "object":
		return "mapping"
	default:
		return t
	}
}

func article(name string) string {
	switch name {
	case "null":
		return name
	case "integer":
		return "an integer"
	default:
		return "a " + name
	}
}

func display(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case nil:
		return "null"
	default:
		return fmt.Sprint(v)
	}
}

func ratString(r *big.Rat) string {
	if r == nil {
		return "?"
	}
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'g', -1, 64)
}
