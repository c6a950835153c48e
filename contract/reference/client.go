package reference

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Defaults of Client: the guide's numbers where it gives them.
const (
	// DefaultPollInterval is the guide's "Wait 10 seconds" between polls.
	DefaultPollInterval = 10 * time.Second
	// DefaultTimeout is the guide's "maximum timeout of 30 minutes".
	DefaultTimeout = 30 * time.Minute
	// DefaultRetryBackoff is the wait before retrying RETRY_LATER or
	// TOO_MANY_REQUESTS.
	DefaultRetryBackoff = 10 * time.Second
	// DefaultMaxRetries is how many times such an answer is retried.
	DefaultMaxRetries = 2
	// DefaultMFAIdleTimeout is how long a RequestId waits for the answer
	// to its 203 before it expires.
	DefaultMFAIdleTimeout = 8 * time.Minute
	// maxStartsOver bounds how many times Authorize starts over because
	// the user answered after the RequestId expired.
	maxStartsOver = 2
)

// ErrTimeout is returned (wrapped) when the data was still processing at
// the polling deadline.
var ErrTimeout = errors.New("the data was still processing at the polling deadline")

// ErrMFARequired is returned when /Authorize asks for MFA and the client
// has no AnswerMFA.
var ErrMFARequired = errors.New("the login asked for MFA and the client cannot answer it")

// Client fetches the accounts of a login the way the Retrieve Account
// Data guide says. The zero value of every field but Conn takes its
// default.
type Client struct {
	Conn
	// PollInterval is the wait between two Async polls (DefaultPollInterval).
	PollInterval time.Duration
	// Timeout is how long after GetAccountsDetail the client gives up
	// polling (DefaultTimeout).
	Timeout time.Duration
	// RetryBackoff is the wait before retrying RETRY_LATER or
	// TOO_MANY_REQUESTS (DefaultRetryBackoff); MaxRetries is how many
	// retries (DefaultMaxRetries; negative: none).
	RetryBackoff time.Duration
	MaxRetries   int
	// MFAIdleTimeout is how long a RequestId waits for the answer to its
	// 203 (DefaultMFAIdleTimeout): an answer that took longer is not sent
	// with it, and the authorization starts over.
	MFAIdleTimeout time.Duration
	// Sleep waits d or until ctx ends; tests pass one that moves a virtual
	// clock. Now reads the same clock. Default: real time.
	Sleep func(ctx context.Context, d time.Duration) error
	Now   func() time.Time
	// AnswerMFA returns the SecurityResponses for the challenges of a 203,
	// keyed by each Prompt exactly as given. Nil: a 203 ends the fetch with
	// ErrMFARequired.
	AnswerMFA func(ctx context.Context, challenges []Challenge) (map[string][]string, error)
}

// Request says which login to fetch and how.
type Request struct {
	LoginID string
	// MostRecentCached true asks for the cached data; false refreshes it
	// live from the institution (which is when most logins ask for MFA).
	MostRecentCached bool
	// Username, Password and Institution link a login the first time,
	// when there is no LoginID yet (an integration without Flinks
	// Connect); keep the LoginId of the result for every later fetch.
	Username, Password, Institution string
}

// body is the first /Authorize call of the request.
func (r Request) body() AuthorizeRequest {
	if r.LoginID == "" {
		return AuthorizeRequest{Username: r.Username, Password: r.Password, Institution: r.Institution, Save: true}
	}
	cached := r.MostRecentCached
	return AuthorizeRequest{LoginId: r.LoginID, MostRecentCached: &cached}
}

// Accounts is the data of a fetch.
type Accounts struct {
	RequestID string
	// LoginID is the login's LoginId, as Flinks gave it: keep it, and
	// fetch the login with it from then on.
	LoginID  string
	Accounts []Account
}

// loginOf returns the LoginId of the first answer that names one.
func loginOf(answers ...*Answer) string {
	for _, a := range answers {
		if a != nil && a.Login != nil && a.Login.Id != "" {
			return a.Login.Id
		}
	}
	return ""
}

// FetchAccounts authorizes the login (answering MFA if asked), asks for
// its accounts and polls until they are ready, the deadline passes or
// Flinks answers an error (returned as an *Error).
func (c *Client) FetchAccounts(ctx context.Context, req Request) (*Accounts, error) {
	authorized, err := c.authorize(ctx, req)
	if err != nil {
		return nil, err
	}
	requestID := authorized.RequestId
	deadline := c.now().Add(c.timeout())
	a, err := c.untilReady(ctx, requestID, deadline,
		func() (*Answer, error) { return c.Conn.GetAccountsDetail(ctx, requestID) },
		func() (*Answer, error) { return c.Conn.GetAccountsDetailAsync(ctx, requestID) })
	if err != nil {
		return nil, err
	}
	return &Accounts{RequestID: requestID, LoginID: loginOf(authorized, a), Accounts: a.Accounts}, nil
}

// untilReady makes a data request, and after a 202 polls its Async
// endpoint until the 200, as the guide says: the same RequestId, 10
// seconds between polls, none past the deadline.
func (c *Client) untilReady(ctx context.Context, requestID string, deadline time.Time, request, poll func() (*Answer, error)) (*Answer, error) {
	a, err := c.retrying(ctx, request)
	if err != nil {
		return nil, err
	}
	for polled := false; a.Status == http.StatusAccepted; polled = true {
		if polled {
			if !c.now().Add(c.interval()).Before(deadline) {
				return nil, fmt.Errorf("RequestId %s after %s: %w", requestID, c.timeout(), ErrTimeout)
			}
			if err := c.sleep(ctx, c.interval()); err != nil {
				return nil, err
			}
		}
		if a, err = c.retrying(ctx, poll); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// Authorize opens a session for the login and returns its RequestId:
// a fresh token for every /Authorize call, and the MFA answers sent with
// the RequestId of the 203, all in one call, for as many rounds as asked.
// When the answers came after the RequestId expired (MFAIdleTimeout), it
// starts over with a new /Authorize, whose challenges are asked again.
func (c *Client) Authorize(ctx context.Context, req Request) (string, error) {
	a, err := c.authorize(ctx, req)
	if err != nil {
		return "", err
	}
	return a.RequestId, nil
}

// authorize is Authorize, returning the 200 of /Authorize.
func (c *Client) authorize(ctx context.Context, req Request) (*Answer, error) {
	start := req.body()
	a, err := c.authorizeWith(ctx, start)
	for restarts := 0; err == nil && a.Status == http.StatusNonAuthoritativeInfo; {
		if c.AnswerMFA == nil {
			return nil, fmt.Errorf("RequestId %s: %w", a.RequestId, ErrMFARequired)
		}
		asked := c.now()
		answers, aerr := c.AnswerMFA(ctx, a.SecurityChallenges)
		if aerr != nil {
			return nil, fmt.Errorf("answer the security challenges of RequestId %s: %w", a.RequestId, aerr)
		}
		if c.now().Sub(asked) >= orDefault(c.MFAIdleTimeout, DefaultMFAIdleTimeout) && restarts < maxStartsOver {
			// The RequestId has expired while the user answered.
			restarts++
			a, err = c.authorizeWith(ctx, start)
			continue
		}
		a, err = c.authorizeWith(ctx, AuthorizeRequest{RequestId: a.RequestId, SecurityResponses: answers})
	}
	return a, err
}

// authorizeWith calls /Authorize with a token generated for the call.
func (c *Client) authorizeWith(ctx context.Context, body AuthorizeRequest) (*Answer, error) {
	return c.retrying(ctx, func() (*Answer, error) {
		token, err := c.Conn.GenerateAuthorizeToken(ctx)
		if err != nil {
			return nil, err
		}
		return c.Conn.Authorize(ctx, token, body)
	})
}

// retrying makes a call, and retries it after RetryBackoff while Flinks
// asks to try later or gives no answer within the request timeout, up to
// MaxRetries times. Every other answer is final.
func (c *Client) retrying(ctx context.Context, call func() (*Answer, error)) (*Answer, error) {
	for attempt := 0; ; attempt++ {
		a, err := call()
		var fe *Error
		again := errors.Is(err, ErrRequestTimeout) || errors.As(err, &fe) && TryLater(fe.FlinksCode)
		if !again || attempt >= c.maxRetries() {
			return a, err
		}
		if err := c.sleep(ctx, c.backoff()); err != nil {
			return nil, err
		}
	}
}

// TryLater reports whether a FlinksCode asks the client to send the same
// request again later.
func TryLater(code string) bool { return code == "RETRY_LATER" || code == "TOO_MANY_REQUESTS" }

func (c *Client) interval() time.Duration { return orDefault(c.PollInterval, DefaultPollInterval) }
func (c *Client) timeout() time.Duration  { return orDefault(c.Timeout, DefaultTimeout) }
func (c *Client) backoff() time.Duration  { return orDefault(c.RetryBackoff, DefaultRetryBackoff) }

func (c *Client) maxRetries() int {
	switch {
	case c.MaxRetries < 0:
		return 0
	case c.MaxRetries == 0:
		return DefaultMaxRetries
	}
	return c.MaxRetries
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	return SleepReal(ctx, d)
}

// SleepReal waits d of real time, or until ctx ends.
func SleepReal(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
