package main_test

// The size limits of the code outside tests: no file over maxFileLines
// lines, no function over maxFuncLines lines or a cyclomatic complexity
// over maxComplexity (counted as gocyclo counts it, so that
// `go run github.com/fzipp/gocyclo/cmd/gocyclo@latest -over 15 .` agrees).

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

const (
	maxFileLines  = 500
	maxFuncLines  = 60
	maxComplexity = 15
)

// oversized are the exceptions to the limits, each with its reason, by
// "path" (a file) or "path:Func" / "path:(*Type).Method" (a function).
// An entry whose code has come within the limits fails the test: delete
// it then.
var oversized = map[string]string{
	"openapi/documents_gen.go":                generated,
	"openapi/documents_gen.go:flinksDocument": generated,
	"openapi/documents_gen.go:adminDocument":  generated,
	"scenarios/library_gen.go":                generated,
	"scenarios/library_gen.go:defaultSources": generated,
}

// generated is the reason of the files go generate writes: one composite
// literal per document, read by no one.
const generated = "written by go generate from YAML: one composite literal, built at start-up instead of parsing"

// TestCodeSize checks every non-test Go file of the module against the
// limits.
func TestCodeSize(t *testing.T) {
	root := repoRoot(t)
	used := map[string]bool{}
	over := func(key, format string, a ...any) {
		if _, ok := oversized[key]; ok {
			used[key] = true
			return
		}
		t.Errorf("%s: "+format+"; split it (or, if it must stay whole, add it to oversized in codesize_test.go with the reason)", append([]any{key}, a...)...)
	}
	files := 0
	for _, rel := range goSources(t, root) {
		files++
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, filepath.Join(root, rel), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		if n := fset.File(f.Pos()).LineCount(); n > maxFileLines {
			over(rel, "%d lines, more than %d", n, maxFileLines)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			key := rel + ":" + funcName(fn)
			if n := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1; n > maxFuncLines {
				over(key, "%d lines, more than %d", n, maxFuncLines)
			}
			if c := complexity(fn); c > maxComplexity {
				over(key, "cyclomatic complexity %d, more than %d", c, maxComplexity)
			}
		}
	}
	if files < 50 {
		t.Fatalf("found only %d Go files under %s", files, root)
	}
	for key, why := range oversized {
		if !used[key] {
			t.Errorf("oversized lists %s (%s), which is within the limits now (or gone): delete the entry", key, why)
		}
	}
}

// goSources returns the module's non-test Go files, relative to root, as
// the go command sees them: testdata and folders starting with . or _
// left out.
func goSources(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return fs.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// funcName is the name gocyclo gives a function: Name, (Type).Name or
// (*Type).Name.
func funcName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return fn.Name.Name
	}
	typ := fn.Recv.List[0].Type
	star := ""
	if s, ok := typ.(*ast.StarExpr); ok {
		star, typ = "*", s.X
	}
	switch x := typ.(type) {
	case *ast.IndexExpr: // a generic type
		typ = x.X
	case *ast.IndexListExpr:
		typ = x.X
	}
	return fmt.Sprintf("(%s%s).%s", star, typ.(*ast.Ident).Name, fn.Name.Name)
}

// complexity is the cyclomatic complexity of a function as gocyclo counts
// it: one, plus one per if, for, range, case (but default), select case
// (but default), && and ||, function literals inside included.
func complexity(fn *ast.FuncDecl) int {
	c := 1
	ast.Inspect(fn, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt:
			c++
		case *ast.CaseClause:
			if n.List != nil {
				c++
			}
		case *ast.CommClause:
			if n.Comm != nil {
				c++
			}
		case *ast.BinaryExpr:
			if n.Op == token.LAND || n.Op == token.LOR {
				c++
			}
		}
		return true
	})
	return c
}

// TestComplexityCountsAsGocyclo: the count on functions of known
// complexity.
func TestComplexityCountsAsGocyclo(t *testing.T) {
	tests := []struct {
		name, src string
		want      int
	}{
		{"straight", `func f() { g() }`, 1},
		{"if else", `func f(a bool) { if a { g() } else { h() } }`, 2},
		{"loops", `func f(xs []int) { for i := 0; i < 3; i++ {}; for range xs {} }`, 3},
		{"switch", `func f(x int) { switch x { case 1, 2: case 3: default: } }`, 3},
		{"select", `func f(a, b chan int) { select { case <-a: case <-b: default: } }`, 3},
		{"and or", `func f(a, b, c bool) bool { return a && b || c }`, 3},
		{"closure", `func f() { g(func() { if true {} }) }`, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := parser.ParseFile(token.NewFileSet(), "x.go", "package x\n"+tt.src, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := complexity(f.Decls[0].(*ast.FuncDecl)); got != tt.want {
				t.Errorf("complexity = %d, want %d", got, tt.want)
			}
		})
	}
}
