// Package reference is a Flinks client that follows the Retrieve Account
// Data guide exactly, as a model for integrations and as the client the
// project's own contract suite runs: a fresh authorize token for every
// /Authorize call, MFA answered from a callback with the 203's RequestId,
// /GetAccountsDetail then /GetAccountsDetailAsync polls of the same
// RequestId every 10 seconds up to a 30-minute deadline, no retry of
// answers that cannot change, a back-off before retrying RETRY_LATER, and a
// timeout on every request, after which it is sent again.
//
// Conn is the HTTP layer, one method per Flinks call and no decisions;
// Client is the policy of the guide on top of it.
package reference

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Conn sends the Flinks calls and decodes their answers. It makes no
// decision: retries, polling and MFA belong to Client.
type Conn struct {
	// BaseURL is https://{instance}-api.private.fin.ag/v3/{customerId},
	// or the mock's http://127.0.0.1:port/v3/{customerId}.
	BaseURL string
	// SecretKey is sent to /GenerateAuthorizeToken only.
	SecretKey string
	// APIKey is sent as x-api-key to the data endpoints, when set.
	APIKey string
	// HTTP sends the requests (http.DefaultClient when nil).
	HTTP *http.Client
	// Timeout is how long to wait for one answer before giving up with
	// ErrRequestTimeout (DefaultRequestTimeout; negative: for ever, which
	// no integration should do).
	Timeout time.Duration
}

// DefaultRequestTimeout is Conn's wait for one answer: Flinks moves a
// request still running after 210 s to the background (202
// OPERATION_DISPATCHED), so no answer should take longer.
const DefaultRequestTimeout = 4 * time.Minute

// ErrRequestTimeout is returned (wrapped) when an answer did not come
// within Conn.Timeout: the request may or may not have been done, and
// sending it again is safe (with a fresh token for /Authorize).
var ErrRequestTimeout = errors.New("no answer within the request timeout")

// Challenge is one security challenge of a 203.
type Challenge struct {
	Type      string
	Prompt    string
	Iterables []string
}

// Account is an account of a GetAccountsDetail 200, with the fields the
// reference client reads.
type Account struct {
	Id            string
	Title         string
	AccountNumber string
	Category      string
	Type          string
	Currency      string
	Balance       Balance
	Transactions  []Transaction
}

// Balance is an account's balance.
type Balance struct {
	Available *float64
	Current   float64
	Limit     *float64
}

// Transaction is one transaction of an account.
type Transaction struct {
	Id          string
	Date        string
	Description string
	Debit       *float64
	Credit      *float64
	Balance     float64
}

// Answer is a Flinks answer that is not an error: a token, a session
// (200), security challenges (203), accounts (200) or "still processing"
// (202).
type Answer struct {
	// Status is the HTTP status.
	Status             int `json:"-"`
	FlinksCode         string
	Message            string
	RequestId          string
	Token              string
	SecurityChallenges []Challenge
	Accounts           []Account
	// Login is the login the answer is about (the 200s of /Authorize and
	// GetAccountsDetail); its Id is the LoginId to keep.
	Login *struct{ Id string }
	// StatementsByAccount is the data of a GetStatements 200.
	StatementsByAccount []AccountStatements
}

// Error is an error answer of Flinks: its HTTP status, FlinksCode and
// Message.
type Error struct {
	Endpoint   string
	Status     int
	FlinksCode string
	Message    string
	RequestID  string
}

// Error says which endpoint answered what.
func (e *Error) Error() string {
	msg := fmt.Sprintf("flinks: /%s answered %d", e.Endpoint, e.Status)
	if e.FlinksCode != "" {
		msg += " " + e.FlinksCode
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// AuthorizeRequest is the body of /Authorize: LoginId with
// MostRecentCached, or RequestId with SecurityResponses, or (to link a
// login the first time, without Flinks Connect) Username, Password and
// Institution with Save.
type AuthorizeRequest struct {
	LoginId           string              `json:",omitempty"`
	MostRecentCached  *bool               `json:",omitempty"`
	Username          string              `json:",omitempty"`
	Password          string              `json:",omitempty"`
	Institution       string              `json:",omitempty"`
	Save              bool                `json:",omitempty"`
	RequestId         string              `json:",omitempty"`
	SecurityResponses map[string][]string `json:",omitempty"`
}

// GenerateAuthorizeToken asks for a single-use authorize token, sending the
// secret key.
func (c *Conn) GenerateAuthorizeToken(ctx context.Context) (string, error) {
	a, err := c.call(ctx, http.MethodPost, "GenerateAuthorizeToken", map[string]string{"flinks-auth-key": c.SecretKey}, nil, http.StatusOK)
	if err != nil {
		return "", err
	}
	if a.Token == "" {
		return "", fmt.Errorf("flinks: /GenerateAuthorizeToken answered 200 without a Token")
	}
	return a.Token, nil
}

// Authorize calls /Authorize with an authorize token. It returns the 200
// or 203; any other answer is an *Error.
func (c *Conn) Authorize(ctx context.Context, token string, req AuthorizeRequest) (*Answer, error) {
	return c.call(ctx, http.MethodPost, "Authorize", map[string]string{"flinks-auth-key": token}, req,
		http.StatusOK, http.StatusNonAuthoritativeInfo)
}

// GetAccountsDetail asks for the accounts of an authorized RequestId. It
// returns the 200 or 202; any other answer is an *Error.
func (c *Conn) GetAccountsDetail(ctx context.Context, requestID string) (*Answer, error) {
	body := map[string]any{"RequestId": requestID, "WithAccountIdentity": true, "WithTransactions": true}
	return c.call(ctx, http.MethodPost, "GetAccountsDetail", c.apiKey(), body, http.StatusOK, http.StatusAccepted)
}

// GetAccountsDetailAsync polls the data request of a RequestId that
// GetAccountsDetail answered 202 (a GET, as the guide says). It returns the
// 200 or 202; any other answer is an *Error.
func (c *Conn) GetAccountsDetailAsync(ctx context.Context, requestID string) (*Answer, error) {
	return c.call(ctx, http.MethodGet, "GetAccountsDetailAsync/"+url.PathEscape(requestID), c.apiKey(), nil, http.StatusOK, http.StatusAccepted)
}

func (c *Conn) apiKey() map[string]string {
	if c.APIKey == "" {
		return nil
	}
	return map[string]string{"x-api-key": c.APIKey}
}

// call sends one request and decodes the answer; a status outside ok is
// returned as an *Error.
func (c *Conn) call(ctx context.Context, method, path string, header map[string]string, body any, ok ...int) (*Answer, error) {
	endpoint, _, _ := strings.Cut(path, "/")
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("flinks: encode the body of /%s: %w", endpoint, err)
		}
		rd = bytes.NewReader(raw)
	}
	parent := ctx
	if c.timeout() > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout())
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.BaseURL, "/")+"/BankingServices/"+path, rd)
	if err != nil {
		return nil, fmt.Errorf("flinks: /%s: %w", endpoint, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, c.failed(parent, endpoint, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, c.failed(parent, endpoint, fmt.Errorf("read the answer: %w", err))
	}
	var a Answer
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, fmt.Errorf("flinks: /%s answered %d with a body that is not JSON: %w", endpoint, resp.StatusCode, err)
	}
	a.Status = resp.StatusCode
	for _, s := range ok {
		if s == resp.StatusCode {
			return &a, nil
		}
	}
	return nil, &Error{Endpoint: endpoint, Status: resp.StatusCode, FlinksCode: a.FlinksCode, Message: a.Message, RequestID: a.RequestId}
}

func (c *Conn) timeout() time.Duration {
	if c.Timeout == 0 {
		return DefaultRequestTimeout
	}
	return c.Timeout
}

// failed wraps the error of a request that got no answer, as
// ErrRequestTimeout when its own timeout ran out (not parent's).
func (c *Conn) failed(parent context.Context, endpoint string, err error) error {
	if parent.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("flinks: /%s gave no answer within %s: %w", endpoint, c.timeout(), ErrRequestTimeout)
	}
	return fmt.Errorf("flinks: /%s: %w", endpoint, err)
}
