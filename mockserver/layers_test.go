package mockserver_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/flinks-mock/flinks-mock"

// moduleImports returns, for each package of the module (by its path
// inside the module, e.g. "mockserver/webhook"), the packages of the module
// its non-test files import.
func moduleImports(t *testing.T) map[string]map[string]bool {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]bool{}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		if out[pkg] == nil {
			out[pkg] = map[string]bool{}
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if inner, ok := strings.CutPrefix(p, module+"/"); ok {
				out[pkg][inner] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("the module root is not at %s: %v", root, err)
	}
	return out
}

// TestLayers keeps the layers of the module: openapi ← scenarios ←
// mockserver ← contract ← cmd, each part of mockserver below the root
// that wires them, and the contract harness free of the server itself.
func TestLayers(t *testing.T) {
	under := func(pkg, dir string) bool { return pkg == dir || strings.HasPrefix(pkg, dir+"/") }
	rules := []struct {
		what   string
		from   func(pkg string) bool
		denied func(imp string) bool
	}{
		{"no package imports a command", func(p string) bool { return !under(p, "cmd") }, func(i string) bool { return under(i, "cmd") }},
		{"openapi imports nothing of the module but itself", func(p string) bool { return under(p, "openapi") },
			func(i string) bool { return !under(i, "openapi") }},
		{"scenarios import only openapi", func(p string) bool { return under(p, "scenarios") },
			func(i string) bool { return !under(i, "openapi") && !under(i, "scenarios") }},
		{"the server imports neither the harness nor a command", func(p string) bool { return under(p, "mockserver") },
			func(i string) bool { return under(i, "contract") }},
		{"the parts of the server do not import the root that wires them", func(p string) bool {
			return under(p, "mockserver") && p != "mockserver" && !under(p, "mockserver/mocktest")
		}, func(i string) bool { return i == "mockserver" }},
		{"the contract package does not import the server", func(p string) bool { return p == "contract" },
			func(i string) bool { return i == "mockserver" || under(i, "mockserver/mocktest") }},
	}
	imports := moduleImports(t)
	if len(imports) < 20 {
		t.Fatalf("found %d packages; the walk missed the module", len(imports))
	}
	for pkg, imps := range imports {
		for imp := range imps {
			for _, rule := range rules {
				if rule.from(pkg) && rule.denied(imp) {
					t.Errorf("%s imports %s: %s", pkg, imp, rule.what)
				}
			}
		}
	}
}
