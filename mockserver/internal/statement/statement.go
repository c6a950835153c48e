// Package statement builds the monthly bank statements of GetStatements:
// real PDF files, one per account and calendar month, from the same
// transactions and balances that GetAccountsDetail returns, so that a
// person can open one and a test can check that its totals agree with the
// account's data.
package statement

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

// Period is one calendar month: From is its first day, To its last.
type Period struct {
	From, To time.Time
}

// Months returns the n calendar months of statements that end before the
// month of newest, newest month last: the statements a bank has issued by
// that date.
func Months(newest time.Time, n int) []Period {
	first := time.Date(newest.Year(), newest.Month(), 1, 0, 0, 0, 0, time.UTC)
	out := make([]Period, n)
	for i := range n {
		from := first.AddDate(0, -(n - i), 0)
		out[i] = Period{From: from, To: from.AddDate(0, 1, -1)}
	}
	return out
}

// Totals are the figures of one statement.
type Totals struct {
	Opening, Debits, Credits, Closing float64
	// Transactions are the account's transactions in the period, oldest
	// first, as the statement lists them.
	Transactions []scenarios.Transaction
}

// Compute returns the figures of acc for the period p. The account's
// transactions are newest first, each with the balance after it; the
// opening balance is the balance before the first transaction of the
// period. A credit card's balance is what is owed, so a debit raises it.
func Compute(acc scenarios.Account, p Period) Totals {
	from, to := p.From.Format(time.DateOnly), p.To.Format(time.DateOnly)
	var t Totals
	before := -1 // index of the newest transaction before the period
	for i, tx := range acc.Transactions {
		if tx.Date > to {
			continue
		}
		if tx.Date < from {
			before = i
			break
		}
		t.Transactions = append(t.Transactions, tx)
		t.Debits += value(tx.Debit)
		t.Credits += value(tx.Credit)
	}
	// Oldest first, as a statement reads.
	for i, j := 0, len(t.Transactions)-1; i < j; i, j = i+1, j-1 {
		t.Transactions[i], t.Transactions[j] = t.Transactions[j], t.Transactions[i]
	}
	move := t.Credits - t.Debits
	if acc.Category == "Credits" {
		move = -move
	}
	switch {
	case len(t.Transactions) > 0:
		t.Closing = t.Transactions[len(t.Transactions)-1].Balance
		t.Opening = t.Closing - move
	case before >= 0:
		t.Opening = acc.Transactions[before].Balance
		t.Closing = t.Opening
	default:
		t.Opening, t.Closing = acc.Balance.Current, acc.Balance.Current
	}
	t.Debits, t.Credits = round(t.Debits), round(t.Credits)
	t.Opening, t.Closing = round(t.Opening), round(t.Closing)
	return t
}

func value(v *float64) float64 {
	if v == nil {
		return 0
	}
	return *v
}

func round(v float64) float64 {
	r := float64(int64(v*100+copysign(0.5, v))) / 100
	if r == 0 {
		return 0 // no "-0.00"
	}
	return r
}

func copysign(v, sign float64) float64 {
	if sign < 0 {
		return -v
	}
	return v
}

// Amount formats an amount as the statements print it: two decimals, no
// thousands separator.
func Amount(v float64) string { return fmt.Sprintf("%.2f", v) }

// UniqueID is the UniqueId of a statement: 32 upper-case hexadecimal
// digits, the same for the same login, account and month.
func UniqueID(loginID, accountID string, p Period) string {
	sum := md5.Sum([]byte(loginID + "/" + accountID + "/" + p.From.Format("2006-01")))
	return strings.ToUpper(fmt.Sprintf("%x", sum))
}

// Document is what one statement shows besides the account.
type Document struct {
	// Institution is the name the statement is headed with.
	Institution string
	Account     scenarios.Account
	// Holder is the account's holder; nil prints none.
	Holder *scenarios.Holder
	Period Period
}

// PDF renders the statement. The file depends on its content alone: its
// creation date is the day after the period and its catalogs are sorted,
// so the same data always gives the same bytes.
func PDF(d Document) ([]byte, error) {
	t := Compute(d.Account, d.Period)
	pdf := fpdf.New("P", "mm", "Letter", "")
	issued := d.Period.To.AddDate(0, 0, 1)
	pdf.SetCreationDate(issued)
	pdf.SetModificationDate(issued)
	pdf.SetCatalogSort(true)
	pdf.SetTitle(fmt.Sprintf("%s statement %s", d.Institution, d.Period.From.Format("2006-01")), true)
	pdf.SetAuthor(d.Institution, true)
	pdf.SetCreator("flinks-mock", true)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetAutoPageBreak(true, 15)
	pdf.AddPage()

	pdf.SetFont("Helvetica", "B", 14)
	pdf.CellFormat(0, 8, tr(d.Institution+" - Account statement"), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	line := func(label, v string) {
		pdf.CellFormat(45, 5, tr(label), "", 0, "L", false, 0, "")
		pdf.CellFormat(0, 5, tr(v), "", 1, "L", false, 0, "")
	}
	if d.Holder != nil {
		line("Holder", d.Holder.Name)
	}
	acc := d.Account
	line("Account", acc.Title)
	line("Account number", acc.AccountNumber)
	line("Transit / institution", acc.TransitNumber+" / "+acc.InstitutionNumber)
	line("Currency", acc.Currency)
	line("Period", d.Period.From.Format(time.DateOnly)+" to "+d.Period.To.Format(time.DateOnly))
	pdf.Ln(3)
	line("Opening balance", Amount(t.Opening))
	line("Total debits", Amount(t.Debits))
	line("Total credits", Amount(t.Credits))
	line("Closing balance", Amount(t.Closing))
	line("Transactions", fmt.Sprint(len(t.Transactions)))
	pdf.Ln(3)

	widths := []float64{24, 92, 26, 26, 28}
	row := func(cells []string, style string) {
		pdf.SetFont("Helvetica", style, 9)
		for i, c := range cells {
			align := "R"
			if i < 2 {
				align = "L"
			}
			pdf.CellFormat(widths[i], 5, tr(c), "B", 0, align, false, 0, "")
		}
		pdf.Ln(-1)
	}
	row([]string{"Date", "Description", "Debit", "Credit", "Balance"}, "B")
	for _, tx := range t.Transactions {
		row([]string{tx.Date, clip(tx.Description, 52), optional(tx.Debit), optional(tx.Credit), Amount(tx.Balance)}, "")
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("render the statement of %s for %s: %w", acc.Id, d.Period.From.Format("2006-01"), err)
	}
	return buf.Bytes(), nil
}

func optional(v *float64) string {
	if v == nil {
		return ""
	}
	return Amount(*v)
}

// clip shortens a description that would overflow its column.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-3]) + "..."
}
