package flinksapi

import (
	"net/http"
	"slices"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// accounts returns the login's accounts a request asked for: filtered by
// AccountsFilter, holders unless WithKYC is false, and
// transactions cut to DaysOfTransactions, counted back from the newest
// transaction of the login (so fixed scenario data does not age out).
func accounts(login *scenarios.Login, o session.Options) []scenarios.Account {
	filter := o.FilterIDs()
	all := login.AllAccounts()
	cutoff := cutoffDate(all, o.Days)
	out := make([]scenarios.Account, 0, len(all))
	for _, a := range all {
		if filter != nil && !slices.Contains(filter, a.Id) {
			continue
		}
		if !o.KYC {
			a.Holder = nil
		}
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

// renderKey names one shared encoding: a login's accounts for a set of
// options.
type renderKey struct {
	login *scenarios.Login
	opts  session.Options
}

// renderDetail builds the GetAccountsDetail 200 of a session. The accounts
// (tens of kilobytes) are encoded once per login and options and shared by
// every session; only the few fields after them are the session's own.
// Requests with an AccountsFilter are not shared: their ids come from the
// client.
func (a *API) renderDetail(sess *session.Session, o session.Options) session.Body {
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
	var head []byte
	if o.Filter != "" {
		head = detailHeadOf(sess.Login, o)
	} else {
		key := renderKey{sess.Login, o}
		var ok bool
		if head, ok = a.renders.Get(key); !ok {
			head, _ = a.renders.GetOrAdd(key, detailHeadOf(sess.Login, o))
		}
	}
	return session.Body{Shared: head, Own: tail}
}

// detailHeadOf encodes the start of a GetAccountsDetail 200, up to the end
// of its Accounts: `{"HttpStatusCode":200,"Accounts":[...]`.
func detailHeadOf(login *scenarios.Login, o session.Options) []byte {
	list := accounts(login, o)
	for i := range list {
		// GetAccountsDetail has no ETransferEligibleRatio; it is a
		// GetAccountsSummary field that scenario data may carry.
		list[i].ETransferEligibleRatio = nil
	}
	b := exchange.Encode(detailHead{HttpStatusCode: http.StatusOK, Accounts: list})
	return b[:len(b)-1]
}

func (a *API) renderSummary(sess *session.Session, o session.Options) session.Body {
	o.Transactions = false
	list := accounts(sess.Login, o)
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
	return session.Body{Own: exchange.Encode(accountsSummary{
		HttpStatusCode:  http.StatusOK,
		Accounts:        sum,
		Links:           links,
		Tag:             sess.Tag,
		InstitutionName: name,
		InstitutionId:   id,
		Institution:     sess.Inst.Name,
		RequestId:       sess.ID,
	})}
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
func kycBody(sess *session.Session, o session.Options) []byte {
	o.KYC, o.Transactions = true, false
	list := accounts(sess.Login, o)
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
	return exchange.Encode(out)
}
