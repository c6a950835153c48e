package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
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
	var (
		sources []Source
		ioErrs  []error
		errs    Errors
	)
	for _, p := range paths {
		files, err := scenarioFiles(p)
		if err != nil {
			ioErrs = append(ioErrs, err)
			continue
		}
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				ioErrs = append(ioErrs, fmt.Errorf("read scenarios: %w", err))
				continue
			}
			src, err := Parse(name, data)
			if err != nil {
				errs = appendErr(errs, &ioErrs, err)
				continue
			}
			sources = append(sources, src)
		}
	}
	if err := joinErrs(ioErrs, errs); err != nil {
		return nil, err
	}
	return sources, nil
}

// scenarioFiles lists the files a path given by the user stands for.
func scenarioFiles(p string) ([]string, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("read scenarios: %w", err)
	}
	info, err := f.Stat()
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("read scenarios: %w", err)
	}
	if !info.IsDir() {
		return []string{p}, nil
	}
	var files []string
	err = filepath.WalkDir(p, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		hidden := name != p && strings.HasPrefix(d.Name(), ".")
		if d.IsDir() {
			if hidden {
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
	if err != nil {
		return nil, fmt.Errorf("read scenarios: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("read scenarios: the directory %s holds no .yaml, .yml or .json file", p)
	}
	return files, nil
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

// DefaultSources parses the embedded default library, which mirrors the
// Flinks toolbox sandbox. Its files are named "library/<file>" in errors.
func DefaultSources() ([]Source, error) {
	names, err := fs.Glob(library, "library/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list the default library: %w", err)
	}
	var (
		sources []Source
		ioErrs  []error
		errs    Errors
	)
	for _, name := range names {
		data, err := library.ReadFile(name)
		if err != nil {
			ioErrs = append(ioErrs, fmt.Errorf("read the default library: %w", err))
			continue
		}
		src, err := Parse(path.Clean(name), data)
		if err != nil {
			errs = appendErr(errs, &ioErrs, err)
			continue
		}
		sources = append(sources, src)
	}
	if err := joinErrs(ioErrs, errs); err != nil {
		return nil, err
	}
	return sources, nil
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
	files, err := ReadSources(paths...)
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
