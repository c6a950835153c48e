package main_test

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// modulePath is the path a user gives to go install.
const modulePath = "github.com/flinks-mock/flinks-mock"

// TestGoInstallLatest runs the README's install command, go install
// <module>/cmd/flinks-mock@latest, against a module proxy in a folder
// that holds this working tree as the latest version, and checks that the
// installed binary names that version: what a user gets from the real
// proxy, without the network for this module.
//
// The version names the tree's content (v0.1.0-t<hash>): go install takes
// a version it has in its module cache from there, so a fixed version
// would install the tree of the first run on every run after it.
func TestGoInstallLatest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command from a module zip (-short)")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git lists the files of the module: " + err.Error())
	}
	root := repoRoot(t)
	proxy := t.TempDir()
	installVersion := writeModuleProxy(t, root, proxy)

	upstream := strings.TrimSpace(goEnv(t, "GOPROXY"))
	gobin := t.TempDir()
	cmd := exec.Command("go", "install", modulePath+"/cmd/flinks-mock@latest")
	cmd.Dir = t.TempDir() // outside any module, as on a fresh machine
	cmd.Env = append(os.Environ(),
		"GOPROXY=file://"+filepath.ToSlash(proxy)+","+upstream,
		"GONOSUMDB="+modulePath, // the local zip is not in the checksum database
		"GOFLAGS=",
		"GOBIN="+gobin,
		"GOWORK=off",
	)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go install %s/cmd/flinks-mock@latest: %v\n%s", modulePath, err, out)
	}
	t.Logf("go install took %v", time.Since(start).Round(time.Millisecond))

	out, err := exec.Command(filepath.Join(gobin, "flinks-mock"), "version").Output()
	if err != nil {
		t.Fatalf("flinks-mock version: %v", err)
	}
	if want := "flinks-mock " + installVersion + " (go"; !strings.HasPrefix(string(out), want) {
		t.Errorf("flinks-mock version printed %q, want it to start with %q: the version comes from the build info", out, want)
	}
}

// writeModuleProxy lays out a GOPROXY folder serving the module in root,
// its files as git tracks them, and returns the version it serves it as:
// v0.1.0-t and the first 12 hex digits of a hash of those files.
func writeModuleProxy(t *testing.T, root, proxy string) string {
	t.Helper()
	files := moduleFiles(t, root)
	sum := sha256.New()
	for _, f := range files {
		sum.Write([]byte(f.name + "\x00"))
		sum.Write(f.data)
	}
	version := "v0.1.0-t" + hex.EncodeToString(sum.Sum(nil))[:12]

	dir := filepath.Join(proxy, filepath.FromSlash(modulePath), "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	zf, err := os.Create(filepath.Join(dir, version+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(zf)
	for _, f := range files {
		w, err := zw.Create(modulePath + "@" + version + "/" + f.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zf.Close(); err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	info, _ := json.Marshal(map[string]string{"Version": version, "Time": "2026-11-02T12:00:00Z"})
	for name, data := range map[string][]byte{
		"list":            []byte(version + "\n"),
		version + ".info": info,
		version + ".mod":  mod,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return version
}

// moduleFile is a file of the module: its path in the tree and its bytes.
type moduleFile struct {
	name string
	data []byte
}

// moduleFiles reads the files of the module in root as git tracks them,
// in git's order, leaving out those deleted in the working tree.
func moduleFiles(t *testing.T, root string) []moduleFile {
	t.Helper()
	ls := exec.Command("git", "ls-files", "-z")
	ls.Dir = root
	listed, err := ls.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	var files []moduleFile
	for _, name := range strings.Split(strings.TrimRight(string(listed), "\x00"), "\x00") {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if os.IsNotExist(err) {
			continue // deleted in the working tree
		}
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, moduleFile{name: name, data: data})
	}
	return files
}

// goEnv returns go env NAME.
func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return string(out)
}
