package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/flinks-mock/flinks-mock/openapi/toolbox"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// Logins of the default library the runner drives.
const (
	// NoMFALoginID is greatday_nomfa: authorized at once, data ready at
	// once; its ready session is the hot path.
	NoMFALoginID = "ef47846c-ff93-40a0-8535-c0bdd29b61d2"
	// MFALoginID is Greatday: one security question on live refresh, then
	// one 202 before the 200; it makes the complete flow.
	MFALoginID = "06471b6b-2212-4e49-bff0-250437191029"
	// hotCustomerID is the tenant of the hot path session.
	hotCustomerID = toolbox.CustomerID
)

// tenantID returns the customerId of the i-th tenant of the flows, shaped
// like the UUIDs Flinks gives its customers.
func tenantID(i int) string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
}

// flinksClient calls the Flinks endpoints of one server.
type flinksClient struct {
	hc   client
	base string // http://host:port
}

func (c *flinksClient) url(customerID, endpoint string) string {
	return c.base + "/v3/" + customerID + "/BankingServices/" + endpoint
}

// token asks for a fresh authorize token.
func (c *flinksClient) token(ctx context.Context, customerID string) (string, error) {
	data, err := send(ctx, c.hc, request{
		Method: http.MethodPost, URL: c.url(customerID, "GenerateAuthorizeToken"),
		AuthKey: toolbox.SecretKey, Want: http.StatusOK, Keep: true,
	})
	if err != nil {
		return "", err
	}
	var body struct{ Token string }
	if err := json.Unmarshal(data, &body); err != nil || body.Token == "" {
		return "", fmt.Errorf("GenerateAuthorizeToken answered no Token: %s", data)
	}
	return body.Token, nil
}

// authorizeAnswer is the part of an /Authorize answer the runner reads.
type authorizeAnswer struct {
	RequestId          string
	SecurityChallenges []struct{ Prompt string }
}

// authorize calls /Authorize with a fresh token and the body, expecting
// status want.
func (c *flinksClient) authorize(ctx context.Context, customerID string, raw []byte, want int) (*authorizeAnswer, error) {
	tok, err := c.token(ctx, customerID)
	if err != nil {
		return nil, err
	}
	data, err := send(ctx, c.hc, request{
		Method: http.MethodPost, URL: c.url(customerID, "Authorize"),
		Body: raw, AuthKey: tok, Want: want, Keep: true,
	})
	if err != nil {
		return nil, err
	}
	var a authorizeAnswer
	if err := json.Unmarshal(data, &a); err != nil || a.RequestId == "" {
		return nil, fmt.Errorf("/Authorize answered %d without a RequestId: %s", want, data)
	}
	return &a, nil
}

// detailBody is the GetAccountsDetail request of the runner.
func detailBody(requestID string) []byte {
	return fmt.Appendf(nil, `{"RequestId":%q,"WithAccountIdentity":true}`, requestID)
}

// readySession opens a cached session of greatday_nomfa and asks for its
// data once, returning the RequestId and the 200 body: the hot path.
func (c *flinksClient) readySession(ctx context.Context, customerID string) (string, []byte, error) {
	return c.readySessionOf(ctx, customerID, NoMFALoginID, "greatday_nomfa")
}

// readySessionOf is readySession for any login that is authorized and
// ready at once.
func (c *flinksClient) readySessionOf(ctx context.Context, customerID, loginID, name string) (string, []byte, error) {
	a, err := c.authorize(ctx, customerID, loginBody(loginID, true), http.StatusOK)
	if err != nil {
		return "", nil, fmt.Errorf("open a session of %s: %w", name, err)
	}
	data, err := send(ctx, c.hc, request{
		Method: http.MethodPost, URL: c.url(customerID, "GetAccountsDetail"),
		Body: detailBody(a.RequestId), Want: http.StatusOK, Keep: true,
	})
	if err != nil {
		return "", nil, fmt.Errorf("the ready session of %s: %w", name, err)
	}
	return a.RequestId, data, nil
}

// loginBody is the /Authorize body that signs in to a login of the
// default library.
func loginBody(loginID string, cached bool) []byte {
	return fmt.Appendf(nil, `{"LoginId":%q,"MostRecentCached":%t,"Save":true}`, loginID, cached)
}

// answersBody is the /Authorize body that answers the challenges of a,
// from answers (prompt → answer).
func answersBody(a *authorizeAnswer, answers map[string]string) ([]byte, error) {
	responses := make(map[string][]string, len(a.SecurityChallenges))
	for _, ch := range a.SecurityChallenges {
		answer, ok := answers[ch.Prompt]
		if !ok {
			return nil, fmt.Errorf("Greatday asked %q, a prompt the default library does not list", ch.Prompt)
		}
		responses[ch.Prompt] = []string{answer}
	}
	encoded, err := json.Marshal(responses)
	if err != nil {
		return nil, fmt.Errorf("encode the answers: %w", err)
	}
	return fmt.Appendf(nil, `{"RequestId":%q,"SecurityResponses":%s}`, a.RequestId, encoded), nil
}

// flowRequests is how many requests one complete flow sends.
const flowRequests = 6

// flow runs the whole Flinks flow for Greatday in one tenant:
// GenerateAuthorizeToken → Authorize live (203) → GenerateAuthorizeToken →
// Authorize with the answer (200) → GetAccountsDetail (202) →
// GetAccountsDetailAsync (200). answers maps each prompt to its answer.
func (c *flinksClient) flow(ctx context.Context, customerID string, answers map[string]string) (int, error) {
	a, err := c.authorize(ctx, customerID, loginBody(MFALoginID, false), http.StatusNonAuthoritativeInfo)
	if err != nil {
		return 2, err
	}
	body, err := answersBody(a, answers)
	if err != nil {
		return 2, err
	}
	if _, err := c.authorize(ctx, customerID, body, http.StatusOK); err != nil {
		return 4, err
	}
	if _, err := send(ctx, c.hc, request{
		Method: http.MethodPost, URL: c.url(customerID, "GetAccountsDetail"),
		Body: detailBody(a.RequestId), Want: http.StatusAccepted,
	}); err != nil {
		return 5, err
	}
	if _, err := send(ctx, c.hc, request{
		Method: http.MethodGet, URL: c.url(customerID, "GetAccountsDetailAsync/"+a.RequestId),
		Want: http.StatusOK,
	}); err != nil {
		return 6, err
	}
	return flowRequests, nil
}

// flowUnit runs flows over a pool of tenants: worker w's i-th flow uses
// tenant (w + i×workers) mod tenants, so every tenant is used in turn.
func (c *flinksClient) flowUnit(workers, tenants int, answers map[string]string) unit {
	return func(ctx context.Context, w, i int) (int, error) {
		return c.flow(ctx, tenantID((w+i*workers)%tenants), answers)
	}
}

// mfaAnswers returns the answer to every prompt a login can be asked, from
// the library the server loads.
func mfaAnswers(lib *scenarios.Library, loginID string) (map[string]string, error) {
	login := lib.Login(loginID)
	if login == nil || login.MFA == nil {
		return nil, fmt.Errorf("the default library has no login %s with MFA", loginID)
	}
	out := map[string]string{}
	for _, round := range login.MFA.Rounds {
		for _, ch := range round.Challenges {
			if len(ch.Answers) > 0 {
				out[ch.Prompt] = ch.Answers[0]
			}
		}
	}
	return out, nil
}

// hotSession is the hot path's ready session under mixed load. The
// server may forget it (sessions are bounded across tenants and the oldest
// goes first); it is then opened again, and counted.
type hotSession struct {
	fc       *flinksClient
	mu       sync.Mutex
	id       string
	reopened int
}

func (h *hotSession) current() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.id
}

// Reopened returns how many times the session had to be opened again.
func (h *hotSession) Reopened() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.reopened
}

// reopen opens a new session in place of stale, unless another worker
// already did. It returns the requests it sent.
func (h *hotSession) reopen(ctx context.Context, stale string) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.id != stale {
		return 0, nil
	}
	id, _, err := h.fc.readySession(ctx, hotCustomerID)
	if err != nil {
		return 3, fmt.Errorf("open the hot path session again after the server forgot it: %w", err)
	}
	h.id = id
	h.reopened++
	return 3, nil
}

// revive polls the session once and opens it again if the server forgot
// it: the session was idle while other phases ran, and a bound that
// forgets the least recently used session may well have taken it. It
// reports whether it had to, and the requests it sent.
func (h *hotSession) revive(ctx context.Context) (forgotten bool, n int, err error) {
	id := h.current()
	_, err = send(ctx, h.fc.hc, request{Method: http.MethodGet, URL: h.fc.url(hotCustomerID, "GetAccountsDetailAsync/"+id), Want: http.StatusOK})
	if !isNonexistent(err) {
		return false, 1, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.id, _, err = h.fc.readySession(ctx, hotCustomerID); err != nil {
		return true, 1, fmt.Errorf("open the hot path session again: %w", err)
	}
	return true, 4, nil
}

func isNonexistent(err error) bool {
	var se *statusError
	return errors.As(err, &se) && se.Status == http.StatusBadRequest && bytes.Contains(se.Body, []byte(`"SESSION_NONEXISTENT"`))
}

// unit polls the session, POST GetAccountsDetail or GET
// GetAccountsDetailAsync, and opens it again when the server answers
// SESSION_NONEXISTENT.
func (h *hotSession) unit(async bool) unit {
	return func(ctx context.Context, _, _ int) (int, error) {
		id := h.current()
		req := request{Method: http.MethodPost, URL: h.fc.url(hotCustomerID, "GetAccountsDetail"), Body: detailBody(id), Want: http.StatusOK}
		if async {
			req = request{Method: http.MethodGet, URL: h.fc.url(hotCustomerID, "GetAccountsDetailAsync/"+id), Want: http.StatusOK}
		}
		_, err := send(ctx, h.fc.hc, req)
		if isNonexistent(err) {
			n, err := h.reopen(ctx, id)
			return 1 + n, err
		}
		return 1, err
	}
}
