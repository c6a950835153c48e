package contract_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/contract"
	"github.com/flinks-mock/flinks-mock/contract/reference"
	"github.com/flinks-mock/flinks-mock/mockserver/mocktest"
)

// runTampered runs the reference client in a scenario on an in-process
// mock, and hands its outcome to tamper before the harness judges it.
func runTampered(t *testing.T, scenario string, tamper func(*contract.Outcome)) contract.RunResult {
	t.Helper()
	srv := mocktest.NewServer(t)
	h := &contract.Harness{
		Mock: contract.Mock{
			URL:       srv.URL,
			Subscribe: srv.Mock.Subscribe,
			Now:       func(context.Context) (time.Time, error) { return srv.Clock.Now(), nil },
		},
		Library: srv.Mock.Library(),
		// Rendering the PDFs takes seconds under the race detector on a
		// loaded machine: a short request timeout would have the client
		// poll again, which FM004 judges.
		Options:    contract.Options{RequireAPIKey: true, RequestTimeout: time.Minute},
		CustomerID: func(contract.Scenario) string { return srv.CustomerID },
		Sleep: func(_ context.Context, d time.Duration) error {
			srv.Advance(d)
			return nil
		},
		Now: srv.Clock.Now,
	}
	sc, err := contract.ScenarioByName(scenario)
	if err != nil {
		t.Fatal(err)
	}
	return h.Run(context.Background(), sc, func(ctx context.Context, target contract.Target) (contract.Outcome, error) {
		out, err := reference.Run(ctx, target)
		tamper(&out)
		return out, err
	})
}

// The outcome of the statements and delete-card scenarios is judged
// against the login and the journal: a client that misreads a PDF, leaves
// a statement out or says it deleted a card it did not fails.
func TestTheStatementsAndCardDeletionAreJudged(t *testing.T) {
	for _, tc := range []struct {
		name, scenario string
		tamper         func(*contract.Outcome)
		problem        string // "" passes
	}{
		{"statements read right", "statements", func(*contract.Outcome) {}, ""},
		{"a statement left out", "statements", func(o *contract.Outcome) { o.Statements = o.Statements[1:] }, "is missing"},
		{"a period misread", "statements", func(o *contract.Outcome) { o.Statements[0].Period = "2020-01-01 to 2020-01-31" }, "is not one of the login's"},
		{"the JSON's number taken for the PDF's", "statements", func(o *contract.Outcome) { o.Statements[0].AccountNumber += "0" }, "is not one of the login's"},
		{"no statements", "statements", func(o *contract.Outcome) { o.Statements = nil }, "is missing"},
		{"the card deleted", "delete-card", func(*contract.Outcome) {}, ""},
		{"the deletion not reported", "delete-card", func(o *contract.Outcome) { o.DeletedCard = "" }, "calls for the card of LoginId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := runTampered(t, tc.scenario, tc.tamper)
			if res.Err != nil || !res.Report.Passed() {
				t.Fatalf("the run failed: %v\n%s", res.Err, res.Report)
			}
			switch {
			case tc.problem == "" && res.OutcomeProblem != "":
				t.Errorf("outcome problem %q, want none", res.OutcomeProblem)
			case tc.problem != "" && !strings.Contains(res.OutcomeProblem, tc.problem):
				t.Errorf("outcome problem %q, want one with %q", res.OutcomeProblem, tc.problem)
			}
		})
	}
}

// A client that says it deleted the card without a /DeleteCard answered
// 200 in the journal fails the outcome.
func TestACardDeletionIsCheckedInTheJournal(t *testing.T) {
	srv := mocktest.NewServer(t)
	sc, _ := contract.ScenarioByName("delete-card")
	login := srv.Login(sc.Login)
	h := &contract.Harness{
		Mock:       contract.Mock{URL: srv.URL, Subscribe: srv.Mock.Subscribe, Now: func(context.Context) (time.Time, error) { return srv.Clock.Now(), nil }},
		Library:    srv.Mock.Library(),
		CustomerID: func(contract.Scenario) string { return srv.CustomerID },
	}
	res := h.Run(context.Background(), sc, func(ctx context.Context, target contract.Target) (contract.Outcome, error) {
		target.DeleteCard = false // fetches the accounts only
		out, err := reference.Run(ctx, target)
		out.DeletedCard = login.LoginID
		return out, err
	})
	if !strings.Contains(res.OutcomeProblem, "no /DeleteCard of it was answered 200") {
		t.Errorf("outcome problem %q", res.OutcomeProblem)
	}
}
