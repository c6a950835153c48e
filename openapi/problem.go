package openapi

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// problem is one thing wrong with a request or a response: the value at
// path (field names and array indexes) of subject, and what is wrong with it.
type problem struct {
	subject string
	path    []string
	text    string
}

// field renders the path as a person writes it: Accounts[0].Balance.
func (p problem) field() string {
	var b strings.Builder
	for i, seg := range p.path {
		if isIndex(seg) {
			b.WriteByte('[')
			b.WriteString(seg)
			b.WriteByte(']')
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(seg)
	}
	return b.String()
}

// short is the problem without its subject.
func (p problem) short() string {
	if len(p.path) == 0 {
		return p.text
	}
	return strconv.Quote(p.field()) + " " + p.text
}

// String is the problem as one sentence.
func (p problem) String() string {
	if len(p.path) == 0 {
		return p.subject + " " + p.text
	}
	return p.subject + ": " + p.short()
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// summarize makes one message of the problems, in a stable order, and the
// list of details when there are several.
func summarize(problems []problem) (string, []string) {
	if len(problems) == 1 {
		return problems[0].String(), nil
	}
	slices.SortFunc(problems, func(a, b problem) int {
		if c := strings.Compare(a.subject, b.subject); c != 0 {
			return c
		}
		if c := strings.Compare(a.field(), b.field()); c != 0 {
			return c
		}
		return strings.Compare(a.text, b.text)
	})
	problems = slices.CompactFunc(problems, func(a, b problem) bool {
		return a.subject == b.subject && a.field() == b.field() && a.text == b.text
	})
	details := make([]string, len(problems))
	sameSubject := true
	for i, p := range problems {
		details[i] = p.String()
		sameSubject = sameSubject && p.subject == problems[0].subject
	}
	if len(problems) == 1 {
		return details[0], nil
	}
	var b strings.Builder
	if sameSubject {
		fmt.Fprintf(&b, "%s has %d problems: ", problems[0].subject, len(problems))
		for i, p := range problems {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(p.short())
		}
	} else {
		fmt.Fprintf(&b, "Request has %d problems: %s", len(problems), strings.Join(details, "; "))
	}
	return b.String(), details
}

// schemaProblem words a kin-openapi schema error. It never quotes a value
// except the bad value of an enum, which is one of a few known words.
func schemaProblem(e *openapi3.SchemaError, subject string) problem {
	p := problem{subject: subject, path: e.JSONPointer()}
	switch e.SchemaField {
	case "type", "nullable":
		p.text = fmt.Sprintf("must be %s, not %s", expectedType(e.Schema), kindOf(e.Value))
	case "required":
		p.text = "is required"
	case "enum":
		p.text = fmt.Sprintf("must be %s, not %s", oneOf(e.Schema.Enum), enumValue(e.Value))
	case "properties":
		// The path is the object's; the reason names the unknown key.
		if name, ok := unsupportedProperty(e.Reason); ok {
			p.path = append(p.path, name)
			p.text = "is not allowed"
		} else {
			p.text = e.Reason
		}
	case "pattern", "format":
		switch {
		case e.Schema.Title != "":
			// A pattern says little to most people: a schema with a title
			// says in words what it wants.
			p.text = "must be " + e.Schema.Title
		case e.SchemaField == "pattern":
			p.text = "does not match the pattern " + e.Schema.Pattern
		default:
			p.text = formatText(e.Schema.Format)
		}
	case "minLength":
		p.text = fmt.Sprintf("must have at least %d characters", e.Schema.MinLength)
		if e.Schema.MinLength == 1 {
			p.text = "must not be empty"
		}
	case "minItems":
		p.text = fmt.Sprintf("must have at least %d items", e.Schema.MinItems)
	case "minimum":
		p.text = "must be at least " + formatFloat(e.Schema.Min)
	case "maximum":
		p.text = "must be at most " + formatFloat(e.Schema.Max)
	default:
		p.text = "is invalid: " + e.Reason
	}
	return p
}

// formatText says what a string of a format looks like.
func formatText(format string) string {
	switch format {
	case "date-time":
		return `must be an RFC 3339 date-time such as "2025-10-30T04:04:31Z"`
	case "date":
		return `must be a date such as "2025-10-30"`
	case "uri":
		return `must be an absolute URI such as "http://127.0.0.1:9000/webhook"`
	}
	return "is not a valid " + format
}

func unsupportedProperty(reason string) (string, bool) {
	rest, ok := strings.CutPrefix(reason, "property ")
	if !ok {
		return "", false
	}
	rest, ok = strings.CutSuffix(rest, " is unsupported")
	if !ok {
		return "", false
	}
	name, err := strconv.Unquote(rest)
	return name, err == nil
}

func formatFloat(f *float64) string {
	if f == nil {
		return "?"
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

// expectedType is the schema's type with its article: "a boolean".
func expectedType(s *openapi3.Schema) string {
	if s == nil || s.Type == nil || len(*s.Type) == 0 {
		return "a value"
	}
	types := s.Type.Slice()
	words := make([]string, len(types))
	for i, t := range types {
		words[i] = withArticle(t)
	}
	return strings.Join(words, " or ")
}

func withArticle(t string) string {
	switch t {
	case openapi3.TypeArray, openapi3.TypeObject, openapi3.TypeInteger:
		return "an " + t
	case openapi3.TypeNull:
		return "null"
	}
	return "a " + t
}

// kindOf names the JSON type of a decoded value: "a string", "null".
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case json.Number, float64, float32, int, int64, int32:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a %T", v)
}

func enumValue(v any) string {
	if s, ok := v.(string); ok {
		return quote(s)
	}
	return kindOf(v)
}

// oneOf words the allowed values of an enum: one of "Days90" or "Days365".
func oneOf(enum []any) string {
	words := make([]string, len(enum))
	for i, v := range enum {
		b, err := json.Marshal(v)
		if err != nil {
			words[i] = fmt.Sprint(v)
			continue
		}
		words[i] = string(b)
	}
	switch len(words) {
	case 0:
		return "one of the allowed values"
	case 1:
		return words[0]
	}
	return "one of " + orList(words)
}

// orList joins words as a person lists alternatives: "a, b or c".
func orList(words []string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// quote quotes s for a message, cut short so that a huge header or value
// cannot bloat the answer.
func quote(s string) string {
	const limit = 64
	if len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut] + "…")
	}
	return strconv.Quote(s)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
