package gotest_test

import (
	"context"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/contract"
	"github.com/flinks-mock/flinks-mock/contract/contracttest"
	"github.com/flinks-mock/flinks-mock/contract/reference"
)

func TestSuite(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "our Flinks client")
}

var _ = contracttest.DescribeIntegration("our Flinks client", func(ctx context.Context, t contract.Target) (contract.Outcome, error) {
	c := reference.NewClient(t) // yours: t.BaseURL, t.SecretKey, t.APIKey, t.Sleep, t.Now, t.MFAAnswers
	accounts, err := c.FetchAccounts(ctx, reference.Request{LoginID: t.LoginID, MostRecentCached: t.MostRecentCached})
	return reference.OutcomeOf(accounts, err)
})
