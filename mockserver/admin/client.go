// Package admin is a typed Go client of flinks-mock's admin API, for tests
// that script a running mock: an in-process one from mocktest, or a sidecar
// in CI. It is also the one owner of the admin API's wire types: the
// server encodes its answers and decodes its requests with the types of
// this package, so the two cannot drift. The API itself is described in
// openapi/admin.yaml, served at /__admin/openapi.yaml.
package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// Client calls the admin API of one flinks-mock server.
type Client struct {
	base  string
	token string
	http  *http.Client
}

// New returns a client of the server at baseURL (e.g.
// "http://127.0.0.1:8080"). token is the admin token, empty when the server
// needs none; httpClient may be nil for http.DefaultClient.
func New(baseURL, token string, httpClient *http.Client) *Client {
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	return &Client{base: strings.TrimRight(baseURL, "/"), token: token, http: httpClient}
}

// Error is an error answer of the admin API.
type Error struct {
	Status     int
	FlinksCode string
	Message    string
	// Problems lists the problems of a rejected scenario file.
	Problems []Problem
}

// Problem is one problem of a scenario file.
type Problem struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

// Error says what the admin API answered.
func (e *Error) Error() string {
	return fmt.Sprintf("flinks-mock admin API: %d %s: %s", e.Status, e.FlinksCode, e.Message)
}

// do sends a request and decodes a 200 answer into out (when not nil; a
// *[]byte gets the body as it came).
func (c *Client) do(ctx context.Context, method, path string, query url.Values, contentType string, body []byte, out any) error {
	u := c.base + "/__admin/" + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("flinks-mock admin API: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("flinks-mock admin API: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("flinks-mock admin API: read the answer to %s %s: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		var env struct {
			FlinksCode        string
			Message           string
			ValidationDetails struct {
				Problems []Problem `json:"problems"`
			}
		}
		if json.Unmarshal(raw, &env) != nil || env.Message == "" {
			env.Message = strings.TrimSpace(string(raw))
		}
		return &Error{Status: resp.StatusCode, FlinksCode: env.FlinksCode, Message: env.Message, Problems: env.ValidationDetails.Problems}
	}
	if out == nil {
		return nil
	}
	if b, ok := out.(*[]byte); ok {
		*b = raw // a body that is not JSON, kept as it came
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("flinks-mock admin API: decode the answer to %s %s: %w", method, path, err)
	}
	return nil
}

func customer(id string) url.Values {
	if id == "" {
		return nil
	}
	return url.Values{"customerId": {id}}
}

// Document returns the OpenAPI document of the admin API, as YAML (GET
// /__admin/openapi.yaml): what every method of the client calls.
func (c *Client) Document(ctx context.Context) ([]byte, error) {
	var raw []byte
	if err := c.do(ctx, http.MethodGet, "openapi.yaml", nil, "", nil, &raw); err != nil {
		return nil, err
	}
	return raw, nil
}

// HealthStatus is the answer of GET /__admin/health.
type HealthStatus struct {
	Status string `json:"status"`
}

// Health returns nil when the server answers its health check.
func (c *Client) Health(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "health", nil, "", nil, nil)
}

// JournalFilter selects journal entries; zero fields select everything.
type JournalFilter struct {
	CustomerID string
	RequestID  string
	LoginID    string
	Endpoint   string
	// Kind is journal.KindRequest or journal.KindWebhook.
	Kind string
	// AfterSeq keeps entries with a larger Seq (to read only what is new).
	AfterSeq uint64
	// Since keeps entries at or after this time on the server clock.
	Since time.Time
	// Limit keeps only the newest entries.
	Limit int
}

// JournalPage is what the journal holds for a filter.
type JournalPage struct {
	Entries []journal.Entry `json:"entries"`
	// Dropped counts the entries the bounded journal let go.
	Dropped uint64 `json:"dropped"`
	// Total counts every entry the journal was given (held or dropped, of
	// any filter) up to the moment Entries were read: a reader that follows
	// the journal with AfterSeq compares it with what it has read to know
	// exactly how many entries it missed.
	Total uint64 `json:"total"`
}

// Journal returns the entries the filter selects, oldest first.
func (c *Client) Journal(ctx context.Context, f JournalFilter) (*JournalPage, error) {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("customerId", f.CustomerID)
	set("requestId", f.RequestID)
	set("loginId", f.LoginID)
	set("endpoint", f.Endpoint)
	set("kind", f.Kind)
	if f.AfterSeq > 0 {
		q.Set("since", strconv.FormatUint(f.AfterSeq, 10))
	} else if !f.Since.IsZero() {
		q.Set("since", f.Since.Format(time.RFC3339Nano))
	}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	var page JournalPage
	if err := c.do(ctx, http.MethodGet, "journal", q, "", nil, &page); err != nil {
		return nil, err
	}
	return &page, nil
}

// JournalCleared is the answer of DELETE /__admin/journal.
type JournalCleared struct {
	Cleared int `json:"cleared"`
}

// ClearJournal empties the journal of one customer (every journal when
// customerID is empty) and returns how many entries went.
func (c *Client) ClearJournal(ctx context.Context, customerID string) (int, error) {
	var out JournalCleared
	err := c.do(ctx, http.MethodDelete, "journal", customer(customerID), "", nil, &out)
	return out.Cleared, err
}

// ClockState is the server clock.
type ClockState struct {
	// Mode is "real" or "virtual".
	Mode string    `json:"mode"`
	Now  time.Time `json:"now"`
}

// ClockAdvance is the body of POST /__admin/clock/advance: a Go duration.
type ClockAdvance struct {
	By string `json:"by"`
}

// ClockSet is the body of POST /__admin/clock/set.
type ClockSet struct {
	Now time.Time `json:"now"`
}

// Clock returns the server clock.
func (c *Client) Clock(ctx context.Context) (ClockState, error) {
	var out ClockState
	err := c.do(ctx, http.MethodGet, "clock", nil, "", nil, &out)
	return out, err
}

// Advance moves a virtual clock forward; what falls due on the way (token
// and session expiry, timed 202 steps, webhook attempts) happens before it
// returns.
func (c *Client) Advance(ctx context.Context, d time.Duration) (ClockState, error) {
	body, _ := json.Marshal(ClockAdvance{By: d.String()})
	var out ClockState
	err := c.do(ctx, http.MethodPost, "clock/advance", nil, "application/json", body, &out)
	return out, err
}

// SetClock moves a virtual clock to t, which must not be in its past.
func (c *Client) SetClock(ctx context.Context, t time.Time) (ClockState, error) {
	body, _ := json.Marshal(ClockSet{Now: t})
	var out ClockState
	err := c.do(ctx, http.MethodPost, "clock/set", nil, "application/json", body, &out)
	return out, err
}

// Login is a login as the admin API lists it.
type Login struct {
	Name          string   `json:"name"`
	Description   string   `json:"description,omitempty"`
	Username      string   `json:"username"`
	Password      string   `json:"password"`
	LoginID       string   `json:"loginId"`
	Institution   string   `json:"institution"`
	TokenRequired bool     `json:"tokenRequired"`
	MFA           string   `json:"mfa,omitempty"`
	Prompts       []string `json:"prompts,omitempty"`
	Source        string   `json:"source"`
	// Convention is the form of convention username the login is an
	// example of (Source "convention"), e.g. "pending_<n>".
	Convention string `json:"convention,omitempty"`
}

// Scenarios lists the logins a customer sees (the server's when
// customerID is empty).
func (c *Client) Scenarios(ctx context.Context, customerID string) ([]Login, error) {
	var out []Login
	err := c.do(ctx, http.MethodGet, "scenarios", customer(customerID), "", nil, &out)
	return out, err
}

// ScenariosChange says which logins a call added, replaced or removed.
type ScenariosChange struct {
	CustomerID string   `json:"customerId"`
	Added      []string `json:"added,omitempty"`
	Replaced   []string `json:"replaced,omitempty"`
	Removed    []string `json:"removed,omitempty"`
}

// ScenariosAdded is the answer of POST /__admin/scenarios: both lists are
// always sent.
type ScenariosAdded struct {
	CustomerID string   `json:"customerId"`
	Added      []string `json:"added"`
	Replaced   []string `json:"replaced"`
}

// ScenariosRemoved is the answer of DELETE /__admin/scenarios.
type ScenariosRemoved struct {
	CustomerID string   `json:"customerId"`
	Removed    []string `json:"removed"`
}

// AddScenarios adds or replaces logins for one customer, from a scenario
// file in YAML or JSON. A rejected file gives an *Error whose Problems
// locate each problem.
func (c *Client) AddScenarios(ctx context.Context, customerID string, file []byte) (ScenariosChange, error) {
	var out ScenariosAdded
	err := c.do(ctx, http.MethodPost, "scenarios", url.Values{"customerId": {customerID}}, "application/yaml", file, &out)
	return ScenariosChange{CustomerID: out.CustomerID, Added: out.Added, Replaced: out.Replaced}, err
}

// RemoveScenarios removes a login added at run time, or every one when
// name is empty.
func (c *Client) RemoveScenarios(ctx context.Context, customerID, name string) (ScenariosChange, error) {
	q := url.Values{"customerId": {customerID}}
	if name != "" {
		q.Set("name", name)
	}
	var out ScenariosRemoved
	err := c.do(ctx, http.MethodDelete, "scenarios", q, "", nil, &out)
	return ScenariosChange{CustomerID: out.CustomerID, Removed: out.Removed}, err
}

// ResetList is the answer of POST /__admin/reset.
type ResetList struct {
	Reset []string `json:"reset"`
}

// Reset returns one customer (every one when customerID is empty) to the
// loaded state: no tokens, sessions, journal or run-time scenarios.
func (c *Client) Reset(ctx context.Context, customerID string) ([]string, error) {
	var out ResetList
	err := c.do(ctx, http.MethodPost, "reset", customer(customerID), "", nil, &out)
	return out.Reset, err
}
