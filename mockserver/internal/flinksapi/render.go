package flinksapi

import (
	"net/http"
	"slices"
	"time"
	"unsafe"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/shape"
	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// accounts returns the login's accounts a request asked for: filtered by
// AccountsFilter, holders unless WithKYC is false, and
// transactions cut to DaysOfTransactions, counted back from the newest
// transaction of the login (so fixed scenario data does not age out).
func accounts(all []scenarios.Account, o session.Options) []scenarios.Account {
	filter := o.FilterIDs()
	cutoff := cutoffDate(all, o.Days)
	out := make([]scenarios.Account, 0, len(all))
	for _, a := range all {
		if filter != nil && !slices.Contains(filter, a.Id) {
			continue
		}
		if !o.KYC {
			a.Holder = nil
		}
		a.Nulls = nil // the scenario's, not part of the answer
		txs := a.Transactions
		if !o.Transactions {
			txs = nil
		}
		if last := o.DeltaOf(a.Id); last != "" {
			// Newest first: the ones before the last seen are newer.
			if i := slices.IndexFunc(txs, func(t scenarios.Transaction) bool { return t.Id == last }); i >= 0 {
				txs = txs[:i]
			}
		}
		a.Transactions = inDates(txs, cutoff, o)
		if a.Transactions == nil {
			a.Transactions = []scenarios.Transaction{}
		}
		out = append(out, a)
	}
	return out
}

// inDates keeps the transactions (newest first) from DateFrom to DateTo
// when either is given, else those from cutoff on.
func inDates(txs []scenarios.Transaction, cutoff string, o session.Options) []scenarios.Transaction {
	from, to := cutoff, ""
	if o.DateFrom != "" || o.DateTo != "" {
		from, to = o.DateFrom, o.DateTo
	}
	out := make([]scenarios.Transaction, 0, len(txs))
	for _, t := range txs {
		if t.Date >= from && (to == "" || t.Date <= to) {
			out = append(out, t)
		}
	}
	return out
}

// cutoffDate is the oldest date of the days asked for, counted back from
// the newest transaction of the accounts ("" when they have none).
func cutoffDate(all []scenarios.Account, days int) string {
	newest := ""
	for _, a := range all {
		if len(a.Transactions) > 0 && a.Transactions[0].Date > newest {
			newest = a.Transactions[0].Date
		}
	}
	if t, err := time.Parse(time.DateOnly, newest); err == nil {
		return t.AddDate(0, 0, -(days - 1)).Format(time.DateOnly)
	}
	return ""
}

// allAccounts returns a login's accounts, kept in the cache of generated
// accounts, which is bounded in bytes: past it the least recently used are
// made again on their next use.
func (a *API) allAccounts(l *scenarios.Login) []scenarios.Account {
	if l.Generate == nil {
		return l.MakeAccounts() // the written accounts: nothing to keep
	}
	if list, ok := a.generated.Get(l); ok {
		return list
	}
	list, _ := a.generated.GetOrAdd(l, l.MakeAccounts())
	return list
}

// accountsBytes estimates the memory a list of accounts holds.
func accountsBytes(_ *scenarios.Login, list []scenarios.Account) int64 {
	const ptr = 16 // a *float64 or *string and what it points to
	n := int64(cap(list)) * int64(unsafe.Sizeof(scenarios.Account{}))
	for i := range list {
		acc := &list[i]
		n += int64(len(acc.Id)+len(acc.Title)+len(acc.AccountNumber)+len(acc.TransitNumber)+len(acc.InstitutionNumber)+len(acc.Category)+len(acc.Type)+len(acc.Currency)) + 4*ptr
		n += int64(cap(acc.Transactions)) * (int64(unsafe.Sizeof(scenarios.Transaction{})) + 3*ptr)
		for _, tx := range acc.Transactions {
			n += int64(len(tx.Id) + len(tx.Date) + len(tx.Description))
		}
	}
	return n
}

// renderKey names one shared encoding: a login's accounts for a set of
// options.
type renderKey struct {
	login *scenarios.Login
	opts  session.Options
}

// renderBytes estimates the memory an encoding holds in the cache.
func renderBytes(k renderKey, h *session.Shared) int64 {
	o := &k.opts
	return int64(unsafe.Sizeof(k)) + 128 + int64(len(o.Filter)+len(o.DateFrom)+len(o.DateTo)+len(o.Delta)+len(h.Bytes()))
}

// renderDetail builds the GetAccountsDetail 200 of a session and returns
// the handle of its shared part. The accounts (up to megabytes) are
// encoded once per login and options and shared by every session; only
// the few fields after them are the session's own.
func (a *API) renderDetail(sess *session.Session, o session.Options) (session.Body, *session.Shared) {
	name, id, login := institutionOf(sess, o.Minimal)
	tail := exchange.Encode(detailTail{
		Tag:             sess.Tag,
		InstitutionName: name,
		Login:           login,
		InstitutionId:   id,
		Institution:     sess.Inst.Name,
		RequestId:       sess.ID,
	})
	tail[0] = ','
	e := a.editOf(sess.Login, o)
	if varied := variedOf(o.Varied, o.Seed, sess, "GetAccountsDetail"); varied != nil || !e.Empty() {
		body := session.Body{Shared: detailHeadOf(a.allAccounts(sess.Login), o), Own: tail}
		return shaped(body, shape.AccountsDetail, e, varied), nil
	}
	key := renderKey{sess.Login, o}
	h, _ := a.renders.Get(key)
	head := h.Bytes()
	if head == nil {
		head = detailHeadOf(a.allAccounts(sess.Login), o)
		h, _ = a.renders.GetOrAdd(key, session.NewShared(head))
		if b := h.Bytes(); b != nil {
			head = b
		}
		// Else the cache did not keep it (larger than the cache): the
		// session renders it again when it needs it.
	}
	return session.Body{Shared: head, Own: tail}, h
}

// detailHeadOf encodes the start of a GetAccountsDetail 200, up to the end
// of its Accounts: `{"HttpStatusCode":200,"Accounts":[...]`.
func detailHeadOf(all []scenarios.Account, o session.Options) []byte {
	list := accounts(all, o)
	for i := range list {
		// GetAccountsDetail has no ETransferEligibleRatio; it is a
		// GetAccountsSummary field that scenario data may carry.
		list[i].ETransferEligibleRatio = nil
	}
	b := exchange.Encode(detailHead{HttpStatusCode: http.StatusOK, Accounts: list})
	return b[:len(b)-1]
}

func (a *API) renderSummary(sess *session.Session, o session.Options) (session.Body, *session.Shared) {
	o.Transactions = false
	list := accounts(a.allAccounts(sess.Login), o)
	sum := make([]accountSummary, len(list))
	for i, acc := range list {
		sum[i] = accountSummary{
			EftEligibleRatio:       ratio(acc.EftEligibleRatio),
			ETransferEligibleRatio: ratio(acc.ETransferEligibleRatio),
			Title:                  acc.Title,
			AccountNumber:          acc.AccountNumber,
			LastFourDigits:         acc.LastFourDigits,
			Balance:                acc.Balance,
			Category:               acc.Category,
			Currency:               acc.Currency,
			Holder:                 acc.Holder,
			AccountType:            acc.AccountType,
			Id:                     acc.Id,
		}
	}
	name, id, _ := institutionOf(sess, o.Minimal)
	links := summaryLinks
	if o.Minimal {
		links = nil
	}
	body := session.Body{Own: exchange.Encode(accountsSummary{
		HttpStatusCode:  http.StatusOK,
		Accounts:        sum,
		Links:           links,
		Tag:             sess.Tag,
		InstitutionName: name,
		InstitutionId:   id,
		Institution:     sess.Inst.Name,
		RequestId:       sess.ID,
	})}
	return shaped(body, shape.AccountsSummary, a.editOf(sess.Login, o), variedOf(o.Varied, o.Seed, sess, "GetAccountsSummary")), nil
}

// ratio is an eligibility ratio, 1 when the scenario sets none.
func ratio(v *float64) float64 {
	if v == nil {
		return 1
	}
	return *v
}

// kycBody renders the KYC webhook of a session: the holders of the
// accounts the data request asked for.
func (a *API) kycBody(sess *session.Session, o session.Options) []byte {
	o.KYC, o.Transactions = true, false
	list := accounts(a.allAccounts(sess.Login), o)
	out := kycWebhook{
		ResponseType:   openapi.WebhookKYC,
		HttpStatusCode: http.StatusOK,
		RequestId:      sess.ID,
		Login:          loginInfoOf(sess),
		Accounts:       make([]kycAccount, len(list)),
		Tag:            sess.Tag,
	}
	for i, acc := range list {
		out.Accounts[i] = kycAccount{Id: acc.Id, Holder: acc.Holder}
	}
	e := a.editOf(sess.Login, o)
	e.NoBalance = false
	return shape.Apply(exchange.Encode(out), shape.KYCWebhook, e, variedOf(o.Varied, o.Seed, sess, "KYC"))
}
