package flinksapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/tenancy"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// AccessTokenLifetime is how long an OAuth access token of /Token lasts
// on the server clock: expires_in, in seconds. The real value was not
// seen; 299 is that of Flinks' other OAuth tokens.
const AccessTokenLifetime = 299 * time.Second

// tokenRequest is the body of /Token.
type tokenRequest struct {
	ClientID string `json:"client_id"`
	Secret   string `json:"secret"`
}

// accessToken is the 200 of /Token, in OAuth's snake_case.
type accessToken struct {
	HttpStatusCode int    `json:"HttpStatusCode"`
	AccessToken    string `json:"access_token"`
	TokenType      string `json:"token_type"`
	ExpiresIn      int    `json:"expires_in"`
}

// Token exchanges a client_id and secret for an OAuth access token, sent
// afterwards as "Authorization: Bearer" instead of x-api-key. The secret
// must be the server's secret key when one is set; any other works
// otherwise.
func (a *API) Token(w http.ResponseWriter, r *http.Request) {
	t, lib := a.enter(w, r, "Token")
	if t == nil {
		return
	}
	var req tokenRequest
	if err := json.Unmarshal(exchange.Body(r), &req); err != nil {
		exchange.WriteError(w, r, exchange.Code(r, "INVALID_REQUEST", "Request body: "+exchange.JSONProblem(err), ""))
		return
	}
	if req.ClientID == "" || req.Secret == "" || (a.cfg.SecretKey != "" && req.Secret != a.cfg.SecretKey) {
		exchange.WriteError(w, r, exchange.Code(r, lib.Settings.InvalidTokenCode, "client_id and secret must be your client id and API secret", ""))
		return
	}
	exchange.WriteJSON(w, http.StatusOK, accessToken{
		HttpStatusCode: http.StatusOK,
		AccessToken:    t.IssueAccessToken(a.clock.Now(), AccessTokenLifetime),
		TokenType:      "Bearer",
		ExpiresIn:      int(AccessTokenLifetime / time.Second),
	})
}

// credentialsOK checks the credentials of a data endpoint and answers a
// request without valid ones: an "Authorization: Bearer" access token of
// /Token, when sent, must be live; otherwise the x-api-key must be the
// server's when it requires one.
func (a *API) credentialsOK(w http.ResponseWriter, r *http.Request, t *tenancy.Tenant, lib *scenarios.Library) bool {
	if auth := r.Header.Get("Authorization"); auth != "" {
		scheme, tok, _ := strings.Cut(auth, " ")
		if strings.EqualFold(scheme, "Bearer") && t.AccessTokenValid(strings.TrimSpace(tok), a.clock.Now()) {
			return true
		}
		exchange.WriteError(w, r, exchange.Code(r, lib.Settings.InvalidTokenCode, "The Bearer token is unknown or expired; ask /Token for a new one", ""))
		return false
	}
	if a.cfg.APIKey == "" || r.Header.Get("x-api-key") == a.cfg.APIKey {
		return true
	}
	exchange.WriteError(w, r, exchange.Code(r, lib.Settings.InvalidTokenCode, "You must provide a valid x-api-key", ""))
	return false
}
