package main_test

// The CI recipes in examples/ci: they must parse, agree with the Dockerfile
// (image, port, health check) and with each other, and their scenario file
// must load.

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/flinks-mock/flinks-mock/cmd/flinks-mock/internal/cli"
)

// The image and port every recipe uses.
const (
	recipeImage = "ghcr.io/flinks-mock/flinks-mock:latest"
	recipePort  = "8080:8080"
)

// readRecipe reads examples/ci/name and decodes it into v.
func readRecipe(t *testing.T, name string, v any) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "examples", "ci", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s is not valid YAML: %v", name, err)
	}
	return string(data)
}

// uncommented drops the YAML comment lines of src, where the recipes may
// name what not to do.
func uncommented(src string) string {
	var keep []string
	for _, line := range strings.Split(src, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}

// checkNoShellHealthcheck fails if src asks Docker for a shell-form health
// check: the image has no /bin/sh, so the container would never be healthy.
func checkNoShellHealthcheck(t *testing.T, name, src string) {
	t.Helper()
	for _, bad := range []string{"--health-cmd", "CMD-SHELL"} {
		if strings.Contains(uncommented(src), bad) {
			t.Errorf("%s uses %s, which runs the check with /bin/sh; the image has none", name, bad)
		}
	}
}

// imageHealthcheck returns the exec-form argv of the Dockerfile's
// HEALTHCHECK, which the recipes must repeat when they spell it out.
func imageHealthcheck(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(repoRoot(t), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	stages, err := parseDockerfile(string(src))
	if err != nil {
		t.Fatal(err)
	}
	hc, ok := stages[len(stages)-1].last("HEALTHCHECK")
	if !ok {
		t.Fatal("the Dockerfile has no HEALTHCHECK")
	}
	_, after, _ := strings.Cut(hc.args, "CMD ")
	argv, ok := execForm(strings.TrimSpace(after))
	if !ok {
		t.Fatalf("the Dockerfile's HEALTHCHECK is not in exec form: %s", hc.args)
	}
	return argv
}

func TestRecipeFilesAreYAML(t *testing.T) {
	dir := filepath.Join(repoRoot(t), "examples", "ci")
	var n int
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || (filepath.Ext(path) != ".yml" && filepath.Ext(path) != ".yaml") {
			return err
		}
		n++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var doc any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Errorf("%s: %v", path, err)
		} else if doc == nil {
			t.Errorf("%s is empty", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 4 {
		t.Errorf("found %d YAML files under %s, want the three recipes and a scenario", n, dir)
	}
}

func TestGitHubActionsRecipe(t *testing.T) {
	var wf struct {
		Jobs map[string]struct {
			Services map[string]struct {
				Image   string
				Ports   []string
				Options string
				Env     map[string]string
			}
			Env   map[string]string
			Steps []struct {
				Name, Uses, Run, If string
			}
		}
	}
	src := readRecipe(t, "github-actions.yml", &wf)
	checkNoShellHealthcheck(t, "github-actions.yml", src)

	var service, dockerRun, waitsHealthy, uploads bool
	for name, job := range wf.Jobs {
		if svc, ok := job.Services["flinks-mock"]; ok {
			service = true
			if svc.Image != recipeImage {
				t.Errorf("job %s: service image %q, want %q", name, svc.Image, recipeImage)
			}
			if !slices.Contains(svc.Ports, recipePort) {
				t.Errorf("job %s: service ports %q, want %s", name, svc.Ports, recipePort)
			}
			if !strings.Contains(svc.Options, "--health-interval") {
				t.Errorf("job %s: service options %q set no --health-interval, so the job waits 30s for the first check", name, svc.Options)
			}
			if got, want := svc.Env["FLINKS_MOCK_ADMIN_TOKEN"], job.Env["FLINKS_MOCK_ADMIN_TOKEN"]; got == "" || got != want {
				t.Errorf("job %s: the service's FLINKS_MOCK_ADMIN_TOKEN %q differs from the job's %q, so the journal download gets 401", name, got, want)
			}
		}
		if base := job.Env["FLINKS_BASE_URL"]; base != "http://localhost:8080" {
			t.Errorf("job %s: FLINKS_BASE_URL = %q, want http://localhost:8080", name, base)
		}
		for _, s := range job.Steps {
			if strings.Contains(s.Run, "docker run") {
				dockerRun = true
				for _, want := range []string{recipeImage, "-p " + recipePort, `-v "$PWD/scenarios:/scenarios:ro"`, "-e FLINKS_MOCK_SCENARIOS=/scenarios", "-e FLINKS_MOCK_ADMIN_TOKEN"} {
					if !strings.Contains(s.Run, want) {
						t.Errorf("job %s: step %q runs the mock without %s", name, s.Name, want)
					}
				}
			}
			if strings.Contains(s.Run, "/__admin/journal") {
				checkJournalDownload(t, "github-actions.yml job "+name, s.Run, job.Env["FLINKS_MOCK_ADMIN_TOKEN"])
			}
			waitsHealthy = waitsHealthy || strings.Contains(s.Run, "docker inspect --format '{{.State.Health.Status}}'")
			if strings.HasPrefix(s.Uses, "actions/upload-artifact@") {
				uploads = true
				if s.If != "always()" {
					t.Errorf("job %s: the artifact upload runs if %q, want always(): the journal matters most when tests fail", name, s.If)
				}
			}
		}
	}
	for what, ok := range map[string]bool{
		"a flinks-mock service container":               service,
		"a step that starts the mock with docker run":   dockerRun,
		"a step that waits for .State.Health.Status":    waitsHealthy,
		"an upload-artifact step":                       uploads,
		"a download of /__admin/journal":                strings.Contains(src, "/__admin/journal"),
		"a mention of flinks-mock verify --junit":       strings.Contains(src, "flinks-mock verify --junit"),
		"a mention of the image's healthcheck command":  strings.Contains(src, "/flinks-mock healthcheck"),
		"tests run against http://localhost:8080 (env)": strings.Contains(src, "FLINKS_BASE_URL: http://localhost:8080"),
	} {
		if !ok {
			t.Errorf("github-actions.yml has no %s", what)
		}
	}
}

func TestGitLabCIRecipe(t *testing.T) {
	var jobs map[string]struct {
		Variables map[string]string
		Services  []struct {
			Name, Alias string
			Variables   map[string]string
		}
		Script      []string
		AfterScript []string `yaml:"after_script"`
		Artifacts   struct {
			When  string
			Paths []string
		}
	}
	src := readRecipe(t, "gitlab-ci.yml", &jobs)
	checkNoShellHealthcheck(t, "gitlab-ci.yml", src)

	found := false
	for name, job := range jobs {
		for _, svc := range job.Services {
			if svc.Name != recipeImage {
				continue
			}
			found = true
			if svc.Alias == "" {
				t.Errorf("job %s: the flinks-mock service has no alias", name)
			}
			base := "http://" + svc.Alias + ":8080"
			if job.Variables["FLINKS_BASE_URL"] != base {
				t.Errorf("job %s: FLINKS_BASE_URL = %q, want %s from the alias", name, job.Variables["FLINKS_BASE_URL"], base)
			}
			if job.Variables["FF_NETWORK_PER_BUILD"] != "true" {
				t.Errorf("job %s: FF_NETWORK_PER_BUILD = %q, want \"true\"", name, job.Variables["FF_NETWORK_PER_BUILD"])
			}
			if svc.Variables["HEALTHCHECK_TCP_PORT"] != "8080" {
				t.Errorf("job %s: HEALTHCHECK_TCP_PORT = %q, want 8080", name, svc.Variables["HEALTHCHECK_TCP_PORT"])
			}
			script := strings.Join(job.Script, "\n")
			if !strings.Contains(script, "/__admin/health") {
				t.Errorf("job %s: the script does not wait for /__admin/health", name)
			}
			after := strings.Join(job.AfterScript, "\n")
			if !strings.Contains(after, base+"/__admin/journal") {
				t.Errorf("job %s: after_script does not save %s/__admin/journal", name, base)
			}
			checkJournalDownload(t, "gitlab-ci.yml job "+name, after, job.Variables["FLINKS_MOCK_ADMIN_TOKEN"])
			if job.Artifacts.When != "always" || !slices.Contains(job.Artifacts.Paths, "flinks-journal.json") {
				t.Errorf("job %s: artifacts %+v, want flinks-journal.json kept always", name, job.Artifacts)
			}
		}
	}
	if !found {
		t.Errorf("gitlab-ci.yml has no job with the service %s", recipeImage)
	}
}

func TestComposeRecipe(t *testing.T) {
	type service struct {
		Image       string
		Ports       []string
		Environment map[string]string
		Volumes     []string
		Command     []string
		Healthcheck struct {
			Test              []string
			Interval, Timeout string
			StartPeriod       string `yaml:"start_period"`
			Retries           int
		}
		DependsOn map[string]struct{ Condition string } `yaml:"depends_on"`
	}
	var compose struct{ Services map[string]service }
	src := readRecipe(t, "docker-compose.yml", &compose)
	checkNoShellHealthcheck(t, "docker-compose.yml", src)

	mock, ok := compose.Services["flinks-mock"]
	if !ok {
		t.Fatal("docker-compose.yml has no flinks-mock service")
	}
	if mock.Image != recipeImage {
		t.Errorf("image %q, want %q", mock.Image, recipeImage)
	}
	if !slices.Contains(mock.Ports, recipePort) {
		t.Errorf("ports %q, want %s", mock.Ports, recipePort)
	}
	if want := append([]string{"CMD"}, imageHealthcheck(t)...); !slices.Equal(mock.Healthcheck.Test, want) {
		t.Errorf("healthcheck test %q, want the image's own %q", mock.Healthcheck.Test, want)
	}
	if !slices.Contains(mock.Volumes, "./scenarios:/scenarios:ro") || mock.Environment["FLINKS_MOCK_SCENARIOS"] != "/scenarios" {
		t.Errorf("volumes %q and FLINKS_MOCK_SCENARIOS %q, want ./scenarios mounted read-only at /scenarios and named",
			mock.Volumes, mock.Environment["FLINKS_MOCK_SCENARIOS"])
	}
	if mock.Environment["FLINKS_MOCK_ADMIN_TOKEN"] == "" {
		t.Error("the mock has no FLINKS_MOCK_ADMIN_TOKEN: in a container it would pick a random one, so /__admin/journal needs the log to be read")
	}
	if _, err := os.Stat(filepath.Join(repoRoot(t), "examples", "ci", "scenarios")); err != nil {
		t.Errorf("the ./scenarios the compose file mounts is missing: %v", err)
	}

	waiting := 0
	for name, svc := range compose.Services {
		dep, ok := svc.DependsOn["flinks-mock"]
		if !ok {
			continue
		}
		waiting++
		if dep.Condition != "service_healthy" {
			t.Errorf("service %s starts when flinks-mock is %q, want service_healthy", name, dep.Condition)
		}
		if svc.Environment["FLINKS_BASE_URL"] != "http://flinks-mock:8080" {
			t.Errorf("service %s: FLINKS_BASE_URL = %q, want http://flinks-mock:8080", name, svc.Environment["FLINKS_BASE_URL"])
		}
	}
	if waiting == 0 {
		t.Error("no service depends on flinks-mock")
	}
}

// checkJournalDownload fails unless script sends the admin token, which
// the mock requires for /__admin/journal when it listens beyond loopback
// as it does in a container.
func checkJournalDownload(t *testing.T, where, script, token string) {
	t.Helper()
	if token == "" {
		t.Errorf("%s: downloads /__admin/journal but sets no FLINKS_MOCK_ADMIN_TOKEN", where)
	}
	if !strings.Contains(script, `-H "Authorization: Bearer $FLINKS_MOCK_ADMIN_TOKEN"`) {
		t.Errorf("%s: downloads /__admin/journal without the header Authorization: Bearer $FLINKS_MOCK_ADMIN_TOKEN:\n%s", where, script)
	}
}

func TestRecipeScenariosValidate(t *testing.T) {
	dir := filepath.Join(repoRoot(t), "examples", "ci", "scenarios")
	var stdout, stderr bytes.Buffer
	p := cli.Program{Stdout: &stdout, Stderr: &stderr}
	if code := p.Run(context.Background(), []string{"validate", dir}); code != cli.ExitOK {
		t.Fatalf("flinks-mock validate %s exited %d:\n%s%s", dir, code, stdout.String(), stderr.String())
	}
}

// TestCIDocCoversEveryFlag keeps docs/ci.md in step with the flags: every
// flag of serve and healthcheck must appear there as its FLINKS_MOCK_
// variable.
func TestCIDocCoversEveryFlag(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "ci.md"))
	if err != nil {
		t.Fatal(err)
	}
	flagLine := regexp.MustCompile(`(?m)^\s+-([a-z][a-z0-9-]*)`)
	for _, command := range []string{"serve", "healthcheck"} {
		var stdout bytes.Buffer
		p := cli.Program{Stdout: &stdout}
		if code := p.Run(context.Background(), []string{command, "--help"}); code != cli.ExitOK {
			t.Fatalf("flinks-mock %s --help exited %d", command, code)
		}
		flags := flagLine.FindAllStringSubmatch(stdout.String(), -1)
		if len(flags) == 0 {
			t.Fatalf("flinks-mock %s --help lists no flag:\n%s", command, stdout.String())
		}
		for _, f := range flags {
			env := cli.EnvPrefix + strings.ToUpper(strings.ReplaceAll(f[1], "-", "_"))
			if !bytes.Contains(doc, []byte(env)) {
				t.Errorf("docs/ci.md does not mention %s (flinks-mock %s --%s)", env, command, f[1])
			}
		}
	}
}
