package shape

import (
	"bytes"
	"strings"

	"github.com/flinks-mock/flinks-mock/openapi"
)

// The component schemas of openapi/flinks.yaml the answers are drawn from.
const (
	AuthorizeOK     = "AuthorizeOK"
	AuthorizeMFA    = "AuthorizeMFA"
	Pending         = "Pending"
	AccountsDetail  = "AccountsDetail"
	AccountsSummary = "AccountsSummary"
	Statements      = "Statements"
	KYCWebhook      = "KYCWebhook"
)

// Edit is what a scenario or a request changes in the accounts of an
// answer (its top-level Accounts).
type Edit struct {
	// Nulls returns the field paths sent as null for the account with
	// this Id ("Balance.Current", "Transactions.Description"); nil: none.
	Nulls func(accountID string) []string
	// NoBalance sends every balance as null: the account's Balance and
	// OverdraftLimit and each transaction's Balance (WithBalance false).
	NoBalance bool
}

// Empty reports whether the edit changes nothing.
func (e Edit) Empty() bool { return e.Nulls == nil && !e.NoBalance }

// noBalance are the fields WithBalance false sends as null: "all balances
// (from each transaction and account) as well as overdraft protection
// information" (the C# SDK).
var noBalance = []string{"Balance.Available", "Balance.Current", "Balance.Limit", "OverdraftLimit", "Transactions.Balance"}

func (e Edit) apply(root *node) {
	accounts := root.get("Accounts")
	if accounts == nil || accounts.kind != '[' {
		return
	}
	for _, acc := range accounts.arr {
		if e.NoBalance {
			for _, p := range noBalance {
				setNull(acc, strings.Split(p, "."))
			}
		}
		if e.Nulls != nil {
			for _, p := range e.Nulls(acc.get("Id").str()) {
				setNull(acc, strings.Split(p, "."))
			}
		}
	}
}

// setNull sets the field at path to null where the answer has it; an
// array on the way stands for each of its items.
func setNull(n *node, path []string) {
	switch {
	case n == nil || len(path) == 0:
	case n.kind == '[':
		for _, item := range n.arr {
			setNull(item, path)
		}
	case n.kind == '{':
		for i := range n.obj {
			if n.obj[i].key != path[0] {
				continue
			}
			if len(path) == 1 {
				n.obj[i].val = null()
			} else {
				setNull(n.obj[i].val, path[1:])
			}
		}
	}
}

// Apply returns body with the edit made and, when varied is set, its
// shape drawn from varied's seed and key among those the component schema
// of openapi/flinks.yaml allows. A body it cannot read is returned as is.
func Apply(body []byte, schema string, e Edit, varied *Varied) []byte {
	if e.Empty() && varied == nil {
		return body
	}
	root, err := parse(body)
	if err != nil {
		return body
	}
	e.apply(root)
	if varied != nil {
		if s, err := openapi.Schema(schema); err == nil {
			varied.draw(root, s)
		}
	}
	var b bytes.Buffer
	b.Grow(len(body) + len(body)/8)
	root.write(&b)
	return b.Bytes()
}
