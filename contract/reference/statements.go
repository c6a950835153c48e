package reference

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/ledongthuc/pdf"

	"github.com/flinks-mock/flinks-mock/contract"
)

// AccountStatements is one account's entry of a GetStatements 200: its
// number and its PDF statements.
type AccountStatements struct {
	AccountNumber string
	Statements    []StatementFile
}

// StatementFile is one statement: a PDF file, in Base64.
type StatementFile struct {
	UniqueId    string
	FileType    string
	Base64Bytes string
}

// GetStatements asks for the PDF statements of an authorized RequestId:
// number is the NumberOfStatements (MostRecent, Months3 or Months12). It
// returns the 200 or 202; any other answer is an *Error.
func (c *Conn) GetStatements(ctx context.Context, requestID, number string) (*Answer, error) {
	body := map[string]any{"RequestId": requestID, "NumberOfStatements": number}
	return c.call(ctx, http.MethodPost, "GetStatements", c.apiKey(), body, http.StatusOK, http.StatusAccepted)
}

// GetStatementsAsync polls the statements request of a RequestId that
// GetStatements answered 202. It returns the 200 or 202; any other answer
// is an *Error.
func (c *Conn) GetStatementsAsync(ctx context.Context, requestID string) (*Answer, error) {
	return c.call(ctx, http.MethodGet, "GetStatementsAsync/"+url.PathEscape(requestID), c.apiKey(), nil, http.StatusOK, http.StatusAccepted)
}

// DeleteCard removes everything Flinks holds of a login. Flinks answers
// CARD_IN_USE (an *Error) while a session of the login is being processed.
func (c *Conn) DeleteCard(ctx context.Context, loginID string) error {
	_, err := c.call(ctx, http.MethodDelete, "DeleteCard/"+url.PathEscape(loginID), c.apiKey(), nil, http.StatusOK)
	return err
}

// FetchStatements asks for the PDF statements of an authorized RequestId
// and polls GetStatementsAsync after a 202 as FetchAccounts polls for the
// accounts, with a deadline of its own.
func (c *Client) FetchStatements(ctx context.Context, requestID, number string) ([]AccountStatements, error) {
	a, err := c.untilReady(ctx, requestID, c.now().Add(c.timeout()),
		func() (*Answer, error) { return c.Conn.GetStatements(ctx, requestID, number) },
		func() (*Answer, error) { return c.Conn.GetStatementsAsync(ctx, requestID) })
	if err != nil {
		return nil, err
	}
	return a.StatementsByAccount, nil
}

// ErrNotAStatement is returned (wrapped) for a file that is no PDF
// statement.
var ErrNotAStatement = errors.New("not a PDF statement")

// ReadStatement opens a statement's PDF and returns the account number and
// the period it prints, read from the file itself.
func ReadStatement(f StatementFile) (contract.Statement, error) {
	out := contract.Statement{UniqueID: f.UniqueId}
	raw, err := base64.StdEncoding.DecodeString(f.Base64Bytes)
	if err != nil || f.FileType != "PDF" || !bytes.HasPrefix(raw, []byte("%PDF-")) {
		return out, fmt.Errorf("statement %s: %w", f.UniqueId, ErrNotAStatement)
	}
	r, err := pdf.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return out, fmt.Errorf("statement %s: %w: %w", f.UniqueId, ErrNotAStatement, err)
	}
	// The text of the cells in the order the file draws them: each label
	// ("Account number", "Period") is followed by its value.
	var cells []string
	for i := 1; i <= r.NumPage(); i++ {
		rows, err := r.Page(i).GetTextByRow()
		if err != nil {
			return out, fmt.Errorf("statement %s, page %d: %w", f.UniqueId, i, err)
		}
		for _, row := range rows {
			for _, t := range row.Content {
				if t.S != "" {
					cells = append(cells, t.S)
				}
			}
		}
	}
	for i := 0; i+1 < len(cells); i++ {
		switch cells[i] {
		case "Account number":
			out.AccountNumber = cells[i+1]
		case "Period":
			out.Period = cells[i+1]
		}
	}
	if out.AccountNumber == "" || out.Period == "" {
		return out, fmt.Errorf("statement %s prints no account number or period: %w", f.UniqueId, ErrNotAStatement)
	}
	return out, nil
}

// afterData does what a target asks once the accounts are in: fetch and
// read the statements, then delete the card.
func (c *Client) afterData(ctx context.Context, t contract.Target, requestID string, out contract.Outcome) (contract.Outcome, error) {
	if t.Statements != "" {
		list, err := c.FetchStatements(ctx, requestID, t.Statements)
		if err != nil {
			return OutcomeOf(nil, err)
		}
		for _, acc := range list {
			for _, f := range acc.Statements {
				s, err := ReadStatement(f)
				if err != nil {
					return contract.Outcome{}, err
				}
				out.Statements = append(out.Statements, s)
			}
		}
	}
	if t.DeleteCard {
		// After the data: a session still being processed would make it
		// CARD_IN_USE.
		if err := c.Conn.DeleteCard(ctx, t.LoginID); err != nil {
			return OutcomeOf(nil, err)
		}
		out.DeletedCard = t.LoginID
	}
	return out, nil
}
