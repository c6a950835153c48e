package main

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"time"
)

// statementSummary is what this integration reads in one PDF statement.
type statementSummary struct {
	AccountNumber string `json:"accountNumber"`
	Period        string `json:"period"`
	UniqueID      string `json:"uniqueId"`
}

// afterData does what FLINKS_STATEMENTS and FLINKS_DELETE_CARD ask once
// the accounts are in: fetch and read the PDF statements of the same
// RequestId, then delete the card (no session of it is being processed
// any more, so Flinks does not answer CARD_IN_USE).
func (c *config) afterData(ctx context.Context, requestID string, out map[string]any) error {
	if number := os.Getenv("FLINKS_STATEMENTS"); number != "" {
		a, err := c.data(ctx, http.MethodPost, "GetStatements", map[string]any{"RequestId": requestID, "NumberOfStatements": number})
		if err != nil {
			return err
		}
		// The same 202 → Async → 200 steps as GetAccountsDetail, with a
		// deadline of its own.
		if a, err = c.untilReady(ctx, a, "GetStatementsAsync/"+requestID, time.Now().Add(c.timeout)); err != nil {
			return err
		}
		list := []statementSummary{}
		for _, acc := range a.StatementsByAccount {
			for _, st := range acc.Statements {
				s, err := readStatement(st.Base64Bytes)
				if err != nil {
					return fmt.Errorf("statement %s: %w", st.UniqueId, err)
				}
				s.UniqueID = st.UniqueId
				list = append(list, s)
			}
		}
		out["statements"] = list
	}
	if os.Getenv("FLINKS_DELETE_CARD") == "true" {
		if _, err := c.call(ctx, http.MethodDelete, "DeleteCard/"+c.loginID, map[string]string{"x-api-key": c.apiKey}, nil, 200); err != nil {
			return err
		}
		out["deletedCard"] = c.loginID
	}
	return nil
}

var (
	pdfStream = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)
	pdfText   = regexp.MustCompile(`\(((?:\\.|[^\\)])*)\)\s*Tj`)
	pdfEscape = regexp.MustCompile(`\\(.)`)
)

// readStatement reads the account number and the period a PDF statement
// prints, from the text of its pages (compressed streams inflated): each
// label is followed by its value.
func readStatement(b64 string) (statementSummary, error) {
	var s statementSummary
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || !bytes.HasPrefix(raw, []byte("%PDF-")) {
		return s, fmt.Errorf("not a PDF file")
	}
	var texts []string
	for _, m := range pdfStream.FindAllSubmatch(raw, -1) {
		content := m[1]
		if zr, err := zlib.NewReader(bytes.NewReader(m[1])); err == nil {
			if content, err = io.ReadAll(zr); err != nil {
				continue // a font or an image, not text
			}
		}
		for _, t := range pdfText.FindAllSubmatch(content, -1) {
			texts = append(texts, string(pdfEscape.ReplaceAll(t[1], []byte("$1"))))
		}
	}
	for i := 0; i+1 < len(texts); i++ {
		switch texts[i] {
		case "Account number":
			s.AccountNumber = texts[i+1]
		case "Period":
			s.Period = texts[i+1]
		}
	}
	if s.AccountNumber == "" || s.Period == "" {
		return s, fmt.Errorf("the PDF prints no account number or period")
	}
	return s, nil
}
