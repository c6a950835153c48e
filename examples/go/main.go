// Command go is a small Flinks integration, written the way the Retrieve
// Account Data guide says, for `flinks-mock verify` to judge:
//
//	go build -o flinks-example ./examples/go
//	flinks-mock verify -- ./flinks-example
//
// It reads the connection from the FLINKS_* environment variables verify
// sets, fetches the accounts of FLINKS_LOGIN_ID (token → /Authorize → MFA
// answers → /GetAccountsDetail → /GetAccountsDetailAsync polls, or the
// webhook when FLINKS_WEBHOOK_ADDR is set) and prints a JSON summary on
// stdout. Without a LoginId it links the login with FLINKS_USERNAME and
// FLINKS_PASSWORD and keeps its LoginId in FLINKS_LOGIN_STORE, for the next
// fetch. Every request has a timeout (FLINKS_REQUEST_TIMEOUT), and is sent
// again when it fires. It uses the standard library only, so it can be
// copied.
package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"sync"
	"time"
)

func main() {
	// The timeout counts from the start: a fetch that spent a minute on MFA
	// has 29 left to poll.
	deadline := time.Now()
	cfg, err := configFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, "flinks-example:", err)
		os.Exit(2)
	}
	cfg.deadline = deadline.Add(cfg.timeout)
	ctx := context.Background()
	out := map[string]any{}
	requestID, accounts, err := cfg.fetch(ctx)
	if err == nil {
		out["accounts"] = accounts
		// The statements and the card deletion, when verify asks for them.
		err = cfg.afterData(ctx, requestID, out)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "flinks-example:", err)
		printJSON(map[string]any{"error": errorSummary(err)})
		os.Exit(1)
	}
	printJSON(out)
}

type config struct {
	baseURL, secretKey, apiKey, loginID string
	username, password, institution     string
	loginStore                          string
	http                                *http.Client
	cached                              bool
	answers                             map[string][]string
	interval, timeout, backoff          time.Duration
	mfaIdle, userDelay                  time.Duration
	webhookAddr, webhookSecret          string
	deadline                            time.Time
}

func configFromEnv() (*config, error) {
	c := &config{
		baseURL:     os.Getenv("FLINKS_BASE_URL"),
		secretKey:   os.Getenv("FLINKS_SECRET_KEY"),
		apiKey:      os.Getenv("FLINKS_API_KEY"),
		loginID:     os.Getenv("FLINKS_LOGIN_ID"),
		username:    os.Getenv("FLINKS_USERNAME"),
		password:    os.Getenv("FLINKS_PASSWORD"),
		institution: os.Getenv("FLINKS_INSTITUTION"),
		// Where the LoginId of a linked login is kept (a database, in
		// production).
		loginStore:  os.Getenv("FLINKS_LOGIN_STORE"),
		cached:      os.Getenv("FLINKS_MOST_RECENT_CACHED") != "false",
		webhookAddr: os.Getenv("FLINKS_WEBHOOK_ADDR"),
		// The secret Flinks signs webhooks with, when the instance has HMAC.
		webhookSecret: os.Getenv("FLINKS_WEBHOOK_SECRET"),
	}
	if c.baseURL == "" || c.loginID == "" && c.username == "" {
		return nil, errors.New("FLINKS_BASE_URL and FLINKS_LOGIN_ID (or FLINKS_USERNAME) are needed (flinks-mock verify sets them)")
	}
	if a := os.Getenv("FLINKS_MFA_ANSWERS"); a != "" {
		if err := json.Unmarshal([]byte(a), &c.answers); err != nil {
			return nil, fmt.Errorf("FLINKS_MFA_ANSWERS: %w", err)
		}
	}
	var err error
	if c.interval, err = duration("FLINKS_POLL_INTERVAL", 10*time.Second); err != nil {
		return nil, err
	}
	if c.timeout, err = duration("FLINKS_TIMEOUT", 30*time.Minute); err != nil {
		return nil, err
	}
	if c.backoff, err = duration("FLINKS_RETRY_BACKOFF", 10*time.Second); err != nil {
		return nil, err
	}
	// A RequestId waits 8 minutes for the answers to its 203.
	if c.mfaIdle, err = duration("FLINKS_MFA_IDLE_TIMEOUT", 8*time.Minute); err != nil {
		return nil, err
	}
	// How long the (simulated) user takes over the first question.
	if c.userDelay, err = duration("FLINKS_USER_DELAY", 0); err != nil {
		return nil, err
	}
	// How long to wait for one answer: Flinks answers within 210 s, or
	// moves the request to the background (OPERATION_DISPATCHED).
	requestTimeout, err := duration("FLINKS_REQUEST_TIMEOUT", 4*time.Minute)
	if err != nil {
		return nil, err
	}
	c.http = &http.Client{Timeout: requestTimeout}
	return c, nil
}

var durationPattern = regexp.MustCompile(`^(\d+(?:\.\d+)?)(ms|s|m|h)$`)

// duration reads "100ms", "18s", "30m" from the environment.
func duration(name string, def time.Duration) (time.Duration, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	m := durationPattern.FindStringSubmatch(v)
	if m == nil {
		return 0, fmt.Errorf("%s=%q: want a number and ms, s, m or h", name, v)
	}
	n, _ := strconv.ParseFloat(m[1], 64)
	unit := map[string]time.Duration{"ms": time.Millisecond, "s": time.Second, "m": time.Minute, "h": time.Hour}[m[2]]
	return time.Duration(n * float64(unit)), nil
}

// flinksError is an answer of Flinks that is neither data nor "pending".
type flinksError struct {
	Endpoint   string
	Status     int
	FlinksCode string
	Message    string
}

// Error says which endpoint answered what.
func (e *flinksError) Error() string {
	return fmt.Sprintf("/%s answered %d %s: %s", e.Endpoint, e.Status, e.FlinksCode, e.Message)
}

var errTimeout = errors.New("the data was not ready within the timeout")

var errRequestTimeout = errors.New("no answer within FLINKS_REQUEST_TIMEOUT")

func errorSummary(err error) map[string]any {
	var fe *flinksError
	switch {
	case errors.As(err, &fe):
		return map[string]any{"kind": "flinks", "flinksCode": fe.FlinksCode, "message": fe.Message}
	case errors.Is(err, errTimeout), errors.Is(err, errRequestTimeout):
		return map[string]any{"kind": "timeout"}
	}
	return map[string]any{"kind": "other", "message": err.Error()}
}

// answer is the part of a Flinks answer this integration reads.
type answer struct {
	status             int
	Token              string
	RequestId          string
	FlinksCode         string
	Message            string
	SecurityChallenges []struct{ Prompt string }
	Login              *struct{ Id string }
	Accounts           []struct {
		Id            string
		AccountNumber string
		Balance       struct{ Current float64 }
	}
	StatementsByAccount []struct {
		Statements []struct{ UniqueId, Base64Bytes string }
	}
}

type accountSummary struct {
	ID            string  `json:"id"`
	AccountNumber string  `json:"accountNumber"`
	Balance       float64 `json:"balance"`
}

// call sends one request; statuses other than ok come back as *flinksError.
func (c *config) call(ctx context.Context, method, endpoint string, header map[string]string, body any, ok ...int) (*answer, error) {
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+"/BankingServices/"+endpoint, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, timedOut(endpoint, err)
	}
	defer resp.Body.Close()
	var a answer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		return nil, timedOut(endpoint, fmt.Errorf("/%s answered %d without JSON: %w", endpoint, resp.StatusCode, err))
	}
	a.status = resp.StatusCode
	for _, s := range ok {
		if s == a.status {
			return &a, nil
		}
	}
	return nil, &flinksError{Endpoint: endpoint, Status: a.status, FlinksCode: a.FlinksCode, Message: a.Message}
}

// timedOut wraps the error of a request whose answer did not come in time
// as errRequestTimeout.
func timedOut(endpoint string, err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("/%s: %w", endpoint, errRequestTimeout)
	}
	return err
}

// data calls a data endpoint, sending it again twice after a back-off when
// no answer came in time.
func (c *config) data(ctx context.Context, method, endpoint string, body any) (*answer, error) {
	for attempt := 0; ; attempt++ {
		a, err := c.call(ctx, method, endpoint, map[string]string{"x-api-key": c.apiKey}, body, 200, 202)
		if attempt >= 2 || !errors.Is(err, errRequestTimeout) {
			return a, err
		}
		time.Sleep(c.backoff)
	}
}

// startBody is the first /Authorize: the LoginId (given, or kept by an
// earlier fetch) with cached data, or the credentials of a login not
// linked yet.
func (c *config) startBody() map[string]any {
	loginID := c.loginID
	if kept, err := os.ReadFile(c.loginStore); loginID == "" && c.loginStore != "" && err == nil {
		loginID = string(bytes.TrimSpace(kept))
	}
	if loginID != "" {
		return map[string]any{"LoginId": loginID, "MostRecentCached": c.cached}
	}
	return map[string]any{"Username": c.username, "Password": c.password, "Institution": c.institution, "Save": true}
}

// keepLogin keeps the LoginId Flinks gave (Login.Id) for the next fetch.
func (c *config) keepLogin(answers ...*answer) error {
	for _, a := range answers {
		if c.loginStore != "" && a.Login != nil && a.Login.Id != "" {
			return os.WriteFile(c.loginStore, []byte(a.Login.Id), 0o600)
		}
	}
	return nil
}

// authorize calls /Authorize with a fresh token (tokens are single-use),
// retrying RETRY_LATER, TOO_MANY_REQUESTS and a timeout twice after a
// back-off.
func (c *config) authorize(ctx context.Context, body map[string]any) (*answer, error) {
	for attempt := 0; ; attempt++ {
		tok, err := c.call(ctx, http.MethodPost, "GenerateAuthorizeToken", map[string]string{"flinks-auth-key": c.secretKey}, nil, 200)
		if err != nil {
			return nil, err
		}
		a, err := c.call(ctx, http.MethodPost, "Authorize", map[string]string{"flinks-auth-key": tok.Token}, body, 200, 203)
		var fe *flinksError
		again := errors.Is(err, errRequestTimeout) || errors.As(err, &fe) && (fe.FlinksCode == "RETRY_LATER" || fe.FlinksCode == "TOO_MANY_REQUESTS")
		if attempt < 2 && again {
			time.Sleep(c.backoff)
			continue
		}
		return a, err
	}
}

// fetch links the login and returns its RequestId and accounts.
func (c *config) fetch(ctx context.Context) (string, []accountSummary, error) {
	var hooks *receiver
	if c.webhookAddr != "" {
		var err error
		if hooks, err = listen(c.webhookAddr, c.webhookSecret); err != nil {
			return "", nil, err
		}
		// Keep answering a moment after the data came: a duplicate send
		// must get its 200 too, and on a busy machine it may come a
		// little later.
		defer hooks.close(max(c.interval, 2*time.Second))
	}
	authorized, err := c.login(ctx)
	if err != nil {
		return "", nil, err
	}
	a, err := c.accounts(ctx, authorized.RequestId, hooks)
	if err != nil {
		return "", nil, err
	}
	accounts, err := c.summarize(authorized, a)
	if err != nil {
		return "", nil, err
	}
	return authorized.RequestId, accounts, nil
}

// login authorizes the login and answers its security questions, until
// /Authorize answers 200.
func (c *config) login(ctx context.Context) (*answer, error) {
	start := c.startBody()
	a, err := c.authorize(ctx, start)
	for restarted := false; err == nil && a.status == 203; {
		asked := time.Now()
		if c.userDelay > 0 && !restarted {
			time.Sleep(c.userDelay) // the user, thinking
		}
		if time.Since(asked) >= c.mfaIdle && !restarted {
			// The RequestId expired while the user answered: start over,
			// and answer the new 203.
			restarted = true
			a, err = c.authorize(ctx, start)
			continue
		}
		responses := map[string][]string{}
		for _, ch := range a.SecurityChallenges {
			answers, ok := c.answers[ch.Prompt]
			if !ok {
				return nil, fmt.Errorf("no answer for the security question %q", ch.Prompt)
			}
			responses[ch.Prompt] = answers
		}
		a, err = c.authorize(ctx, map[string]any{"RequestId": a.RequestId, "SecurityResponses": responses})
	}
	return a, err
}

// accounts asks for the data of an authorized RequestId and, while it is
// processing, waits for the webhook (with hooks) or polls.
func (c *config) accounts(ctx context.Context, requestID string, hooks *receiver) (*answer, error) {
	a, err := c.data(ctx, http.MethodPost, "GetAccountsDetail", map[string]any{"RequestId": requestID, "WithAccountIdentity": true})
	if err != nil {
		return nil, err
	}
	if a.status == 202 && hooks != nil {
		select {
		case a = <-hooks.data(requestID):
		case <-time.After(time.Until(c.deadline)):
			return nil, errTimeout
		}
	}
	return c.untilReady(ctx, a, "GetAccountsDetailAsync/"+requestID, c.deadline)
}

// untilReady polls an Async endpoint while its data request answers 202.
func (c *config) untilReady(ctx context.Context, a *answer, path string, deadline time.Time) (*answer, error) {
	var err error
	for polled := false; a.status == 202; polled = true {
		if polled {
			// The guide: wait 10 seconds between polls, and stop at the
			// 30-minute timeout; no poll is sent once it has passed. A poll
			// that would leave less than one interval before it is not
			// sent either: the network and a busy machine delay it.
			if !time.Now().Add(2 * c.interval).Before(deadline) {
				return nil, errTimeout
			}
			time.Sleep(c.interval)
			if !time.Now().Before(deadline) {
				return nil, errTimeout
			}
		}
		a, err = c.data(ctx, http.MethodGet, path, nil)
		if err != nil {
			return nil, err
		}
	}
	return a, nil
}

// summarize keeps the LoginId of a fetch and returns its accounts.
func (c *config) summarize(authorized, data *answer) ([]accountSummary, error) {
	if err := c.keepLogin(authorized, data); err != nil {
		return nil, fmt.Errorf("keep the LoginId: %w", err)
	}
	out := []accountSummary{}
	for _, acc := range data.Accounts {
		out = append(out, accountSummary{ID: acc.Id, AccountNumber: acc.AccountNumber, Balance: acc.Balance.Current})
	}
	return out, nil
}

// receiver answers every webhook 200 at once and hands over the first
// GetAccountsDetail payload of each RequestId. With a secret, a webhook
// whose flinks-authenticity-key does not match its body is answered 401
// and dropped.
type receiver struct {
	secret string
	srv    *http.Server
	mu     sync.Mutex
	chans  map[string]chan *answer
}

func listen(addr, secret string) (*receiver, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	r := &receiver{secret: secret, chans: map[string]chan *answer{}}
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 5 * time.Second}
	go r.srv.Serve(ln)
	return r, nil
}

func (r *receiver) data(requestID string) chan *answer {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.chans[requestID] == nil {
		r.chans[requestID] = make(chan *answer, 1)
	}
	return r.chans[requestID]
}

// ServeHTTP checks the signature, answers 200, then keeps the payload.
func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 64<<20))
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	if r.secret != "" {
		// Base64(HMAC-SHA256(secret, raw body)), compared in constant time.
		mac := hmac.New(sha256.New, []byte(r.secret))
		mac.Write(body)
		want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
		if !hmac.Equal([]byte(want), []byte(req.Header.Get("flinks-authenticity-key"))) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
	}
	var a answer
	err = json.Unmarshal(body, &a)
	w.WriteHeader(http.StatusOK)
	if err != nil || a.RequestId == "" {
		return
	}
	a.status = 200
	select {
	case r.data(a.RequestId) <- &a:
	default: // a duplicate: already handed over
	}
}

func (r *receiver) close(linger time.Duration) {
	time.Sleep(linger)
	r.srv.Close()
}

func printJSON(v any) {
	out, _ := json.Marshal(v)
	fmt.Println(string(out))
}
