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

// webhookFire posts to /__admin/webhooks/fire and prints the delivery. It
// exits 0 when the first attempt got a 200, 1 when it did not (the server
// goes on retrying) or the server refused the call, 2 on misuse.
func (p *Program) webhookFire(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("flinks-mock webhook fire", flag.ContinueOnError)
	server := fs.String("server", "http://"+DefaultAddr, "base `URL` of the running flinks-mock")
	var fire admin.WebhookFire
	fs.StringVar(&fire.CustomerID, "customer-id", "", "the customer (tenant) whose webhook it is (required)")
	fs.StringVar(&fire.RequestID, "request-id", "", "send the data of this session (its RequestId)")
	fs.StringVar(&fire.LoginID, "login-id", "", "send a fresh rendering of this login's accounts")
	bodyFile := fs.String("body", "", "send the JSON object in this `file` as is (- reads standard input)")
	fs.StringVar(&fire.ResponseType, "response-type", "", "with --request-id or --login-id: GetAccountsDetail (default) or KYC")
	fs.StringVar(&fire.URL, "webhook-url", "", "`URL` to send it to (default: the customer's first target); never read from the environment")
	fs.StringVar(&fire.Secret, "secret", "", "sign with this secret instead of the target's (or, for a --webhook-url that is no target, the server's)")
	fs.BoolVar(&fire.Unsigned, "unsigned", false, "send it without a signature, to see that the receiver rejects it")
	token := fs.String("admin-token", "", "bearer token of the admin API, when the server has one")
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
		fire.URL = ""
	}
	misuse := func(format string, a ...any) int {
		fmt.Fprintf(p.Stderr, "flinks-mock webhook fire: "+format+"\n", a...)
		return ExitUsage
	}
	if fs.NArg() > 0 {
		return misuse("unexpected argument %q", fs.Arg(0))
	}
	if fire.CustomerID == "" {
		return misuse("--customer-id is required: the customerId of the Flinks paths whose webhook to send")
	}
	if fire.Unsigned && fire.Secret != "" {
		return misuse("give --secret or --unsigned, not both")
	}
	sources := 0
	for _, v := range []string{fire.RequestID, fire.LoginID, *bodyFile} {
		if v != "" {
			sources++
		}
	}
	if sources != 1 {
		return misuse("give one of --request-id, --login-id or --body")
	}
	base, err := url.Parse(*server)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return misuse("--server %q: give the base URL of the mock, such as http://127.0.0.1:8080", *server)
	}
	if *bodyFile != "" {
		body, err := readBody(*bodyFile, os.Stdin)
		if err != nil {
			fmt.Fprintln(p.Stderr, "flinks-mock webhook fire:", err)
			return ExitFailure
		}
		fire.Body = body
	}

	client := admin.New(strings.TrimSuffix(base.String(), "/"), *token, &http.Client{Timeout: webhookCallTimeout})
	d, err := client.FireWebhook(ctx, fire)
	if err != nil {
		var apiErr *admin.Error
		if errors.As(err, &apiErr) {
			fmt.Fprintf(p.Stderr, "flinks-mock webhook fire: %s answered %d: %s\n", base.Host, apiErr.Status, apiErr.Message)
		} else {
			fmt.Fprintln(p.Stderr, "flinks-mock webhook fire:", err)
		}
		return ExitFailure
	}
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
