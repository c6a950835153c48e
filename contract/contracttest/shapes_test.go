package contracttest_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/contract"
	"github.com/flinks-mock/flinks-mock/contract/broken"
	"github.com/flinks-mock/flinks-mock/contract/contracttest"
	"github.com/flinks-mock/flinks-mock/contract/reference"
)

// The varied-shapes scenario: the reference client takes every legal
// shape, and a client that trusts an optional field crashes there and
// nowhere else.
var _ = Describe("the varied-shapes scenario", func() {
	name := contract.VariedShapes().Name

	It("passes the reference client, which reads only what Flinks always sends", func(ctx SpecContext) {
		res := contracttest.RunScenario(ctx, name, reference.Run)
		Expect(res.Err).NotTo(HaveOccurred())
		Expect(res.Passed()).To(BeTrue(), "report:\n%s\n%s", res.Report, res.OutcomeProblem)
	})

	for _, c := range broken.CrashCases() {
		It("crashes "+string(c.Flaw)+" in "+c.Scenario+", with every rule kept", func(ctx SpecContext) {
			res := contracttest.RunScenario(ctx, c.Scenario, broken.Run(c.Flaw))
			Expect(res.Err).To(MatchError(contract.ErrCrashed))
			Expect(res.Err.Error()).To(ContainSubstring("nil pointer dereference"))
			Expect(res.Report.FailedIDs()).To(BeEmpty())
			Expect(res.Passed()).To(BeFalse())
		})

		It("passes "+string(c.Flaw)+" in the sandbox's own shape (the mfa scenario, the same login)", func(ctx SpecContext) {
			res := contracttest.RunScenario(ctx, "mfa", broken.Run(c.Flaw))
			Expect(res.Err).NotTo(HaveOccurred())
			Expect(res.Passed()).To(BeTrue(), "report:\n%s", res.Report)
		})
	}
})
