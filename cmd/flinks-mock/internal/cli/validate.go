package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

func (p *Program) validate(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("flinks-mock validate", flag.ContinueOnError)
	noDefaults := fs.Bool("no-default-scenarios", false, "check the files alone, not together with the embedded library")
	var today todayFlag
	today.define(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: flinks-mock validate [flags] PATH...\n\nChecks scenario files (or directories of them) as serve would load them, and prints\nevery problem as file:line: path: message. Exit status 0 when all is well, 1 otherwise.\n\nFlags:")
		fs.PrintDefaults()
	}
	if code, done := p.parse(fs, args); done {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(p.Stderr, "flinks-mock validate: name at least one scenario file or directory")
		fs.Usage()
		return ExitUsage
	}
	lib, err := scenarios.Load(today.start(p), !*noDefaults, fs.Args()...)
	skipped := scenarios.SkippedIn(fs.Args()...)
	if lib != nil {
		skipped = lib.Skipped
	}
	for _, s := range skipped {
		fmt.Fprintln(p.Stdout, "skipped "+s.String())
	}
	if err != nil {
		// Errors prints one problem per line; a path that could not be read
		// comes joined with them and is printed too.
		fmt.Fprintln(p.Stdout, err)
		var list scenarios.Errors
		if errors.As(err, &list) {
			fmt.Fprintf(p.Stderr, "flinks-mock validate: %d problem(s) in the scenario files\n", len(list))
		}
		return ExitFailure
	}
	fmt.Fprintf(p.Stdout, "ok: %d login(s) in all, from %d file(s)\n", len(lib.Logins), len(lib.Sources))
	return ExitOK
}
