package gotest_test

import (
	"context"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/contract"
	"github.com/flinks-mock/flinks-mock/contract/reference"
	"github.com/flinks-mock/flinks-mock/mockserver/mocktest"
	"github.com/flinks-mock/flinks-mock/openapi/toolbox"
)

func TestMyClientPollsUntilReady(t *testing.T) {
	srv := mocktest.NewServer(t) // 127.0.0.1, a random port, a virtual clock
	client := &reference.Client{ // your Flinks client, pointed at the mock
		Conn: reference.Conn{BaseURL: srv.BaseURL(), SecretKey: toolbox.SecretKey, APIKey: toolbox.APIKey},
		Sleep: func(ctx context.Context, d time.Duration) error {
			srv.Advance(d) // the client's waits move the virtual clock
			return nil
		},
	}

	login := reference.Request{LoginID: srv.Login("test_pending").LoginID, MostRecentCached: true}
	accounts, err := client.FetchAccounts(context.Background(), login)
	if err != nil || len(accounts.Accounts) == 0 {
		t.Fatalf("no accounts after the 202s: %v", err)
	}
	for _, e := range srv.Journal() { // what the client did
		t.Log(e.Endpoint, e.Status, e.RequestID)
	}
	report := contract.Check(srv.Journal(), contract.Options{RequireAPIKey: true})
	if !report.Passed() {
		t.Error(report) // ✓/✗ per rule, with the quoted requests
	}
}
