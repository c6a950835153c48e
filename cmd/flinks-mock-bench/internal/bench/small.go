package bench

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
)

// The ~3 KB answer: a login of one chequing account with four days of
// transactions, in a scenario file the runner writes and gives every
// flinks-mock child with --scenarios. Its GetAccountsDetail 200 is the
// small hot path, and the answer the peers serve.
const (
	// SmallLoginID is the LoginId of bench_small.
	SmallLoginID  = "5b1f3c2e-8d4a-4f6b-9c7e-3a2d1e0f9b8c"
	smallScenario = `logins:
  - name: bench_small
    description: One chequing account with four days of transactions; its GetAccountsDetail 200 is about 3 KB.
    username: bench_small
    loginId: ` + SmallLoginID + `
    generate:
      seed: 7
      chequing: 1
      days: 4
      endDate: "2026-11-02"
`
)

// writeSmallScenario writes the scenario file of bench_small into dir and
// returns its path.
func writeSmallScenario(dir string) (string, error) {
	path := filepath.Join(dir, "bench-small.yaml")
	if err := os.WriteFile(path, []byte(smallScenario), 0o644); err != nil {
		return "", fmt.Errorf("write the scenario of the ~3 KB answer: %w", err)
	}
	return path, nil
}

// mockArgs are the arguments of every flinks-mock child: all defaults, on
// a free port, with bench_small added to the default library.
func (r *runner) mockArgs() []string {
	return []string{"--addr", "127.0.0.1:0", "--scenarios", r.smallFile}
}

// openSmall opens the ready session of bench_small on a tree's child.
func (m *mockTree) openSmall(ctx context.Context) error {
	var err error
	if m.smallID, m.small, err = m.fc.readySessionOf(ctx, hotCustomerID, SmallLoginID, "bench_small"); err != nil {
		return fmt.Errorf("%s: %w", m.name(), err)
	}
	m.requests += 3
	return nil
}

// smallPhases are the hot path phases of the ~3 KB answer on a tree.
func (m *mockTree) smallPhases(hc client) (post, async *phase) {
	p := request{Method: http.MethodPost, URL: m.fc.url(hotCustomerID, "GetAccountsDetail"), Body: detailBody(m.smallID), Want: http.StatusOK}
	g := request{Method: http.MethodGet, URL: m.fc.url(hotCustomerID, "GetAccountsDetailAsync/"+m.smallID), Want: http.StatusOK}
	return &phase{what: m.figure("hot path POST GetAccountsDetail, ~3 KB answer"), u: requestUnit(hc, p)},
		&phase{what: m.figure("hot path GET GetAccountsDetailAsync, ~3 KB answer"), u: requestUnit(hc, g)}
}
