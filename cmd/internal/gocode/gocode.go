// Package gocode writes a Go value as Go source: an expression that builds
// the same value, so that a program can build at start-up, with no parsing,
// what it would otherwise parse from an embedded file. The generators under
// cmd/internal/gen use it through go generate, and the tests of the packages
// they write into check that the generated code is up to date.
//
// An OpenAPI document (Documents) is written before its references are
// resolved: every reference is written as its $ref alone, and the loader's
// ResolveRefsIn resolves them at run time, as it does after parsing.
package gocode

import (
	"bytes"
	"fmt"
	"go/format"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Options say how Expr writes a value.
type Options struct {
	// Package is the name of the package the code goes in: its own
	// types are written without a qualifier.
	Package string
	// Unexported writes the unexported fields too, for code in the
	// package of the types.
	Unexported bool
}

// Expr returns a Go expression that builds v anew. Pointers are written
// as the values they point to (two pointers to one value become two
// values), except kin-openapi's references; maps are written in the
// order of their keys. A pointer to a basic value is written as
// ptr(value): the package must have a func ptr[T any](v T) *T.
func Expr(v any, opts Options) (string, error) {
	var b bytes.Buffer
	w := writer{b: &b, opts: opts}
	w.value(reflect.ValueOf(v))
	if w.err != nil {
		return "", w.err
	}
	return b.String(), nil
}

// Function returns the source of a function without parameters that
// returns v as type result, under its doc comment.
func Function(name, comment, result string, v any, opts Options) (string, error) {
	expr, err := Expr(v, opts)
	if err != nil {
		return "", fmt.Errorf("write %s: %w", name, err)
	}
	return fmt.Sprintf("\n// %s %s\nfunc %s() %s {\n\treturn %s\n}\n", name, comment, name, result, expr), nil
}

// Format formats generated source as gofmt does.
func Format(src []byte) ([]byte, error) {
	out, err := format.Source(src)
	if err != nil {
		return nil, fmt.Errorf("format the generated source: %w", err)
	}
	return out, nil
}

// Document is one OpenAPI document to write: the name of the function
// that builds it, its YAML (or JSON), and the name of a function listing
// its operations (none when empty).
type Document struct {
	Func       string
	Data       []byte
	Operations string
}

// Documents returns the Go source of package pkg with one function per
// document; header is a comment written above the package clause. The
// package must define the helpers ptr, newPaths, newResponses and
// newCallback (see openapi/documents.go).
func Documents(pkg, header string, docs ...Document) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\npackage %s\n\nimport \"github.com/getkin/kin-openapi/openapi3\"\n", header, pkg)
	for _, d := range docs {
		loader := openapi3.NewLoader()
		loader.IsExternalRefsAllowed = false
		doc, err := loader.LoadFromData(d.Data)
		if err != nil {
			return nil, fmt.Errorf("parse the document of %s: %w", d.Func, err)
		}
		fn, err := Function(d.Func, "builds the document anew, its references not yet resolved.", "*openapi3.T", doc, Options{})
		if err != nil {
			return nil, err
		}
		b.WriteString(fn)
		if d.Operations != "" {
			writeOperations(&b, d.Operations, doc)
		}
	}
	return Format(b.Bytes())
}

// writeOperations writes a function that lists the operations of doc as
// []Operation (a type of the package with fields ID, Method and Path),
// sorted by path then method.
func writeOperations(b *bytes.Buffer, name string, doc *openapi3.T) {
	type op struct{ id, method, path string }
	var ops []op
	for path, item := range doc.Paths.Map() {
		for method, o := range item.Operations() {
			ops = append(ops, op{o.OperationID, method, path})
		}
	}
	slices.SortFunc(ops, func(a, b op) int {
		if c := strings.Compare(a.path, b.path); c != 0 {
			return c
		}
		return strings.Compare(a.method, b.method)
	})
	fmt.Fprintf(b, "\n// %s lists the operations of the document, sorted by path then method.\nfunc %s() []Operation {\n\treturn []Operation{\n", name, name)
	for _, o := range ops {
		fmt.Fprintf(b, "\t\t{ID: %s, Method: %s, Path: %s},\n", strconv.Quote(o.id), strconv.Quote(o.method), strconv.Quote(o.path))
	}
	b.WriteString("\t}\n}\n")
}

// writer writes values as Go expressions; err keeps the first value it
// cannot write.
type writer struct {
	b    *bytes.Buffer
	opts Options
	err  error
}

// typeName is the name of t in the generated code.
func (w *writer) typeName(t reflect.Type) string {
	name := t.String()
	if w.opts.Package != "" {
		name = strings.ReplaceAll(name, w.opts.Package+".", "")
	}
	return name
}

var (
	pathsType     = reflect.TypeFor[openapi3.Paths]()
	responsesType = reflect.TypeFor[openapi3.Responses]()
	callbackType  = reflect.TypeFor[openapi3.Callback]()
)

// value writes v as an expression of its own type.
func (w *writer) value(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		w.pointer(v)
	case reflect.Struct:
		w.structure(v)
	case reflect.Map:
		w.mapping(v)
	case reflect.Slice:
		w.slice(v)
	case reflect.Interface:
		if v.IsNil() {
			w.b.WriteString("nil")
			return
		}
		w.value(v.Elem())
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int64, reflect.Uint64, reflect.Float64:
		w.scalar(v)
	default:
		w.fail(fmt.Errorf("a value of type %s", v.Type()))
	}
}

func (w *writer) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// scalar writes a basic value converted to its type, so that a value held
// in an interface keeps its dynamic type.
func (w *writer) scalar(v reflect.Value) {
	var lit string
	switch v.Kind() {
	case reflect.String, reflect.Bool:
		// Untyped string and boolean constants keep their type in an
		// interface; a named type is converted.
		lit = strconv.Quote(v.String())
		if v.Kind() == reflect.Bool {
			lit = strconv.FormatBool(v.Bool())
		}
		if v.Type().PkgPath() == "" {
			w.b.WriteString(lit)
			return
		}
	case reflect.Int, reflect.Int64:
		lit = strconv.FormatInt(v.Int(), 10)
		if v.Kind() == reflect.Int && v.Type().PkgPath() == "" {
			// An untyped integer constant is an int wherever it lands.
			w.b.WriteString(lit)
			return
		}
	case reflect.Uint64:
		lit = strconv.FormatUint(v.Uint(), 10)
	case reflect.Float64:
		lit = strconv.FormatFloat(v.Float(), 'g', -1, 64)
	}
	fmt.Fprintf(w.b, "%s(%s)", w.typeName(v.Type()), lit)
}

// pointer writes &T{...}; a reference (a struct with a non-empty Ref)
// as its Ref alone; a pointer to a basic value through ptr; the
// map-like types of kin-openapi through their constructor helpers.
func (w *writer) pointer(v reflect.Value) {
	if v.IsNil() {
		w.b.WriteString("nil")
		return
	}
	e := v.Elem()
	switch e.Type() {
	case pathsType, responsesType, callbackType:
		w.mapLike(e)
		return
	}
	switch e.Kind() {
	case reflect.Struct, reflect.Slice, reflect.Map:
		w.b.WriteString("&")
		if isReference(e) {
			w.reference(e)
			return
		}
		w.value(e)
	default:
		w.b.WriteString("ptr(")
		w.value(e)
		w.b.WriteString(")")
	}
}

// isReference tells whether e is a reference of kin-openapi: a struct of
// openapi3 with a non-empty Ref.
func isReference(e reflect.Value) bool {
	if e.Kind() != reflect.Struct || e.Type().PkgPath() != pathsType.PkgPath() {
		return false
	}
	ref := e.FieldByName("Ref")
	return ref.IsValid() && ref.Kind() == reflect.String && ref.String() != ""
}

// reference writes a reference as its Ref and extensions: ResolveRefsIn
// sets the rest.
func (w *writer) reference(e reflect.Value) {
	fmt.Fprintf(w.b, "%s{Ref: %s", w.typeName(e.Type()), strconv.Quote(e.FieldByName("Ref").String()))
	if ext := e.FieldByName("Extensions"); ext.IsValid() && ext.Len() > 0 {
		w.b.WriteString(", Extensions: ")
		w.value(ext)
	}
	w.b.WriteString("}")
}

// mapLike writes one of kin-openapi's map-like types (Paths, Responses,
// Callback), whose map is not exported, as a call of the helper that
// builds it from its extensions and its map: newPaths, newResponses or
// newCallback.
func (w *writer) mapLike(e reflect.Value) {
	var m any
	switch x := e.Addr().Interface().(type) {
	case *openapi3.Paths:
		m = x.Map()
	case *openapi3.Responses:
		m = x.Map()
	case *openapi3.Callback:
		m = x.Map()
	}
	for i := range e.NumField() {
		if f := e.Type().Field(i); f.IsExported() && f.Name != "Extensions" && !e.Field(i).IsZero() {
			w.fail(fmt.Errorf("%s.%s is not supported", e.Type(), f.Name))
		}
	}
	fmt.Fprintf(w.b, "new%s(", e.Type().Name())
	w.value(e.FieldByName("Extensions"))
	w.b.WriteString(", ")
	w.value(reflect.ValueOf(m))
	w.b.WriteString(")")
}

// structure writes T{Field: value, ...}, leaving out unexported and zero
// fields.
func (w *writer) structure(v reflect.Value) {
	t := v.Type()
	fmt.Fprintf(w.b, "%s{", w.typeName(t))
	for i := range t.NumField() {
		f := t.Field(i)
		if (!f.IsExported() && !w.opts.Unexported) || v.Field(i).IsZero() {
			continue
		}
		fmt.Fprintf(w.b, "\n%s: ", f.Name)
		w.value(v.Field(i))
		w.b.WriteString(",")
	}
	w.b.WriteString("\n}")
}

// mapping writes map[K]V{...} in the order of its keys, nil as nil.
func (w *writer) mapping(v reflect.Value) {
	if v.IsNil() {
		fmt.Fprintf(w.b, "%s(nil)", w.typeName(v.Type()))
		return
	}
	keys := v.MapKeys()
	if v.Type().Key().Kind() != reflect.String {
		w.fail(fmt.Errorf("a map keyed by %s", v.Type().Key()))
		return
	}
	slices.SortFunc(keys, func(a, b reflect.Value) int {
		return strings.Compare(a.String(), b.String())
	})
	fmt.Fprintf(w.b, "%s{", w.typeName(v.Type()))
	for _, k := range keys {
		fmt.Fprintf(w.b, "\n%s: ", strconv.Quote(k.String()))
		w.value(v.MapIndex(k))
		w.b.WriteString(",")
	}
	w.b.WriteString("\n}")
}

// slice writes []T{...}, nil as nil.
func (w *writer) slice(v reflect.Value) {
	if v.IsNil() {
		fmt.Fprintf(w.b, "%s(nil)", w.typeName(v.Type()))
		return
	}
	fmt.Fprintf(w.b, "%s{", w.typeName(v.Type()))
	for i := range v.Len() {
		w.b.WriteString("\n")
		w.value(v.Index(i))
		w.b.WriteString(",")
	}
	w.b.WriteString("\n}")
}
