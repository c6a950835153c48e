package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
)

// The peers are the mock servers people would pick instead of
// flinks-mock. The runner finds them where npm installs them:
//
//	npm install --prefix /tmp/peers wiremock @stoplight/prism-cli
//
// The npm package wiremock ships WireMock's standalone jar (run with the
// java on PATH); @stoplight/prism-cli is Prism, run with the node on PATH
// in mock mode from a one-operation OpenAPI document. Each serves the
// same ~3 KB answer as flinks-mock's small hot path, to the same POST.

// peer is one installed peer: how to lay out what it serves and how to
// start it.
type peer struct {
	// name says which peer and version, e.g. "WireMock 3.13.2".
	name string
	// files writes into dir what the peer serves: answer to POST
	// /v3/{customerId}/BankingServices/GetAccountsDetail.
	files func(dir string, answer []byte) error
	// argv is the command line that serves dir on 127.0.0.1:port.
	argv func(dir string, port int) []string
}

// lookPathFunc is exec.LookPath, or a stand-in in tests.
type lookPathFunc func(file string) (string, error)

// findPeers returns the peers installed under prefix, and for each one
// that is not, a line saying so and how to install it.
func findPeers(prefix string, lookPath lookPathFunc) (found []peer, skipped []string) {
	for _, find := range []func(string, lookPathFunc) (peer, error){findWireMock, findPrism} {
		p, err := find(prefix, lookPath)
		if err != nil {
			skipped = append(skipped, err.Error())
			continue
		}
		found = append(found, p)
	}
	return found, skipped
}

// notInstalled is the skip line of a peer.
func notInstalled(name, why, prefix, pkg string) error {
	return fmt.Errorf("%s: skipped: not installed (%s; npm install --prefix %s %s)", name, why, prefix, pkg)
}

// wiremockJar matches the jar of the npm package wiremock.
var wiremockJar = regexp.MustCompile(`^wiremock-standalone-([0-9][0-9A-Za-z.\-]*)\.jar$`)

// findWireMock finds the jar of the npm package wiremock and java.
func findWireMock(prefix string, lookPath lookPathFunc) (peer, error) {
	dir := filepath.Join(prefix, "node_modules", "wiremock", "build")
	entries, _ := os.ReadDir(dir)
	var jar, version string
	for _, e := range entries {
		if m := wiremockJar.FindStringSubmatch(e.Name()); m != nil {
			jar, version = filepath.Join(dir, e.Name()), m[1]
		}
	}
	if jar == "" {
		return peer{}, notInstalled("WireMock", "no wiremock-standalone-*.jar in "+dir, prefix, "wiremock")
	}
	java, err := lookPath("java")
	if err != nil {
		return peer{}, notInstalled("WireMock", "no java on PATH", prefix, "wiremock")
	}
	return peer{
		name:  "WireMock " + version,
		files: wiremockFiles,
		argv: func(dir string, port int) []string {
			// No request journal: WireMock's keeps every request forever.
			return []string{java, "-jar", jar, "--port", strconv.Itoa(port), "--bind-address", "127.0.0.1",
				"--root-dir", dir, "--no-request-journal", "--disable-banner"}
		},
	}, nil
}

// wiremockFiles writes a stub mapping and its body file.
func wiremockFiles(dir string, answer []byte) error {
	mapping := map[string]any{
		"request": map[string]any{
			"method":         "POST",
			"urlPathPattern": "/v3/[^/]+/BankingServices/GetAccountsDetail",
		},
		"response": map[string]any{
			"status":       200,
			"headers":      map[string]string{"Content-Type": "application/json; charset=utf-8"},
			"bodyFileName": "answer.json",
		},
	}
	return writeFiles(dir, map[string]any{
		filepath.Join("mappings", "answer.json"): mapping,
		filepath.Join("__files", "answer.json"):  answer,
	})
}

// findPrism finds the CLI of @stoplight/prism-cli and node.
func findPrism(prefix string, lookPath lookPathFunc) (peer, error) {
	pkgDir := filepath.Join(prefix, "node_modules", "@stoplight", "prism-cli")
	var pkg struct {
		Version string
		Bin     map[string]string
	}
	data, err := os.ReadFile(filepath.Join(pkgDir, "package.json"))
	if err == nil {
		err = json.Unmarshal(data, &pkg)
	}
	if err != nil || pkg.Bin["prism"] == "" {
		return peer{}, notInstalled("Prism", "no @stoplight/prism-cli in "+filepath.Join(prefix, "node_modules"), prefix, "@stoplight/prism-cli")
	}
	node, err := lookPath("node")
	if err != nil {
		return peer{}, notInstalled("Prism", "no node on PATH", prefix, "@stoplight/prism-cli")
	}
	cli := filepath.Join(pkgDir, pkg.Bin["prism"])
	return peer{
		name:  "Prism " + pkg.Version,
		files: prismFiles,
		argv: func(dir string, port int) []string {
			// Warnings only: at info level Prism logs four lines a request.
			return []string{node, cli, "mock", "--host", "127.0.0.1", "--port", strconv.Itoa(port),
				"--verboseLevel", "warn", filepath.Join(dir, "openapi.json")}
		},
	}, nil
}

// prismFiles writes an OpenAPI document of one operation whose 200
// example is the answer. The request body is declared as flinks-mock's
// document declares it, so Prism validates it as flinks-mock does.
func prismFiles(dir string, answer []byte) error {
	if !json.Valid(answer) {
		return errors.New("the answer Prism is to serve is not JSON")
	}
	doc := map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": "GetAccountsDetail, ~3 KB answer", "version": "1"},
		"paths": map[string]any{
			"/v3/{customerId}/BankingServices/GetAccountsDetail": map[string]any{
				"post": map[string]any{
					"parameters": []any{map[string]any{"name": "customerId", "in": "path", "required": true, "schema": map[string]any{"type": "string"}}},
					"requestBody": map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{
						"type": "object", "required": []string{"RequestId"},
						"properties": map[string]any{"RequestId": map[string]any{"type": "string"}, "WithAccountIdentity": map[string]any{"type": "boolean"}},
					}}}},
					"responses": map[string]any{"200": map[string]any{"description": "the answer", "content": map[string]any{
						"application/json": map[string]any{"example": json.RawMessage(answer)},
					}}},
				},
			},
		},
	}
	return writeFiles(dir, map[string]any{"openapi.json": doc})
}

// writeFiles writes each file under dir: []byte as is, anything else as
// JSON.
func writeFiles(dir string, files map[string]any) error {
	for name, v := range files {
		data, ok := v.([]byte)
		if !ok {
			var err error
			if data, err = json.Marshal(v); err != nil {
				return fmt.Errorf("encode %s: %w", name, err)
			}
		}
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return nil
}
