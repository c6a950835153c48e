package reference

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// Webhooks receives Flinks webhooks: it answers every POST 200 at once
// (duplicates too, as Flinks resends anything else) and keeps the first
// GetAccountsDetail payload of each RequestId for Wait. With a Secret, a
// webhook whose signature does not match is answered 401 and dropped.
type Webhooks struct {
	// Secret is the webhook secret Flinks signs with; empty takes every
	// webhook, as an instance without HMAC does.
	Secret string

	mu    sync.Mutex
	data  map[string][]Account
	ready map[string]chan struct{}
}

// NewWebhooks returns a receiver with nothing received.
func NewWebhooks() *Webhooks {
	return &Webhooks{data: map[string][]Account{}, ready: map[string]chan struct{}{}}
}

// ServeHTTP answers a webhook 200 and keeps its data.
func (h *Webhooks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "webhooks are POSTed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err == nil && h.Secret != "" && !ValidSignature(h.Secret, body, r.Header.Get("flinks-authenticity-key")) {
		http.Error(w, "the flinks-authenticity-key does not match the body", http.StatusUnauthorized)
		return
	}
	// Answer first: a payload this client cannot use is still delivered,
	// and a second attempt would not change it.
	w.WriteHeader(http.StatusOK)
	if err != nil {
		return
	}
	var p struct {
		ResponseType string
		RequestId    string
		Accounts     []Account
	}
	if json.Unmarshal(body, &p) != nil || p.ResponseType != "GetAccountsDetail" || p.RequestId == "" {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, dup := h.data[p.RequestId]; dup {
		return
	}
	h.data[p.RequestId] = p.Accounts
	close(h.chanLocked(p.RequestId))
}

func (h *Webhooks) chanLocked(requestID string) chan struct{} {
	ch := h.ready[requestID]
	if ch == nil {
		ch = make(chan struct{})
		h.ready[requestID] = ch
	}
	return ch
}

// Wait returns the accounts of the GetAccountsDetail webhook of a
// RequestId once it came, or ctx's error.
func (h *Webhooks) Wait(ctx context.Context, requestID string) ([]Account, error) {
	h.mu.Lock()
	ch := h.chanLocked(requestID)
	h.mu.Unlock()
	select {
	case <-ch:
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.data[requestID], nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// FetchAccountsByWebhook authorizes the login and asks for its accounts
// like FetchAccounts, but instead of polling after a 202 it waits for the
// GetAccountsDetail webhook that hooks receives, up to Timeout of real
// time.
func (c *Client) FetchAccountsByWebhook(ctx context.Context, req Request, hooks *Webhooks) (*Accounts, error) {
	requestID, err := c.Authorize(ctx, req)
	if err != nil {
		return nil, err
	}
	a, err := c.retrying(ctx, func() (*Answer, error) { return c.Conn.GetAccountsDetail(ctx, requestID) })
	if err != nil {
		return nil, err
	}
	if a.Status == http.StatusOK {
		return &Accounts{RequestID: requestID, Accounts: a.Accounts}, nil
	}
	wctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	accounts, err := hooks.Wait(wctx, requestID)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("RequestId %s: no webhook after %s: %w", requestID, c.timeout(), ErrTimeout)
	}
	return &Accounts{RequestID: requestID, Accounts: accounts}, nil
}

// ValidSignature reports whether signature (the flinks-authenticity-key
// header) is the Base64 HMAC-SHA256 of body under secret, comparing in
// constant time.
func ValidSignature(secret string, body []byte, signature string) bool {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(signature))
}
