package cli

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

// TestVerifyLiveLine: on a terminal, verify shows the scenario it runs on
// stderr and erases the line before the verdict; elsewhere it shows none.
func TestVerifyLiveLine(t *testing.T) {
	for _, terminal := range []bool{true, false} {
		var stdout, stderr bytes.Buffer
		p := Program{Stdout: &stdout, Stderr: &stderr, Terminal: func(io.Writer) bool { return terminal }}
		code := p.Run(context.Background(), []string{"verify", "--today", pinnedToday, "--scenario", "happy", "--scenario", "disabled", "--", "false"})
		if code != ExitFailure {
			t.Fatalf("verify -- false exited %d, want %d\n%s\n%s", code, ExitFailure, stdout.String(), stderr.String())
		}
		got := stderr.String()
		if !terminal {
			if got != "" {
				t.Errorf("not on a terminal, stderr = %q, want nothing", got)
			}
			continue
		}
		for _, want := range []string{"\r\033[K… running scenario happy (1 of 2) 0s", "\r\033[K… running scenario disabled (2 of 2) 0s"} {
			if !strings.Contains(got, want) {
				t.Errorf("stderr = %q, want it to contain %q", got, want)
			}
		}
		if !strings.HasSuffix(got, "\r\033[K") {
			t.Errorf("stderr = %q, want the live line erased at the end", got)
		}
		if strings.Count(stdout.String(), "✗ scenario") != 2 {
			t.Errorf("stdout has not both verdicts:\n%s", stdout.String())
		}
	}
}
