package scenarios

import (
	"io/fs"
	"path"
	"reflect"
	"testing"
)

// parsedDefaultSources parses the embedded default library, as the server
// did before it built it from library_gen.go.
func parsedDefaultSources(t *testing.T) []Source {
	t.Helper()
	names, err := fs.Glob(library, "library/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var sources []Source
	for _, name := range names {
		data, err := library.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		src, err := parse(path.Clean(name), data, false)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, src)
	}
	return sources
}

// TestBuiltLibraryIsParsedLibrary checks that the default library the
// server builds is, field for field and line for line, what parsing its
// files gives.
func TestBuiltLibraryIsParsedLibrary(t *testing.T) {
	built, err := DefaultSources()
	if err != nil {
		t.Fatal(err)
	}
	if parsed := parsedDefaultSources(t); !reflect.DeepEqual(parsed, built) {
		t.Fatal("the default library built from library_gen.go differs from its parsed files")
	}
}
