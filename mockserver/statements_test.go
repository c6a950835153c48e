package mockserver_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/ledongthuc/pdf"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// statementText reads a statement PDF with a PDF reader and returns the
// text of its cells in reading order, each between " | ", so that a row
// of the statement is a substring: " | 2026-08-01 | PAYROLL | 3433.00 | ".
func statementText(b64 string) string {
	GinkgoHelper()
	raw, err := base64.StdEncoding.DecodeString(b64)
	Expect(err).NotTo(HaveOccurred())
	Expect(raw).To(HavePrefix("%PDF-"))
	r, err := pdf.NewReader(bytes.NewReader(raw), int64(len(raw)))
	Expect(err).NotTo(HaveOccurred())
	var cells []string
	for i := 1; i <= r.NumPage(); i++ {
		rows, err := r.Page(i).GetTextByRow()
		Expect(err).NotTo(HaveOccurred())
		for _, row := range rows {
			for _, t := range row.Content {
				if t.S != "" {
					cells = append(cells, t.S)
				}
			}
		}
	}
	return " | " + strings.Join(cells, " | ") + " | "
}

// libraryWith is the default library plus one scenario file.
func libraryWith(name, yaml string) *scenarios.Library {
	GinkgoHelper()
	sources, err := scenarios.DefaultSources()
	Expect(err).NotTo(HaveOccurred())
	src, err := scenarios.Parse(name, []byte(yaml))
	Expect(err).NotTo(HaveOccurred())
	lib, err := scenarios.Build(start, append(sources, src)...)
	Expect(err).NotTo(HaveOccurred())
	return lib
}

var _ = Describe("GetStatements", func() {
	var (
		f   *fixture
		rid string
	)
	BeforeEach(func() {
		f = newFixture(mockserver.Config{})
		rid = f.authorized("greatday_nomfa")
	})

	statements := func(body map[string]any) answer {
		GinkgoHelper()
		body["RequestId"] = rid
		a := f.call("POST", "GetStatements", nil, body)
		Expect(a.Status).To(Equal(200), string(a.Raw))
		return a
	}

	It("answers one entry per account, keyed by AccountNumber, in the key order of the real capture", func() {
		a := statements(map[string]any{})
		Expect(string(a.Raw)).To(MatchRegexp(`^\{"HttpStatusCode":200,"StatementsByAccount":\[.*\],"InstitutionName":"FlinksCapital","Login":\{.*\},"InstitutionId":14,"Institution":"FlinksCapital","RequestId":"` + rid + `"\}$`))
		Expect(a.Body).NotTo(HaveKey("Links"))
		detail := f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid}).Body["Accounts"].([]any)
		byAccount := a.Body["StatementsByAccount"].([]any)
		Expect(byAccount).To(HaveLen(len(detail)))
		for i, acc := range detail {
			Expect(byAccount[i]).To(HaveKeyWithValue("AccountNumber", acc.(map[string]any)["AccountNumber"]))
		}
	})

	It("sends 1, 3 or 12 monthly PDFs per account for MostRecent (the default), Months3 and Months12", func() {
		for n, months := range map[string]int{"": 1, "MostRecent": 1, "Months3": 3, "Months12": 12} {
			body := map[string]any{}
			if n != "" {
				body["NumberOfStatements"] = n
			}
			for _, acc := range statements(body).Body["StatementsByAccount"].([]any) {
				list := acc.(map[string]any)["Statements"].([]any)
				Expect(list).To(HaveLen(months), n)
				for _, s := range list {
					Expect(s).To(HaveKeyWithValue("FileType", "PDF"))
					Expect(s).To(HaveKeyWithValue("UniqueId", MatchRegexp(`^[0-9A-F]{32}$`)))
				}
			}
		}
	})

	It("keeps only the accounts of AccountsFilter", func() {
		detail := f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid}).Body["Accounts"].([]any)
		second := detail[1].(map[string]any)
		only := statements(map[string]any{"AccountsFilter": []any{second["Id"]}}).Body["StatementsByAccount"].([]any)
		Expect(only).To(HaveLen(1))
		Expect(only[0]).To(HaveKeyWithValue("AccountNumber", second["AccountNumber"]))
	})

	It("writes PDFs whose text agrees with the account's transactions and balances", func() {
		detail := f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid, "DaysOfTransactions": "Days365"}).Body["Accounts"].([]any)
		acc := detail[0].(map[string]any)
		txs := acc["Transactions"].([]any)
		newest, err := time.Parse(time.DateOnly, txs[0].(map[string]any)["Date"].(string))
		Expect(err).NotTo(HaveOccurred())
		// The three months before the month of the newest transaction.
		first := time.Date(newest.Year(), newest.Month(), 1, 0, 0, 0, 0, time.UTC)
		list := statements(map[string]any{"NumberOfStatements": "Months3", "AccountsFilter": []any{acc["Id"]}}).
			Body["StatementsByAccount"].([]any)[0].(map[string]any)["Statements"].([]any)
		for i, s := range list {
			from := first.AddDate(0, i-3, 0)
			month := from.Format("2006-01")
			var debits, credits float64
			var rows []string
			closing := ""
			for j := len(txs) - 1; j >= 0; j-- { // oldest first, as the statement lists them
				tx := txs[j].(map[string]any)
				if !strings.HasPrefix(tx["Date"].(string), month) {
					continue
				}
				row := tx["Date"].(string) + " | " + tx["Description"].(string)
				if d, ok := tx["Debit"].(float64); ok {
					debits += d
					row += fmt.Sprintf(" | %.2f", d)
				}
				if c, ok := tx["Credit"].(float64); ok {
					credits += c
					row += fmt.Sprintf(" | %.2f", c)
				}
				closing = fmt.Sprintf("%.2f", tx["Balance"].(float64))
				rows = append(rows, row+" | "+closing)
			}
			Expect(rows).NotTo(BeEmpty(), "the generated account has transactions in %s", month)
			text := statementText(s.(map[string]any)["Base64Bytes"].(string))
			cell := func(parts ...string) string { return " | " + strings.Join(parts, " | ") + " | " }
			Expect(text).To(ContainSubstring(cell("Account number", acc["AccountNumber"].(string))), month)
			Expect(text).To(ContainSubstring(cell("Period", from.Format(time.DateOnly)+" to "+from.AddDate(0, 1, -1).Format(time.DateOnly))), month)
			Expect(text).To(ContainSubstring(cell("Total debits", fmt.Sprintf("%.2f", debits))), month)
			Expect(text).To(ContainSubstring(cell("Total credits", fmt.Sprintf("%.2f", credits))), month)
			Expect(text).To(ContainSubstring(cell("Closing balance", closing)), month)
			Expect(text).To(ContainSubstring(cell("Transactions", fmt.Sprint(len(rows)))), month)
			for _, row := range rows {
				Expect(text).To(ContainSubstring(" | "+row+" | "), month)
			}
		}
	})

	It("builds the same PDF bytes on another server for the same pinned date and seed", func() {
		a := statements(map[string]any{"NumberOfStatements": "Months3"})
		g := newFixture(mockserver.Config{})
		b := g.authorize(map[string]any{"LoginId": login("greatday_nomfa").LoginID, "MostRecentCached": true})
		other := g.call("POST", "GetStatements", nil, map[string]any{"RequestId": b.Body["RequestId"], "NumberOfStatements": "Months3"})
		Expect(other.Body["StatementsByAccount"]).To(Equal(a.Body["StatementsByAccount"]))
	})

	It("answers the same 200 to the Async poll once ready, by GET and by POST", func() {
		first := statements(map[string]any{})
		Expect(f.call("GET", "GetStatementsAsync/"+rid, nil, nil).Raw).To(Equal(first.Raw))
		Expect(f.call("POST", "GetStatementsAsync/"+rid, nil, nil).Raw).To(Equal(first.Raw))
	})

	It("refuses an unknown NumberOfStatements", func() {
		a := f.call("POST", "GetStatements", nil, map[string]any{"RequestId": rid, "NumberOfStatements": "Months6"})
		Expect(a.Status).To(BeNumerically(">=", 400))
		Expect(a.Body).To(HaveKeyWithValue("FlinksCode", "INVALID_REQUEST"))
	})

	It("answers SESSION_NONEXISTENT for an unknown RequestId", func() {
		a := f.call("POST", "GetStatements", nil, map[string]any{"RequestId": "fd4e2952-95a8-46a3-b44c-84daf099ce13"})
		Expect(a).To(haveFlinksError(400, "SESSION_NONEXISTENT"))
	})

	It("answers UNAUTHORIZED before /Authorize answered 200", func() {
		mfa := f.authorize(map[string]any{"LoginId": login("greatday").LoginID, "MostRecentCached": false})
		Expect(mfa.Status).To(Equal(203))
		a := f.call("POST", "GetStatements", nil, map[string]any{"RequestId": mfa.Body["RequestId"]})
		Expect(a).To(haveFlinksError(401, "UNAUTHORIZED"))
		Expect(a.Body["Message"]).To(ContainSubstring("/GetStatements was called before /Authorize"))
	})

	It("refuses a poll before the request", func() {
		a := f.call("GET", "GetStatementsAsync/"+rid, nil, nil)
		Expect(a.Body).To(HaveKeyWithValue("FlinksCode", "INVALID_REQUEST"))
		Expect(a.Body["Message"]).To(ContainSubstring("call /GetStatements for this RequestId first"))
	})

	It("is journalled", func() {
		statements(map[string]any{})
		Eventually(func() []string {
			var names []string
			for _, e := range f.Server.Journal(f.Customer) {
				names = append(names, e.Endpoint)
			}
			return names
		}).Should(ContainElement("GetStatements"))
	})

	Context("when the login's statements steps say pending, then an error", func() {
		It("answers 202 until ready, then 200; and a scripted error", func() {
			lib := libraryWith("statements.yaml", `logins:
  - name: slow_statements
    username: slow_statements
    loginId: 5b0d3c1e-8c2f-4b7a-9e61-2f4a7c9d0e11
    tokenRequired: false
    generate: {seed: 7, chequing: 1}
    statements:
      - respond: pending
        calls: 2
      - respond: ready
  - name: failing_statements
    username: failing_statements
    loginId: 6c1e4d2f-9d3a-4c8b-8f72-3a5b8d0e1f22
    tokenRequired: false
    generate: {seed: 8, chequing: 1}
    statements:
      - respond: error
        flinksCode: RETRY_LATER
`)
			g := newFixture(mockserver.Config{Library: lib})
			rid := g.call("POST", "Authorize", nil, map[string]any{"LoginId": "5b0d3c1e-8c2f-4b7a-9e61-2f4a7c9d0e11", "MostRecentCached": true}).Body["RequestId"]
			first := g.call("POST", "GetStatements", nil, map[string]any{"RequestId": rid})
			Expect(first.Status).To(Equal(202))
			Expect(first.Body).To(HaveKeyWithValue("FlinksCode", "OPERATION_PENDING"))
			Expect(g.call("GET", fmt.Sprintf("GetStatementsAsync/%s", rid), nil, nil).Status).To(Equal(202))
			ready := g.call("GET", fmt.Sprintf("GetStatementsAsync/%s", rid), nil, nil)
			Expect(ready.Status).To(Equal(200))
			Expect(ready.Body["StatementsByAccount"]).To(HaveLen(1))

			rid = g.call("POST", "Authorize", nil, map[string]any{"LoginId": "6c1e4d2f-9d3a-4c8b-8f72-3a5b8d0e1f22", "MostRecentCached": true}).Body["RequestId"]
			Expect(g.call("POST", "GetStatements", nil, map[string]any{"RequestId": rid}).Body).To(HaveKeyWithValue("FlinksCode", "RETRY_LATER"))
		})
	})
})

var _ = Describe("The statements_<n> convention username", func() {
	It("makes GetStatements answer 202 n times, then 200", func() {
		f := newFixture(mockserver.Config{})
		a := f.authorize(map[string]any{"Username": "statements_2", "Password": "Everyday", "Institution": "FlinksCapital"})
		Expect(a.Status).To(Equal(200), string(a.Raw))
		rid := a.Body["RequestId"].(string)
		Expect(f.call("POST", "GetStatements", nil, map[string]any{"RequestId": rid}).Status).To(Equal(202))
		Expect(f.call("GET", "GetStatementsAsync/"+rid, nil, nil).Status).To(Equal(202))
		Expect(f.call("GET", "GetStatementsAsync/"+rid, nil, nil).Status).To(Equal(200))
		Expect(f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid}).Status).To(Equal(200))
	})
})
