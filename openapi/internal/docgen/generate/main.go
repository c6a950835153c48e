// Command generate writes documents_gen.go in the current directory (the
// openapi package, run by go generate) from flinks.yaml and admin.yaml.
package main

import (
	"fmt"
	"os"

	"github.com/flinks-mock/flinks-mock/openapi/internal/docgen"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "generate:", err)
		os.Exit(1)
	}
}

func run() error {
	flinks, err := os.ReadFile("flinks.yaml")
	if err != nil {
		return err
	}
	admin, err := os.ReadFile("admin.yaml")
	if err != nil {
		return err
	}
	src, err := docgen.Source("openapi", docgen.Header,
		docgen.Document{Func: "flinksDocument", Data: flinks},
		docgen.Document{Func: "adminDocument", Data: admin})
	if err != nil {
		return err
	}
	return os.WriteFile("documents_gen.go", src, 0o644)
}
