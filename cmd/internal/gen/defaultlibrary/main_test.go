package main

import (
	"bytes"
	"os"
	"testing"
)

// TestGeneratedLibraryIsCurrent fails when scenarios/library_gen.go is not
// what go generate writes from scenarios/library/*.yaml today: run
// go generate ./scenarios after changing a file of the default library.
func TestGeneratedLibraryIsCurrent(t *testing.T) {
	const dir = "../../../../scenarios"
	want, err := generate(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(dir + "/library_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("scenarios/library_gen.go is out of date with scenarios/library/*.yaml: run go generate ./scenarios")
	}
}
