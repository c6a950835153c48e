package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/admin"
)

// webhookCallTimeout bounds the admin call of webhook fire, which answers
// after the first attempt (itself bounded by the server's webhook timeout).
const webhookCallTimeout = 2 * time.Minute

// webhook runs a webhook subcommand against a running server.
func (p *Program) webhook(ctx context.Context, args []string) int {
	usage := func(w io.Writer) {
		fmt.Fprintln(w, "Usage: flinks-mock webhook fire [flags]\n\n"+
			"Asks a running flinks-mock to send a webhook now and prints its delivery.\n"+
			"Run 'flinks-mock webhook fire --help' for the flags.")
	}
	if len(args) == 0 {
		usage(p.Stderr)
		return ExitUsage
	}
	switch args[0] {
	case "fire":
		return p.webhookFire(ctx, args[1:])
	case "help", "-h", "-help", "--help":
		usage(p.Stdout)
		return ExitOK
	}
	fmt.Fprintf(p.Stderr, "flinks-mock webhook: unknown subcommand %q\n\n", args[0])
	usage(p.Stderr)
	return ExitUsage
}

// webhookFireConfig is what the webhook fire flags say.
type webhookFireConfig struct {
	server   string
	base     *url.URL // server, parsed by check
	fire     admin.WebhookFire
	bodyFile string
	token    string
}

func (c *webhookFireConfig) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.server, "server", "http://"+DefaultAddr, "base `URL` of the running flinks-mock")
	fs.StringVar(&c.fire.CustomerID, "customer-id", "", "the customer (tenant) whose webhook it is (required)")
	fs.StringVar(&c.fire.RequestID, "request-id", "", "send the data of this session (its RequestId)")
	fs.StringVar(&c.fire.LoginID, "login-id", "", "send a fresh rendering of this login's accounts")
	fs.StringVar(&c.bodyFile, "body", "", "send the JSON object in this `file` as is (- reads standard input)")
	fs.StringVar(&c.fire.ResponseType, "response-type", "", "with --request-id or --login-id: GetAccountsDetail (default) or KYC")
	fs.StringVar(&c.fire.URL, "webhook-url", "", "`URL` to send it to (default: the customer's first target); never read from the environment")
	fs.StringVar(&c.fire.Secret, "secret", "", "sign with this secret instead of the target's (or, for a --webhook-url that is no target, the server's)")
	fs.BoolVar(&c.fire.Unsigned, "unsigned", false, "send it without a signature, to see that the receiver rejects it")
	fs.StringVar(&c.token, "admin-token", "", "bearer token of the admin API, when the server has one")
}

// check refuses flags that do not name one webhook to send, and parses
// --server.
func (c *webhookFireConfig) check() error {
	fire := c.fire
	if fire.CustomerID == "" {
		return errors.New("--customer-id is required: the customerId of the Flinks paths whose webhook to send")
	}
	if fire.Unsigned && fire.Secret != "" {
		return errors.New("give --secret or --unsigned, not both")
	}
	sources := 0
	for _, v := range []string{fire.RequestID, fire.LoginID, c.bodyFile} {
		if v != "" {
			sources++
		}
	}
	if sources != 1 {
		return errors.New("give one of --request-id, --login-id or --body")
	}
	base, err := url.Parse(c.server)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return fmt.Errorf("--server %q: give the base URL of the mock, such as http://127.0.0.1:8080", c.server)
	}
	c.base = base
	return nil
}

// webhookFire posts to /__admin/webhooks/fire and prints the delivery. It
// exits 0 when the first attempt got a 200, 1 when it did not (the server
// goes on retrying) or the server refused the call, 2 on misuse.
func (p *Program) webhookFire(ctx context.Context, args []string) int {
	var cfg webhookFireConfig
	fs := flag.NewFlagSet("flinks-mock webhook fire", flag.ContinueOnError)
	cfg.flags(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: flinks-mock webhook fire --customer-id ID (--request-id ID | --login-id ID | --body FILE) [flags]\n\n"+
			"Asks a running flinks-mock to send a webhook now, and prints the delivery after its\n"+
			"first attempt as JSON. Exits 0 when the receiver answered 200, 1 otherwise (the mock\n"+
			"retries as for any webhook).\n\nFlags:")
		fs.PrintDefaults()
	}
	if code, done := p.parse(fs, args); done {
		return code
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if !given["webhook-url"] {
		// FLINKS_MOCK_WEBHOOK_URL is where serve sends every customer's
		// webhooks; a one-off send goes to the customer's targets unless
		// the command line names another.
		cfg.fire.URL = ""
	}
	err := cfg.check()
	if fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err != nil {
		fmt.Fprintln(p.Stderr, "flinks-mock webhook fire:", err)
		return ExitUsage
	}
	if cfg.bodyFile != "" {
		body, err := readBody(cfg.bodyFile, os.Stdin)
		if err != nil {
			fmt.Fprintln(p.Stderr, "flinks-mock webhook fire:", err)
			return ExitFailure
		}
		cfg.fire.Body = body
	}

	client := admin.New(strings.TrimSuffix(cfg.base.String(), "/"), cfg.token, &http.Client{Timeout: webhookCallTimeout})
	d, err := client.FireWebhook(ctx, cfg.fire)
	if err != nil {
		var apiErr *admin.Error
		if errors.As(err, &apiErr) {
			fmt.Fprintf(p.Stderr, "flinks-mock webhook fire: %s answered %d: %s\n", cfg.base.Host, apiErr.Status, apiErr.Message)
		} else {
			fmt.Fprintln(p.Stderr, "flinks-mock webhook fire:", err)
		}
		return ExitFailure
	}
	return p.reportDelivery(d)
}

// reportDelivery prints the delivery of webhook fire, and on stderr why
// it was not delivered when it was not.
func (p *Program) reportDelivery(d *admin.Delivery) int {
	out, _ := json.MarshalIndent(d, "", "  ")
	fmt.Fprintln(p.Stdout, string(out))
	if d.State == admin.DeliveryDelivered {
		return ExitOK
	}
	why := "the receiver did not answer 200"
	if n := len(d.Attempts); n > 0 && d.Attempts[n-1].Error != "" {
		why = d.Attempts[n-1].Error
	}
	if d.NextAttempt != nil {
		fmt.Fprintf(p.Stderr, "flinks-mock webhook fire: not delivered to %s: %s; the mock tries again at %s\n", d.URL, why, d.NextAttempt.Format(time.RFC3339))
	} else {
		fmt.Fprintf(p.Stderr, "flinks-mock webhook fire: not delivered to %s: %s\n", d.URL, why)
	}
	return ExitFailure
}

// readBody reads the payload of --body: a JSON object, from a file or
// from stdin for "-".
func readBody(name string, stdin io.Reader) ([]byte, error) {
	var data []byte
	var err error
	if name == "-" {
		data, err = io.ReadAll(io.LimitReader(stdin, 1<<20))
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, fmt.Errorf("--body: %w", err)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
		return nil, fmt.Errorf("--body %s: the payload must be a JSON object", name)
	}
	return data, nil
}
