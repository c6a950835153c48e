package main_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/cmd/flinks-mock/internal/cli"
	"github.com/onsi/gomega"
)

// MemoryBound is the most resident memory serve may hold past what it
// holds once started, whatever the traffic (docs/robustness.md): serve's
// soft memory limit.
const MemoryBound = cli.MemoryLimit

// ResetSlack is the most resident memory serve may keep past what it held
// once started, after a reset of every customer has given memory back.
const ResetSlack = 48 << 20

// TestServeMemoryIsBoundedInBytes drives serve, built as released, with
// the traffic that once took it from 20 MiB to 857 MiB and kept it there:
// flows of convention logins of every size (up to 20 accounts of two
// years, each username new) and of file logins of every size, on many
// customers, with and without transactions, and scenario files added at
// run time past their bound, followed by a reset. Its
// resident memory, read from /proc, must stay within MemoryBound of the
// memory it held once started, measured in the same run, and fall back
// within ResetSlack of it after the reset.
func TestServeMemoryIsBoundedInBytes(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("resident memory is read from /proc")
	}
	root := repoRoot(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "flinks-mock")
	build := exec.Command("go", "build", "-o", bin, "./cmd/flinks-mock")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// File logins of every size the format allows.
	var file strings.Builder
	file.WriteString("logins:\n")
	sizes := []struct{ chequing, savings, cards, days int }{{1, 0, 0, 1}, {1, 1, 1, 90}, {3, 3, 4, 365}, {7, 7, 6, 730}}
	for i, s := range sizes {
		fmt.Fprintf(&file, "  - name: size_%d\n    username: size_%d\n    loginId: 5f2a0e6c-%04d-4c31-8c44-08da172863b5\n    generate: {seed: %d, chequing: %d, savings: %d, creditCards: %d, days: %d}\n",
			i, i, i, i+1, s.chequing, s.savings, s.cards, s.days)
	}
	scenarioFile := filepath.Join(dir, "sizes.yaml")
	if err := os.WriteFile(scenarioFile, []byte(file.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	stderr := &lockedBuffer{}
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--today", "2026-11-02", "--scenarios", scenarioFile)
	cmd.Stderr = stderr
	cmd.Env = []string{}
	proc := startProcess(t, cmd)
	var base string
	urlRe := regexp.MustCompile(`url=(http://\S+)`)
	g := gomega.NewWithT(t)
	g.Eventually(func() string {
		if proc.exited() {
			return "exited"
		}
		if m := urlRe.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
		}
		return base
	}).WithTimeout(20*time.Second).WithPolling(20*time.Millisecond).ShouldNot(gomega.BeEmpty(), func() string { return stderr.String() })

	pid := cmd.Process.Pid
	client := &http.Client{Timeout: 60 * time.Second}
	post := func(path, key string, body any) (int, map[string]any) {
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(http.MethodPost, base+path, rd)
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("flinks-auth-key", key)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Errorf("POST %s: %v", path, err)
			return 0, nil
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	flow := func(customer, username string, withTransactions bool) {
		api := "/v3/" + customer + "/BankingServices/"
		_, tok := post(api+"GenerateAuthorizeToken", "k", nil)
		token, _ := tok["Token"].(string)
		status, a := post(api+"Authorize", token, map[string]any{"Username": username, "Password": "Everyday", "Institution": "FlinksCapital", "MostRecentCached": false})
		if status != 200 {
			t.Errorf("%s: /Authorize answered %d %v", username, status, a)
			return
		}
		rid := a["RequestId"].(string)
		body := map[string]any{"RequestId": rid, "WithTransactions": withTransactions, "WithAccountIdentity": true, "DaysOfTransactions": "Days365"}
		for range 20 {
			status, _ = post(api+"GetAccountsDetail", "", body)
			if status != 202 {
				break
			}
		}
		if status != 200 {
			t.Errorf("%s: GetAccountsDetail answered %d", username, status)
		}
	}

	// Warm the server up with one flow of each kind first, so the
	// baseline holds what any server holds once it has served.
	flow("warm", "accounts_1_days_1", true)
	flow("warm", "size_0", true)
	baseline := residentBytes(t, pid)

	jobs := make(chan func())
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j()
			}
		}()
	}
	// Enough to pass the bound several times over as the stores were
	// (about 2 MB a session), few enough to run in about 30 s.
	for n := 400; n < 540; n++ {
		customer := fmt.Sprintf("customer-%d", n%8)
		username := fmt.Sprintf("accounts_20_days_%d", n)
		jobs <- func() { flow(customer, username, n%3 == 0) }
	}
	for i := range 80 {
		customer := fmt.Sprintf("file-%d", i%16)
		username := fmt.Sprintf("size_%d", i%len(sizes))
		jobs <- func() { flow(customer, username, i%2 == 0) }
	}
	// Scenario files added at run time, past their bound in all: the
	// last ones are refused.
	var upload strings.Builder
	upload.WriteString("logins:\n")
	for i := 0; upload.Len() < 200<<10; i++ {
		fmt.Fprintf(&upload, "  - name: up_%d\n    username: up_%d\n    loginId: 6e1b0f7d-%04d-4c31-8c44-08da172863b5\n    generate: {seed: %d, chequing: 2, days: 30}\n", i, i, i%10000, i)
	}
	for i := range 8 {
		jobs <- func() {
			req, _ := http.NewRequest(http.MethodPost, base+"/__admin/scenarios?customerId=upload-"+strconv.Itoa(i), strings.NewReader(upload.String()))
			req.Header.Set("Content-Type", "application/yaml")
			resp, err := client.Do(req)
			if err != nil {
				t.Errorf("upload: %v", err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusConflict {
				t.Errorf("upload %d answered %d, want 200, or 409 past the bound", i, resp.StatusCode)
			}
		}
	}
	close(jobs)
	wg.Wait()
	loaded := residentBytes(t, pid)
	t.Logf("resident memory: %d MiB once started, %d MiB after the load", baseline>>20, loaded>>20)
	if loaded > baseline+MemoryBound {
		t.Errorf("serve holds %d MiB after the load, over the %d MiB it held once started plus the bound of %d MiB", loaded>>20, baseline>>20, MemoryBound>>20)
	}

	if status, out := post("/__admin/reset", "", nil); status != http.StatusOK {
		t.Fatalf("reset: %d %v", status, out)
	}
	// The reset gives memory back in the background: wait for it.
	g.Eventually(func() uint64 { return residentBytes(t, pid) }).WithTimeout(20*time.Second).WithPolling(100*time.Millisecond).
		Should(gomega.BeNumerically("<=", baseline+ResetSlack), "resident memory after a reset of every customer, over what it held once started plus %d MiB", ResetSlack>>20)
	t.Logf("resident memory after the reset: %d MiB", residentBytes(t, pid)>>20)
}

// residentBytes reads a process's resident memory from /proc.
func residentBytes(t *testing.T, pid int) uint64 {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^VmRSS:\s+(\d+) kB`).FindSubmatch(data)
	if m == nil {
		t.Fatalf("no VmRSS in /proc/%d/status", pid)
	}
	kb, _ := strconv.ParseUint(string(m[1]), 10, 64)
	return kb << 10
}
