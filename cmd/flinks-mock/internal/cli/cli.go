// Package cli is the flinks-mock command: flags and environment variables
// become a configuration, and a subcommand runs it. main only calls Run, so
// tests drive the command with fake arguments and environments.
package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"sort"
	"strings"
	"time"
)

// version is stamped at build time with -ldflags "-X ...cli.version=v1.2.3".
var version = ""

// EnvPrefix starts the environment variable of every flag:
// --secret-key is FLINKS_MOCK_SECRET_KEY.
const EnvPrefix = "FLINKS_MOCK_"

// Program is one run of the command with its surroundings.
type Program struct {
	Stdout, Stderr io.Writer
	// Getenv reads the environment (os.Getenv in main).
	Getenv func(string) string
	// Started, when set, is called with the base URL once serve listens.
	Started func(baseURL string)
	// Terminal reports whether w is a terminal, where long work shows a
	// live line (a character device when nil).
	Terminal func(w io.Writer) bool
	// Now reads the machine's clock (time.Now when nil). It is where "today"
	// comes from when --today is not given; tests set it to prove that
	// output pinned with --today does not depend on the machine's date.
	Now func() time.Time
}

// Exit codes.
const (
	ExitOK      = 0
	ExitFailure = 1 // the command ran and found a problem
	ExitUsage   = 2 // the command was called wrongly
)

type command struct {
	name, summary string
	run           func(p *Program, ctx context.Context, args []string) int
}

func (p *Program) commands() []command {
	return []command{
		{"serve", "run the mock server (the default command)", (*Program).serve},
		{"validate", "check scenario files and report every problem with file:line", (*Program).validate},
		{"verify", "run an integration against the mock in each scenario and judge it by the Flinks rules", (*Program).verify},
		{"record", "proxy to a real Flinks instance and write what it saw as a scenario file", (*Program).record},
		{"webhook", "fire a webhook now from a running server (webhook fire)", (*Program).webhook},
		{"healthcheck", "exit 0 when a running server answers its health check (for container HEALTHCHECK)", (*Program).healthcheck},
		{"version", "print the version", (*Program).version},
	}
}

// Run runs the command line args (without the program name) and returns
// the exit code.
func (p Program) Run(ctx context.Context, args []string) int {
	if p.Getenv == nil {
		p.Getenv = func(string) string { return "" }
	}
	if p.Stdout == nil {
		p.Stdout = io.Discard
	}
	if p.Stderr == nil {
		p.Stderr = io.Discard
	}
	name := "serve"
	if len(args) > 0 && isHelpFlag(args[0]) {
		// The bare command's help is the list of commands: serve's flags
		// are one "serve --help" away.
		p.usage(p.Stdout)
		return ExitOK
	}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "help" {
		if len(args) == 0 {
			p.usage(p.Stdout)
			return ExitOK
		}
		// "help verify" is "verify --help".
		name, args = args[0], []string{"--help"}
	}
	for _, c := range p.commands() {
		if c.name == name {
			return c.run(&p, ctx, args)
		}
	}
	var names []string
	for _, c := range p.commands() {
		names = append(names, c.name)
	}
	fmt.Fprintf(p.Stderr, "flinks-mock: unknown command %q%s\n", name, didYouMean(name, names, "", nil))
	fmt.Fprintln(p.Stderr, "Run 'flinks-mock help' for the list of commands.")
	return ExitUsage
}

// isHelpFlag reports whether arg asks for help, as the flag package reads it.
func isHelpFlag(arg string) bool {
	switch arg {
	case "-h", "--h", "-help", "--help":
		return true
	}
	return false
}

func (p *Program) usage(w io.Writer) {
	fmt.Fprintln(w, "flinks-mock is a local, scriptable fake of the Flinks banking-data API, with a contract-test harness.")
	fmt.Fprintln(w, "\nUsage: flinks-mock [command] [flags]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range p.commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "  %-12s %s\n", "help", "this list; 'flinks-mock help <command>' shows the flags of a command")
	fmt.Fprintln(w, "\nExamples:")
	fmt.Fprintln(w, "  flinks-mock                                 serve the sandbox logins on http://"+DefaultAddr)
	fmt.Fprintln(w, "  flinks-mock validate examples/scenarios     check scenario files")
	fmt.Fprintln(w, "  flinks-mock verify -- python3 client.py     judge an integration by the Flinks rules")
	fmt.Fprintln(w, "\nRun 'flinks-mock <command> --help' for the flags of a command.")
	fmt.Fprintf(w, "Every flag can also be set by an environment variable: --secret-key is %sSECRET_KEY.\n", EnvPrefix)
}

// parse parses flags, then fills every flag not given on the command line
// from its environment variable. It returns ExitOK with done=true for
// --help, or a usage exit code on a bad flag or variable.
//
// Help asked for goes to stdout; a misused flag gets one line on stderr,
// with the closest flag when there is one, rather than the whole usage.
func (p *Program) parse(fs *flag.FlagSet, args []string) (code int, done bool) {
	var out bytes.Buffer
	fs.SetOutput(&out)
	err := fs.Parse(args)
	fs.SetOutput(p.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		_, _ = p.Stdout.Write(out.Bytes())
		return ExitOK, true
	}
	if err != nil {
		fmt.Fprintf(p.Stderr, "%s: %v%s; '%s --help' lists the flags\n", fs.Name(), err, flagSuggestion(fs, err), fs.Name())
		return ExitUsage, true
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var bad []string
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] {
			return
		}
		env := EnvPrefix + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		v := p.Getenv(env)
		if v == "" {
			return
		}
		if err := setFromEnv(f, v); err != nil {
			bad = append(bad, fmt.Sprintf("%s=%q: %v", env, v, err))
		}
	})
	if len(bad) > 0 {
		sort.Strings(bad)
		for _, b := range bad {
			fmt.Fprintln(p.Stderr, "flinks-mock: invalid environment variable "+b)
		}
		return ExitUsage, true
	}
	return ExitOK, false
}

// setFromEnv sets a flag from an environment variable; list flags take a
// comma-separated list.
func setFromEnv(f *flag.Flag, v string) error {
	if _, ok := f.Value.(*listFlag); ok {
		for _, item := range strings.Split(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				if err := f.Value.Set(item); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return f.Value.Set(v)
}

// listFlag is a flag that may be repeated.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func (p *Program) version(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("flinks-mock version", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: flinks-mock version\n\nPrints the version of flinks-mock and of Go it was built with.")
	}
	if code, done := p.parse(fs, args); done {
		return code
	}
	fmt.Fprintln(p.Stdout, "flinks-mock "+Version())
	return ExitOK
}

// Version returns the version stamped at build time, or the module version
// and VCS revision Go recorded, or "devel".
func Version() string {
	v := version
	info, ok := debug.ReadBuildInfo()
	if v == "" && ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v = info.Main.Version
	}
	if v == "" {
		v = "devel"
		if ok {
			for _, s := range info.Settings {
				if s.Key == "vcs.revision" && len(s.Value) >= 12 {
					v += "-" + s.Value[:12]
				}
			}
		}
	}
	goVersion := "unknown"
	if ok {
		goVersion = info.GoVersion
	}
	return v + " (" + goVersion + ")"
}
