package mockserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
	"github.com/gorilla/mux"
)

// dataKind is one data endpoint and its Async poll: GetAccountsDetail or
// GetAccountsSummary.
type dataKind struct {
	name   string
	steps  func(*scenarios.Login) []scenarios.Step
	op     func(*session) *operation
	render func(*Server, *session, dataOptions) payload
}

var (
	detailKind = dataKind{
		name:   "GetAccountsDetail",
		steps:  func(l *scenarios.Login) []scenarios.Step { return l.AccountsDetail },
		op:     func(s *session) *operation { return &s.detail },
		render: (*Server).renderDetail,
	}
	summaryKind = dataKind{
		name:   "GetAccountsSummary",
		steps:  func(l *scenarios.Login) []scenarios.Step { return l.AccountsSummary },
		op:     func(s *session) *operation { return &s.summary },
		render: (*Server).renderSummary,
	}
	// pendingLinks are sent with every 202, literally templated as Flinks
	// sends them.
	pendingLinks = []link{{Rel: "{Endpoint}Async", Href: "/{Endpoint}Async", Example: ptr("/{Endpoint}Async/{requestId}")}}
)

func ptr[T any](v T) *T { return &v }

// dataRequest is the body of GetAccountsDetail and GetAccountsSummary.
type dataRequest struct {
	RequestId           string
	WithAccountIdentity bool
	WithKYC             bool
	WithTransactions    *bool
	DaysOfTransactions  string
	AccountsFilter      []string
}

// dataOptions is what a data request asked for, in a comparable form.
type dataOptions struct {
	identity     bool
	transactions bool
	days         int
	filter       string // AccountsFilter ids joined by commas
}

func (req *dataRequest) options() dataOptions {
	o := dataOptions{
		identity:     req.WithAccountIdentity || req.WithKYC,
		transactions: req.WithTransactions == nil || *req.WithTransactions,
		days:         90,
	}
	if req.DaysOfTransactions == "Days365" {
		o.days = 365
	}
	o.filter = strings.Join(req.AccountsFilter, ",")
	return o
}

type pendingBody struct {
	FlinksCode     string
	Links          []link
	HttpStatusCode int
	Message        string
	RequestId      string
}

func (s *Server) getAccountsDetail(w http.ResponseWriter, r *http.Request) {
	s.data(w, r, detailKind, false)
}

func (s *Server) getAccountsDetailAsync(w http.ResponseWriter, r *http.Request) {
	s.data(w, r, detailKind, true)
}

func (s *Server) getAccountsSummary(w http.ResponseWriter, r *http.Request) {
	s.data(w, r, summaryKind, false)
}

func (s *Server) getAccountsSummaryAsync(w http.ResponseWriter, r *http.Request) {
	s.data(w, r, summaryKind, true)
}

// data answers a data request or its Async poll from the login's steps:
// 202 while pending, the 200 payload once ready, or a scripted error.
func (s *Server) data(w http.ResponseWriter, r *http.Request, kind dataKind, async bool) {
	name := kind.name
	if async {
		name += "Async"
	}
	t, lib := s.enter(w, r, name)
	if t == nil {
		return
	}
	if s.cfg.APIKey != "" && r.Header.Get("x-api-key") != s.cfg.APIKey {
		writeError(w, r, s.codeError(r, lib.Settings.InvalidTokenCode, "You must provide a valid x-api-key", ""))
		return
	}
	var req dataRequest
	if async {
		req.RequestId = mux.Vars(r)["requestId"]
	} else if err := json.Unmarshal(bodyOf(r), &req); err != nil {
		writeError(w, r, s.codeError(r, "INVALID_REQUEST", "Request body: "+jsonProblem(err), ""))
		return
	}
	if n := len(strings.Join(req.AccountsFilter, ",")); n > maxFilterBytes {
		writeError(w, r, s.codeError(r, "INVALID_REQUEST", fmt.Sprintf("AccountsFilter holds %d bytes of account Ids; the mock takes at most %d", n, maxFilterBytes), ""))
		return
	}
	e := entryOf(r)
	e.RequestID = req.RequestId
	sess := s.session(t, req.RequestId)
	if sess == nil {
		writeError(w, r, s.codeError(r, "SESSION_NONEXISTENT", "", ""))
		return
	}
	e.LoginID = sess.login.LoginID
	now := s.clock.Now()

	sess.mu.Lock()
	if sess.phase == phaseMFA && now.Sub(sess.lastSeen) >= lib.Settings.AuthorizeIdleTimeout.D() {
		sess.phase = phaseExpired
	}
	switch sess.phase {
	case phaseExpired:
		sess.mu.Unlock()
		writeError(w, r, s.codeError(r, "SESSION_EXPIRED", "", sess.id))
		return
	case phaseMFA:
		sess.mu.Unlock()
		writeError(w, r, s.codeError(r, "UNAUTHORIZED", "/"+name+" was called before /Authorize answered 200 for this RequestId: answer its security challenges first", sess.id))
		return
	}
	op := kind.op(sess)
	if async && op.started.IsZero() {
		sess.mu.Unlock()
		writeError(w, r, s.codeError(r, "INVALID_REQUEST", "/"+name+" polls a request that /"+kind.name+" answered with 202; call /"+kind.name+" for this RequestId first", sess.id))
		return
	}
	first := false
	if !async {
		if op.started.IsZero() {
			op.started = now
			first = true
		}
		if opts := req.options(); opts != op.opts {
			op.opts, op.body = opts, payload{}
		}
	}
	steps := kind.steps(sess.login)
	if !op.ready() && now.Sub(op.started) >= lib.Settings.ProcessingTimeout.D() {
		sess.phase = phaseExpired
		sess.mu.Unlock()
		writeError(w, r, s.codeError(r, "SESSION_EXPIRED", "The data request was still processing after "+lib.Settings.ProcessingTimeout.String()+"; the RequestId has expired", sess.id))
		return
	}
	step := op.cursor.next(steps, now)
	var body payload
	if step.Respond == scenarios.RespondReady {
		if op.body.empty() {
			op.body = kind.render(s, sess, op.opts)
		}
		body = op.body
	}
	op.last = step.Respond
	sess.mu.Unlock()
	if kind.name == detailKind.name {
		s.detailCalled(t, lib, sess, first, step.Respond == scenarios.RespondReady)
	}

	if !s.delay(w, r, step.Latency) {
		return
	}
	switch step.Respond {
	case scenarios.RespondReady:
		body.write(w, http.StatusOK)
	case scenarios.RespondPending, scenarios.RespondDispatched:
		code, message := "OPERATION_PENDING", openapi.MessageOperationPending
		if step.Respond == scenarios.RespondDispatched {
			code, message = "OPERATION_DISPATCHED", openapi.MessageOperationDispatched
		}
		e.FlinksCode = code
		writeJSON(w, http.StatusAccepted, pendingBody{
			FlinksCode:     code,
			Links:          pendingLinks,
			HttpStatusCode: http.StatusAccepted,
			Message:        message,
			RequestId:      sess.id,
		})
	default:
		writeError(w, r, s.stepError(r, step, sess.id))
	}
}

// ready reports whether the operation has answered its 200.
func (op *operation) ready() bool { return op.last == scenarios.RespondReady }

// encode marshals a response body built by the package.
func (s *Server) encode(v any) []byte {
	b, err := marshal(v)
	if err != nil {
		s.log.Error("encode response", "err", err)
		return []byte(`{"HttpStatusCode":500,"FlinksCode":"AGGREGATION_ERROR","Message":"the mock could not encode its answer"}`)
	}
	return b
}

// detailHead and detailTail are the two halves of a GetAccountsDetail 200;
// together they have the fields of the contract, in its order.
type detailHead struct {
	HttpStatusCode int
	Accounts       []scenarios.Account
}

type detailTail struct {
	InstitutionName string
	Login           loginInfo
	InstitutionId   int
	Institution     string
	RequestId       string
}

type accountSummary struct {
	EftEligibleRatio       float64
	ETransferEligibleRatio float64
	Title                  string
	AccountNumber          string
	LastFourDigits         string
	Balance                scenarios.Balance
	Category               string
	Currency               string
	Holder                 *scenarios.Holder
	AccountType            *string
	Id                     string
}

type accountsSummary struct {
	HttpStatusCode  int
	Accounts        []accountSummary
	Links           []link
	InstitutionName string
	InstitutionId   int
	Institution     string
	RequestId       string
}

var summaryLinks = []link{
	{Rel: "AccountsDetail", Href: "/GetAccountsDetail"},
	{Rel: "Statements", Href: "/GetStatements"},
}

// accounts returns the login's accounts a request asked for: filtered by
// AccountsFilter, holders only with WithAccountIdentity/WithKYC, and
// transactions cut to DaysOfTransactions, counted back from the newest
// transaction of the login (so fixed scenario data does not age out).
func accounts(login *scenarios.Login, o dataOptions) []scenarios.Account {
	var filter []string
	if o.filter != "" {
		filter = strings.Split(o.filter, ",")
	}
	all := login.AllAccounts()
	newest := ""
	for _, a := range all {
		if len(a.Transactions) > 0 && a.Transactions[0].Date > newest {
			newest = a.Transactions[0].Date
		}
	}
	cutoff := ""
	if t, err := time.Parse(time.DateOnly, newest); err == nil {
		cutoff = t.AddDate(0, 0, -(o.days - 1)).Format(time.DateOnly)
	}
	out := make([]scenarios.Account, 0, len(all))
	for _, a := range all {
		if filter != nil && !slices.Contains(filter, a.Id) {
			continue
		}
		if !o.identity {
			a.Holder = nil
		}
		txs := a.Transactions
		if !o.transactions {
			txs = nil
		}
		n := 0
		for n < len(txs) && txs[n].Date >= cutoff {
			n++
		}
		a.Transactions = txs[:n:n]
		if a.Transactions == nil {
			a.Transactions = []scenarios.Transaction{}
		}
		out = append(out, a)
	}
	return out
}

// renderDetail builds the GetAccountsDetail 200 of a session. The accounts
// (tens of kilobytes) are encoded once per login and options and shared by
// every session; only the few fields after them are the session's own.
func (s *Server) renderDetail(sess *session, o dataOptions) payload {
	tail := s.encode(detailTail{
		InstitutionName: sess.inst.Name,
		Login:           sess.loginInfo(),
		InstitutionId:   sess.inst.ID,
		Institution:     sess.inst.Name,
		RequestId:       sess.id,
	})
	tail[0] = ','
	return payload{shared: s.rendered.get(sess.login, o, s.detailHead), own: tail}
}

// detailHead encodes the start of a GetAccountsDetail 200, up to the end
// of its Accounts: `{"HttpStatusCode":200,"Accounts":[...]`.
func (s *Server) detailHead(login *scenarios.Login, o dataOptions) []byte {
	list := accounts(login, o)
	for i := range list {
		// GetAccountsDetail has no ETransferEligibleRatio; it is a
		// GetAccountsSummary field that scenario data may carry.
		list[i].ETransferEligibleRatio = nil
	}
	b := s.encode(detailHead{HttpStatusCode: http.StatusOK, Accounts: list})
	return b[:len(b)-1]
}

func (s *Server) renderSummary(sess *session, o dataOptions) payload {
	o.transactions = false
	list := accounts(sess.login, o)
	sum := make([]accountSummary, len(list))
	for i, a := range list {
		sum[i] = accountSummary{
			EftEligibleRatio:       ratio(a.EftEligibleRatio),
			ETransferEligibleRatio: ratio(a.ETransferEligibleRatio),
			Title:                  a.Title,
			AccountNumber:          a.AccountNumber,
			LastFourDigits:         a.LastFourDigits,
			Balance:                a.Balance,
			Category:               a.Category,
			Currency:               a.Currency,
			Holder:                 a.Holder,
			AccountType:            a.AccountType,
			Id:                     a.Id,
		}
	}
	return payload{own: s.encode(accountsSummary{
		HttpStatusCode:  http.StatusOK,
		Accounts:        sum,
		Links:           summaryLinks,
		InstitutionName: sess.inst.Name,
		InstitutionId:   sess.inst.ID,
		Institution:     sess.inst.Name,
		RequestId:       sess.id,
	})}
}

// ratio is an eligibility ratio, 1 when the scenario sets none.
func ratio(v *float64) float64 {
	if v == nil {
		return 1
	}
	return *v
}
