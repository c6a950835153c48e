package bench

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fakeInstall lays out what npm install --prefix leaves for the peers,
// without their contents.
func fakeInstall(t *testing.T) string {
	t.Helper()
	prefix := t.TempDir()
	files := map[string]string{
		"node_modules/wiremock/build/wiremock-standalone-3.13.2.jar": "",
		"node_modules/@stoplight/prism-cli/package.json":             `{"name":"@stoplight/prism-cli","version":"5.14.2","bin":{"prism":"./dist/index.js"}}`,
	}
	for name, data := range files {
		path := filepath.Join(prefix, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return prefix
}

func lookPathIn(found ...string) lookPathFunc {
	return func(file string) (string, error) {
		if slices.Contains(found, file) {
			return "/usr/bin/" + file, nil
		}
		return "", errors.New("not found")
	}
}

func TestFindPeersCommandLines(t *testing.T) {
	prefix := fakeInstall(t)
	found, skipped := findPeers(prefix, lookPathIn("java", "node"))
	if len(skipped) != 0 {
		t.Fatalf("skipped = %q, want none", skipped)
	}
	want := map[string][]string{
		"WireMock 3.13.2": {"/usr/bin/java", "-jar", filepath.Join(prefix, "node_modules/wiremock/build/wiremock-standalone-3.13.2.jar"),
			"--port", "4321", "--bind-address", "127.0.0.1", "--root-dir", "/srv/peer", "--no-request-journal", "--disable-banner"},
		"Prism 5.14.2": {"/usr/bin/node", filepath.Join(prefix, "node_modules/@stoplight/prism-cli/dist/index.js"),
			"mock", "--host", "127.0.0.1", "--port", "4321", "--verboseLevel", "warn", "/srv/peer/openapi.json"},
	}
	if len(found) != len(want) {
		t.Fatalf("found %d peers, want %d", len(found), len(want))
	}
	for _, p := range found {
		if got := p.argv("/srv/peer", 4321); !slices.Equal(got, want[p.name]) {
			t.Errorf("%s command line:\n got %q\nwant %q", p.name, got, want[p.name])
		}
	}
}

func TestFindPeersSkipsWhatIsNotInstalled(t *testing.T) {
	tests := []struct {
		name        string
		installed   bool
		onPath      []string
		wantSkipped []string
	}{
		{"nothing installed", false, []string{"java", "node"}, []string{
			"WireMock: skipped: not installed (no wiremock-standalone-*.jar in",
			"Prism: skipped: not installed (no @stoplight/prism-cli in",
		}},
		{"no java, no node", true, nil, []string{
			"WireMock: skipped: not installed (no java on PATH; npm install --prefix",
			"Prism: skipped: not installed (no node on PATH; npm install --prefix",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := t.TempDir()
			if tt.installed {
				prefix = fakeInstall(t)
			}
			found, skipped := findPeers(prefix, lookPathIn(tt.onPath...))
			if len(found) != 0 {
				t.Errorf("found %d peers, want none", len(found))
			}
			if len(skipped) != len(tt.wantSkipped) {
				t.Fatalf("skipped = %q, want %d lines", skipped, len(tt.wantSkipped))
			}
			for i, want := range tt.wantSkipped {
				if !strings.HasPrefix(skipped[i], want) || !strings.Contains(skipped[i], prefix) {
					t.Errorf("skipped[%d] = %q, want it to start with %q and name %s", i, skipped[i], want, prefix)
				}
			}
		})
	}
}

func TestPeerFilesServeTheAnswer(t *testing.T) {
	answer := []byte(`{"HttpStatusCode":200,"Accounts":[]}`)
	dir := t.TempDir()
	if err := wiremockFiles(dir, answer); err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile(filepath.Join(dir, "__files", "answer.json"))
	if err != nil || string(body) != string(answer) {
		t.Errorf("WireMock body file = %q, %v; want the answer", body, err)
	}
	var mapping struct {
		Request  struct{ Method, URLPathPattern string }
		Response struct{ BodyFileName string }
	}
	readJSON(t, filepath.Join(dir, "mappings", "answer.json"), &mapping)
	if mapping.Request.Method != "POST" || mapping.Request.URLPathPattern == "" || mapping.Response.BodyFileName != "answer.json" {
		t.Errorf("WireMock mapping = %+v", mapping)
	}

	if err := prismFiles(dir, answer); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]struct {
				Content map[string]struct{ Example json.RawMessage }
			}
		}
	}
	readJSON(t, filepath.Join(dir, "openapi.json"), &doc)
	example := doc.Paths["/v3/{customerId}/BankingServices/GetAccountsDetail"]["post"].Responses["200"].Content["application/json"].Example
	if string(example) != string(answer) {
		t.Errorf("Prism example = %s, want the answer", example)
	}
	if err := prismFiles(dir, []byte("not json")); err == nil {
		t.Error("prismFiles took an answer that is not JSON")
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
