package flinksapi

import (
	"encoding/base64"
	"net/http"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/shape"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/statement"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

var statementsKind = dataKind{
	name:       "GetStatements",
	steps:      func(l *scenarios.Login) []scenarios.Step { return l.Statements },
	op:         func(s *session.Session) *session.Operation { return &s.Statements },
	render:     (*API).renderStatements,
	statements: true,
}

// statementMonths is how many monthly statements per account each
// NumberOfStatements asks for; MostRecent is the default.
var statementMonths = map[string]int{"MostRecent": 1, "Months3": 3, "Months12": 12}

// GetStatements answers a request for the PDF bank statements of the
// session's accounts, with the same 202 → Async → 200 steps as
// GetAccountsDetail.
func (a *API) GetStatements(w http.ResponseWriter, r *http.Request) {
	a.data(w, r, statementsKind, false)
}

// GetStatementsAsync answers a poll of GetStatements.
func (a *API) GetStatementsAsync(w http.ResponseWriter, r *http.Request) {
	a.data(w, r, statementsKind, true)
}

// statementFile is one statement of a GetStatements 200.
type statementFile struct {
	UniqueId    string
	FileType    string
	Base64Bytes string
}

type accountStatements struct {
	AccountNumber string
	Statements    []statementFile
}

// statementsOK is the GetStatements 200, in the key order of a real
// capture: no Links.
type statementsOK struct {
	HttpStatusCode      int
	StatementsByAccount []accountStatements
	InstitutionName     string
	Login               loginInfo
	InstitutionId       int
	Institution         string
	RequestId           string
}

// renderStatements builds the GetStatements 200 of a session: for each
// account the request asked for (AccountsFilter), one PDF per month, the
// months that end before the month of the login's newest transaction.
func (a *API) renderStatements(sess *session.Session, o session.Options) (session.Body, *session.Shared) {
	o.Transactions, o.Days = true, 366+31
	all := a.allAccounts(sess.Login)
	list := accounts(all, o)
	months := statement.Months(newestDate(all, a.clock.Now()), o.Months)
	out := statementsOK{
		HttpStatusCode:      http.StatusOK,
		StatementsByAccount: make([]accountStatements, len(list)),
		InstitutionName:     sess.Inst.Name,
		Login:               loginInfoOf(sess),
		InstitutionId:       sess.Inst.ID,
		Institution:         sess.Inst.Name,
		RequestId:           sess.ID,
	}
	heading := sess.Inst.DisplayName
	if heading == "" {
		heading = sess.Inst.Name
	}
	for i, acc := range list {
		files := make([]statementFile, 0, len(months))
		for _, p := range months {
			pdf, err := statement.PDF(statement.Document{Institution: heading, Account: acc, Holder: acc.Holder, Period: p})
			if err != nil {
				a.log.Error("statement", "err", err)
				continue
			}
			files = append(files, statementFile{
				UniqueId:    statement.UniqueID(sess.Login.LoginID, acc.Id, p),
				FileType:    "PDF",
				Base64Bytes: base64.StdEncoding.EncodeToString(pdf),
			})
		}
		out.StatementsByAccount[i] = accountStatements{AccountNumber: acc.AccountNumber, Statements: files}
	}
	return shaped(session.Body{Own: exchange.Encode(out)}, shape.Statements, shape.Edit{}, variedOf(o.Varied, o.Seed, sess, "GetStatements")), nil
}

// newestDate is the date of the newest transaction of the accounts, or
// today when they have none.
func newestDate(all []scenarios.Account, now time.Time) time.Time {
	newest := ""
	for _, acc := range all {
		if len(acc.Transactions) > 0 && acc.Transactions[0].Date > newest {
			newest = acc.Transactions[0].Date
		}
	}
	if t, err := time.Parse(time.DateOnly, newest); err == nil {
		return t
	}
	return now.UTC()
}
