// Command flinks-mock is a local, scriptable fake of the Flinks
// banking-data API. Run it with no arguments to serve the sandbox logins on
// 127.0.0.1:8080; see 'flinks-mock help'.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/flinks-mock/flinks-mock/cmd/flinks-mock/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Program{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}.Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
