package contract

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

	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// ErrNoWebhooks is returned when the mock serves no webhook admin API.
var ErrNoWebhooks = errors.New("this flinks-mock sends no webhooks")

// Mock is a running flinks-mock, driven through its admin API.
type Mock struct {
	// URL is the server's root, e.g. http://127.0.0.1:8080.
	URL string
	// AdminToken is the bearer token of the admin API, if it needs one.
	AdminToken string
	// HTTP sends the admin requests (http.DefaultClient when nil).
	HTTP *http.Client
	// Subscribe, for a mock in process, calls fn with every entry recorded
	// for a customer from now on, as it is recorded, until cancel is
	// called (mockserver.Server.Subscribe). Nil follows the journal through
	// the admin API, and counts exactly what it could not read.
	Subscribe func(customerID string, fn func(journal.Entry)) (cancel func())
	// Now reads the server clock; nil reads it through the admin API.
	Now func(ctx context.Context) (time.Time, error)
}

func (m Mock) admin() *admin.Client { return admin.New(m.URL, m.AdminToken, m.HTTP) }

func (m Mock) now(ctx context.Context) (time.Time, error) {
	if m.Now != nil {
		return m.Now(ctx)
	}
	st, err := m.admin().Clock(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("read the server clock: %w", err)
	}
	return st.Now, nil
}

// adminCall sends a JSON request to the admin API and returns the status.
func (m Mock) adminCall(ctx context.Context, method, path string, body any) (int, []byte, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, m.URL+"/__admin/"+path, bytes.NewReader(raw))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if m.AdminToken != "" {
		req.Header.Set("Authorization", "Bearer "+m.AdminToken)
	}
	hc := m.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, out, nil
}

// SetWebhookTarget sends the webhooks of a customer to url only. It
// returns ErrNoWebhooks when the server has no webhook admin API.
func (m Mock) SetWebhookTarget(ctx context.Context, customerID, target string) error {
	return m.setWebhookTarget(ctx, customerID, target, "")
}

// setWebhookTarget sends the webhooks of a customer to url only, signed
// with secret when it is set.
func (m Mock) setWebhookTarget(ctx context.Context, customerID, target, secret string) error {
	tg := map[string]string{"url": target}
	if secret != "" {
		tg["secret"] = secret
	}
	status, body, err := m.adminCall(ctx, http.MethodPut, "webhooks/targets?customerId="+url.QueryEscape(customerID),
		map[string]any{"targets": []map[string]string{tg}})
	switch {
	case err != nil:
		return fmt.Errorf("set the webhook target of customer %s: %w", customerID, err)
	case status == http.StatusNotFound:
		return ErrNoWebhooks
	case status != http.StatusOK:
		return fmt.Errorf("set the webhook target of customer %s: the admin API answered %d: %s", customerID, status, bytes.TrimSpace(body))
	}
	return nil
}

// FireWebhook has the mock send the GetAccountsDetail webhook of a
// RequestId now, to the customer's target; it returns after the first
// attempt.
func (m Mock) FireWebhook(ctx context.Context, customerID, requestID string) error {
	status, body, err := m.adminCall(ctx, http.MethodPost, "webhooks/fire",
		map[string]string{"customerId": customerID, "requestId": requestID})
	switch {
	case err != nil:
		return fmt.Errorf("fire the webhook of RequestId %s: %w", requestID, err)
	case status == http.StatusNotFound && !strings.Contains(string(body), "session"):
		return ErrNoWebhooks
	case status != http.StatusOK:
		return fmt.Errorf("fire the webhook of RequestId %s: the admin API answered %d: %s", requestID, status, bytes.TrimSpace(body))
	}
	return nil
}
