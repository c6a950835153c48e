// Command flinks-mock-bench measures flinks-mock beside a bare net/http
// server in one run: hot path throughput and latency, complete flows per
// second, cold start, memory and allocations per request. See
// docs/performance.md, or run it with --help.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/flinks-mock/flinks-mock/cmd/flinks-mock-bench/internal/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := bench.Program{Stdout: os.Stdout, Stderr: os.Stderr}.Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
