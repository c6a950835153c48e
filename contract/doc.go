// Package contract judges a Flinks integration by the rules of the Flinks
// guide, reading what a flinks-mock server recorded about it.
//
// The rules are plain Go functions over one customer's journal
// ([]journal.Entry): each has a stable id (FM001-single-use-token, ...), a
// one-line statement, the sentence of the guide it comes from, and failure
// messages that quote the offending requests. Check runs them all:
//
//	report := contract.Check(srv.Journal(), contract.Options{RequireAPIKey: true})
//	if !report.Passed() {
//		t.Error(report)
//	}
//
// Beside the rules it holds a catalogue of scenarios over the default
// logins with the outcome each calls for (Scenarios), the Target an
// integration is given for a run and the Outcome it reports, and a Harness
// that runs an integration in a scenario on a customer of its own and
// judges the run, with text and JUnit renderings. The flinks-mock verify
// command applies it to integrations written in any language; package
// contracttest brings it to Ginkgo and Gomega (matchers that read like the
// rules, and DescribeIntegration, a ready suite for a Go client);
// contract/reference is a client that follows the guide and contract/broken
// clients that each break one rule. docs/contract-rules.md describes every
// rule.
package contract
