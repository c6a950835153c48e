package gotest_test

import (
	"context"
	"os"
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
	c := reference.NewClient(t)        // yours: t.BaseURL, t.SecretKey, t.APIKey, t.Sleep, t.Now, t.MFAAnswers
	req, err := reference.RequestOf(t) // t.LoginID, or the credentials while the login is not linked yet
	if err != nil {
		return contract.Outcome{}, err
	}
	accounts, err := c.FetchAccounts(ctx, req)
	if err == nil && t.LoginStore != "" {
		err = os.WriteFile(t.LoginStore, []byte(accounts.LoginID), 0o600) // the LoginId, for the next fetch
	}
	return reference.OutcomeOf(accounts, err)
})
