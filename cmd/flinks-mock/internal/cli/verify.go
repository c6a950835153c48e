package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/flinks-mock/flinks-mock/contract"
	"github.com/flinks-mock/flinks-mock/contract/htmlreport"
	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/openapi/toolbox"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// DefaultVerifyTimeScale is the clock scale of the server verify starts:
// one real second is 100 mock seconds, so the guide's 10 s between polls
// is 100 ms and its 30-minute deadline 18 s.
const DefaultVerifyTimeScale = 0.01

// verifyConfig is what the verify flags say.
type verifyConfig struct {
	server     string
	adminToken string
	scenarios  listFlag
	files      listFlag
	timeScale  float64
	junit      string
	html       string
	lang       string
	timeout    time.Duration
	today      todayFlag
	command    []string
}

func (c *verifyConfig) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.server, "server", "", "`URL` of a running flinks-mock to use (each run gets a customerId of its own) instead of starting one")
	fs.StringVar(&c.adminToken, "admin-token", "", "bearer token of the admin API of --server")
	fs.Var(&c.scenarios, "scenario", "scenario to run (repeatable; \"all\" adds the opt-in ones); default: every scenario but webhook, webhook-signed, statements and delete-card, or none with --scenarios")
	fs.Var(&c.files, "scenarios", "scenario `file` or directory of your own or recorded (repeatable): the mock serves its logins, and each is run as a scenario")
	fs.Float64Var(&c.timeScale, "time-scale", 0, "real seconds per mock second: 0.01 makes the guide's 10 s polls 100 ms (default 0.01; 1 with --server, whose clock verify cannot scale)")
	fs.StringVar(&c.junit, "junit", "", "also write the verdicts as JUnit XML to this `file`")
	fs.StringVar(&c.html, "html", "", "also write the verdicts as one self-contained HTML `file`, with the timeline of each failed run")
	fs.StringVar(&c.lang, "lang", "en", "language of the --html report: en or fr (the rules' words and the quoted requests stay English)")
	fs.DurationVar(&c.timeout, "timeout", 0, "stop a run of the command after this long (default: twice the scaled 30-minute deadline, plus 30s)")
	c.today.define(fs)
}

const verifyUsage = `Usage: flinks-mock verify [flags] -- COMMAND [ARGS...]

Runs COMMAND once per scenario against a fresh flinks-mock (or --server),
then judges each run by the contract rules of the Flinks guide and by the
outcome it printed. The command finds the mock in its environment:

  FLINKS_BASE_URL            http://127.0.0.1:PORT/v3/CUSTOMER_ID (replaces https://{instance}-api.private.fin.ag/v3/{customerId})
  FLINKS_CUSTOMER_ID, FLINKS_SECRET_KEY, FLINKS_API_KEY
  FLINKS_LOGIN_ID, FLINKS_USERNAME, FLINKS_PASSWORD, FLINKS_INSTITUTION
  FLINKS_MOST_RECENT_CACHED  true (cached data) or false (live refresh, where MFA is asked)
  FLINKS_MFA_ANSWERS         JSON object: prompt → list of answers
  FLINKS_POLL_INTERVAL       the guide's 10 s, scaled (e.g. 100ms)
  FLINKS_TIMEOUT             the guide's 30 min, scaled (e.g. 18s)
  FLINKS_RETRY_BACKOFF       the wait before retrying RETRY_LATER, scaled
  FLINKS_MFA_IDLE_TIMEOUT    the 8 minutes a RequestId waits for its MFA answers, scaled
  FLINKS_USER_DELAY          slow-mfa-user only: how long the user takes over the first question (wait it, then start over if the RequestId expired)
  FLINKS_REQUEST_TIMEOUT     how long to wait for one answer before giving up on it (the 4 minutes, scaled, at least 1s)
  FLINKS_LOGIN_STORE         repeat-fetch only: a file to keep the LoginId in; FLINKS_LOGIN_ID is empty, the first run links with the credentials
  FLINKS_SCENARIO            the scenario's name
  FLINKS_WEBHOOK_ADDR, FLINKS_WEBHOOK_URL   webhook scenarios only: listen on ADDR, take the data from the webhook
  FLINKS_WEBHOOK_SECRET      webhook-signed only: reject a webhook whose flinks-authenticity-key is not Base64(HMAC-SHA256(secret, body))

It should print its outcome as the last line of JSON on stdout:
  {"accounts":[{"id":"...","accountNumber":"...","balance":12.34}]}   or
  {"error":{"kind":"timeout"}}   {"error":{"kind":"flinks","flinksCode":"DISABLED_LOGIN"}}

Scenarios: %s.
With --scenarios FILE, the mock also serves the logins of your own (or recorded)
scenario files, and each of them is run as a scenario: cached data, or a live
refresh when it asks MFA, with the outcome its steps call for.
Exit status: 0 when every run passed, 1 when one failed, 2 on a usage error.

Flags:
`

func (p *Program) verify(ctx context.Context, args []string) int {
	cfg, scs, code, done := p.verifyArgs(args)
	if done {
		return code
	}
	h, stop, err := cfg.harness(ctx, p)
	if err != nil {
		fmt.Fprintln(p.Stderr, "flinks-mock verify:", err)
		return ExitFailure
	}
	defer stop()
	if len(cfg.files) > 0 {
		own, err := fileScenarios(h.Library)
		if err != nil {
			fmt.Fprintln(p.Stderr, "flinks-mock verify: --scenarios:", err)
			return ExitUsage
		}
		scs = append(scs, own...)
	}
	fmt.Fprintf(p.Stdout, "flinks-mock verify: %s against %s (time scale %v: the guide's 10s polls are %s, its 30m deadline %s)\n\n",
		strings.Join(cfg.command, " "), h.Mock.URL, cfg.timeScale,
		time.Duration(float64(contract.DefaultMinPollInterval)*cfg.timeScale),
		time.Duration(float64(contract.DefaultDeadline)*cfg.timeScale))

	runs, err := p.verifyRuns(ctx, cfg, h, scs)
	if err != nil {
		fmt.Fprintln(p.Stderr, "flinks-mock verify:", err)
		return ExitFailure
	}
	fmt.Fprintln(p.Stdout, contract.Summary(runs))
	if cfg.junit != "" {
		if err := writeJUnitFile(cfg.junit, runs); err != nil {
			fmt.Fprintln(p.Stderr, "flinks-mock verify:", err)
			return ExitFailure
		}
	}
	if cfg.html != "" {
		if err := htmlreport.WriteFile(cfg.html, "flinks-mock verify "+strings.Join(cfg.command, " "), cfg.lang, runs); err != nil {
			fmt.Fprintln(p.Stderr, "flinks-mock verify:", err)
			return ExitFailure
		}
	}
	for _, r := range runs {
		if r.Skipped == "" && !r.Passed() {
			return ExitFailure
		}
	}
	if len(runs) < len(scs) {
		return ExitFailure // interrupted
	}
	return ExitOK
}

// verifyArgs parses and checks the verify flags. It returns the settled
// configuration and the scenarios the flags name, or, when done, the exit
// code after it told the user what was wrong.
func (p *Program) verifyArgs(args []string) (cfg verifyConfig, scs []contract.Scenario, code int, done bool) {
	fs := flag.NewFlagSet("flinks-mock verify", flag.ContinueOnError)
	cfg.flags(fs)
	fs.Usage = func() {
		var names []string
		for _, sc := range contract.Scenarios() {
			names = append(names, sc.Name)
		}
		fmt.Fprintf(fs.Output(), verifyUsage, strings.Join(names, ", "))
		fs.PrintDefaults()
	}
	if code, done := p.parse(fs, args); done {
		return cfg, nil, code, true
	}
	cfg.command = fs.Args()
	if len(cfg.command) == 0 {
		fmt.Fprintln(p.Stderr, "flinks-mock verify: give the command to verify after --, e.g. flinks-mock verify -- node client.mjs")
		return cfg, nil, ExitUsage, true
	}
	scs, err := cfg.selected()
	if err == nil {
		err = cfg.settle()
	}
	if err != nil {
		fmt.Fprintln(p.Stderr, "flinks-mock verify:", err)
		return cfg, nil, ExitUsage, true
	}
	return cfg, scs, ExitOK, false
}

// settle checks the flags that go together and fills in the defaults
// that depend on others: the time scale and the timeout.
func (c *verifyConfig) settle() error {
	if len(c.files) > 0 && c.server != "" {
		return errors.New("--scenarios needs the server verify starts: the files are served by the mock verify starts; leave --server out")
	}
	if err := htmlreport.CheckLanguage(c.lang); err != nil {
		return fmt.Errorf("--lang: %w", err)
	}
	switch {
	case c.timeScale < 0:
		return fmt.Errorf("--time-scale %v: give a positive number such as 0.01", c.timeScale)
	case c.server != "" && c.timeScale != 0 && c.timeScale != 1:
		return errors.New("--time-scale needs the server verify starts: the clock of --server runs at its own pace, so leave --time-scale out (or 1)")
	case c.timeScale == 0 && c.server == "":
		c.timeScale = DefaultVerifyTimeScale
	case c.timeScale == 0:
		c.timeScale = 1
	}
	if c.timeout == 0 {
		c.timeout = 2*time.Duration(float64(contract.DefaultDeadline)*c.timeScale) + 30*time.Second
	}
	return nil
}

// verifyRuns runs the command in each scenario, printing each verdict as
// it comes, until ctx ends.
func (p *Program) verifyRuns(ctx context.Context, cfg verifyConfig, h *contract.Harness, scs []contract.Scenario) ([]contract.RunResult, error) {
	var runs []contract.RunResult
	live := p.liveLine()
	for i, sc := range scs {
		if ctx.Err() != nil {
			break
		}
		var proc process
		stop := live.show(fmt.Sprintf("scenario %s (%d of %d)", sc.Name, i+1, len(scs)))
		res := h.Run(ctx, sc, proc.runner(cfg.command, cfg.timeout))
		stop()
		res.Exit, res.Output = proc.exit, proc.output
		runs = append(runs, res)
		if err := contract.WriteRun(p.Stdout, res); err != nil {
			return runs, err
		}
	}
	return runs, nil
}

// selected returns the scenarios the flags name, in catalogue order of
// naming.
func (c *verifyConfig) selected() ([]contract.Scenario, error) {
	if len(c.scenarios) == 0 && len(c.files) > 0 {
		return nil, nil
	}
	if len(c.scenarios) == 0 {
		return contract.DefaultScenarios(), nil
	}
	var out []contract.Scenario
	for _, name := range c.scenarios {
		if name == "all" {
			out = append(out, contract.Scenarios()...)
			continue
		}
		sc, err := contract.ScenarioByName(name)
		if err != nil {
			return nil, fmt.Errorf("--scenario: %w", err)
		}
		out = append(out, sc)
	}
	return out, nil
}

// fileScenarios returns a scenario for each login of the library that is
// not one of the default library's: those of the --scenarios files.
func fileScenarios(lib *scenarios.Library) ([]contract.Scenario, error) {
	def, err := scenarios.DefaultSources()
	if err != nil {
		return nil, err
	}
	builtin := map[string]bool{}
	for _, src := range def {
		builtin[src.Name] = true
	}
	var out []contract.Scenario
	for _, l := range lib.Logins {
		if !builtin[l.Origin] {
			out = append(out, contract.ScenarioOf(l))
		}
	}
	if len(out) == 0 {
		return nil, errors.New("the files hold no login")
	}
	return out, nil
}

// harness starts the in-process server on a scaled clock, or connects to
// --server, and returns the harness and what stops it.
func (c *verifyConfig) harness(ctx context.Context, p *Program) (*contract.Harness, func(), error) {
	opts := contract.Options{RequireAPIKey: true}
	if c.server != "" {
		return c.remote(ctx, p, opts)
	}
	now := c.today.start(p)
	lib, err := scenarios.Load(now, true, c.files...)
	if err != nil {
		return nil, nil, fmt.Errorf("load the scenarios: %w", err)
	}
	clk, err := clock.NewScaled(now, c.timeScale)
	if err != nil {
		return nil, nil, fmt.Errorf("--time-scale: %w", err)
	}
	srv, err := mockserver.New(mockserver.Config{Library: lib, Clock: clk, APIKey: toolbox.APIKey, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("listen on 127.0.0.1: %w", err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	stop := func() {
		sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
		defer cancel()
		_ = hs.Shutdown(sctx)
		_ = srv.Shutdown(sctx)
	}
	h := &contract.Harness{
		Mock: contract.Mock{
			URL:       "http://" + ln.Addr().String(),
			Subscribe: srv.Subscribe,
			Now:       func(context.Context) (time.Time, error) { return clk.Now(), nil },
		},
		Library: lib,
		Options: opts,
		Scale:   c.timeScale,
	}
	return h, stop, nil
}

// remote is the harness of --server. The accounts a run must report are
// generated for the server's today: --today when given, else the date of
// the server's clock.
func (c *verifyConfig) remote(ctx context.Context, p *Program, opts contract.Options) (*contract.Harness, func(), error) {
	base := strings.TrimSuffix(c.server, "/")
	client := admin.New(base, c.adminToken, nil)
	if err := client.Health(ctx); err != nil {
		return nil, nil, fmt.Errorf("--server %s does not answer its health check: %w", c.server, err)
	}
	now := c.today.start(p)
	if !c.today.pinned() {
		st, err := client.Clock(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("--server %s: read its clock: %w", c.server, err)
		}
		now = st.Now
	}
	lib, err := scenarios.Load(now, true)
	if err != nil {
		return nil, nil, fmt.Errorf("load the default scenarios: %w", err)
	}
	return &contract.Harness{Mock: contract.Mock{URL: base, AdminToken: c.adminToken}, Library: lib, Options: opts, Scale: 1}, func() {}, nil
}

// process runs the command of one scenario and keeps how it ended.
type process struct {
	exit   string
	output string
}

// runner runs the command with the target in its environment, within
// timeout, and reads the outcome it printed.
func (p *process) runner(command []string, timeout time.Duration) contract.RunFunc {
	return func(ctx context.Context, t contract.Target) (contract.Outcome, error) {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, command[0], command[1:]...)
		cmd.Env = append(os.Environ(), t.Env()...)
		cmd.WaitDelay = 2 * time.Second
		var stdout, all lockedBuffer
		cmd.Stdout = io.MultiWriter(&stdout, &all)
		cmd.Stderr = &all
		err := cmd.Run()
		p.output = all.String()
		var exitErr *exec.ExitError
		switch {
		case ctx.Err() == context.DeadlineExceeded:
			p.exit = "killed"
			return contract.Outcome{}, fmt.Errorf("the command was still running after --timeout %s, and was killed", timeout)
		case errors.As(err, &exitErr):
			p.exit = exitErr.String()
		case err != nil:
			p.exit = "did not start"
			return contract.Outcome{}, fmt.Errorf("run %s: %w", command[0], err)
		default:
			p.exit = "exit status 0"
		}
		outcome, ok := contract.ParseOutcome([]byte(stdout.String()))
		switch {
		case ok:
			return outcome, nil
		case exitErr != nil:
			return contract.Outcome{}, fmt.Errorf("the command ended with %s and printed no outcome: %w", exitErr, contract.ErrCrashed)
		}
		return contract.Outcome{}, contract.ErrNoOutcome
	}
}

// maxKeptOutput bounds what verify keeps of a command's output: the end of
// it, enough for the outcome line and the report's last lines, however
// much a command logs before it is killed.
const maxKeptOutput = 1 << 20

// lockedBuffer keeps the last maxKeptOutput bytes that stdout and stderr
// write to it at once.
type lockedBuffer struct {
	mu      sync.Mutex
	b       []byte
	dropped int
}

// Write appends p, dropping the oldest bytes past the bound.
func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b = append(l.b, p...)
	if over := len(l.b) - maxKeptOutput; over > 0 {
		l.dropped += over
		l.b = append(l.b[:0], l.b[over:]...)
	}
	return len(p), nil
}

// String returns what was kept, said to be cut when it was.
func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.dropped > 0 {
		return fmt.Sprintf("... (%d bytes before)\n%s", l.dropped, l.b)
	}
	return string(l.b)
}

func writeJUnitFile(path string, runs []contract.RunResult) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--junit: %w", err)
	}
	if err := contract.WriteJUnit(f, "flinks-mock verify", runs); err != nil {
		f.Close()
		return fmt.Errorf("--junit %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--junit %s: %w", path, err)
	}
	return nil
}
