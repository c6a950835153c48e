package main_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/onsi/gomega"
)

// requireImage, set in the environment (as .ci/run does once it installed
// buildah), turns a skip of TestImage into a failure.
const requireImage = "FLINKS_MOCK_REQUIRE_IMAGE"

// imageScript builds the image with no base image to pull.
const imageScript = "build/image.sh"

// maxImageSize bounds the image: the binary and the CA certificates.
const maxImageSize = 20 << 20

// TestImage builds the image of the Dockerfile with buildah, as CI does,
// and checks what a user of it relies on: its size, a non-root user, the
// entrypoint, the health check and the labels; then it runs the binary and
// the health check inside it against serve started from it.
func TestImage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the container image (-short)")
	}
	if _, err := exec.LookPath("buildah"); err != nil {
		if os.Getenv(requireImage) != "" {
			t.Fatalf("%s is set but buildah is not on PATH: %v", requireImage, err)
		}
		t.Skip("buildah is not on PATH, so the image is not built here (.ci/run installs it): " + err.Error())
	}
	root := repoRoot(t)
	tag := fmt.Sprintf("localhost/flinks-mock-test:%d", os.Getpid())
	// A multi-stage build leaves the containers and images of its stages;
	// whatever the build adds goes at the end of the test.
	before := buildahIDs(t)
	t.Cleanup(func() {
		_, _ = buildah("rmi", tag)
		after := buildahIDs(t)
		for id, kind := range after {
			if _, ok := before[id]; !ok && kind == "container" {
				_, _ = buildah("rm", id)
			}
		}
		for id, kind := range after {
			if _, ok := before[id]; !ok && kind == "image" {
				_, _ = buildah("rmi", id)
			}
		}
	})
	build := exec.Command("sh", filepath.Join(root, imageScript), tag, stampedVersion)
	build.Env = buildahEnv()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", imageScript, err, out)
	}

	out, err := buildah("inspect", "--type", "image", tag)
	if err != nil {
		t.Fatalf("buildah inspect: %v\n%s", err, out)
	}
	var img struct {
		Docker struct {
			Config struct {
				User         string
				Entrypoint   []string
				Cmd          []string
				Env          []string
				ExposedPorts map[string]any
				Labels       map[string]string
				Healthcheck  *struct{ Test []string }
			} `json:"config"`
		}
	}
	if err := json.Unmarshal(out, &img); err != nil {
		t.Fatalf("buildah inspect: %v", err)
	}
	cfg := img.Docker.Config
	g := gomega.NewWithT(t)
	g.Expect(cfg.User).NotTo(gomega.BeElementOf("", "root", "0", "0:0"), "the image runs as root")
	g.Expect(cfg.Entrypoint).To(gomega.Equal([]string{"/flinks-mock"}))
	g.Expect(cfg.Cmd).To(gomega.Equal([]string{"serve"}))
	g.Expect(cfg.Env).To(gomega.ContainElement("FLINKS_MOCK_ADDR=0.0.0.0:8080"))
	g.Expect(cfg.ExposedPorts).To(gomega.HaveKey("8080/tcp"))
	g.Expect(cfg.Healthcheck).NotTo(gomega.BeNil(), "the image has no health check (built in OCI format?)")
	if cfg.Healthcheck != nil {
		g.Expect(cfg.Healthcheck.Test).To(gomega.Equal([]string{"CMD", "/flinks-mock", "healthcheck"}))
	}
	g.Expect(cfg.Labels).To(gomega.HaveKeyWithValue("org.opencontainers.image.version", stampedVersion))
	for _, l := range []string{"title", "description", "source", "licenses"} {
		g.Expect(cfg.Labels).To(gomega.HaveKey("org.opencontainers.image."+l), "label %s", l)
	}

	size, err := imageSize(tag)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("image size: %.1f MB", float64(size)/1e6)
	g.Expect(size).To(gomega.BeNumerically("<", maxImageSize), "the image is too big")

	ctr, err := buildah("from", "--pull-never", tag)
	if err != nil {
		t.Fatalf("buildah from: %v\n%s", err, ctr)
	}
	name := strings.TrimSpace(string(ctr))
	t.Cleanup(func() { _, _ = buildah("rm", name) })

	version, err := buildah("run", "--isolation", "chroot", name, "/flinks-mock", "version")
	if err != nil || !strings.HasPrefix(string(version), "flinks-mock "+stampedVersion+" ") {
		t.Errorf("flinks-mock version in the image: %q, %v; want the stamped %s", version, err, stampedVersion)
	}
	// Serve from the image (chroot isolation shares the host's network) and
	// probe it with the image's own health check.
	addr := freeAddr(t)
	serve := exec.Command("buildah", "run", "--isolation", "chroot", "--env", "FLINKS_MOCK_ADDR="+addr, name, "/flinks-mock")
	serve.Env = buildahEnv()
	var log lockedBuffer
	serve.Stdout, serve.Stderr = &log, &log
	serve.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	proc := startProcess(t, serve)
	t.Cleanup(func() {
		if !proc.exited() {
			_ = syscall.Kill(-serve.Process.Pid, syscall.SIGTERM)
			select {
			case <-proc.done:
			case <-time.After(10 * time.Second):
				_ = syscall.Kill(-serve.Process.Pid, syscall.SIGKILL)
			}
		}
	})
	g.Eventually(func() error {
		if proc.exited() {
			return gomega.StopTrying("serve in the image exited:\n" + log.String())
		}
		out, err := buildah("run", "--isolation", "chroot", "--env", "FLINKS_MOCK_ADDR="+addr, name, "/flinks-mock", "healthcheck")
		if err != nil {
			return fmt.Errorf("healthcheck: %v %s", err, out)
		}
		return nil
	}).WithTimeout(time.Minute).WithPolling(200*time.Millisecond).Should(gomega.Succeed(), func() string { return log.String() })
	resp, err := http.Post("http://"+addr+"/v3/x/BankingServices/GenerateAuthorizeToken", "application/json", nil)
	if err == nil {
		resp.Body.Close()
	}
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a call with no key to serve in the image: %v, %v; want 401", resp, err)
	}
}

// buildahEnv is the environment buildah runs in: the vfs storage driver
// unless one is chosen, since overlay needs what a CI container may lack.
func buildahEnv() []string {
	env := os.Environ()
	if os.Getenv("STORAGE_DRIVER") == "" {
		env = append(env, "STORAGE_DRIVER=vfs")
	}
	return env
}

// buildah runs buildah and returns its stdout (with stderr on failure).
func buildah(args ...string) ([]byte, error) {
	cmd := exec.Command("buildah", args...)
	cmd.Env = buildahEnv()
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		out = append(out, ee.Stderr...)
	}
	return out, err
}

// imageSize reads the size buildah reports, such as "14.4 MB", in bytes.
func imageSize(tag string) (int64, error) {
	out, err := buildah("images", "--json", tag)
	if err != nil {
		return 0, fmt.Errorf("buildah images: %v\n%s", err, out)
	}
	var imgs []struct{ Size string }
	if err := json.Unmarshal(out, &imgs); err != nil || len(imgs) != 1 {
		return 0, fmt.Errorf("buildah images --json %s: %v\n%s", tag, err, out)
	}
	num, unit, _ := strings.Cut(imgs[0].Size, " ")
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("image size %q: %v", imgs[0].Size, err)
	}
	mult := map[string]float64{"B": 1, "kB": 1e3, "KB": 1e3, "MB": 1e6, "GB": 1e9}[unit]
	if mult == 0 {
		return 0, fmt.Errorf("image size %q: unknown unit", imgs[0].Size)
	}
	return int64(f * mult), nil
}

// buildahIDs returns the ids of buildah's containers and images, each
// with its kind.
func buildahIDs(t *testing.T) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for _, kind := range []string{"container", "image"} {
		args := []string{"containers", "--quiet"}
		if kind == "image" {
			args = []string{"images", "--quiet", "--no-trunc"}
		}
		list := args[0]
		out, err := buildah(args...)
		if err != nil {
			t.Logf("buildah %s: %v %s", list, err, out)
			continue
		}
		for _, id := range strings.Fields(string(out)) {
			ids[id] = kind
		}
	}
	return ids
}
