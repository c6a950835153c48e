package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// library holds the default scenarios, the sandbox-like logins served when
// no file is given.
//
//go:embed library/*.yaml
var library embed.FS

// scenarioExts are the extensions of the files read from a directory.
var scenarioExts = []string{".yaml", ".yml", ".json"}

// ReadSources reads and parses scenario files. Each path is a file or a
// directory; a directory contributes every .yaml, .yml and .json file under
// it, recursively, in lexical order (hidden files and directories are
// skipped). Files are named in errors as the paths were given, e.g.
// "scenarios/bank.yaml".
//
// Every file is read and parsed even when an earlier one fails, and every
// problem is returned at once: the parse problems as Errors, joined with
// any file that could not be read (which errors.Is can test, e.g. for
// fs.ErrNotExist).
func ReadSources(paths ...string) ([]Source, error) {
	sources, _, err := readSources(paths...)
	return sources, err
}

// Skipped is a file or folder met under a scenario directory and left out,
// with the reason a person reads.
type Skipped struct {
	Path, Reason string
}

// String returns "path: reason".
func (s Skipped) String() string { return s.Path + ": " + s.Reason }

// readSources is ReadSources, also returning what it skipped. Under a
// directory it leaves out folders named testdata (Go's folder of test
// fixtures, broken on purpose) and files that are plainly something else:
// a JSON Schema, or a mapping with none of the scenario keys at its top. A
// file named on its own is always read as a scenario.
func readSources(paths ...string) ([]Source, []Skipped, error) {
	var (
		sources []Source
		skipped []Skipped
		ioErrs  []error
		errs    Errors
	)
	for _, p := range paths {
		files, skips, err := scenarioFiles(p)
		skipped = append(skipped, skips...)
		if err != nil {
			ioErrs = append(ioErrs, err)
			continue
		}
		for _, name := range files {
			data, err := readFile(name)
			if err != nil {
				var tooBig *Error
				if errors.As(err, &tooBig) {
					errs = append(errs, tooBig)
					continue
				}
				ioErrs = append(ioErrs, fmt.Errorf("read scenarios: %w", err))
				continue
			}
			if name != p {
				if why := notScenario(data); why != "" {
					skipped = append(skipped, Skipped{Path: name, Reason: why})
					continue
				}
			}
			src, err := Parse(name, data)
			if err != nil {
				errs = appendErr(errs, &ioErrs, err)
				continue
			}
			sources = append(sources, src)
		}
	}
	slices.SortStableFunc(skipped, func(a, b Skipped) int { return strings.Compare(a.Path, b.Path) })
	if err := joinErrs(ioErrs, errs); err != nil {
		return nil, skipped, err
	}
	if len(sources) == 0 && len(skipped) > 0 {
		return nil, skipped, fmt.Errorf("read scenarios: no scenario file in %s (skipped %d file(s) and folder(s) that are not scenarios)", strings.Join(paths, ", "), len(skipped))
	}
	return sources, skipped, nil
}

// readFile reads a scenario file, but no more of it than MaxFileBytes and
// one byte: a file past the limit is refused (as an *Error) without being
// read whole.
func readFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		size := int64(len(data))
		if st, err := f.Stat(); err == nil && st.Size() > size {
			size = st.Size()
		}
		return nil, tooLarge(name, size)
	}
	return data, nil
}

// scenarioKeys are the top-level keys of a scenario file.
var scenarioKeys = []string{"logins", "institutions", "settings"}

// notScenario returns why data, found under a scenario directory, is not a
// scenario file, or "" when it may be one. Only what is plainly something
// else is left out: a file that fails to parse, or whose top-level keys
// look like mistyped scenario keys, is a scenario with a problem to report.
func notScenario(data []byte) string {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return ""
	}
	root := doc.Content[0]
	var keys []string
	for i := 0; i+1 < len(root.Content); i += 2 {
		keys = append(keys, root.Content[i].Value)
	}
	schema := false
	for _, k := range keys {
		if strings.HasPrefix(k, "x-") {
			return ""
		}
		for _, want := range scenarioKeys {
			if editDistance(strings.ToLower(k), want) <= 2 {
				return ""
			}
		}
		// A scenario may name its schema with "$schema" too, so the key
		// alone tells nothing: with no scenario key, it is a schema.
		schema = schema || k == "$id" || k == "$defs" || k == "definitions"
	}
	if schema {
		return "a JSON Schema, not a scenario file"
	}
	return fmt.Sprintf("not a scenario file: its top level has %s, and none of logins, institutions or settings", quoteKeys(keys))
}

// quoteKeys lists up to three keys for a message.
func quoteKeys(keys []string) string {
	if len(keys) == 0 {
		return "no key"
	}
	var q []string
	for i, k := range keys {
		if i == 3 {
			q = append(q, "…")
			break
		}
		q = append(q, strconv.Quote(k))
	}
	return strings.Join(q, ", ")
}

// scenarioFiles lists the files a path given by the user stands for, and
// the folders it left out.
func scenarioFiles(p string) ([]string, []Skipped, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, nil, fmt.Errorf("read scenarios: %w", err)
	}
	info, err := f.Stat()
	f.Close()
	if err != nil {
		return nil, nil, fmt.Errorf("read scenarios: %w", err)
	}
	if !info.IsDir() {
		return []string{p}, nil, nil
	}
	files, skipped, err := walkScenarioDir(p)
	if err != nil {
		return nil, skipped, fmt.Errorf("read scenarios: %w", err)
	}
	if len(files) == 0 && len(skipped) == 0 {
		return nil, nil, fmt.Errorf("read scenarios: the directory %s holds no .yaml, .yml or .json file", p)
	}
	return files, skipped, nil
}

// walkScenarioDir lists the scenario files under the directory p, and
// the folders it left out: hidden ones silently, testdata with a reason.
func walkScenarioDir(p string) ([]string, []Skipped, error) {
	var files []string
	var skipped []Skipped
	err := filepath.WalkDir(p, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		hidden := name != p && strings.HasPrefix(d.Name(), ".")
		if d.IsDir() {
			if hidden {
				return fs.SkipDir
			}
			if name != p && d.Name() == "testdata" {
				skipped = append(skipped, Skipped{Path: name, Reason: "a folder of test data (files broken on purpose, as Go's testdata), not scenarios"})
				return fs.SkipDir
			}
			return nil
		}
		if hidden || !hasScenarioExt(name) {
			return nil
		}
		// Files mounted from a Kubernetes ConfigMap are symlinks; follow
		// them, but take only what ends at a regular file.
		if st, err := os.Stat(name); err != nil || !st.Mode().IsRegular() {
			return nil
		}
		files = append(files, name)
		return nil
	})
	return files, skipped, err
}

func hasScenarioExt(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	for _, e := range scenarioExts {
		if ext == e {
			return true
		}
	}
	return false
}

// DefaultSources returns the embedded default library, which mirrors the
// Flinks toolbox sandbox. Its files are named "library/<file>" in errors.
// They are not parsed at run time but built by the code go generate wrote
// from them (library_gen.go): the package's tests check that it builds
// what parsing gives, and check the files against the JSON Schema, so that
// a start without --scenarios neither parses YAML nor compiles the schema.
func DefaultSources() ([]Source, error) {
	return defaultSources(), nil
}

// Load reads the scenario files at paths, after the default library when
// withDefaults is set, and builds the Library a server serves. A file's
// login replaces a login of the same name loaded before it. now dates the
// generated accounts that set no endDate.
func Load(now time.Time, withDefaults bool, paths ...string) (*Library, error) {
	var sources []Source
	var problems []error
	if withDefaults {
		def, err := DefaultSources()
		if err != nil {
			problems = append(problems, err)
		}
		sources = append(sources, def...)
	}
	files, skipped, err := readSources(paths...)
	if err != nil {
		problems = append(problems, err)
	}
	sources = append(sources, files...)
	if len(problems) > 0 {
		return nil, mergeErrs(problems)
	}
	lib, err := Build(now, sources...)
	if err != nil {
		return nil, err
	}
	lib.Skipped = skipped
	return lib, nil
}

// appendErr adds the problems of one file: Errors to errs, anything else
// (which Parse returns only for a broken build) to ioErrs.
func appendErr(errs Errors, ioErrs *[]error, err error) Errors {
	var es Errors
	if errors.As(err, &es) {
		return append(errs, es...)
	}
	*ioErrs = append(*ioErrs, err)
	return errs
}

// joinErrs returns errs alone when nothing else went wrong, so callers can
// range over it; otherwise all problems joined.
func joinErrs(ioErrs []error, errs Errors) error {
	if len(ioErrs) == 0 {
		if len(errs) == 0 {
			return nil
		}
		return errs
	}
	all := ioErrs
	if len(errs) > 0 {
		all = append(all, errs)
	}
	return errors.Join(all...)
}

// mergeErrs combines the errors of the default library and of the user's
// files, keeping a single Errors when both are only parse problems.
func mergeErrs(problems []error) error {
	var all Errors
	for _, p := range problems {
		es, ok := p.(Errors)
		if !ok {
			return errors.Join(problems...)
		}
		all = append(all, es...)
	}
	return all
}

// SkippedIn lists what Load leaves out of paths, for a report that must
// say it even when the files that remain do not load.
func SkippedIn(paths ...string) []Skipped {
	_, skipped, _ := readSources(paths...)
	return skipped
}

// The sources of the default library are built by the code go generate
// writes from library/*.yaml (library_gen.go), not parsed at start-up: a
// test checks that it builds what parsing gives, and is up to date.
//go:generate go run ../cmd/internal/gen/defaultlibrary

// ptr is called by library_gen.go.
func ptr[T any](v T) *T { return &v }
