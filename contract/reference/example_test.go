package reference_test

import (
	"context"
	"fmt"
	"time"

	"github.com/flinks-mock/flinks-mock/contract"
	"github.com/flinks-mock/flinks-mock/contract/reference"
	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/mocktest"
)

// exampleT stands in for the *testing.T an Example does not have.
type exampleT struct{ cleanups []func() }

func (t *exampleT) Helper()                   {}
func (t *exampleT) Cleanup(f func())          { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Fatalf(f string, a ...any) { panic(fmt.Sprintf(f, a...)) }
func (t *exampleT) done() {
	for _, f := range t.cleanups {
		f()
	}
}

// The reference client fetches a login whose data takes three 202s: it
// polls the Async endpoint every 10 seconds of the mock's virtual clock,
// which its Sleep moves, and the journal shows it followed every rule.
func ExampleClient_FetchAccounts() {
	t := &exampleT{}
	defer t.done()
	srv := mocktest.NewServer(t)

	c := &reference.Client{
		Conn: reference.Conn{BaseURL: srv.BaseURL(), SecretKey: mockserver.ToolboxSecretKey, APIKey: contract.ToolboxAPIKey},
		Sleep: func(_ context.Context, d time.Duration) error {
			srv.Advance(d)
			return nil
		},
		Now: srv.Clock.Now,
	}
	res, err := c.FetchAccounts(context.Background(), reference.Request{LoginID: srv.Login("test_pending").LoginID, MostRecentCached: true})
	if err != nil {
		panic(err)
	}
	fmt.Println(len(res.Accounts), "accounts")
	for _, e := range srv.Journal() {
		fmt.Println(e.Time.Sub(mocktest.Start), e.Endpoint, e.Status)
	}
	fmt.Println(contract.Check(srv.Journal(), contract.Options{RequireAPIKey: true}).Passed())
	// Output:
	// 3 accounts
	// 0s GenerateAuthorizeToken 200
	// 0s Authorize 200
	// 0s GetAccountsDetail 202
	// 0s GetAccountsDetailAsync 202
	// 10s GetAccountsDetailAsync 202
	// 20s GetAccountsDetailAsync 200
	// true
}

// A 203 is answered from AnswerMFA with the RequestId of the 203, in one
// call, with a fresh token.
func ExampleAnswersFrom() {
	t := &exampleT{}
	defer t.done()
	srv := mocktest.NewServer(t)
	c := &reference.Client{
		Conn:      reference.Conn{BaseURL: srv.BaseURL(), SecretKey: mockserver.ToolboxSecretKey},
		AnswerMFA: reference.AnswersFrom(map[string][]string{"What is the best country on earth?": {"Canada"}}),
	}
	_, err := c.Authorize(context.Background(), reference.Request{LoginID: srv.Login("mock_mfa_always").LoginID, MostRecentCached: true})
	fmt.Println(err)
	for _, e := range srv.Journal() {
		if e.Endpoint == "Authorize" {
			fmt.Println(e.Mode, e.Token, e.Status)
		}
	}
	// Output:
	// <nil>
	// cached fresh 203
	// mfa-answer fresh 200
}
