package flinksapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"net/http"
	"strings"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/bounded"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/shape"
	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// dataKind is one data endpoint and its Async poll: GetAccountsDetail or
// GetAccountsSummary.
type dataKind struct {
	name   string
	steps  func(*scenarios.Login) []scenarios.Step
	op     func(*session.Session) *session.Operation
	render func(*API, *session.Session, session.Options) (session.Body, *session.Shared)
	// events: the listeners of data events hear of this endpoint's calls.
	events bool
	// statements: the request's NumberOfStatements counts (GetStatements).
	statements bool
}

var (
	detailKind = dataKind{
		name:   "GetAccountsDetail",
		steps:  func(l *scenarios.Login) []scenarios.Step { return l.AccountsDetail },
		op:     func(s *session.Session) *session.Operation { return &s.Detail },
		render: (*API).renderDetail,
		events: true,
	}
	summaryKind = dataKind{
		name:   "GetAccountsSummary",
		steps:  func(l *scenarios.Login) []scenarios.Step { return l.AccountsSummary },
		op:     func(s *session.Session) *session.Operation { return &s.Summary },
		render: (*API).renderSummary,
	}
)

// dataRequest is the body of GetAccountsDetail, GetAccountsSummary and
// GetStatements.
type dataRequest struct {
	RequestId           string
	WithAccountIdentity bool
	WithKYC             *bool
	WithTransactions    *bool
	DaysOfTransactions  string
	AccountsFilter      []string
	NumberOfStatements  string
	DateFrom, DateTo    string
	RefreshDelta        []struct{ AccountId, TransactionId string }
	WithBalance         *bool
}

func (req *dataRequest) options(kind dataKind) session.Options {
	o := session.DefaultOptions()
	// Flinks sends the holder of a request that sets no flag (captures;
	// the C# SDK documents WithKYC as true by default): only WithKYC false
	// hides it.
	o.KYC = req.WithKYC == nil || *req.WithKYC
	o.Transactions = req.WithTransactions == nil || *req.WithTransactions
	if req.DaysOfTransactions == "Days365" {
		o.Days = 365
	}
	o.Filter = strings.Join(req.AccountsFilter, ",")
	if kind.statements {
		o.Months = statementMonths[req.NumberOfStatements]
		if o.Months == 0 {
			o.Months = statementMonths["MostRecent"]
		}
	}
	o.DateFrom, o.DateTo = dateOnly(req.DateFrom), dateOnly(req.DateTo)
	pairs := make([]string, len(req.RefreshDelta))
	for i, d := range req.RefreshDelta {
		pairs[i] = d.AccountId + ":" + d.TransactionId
	}
	o.Delta = strings.Join(pairs, ",")
	// "Displays all balances (from each transaction and account) as well
	// as overdraft protection information (set to true by default)" (the
	// C# SDK): false sends them as null.
	o.NoBalance = req.WithBalance != nil && !*req.WithBalance
	return o
}

// dateOnly is the date of a DateFrom or DateTo, which clients send as a
// date or a date and time.
func dateOnly(s string) string {
	if len(s) > len(time.DateOnly) {
		return s[:len(time.DateOnly)]
	}
	return s
}

// GetAccountsDetail answers a data request for the accounts with their
// transactions.
func (a *API) GetAccountsDetail(w http.ResponseWriter, r *http.Request) {
	a.data(w, r, detailKind, false)
}

// GetAccountsDetailAsync answers a poll of GetAccountsDetail.
func (a *API) GetAccountsDetailAsync(w http.ResponseWriter, r *http.Request) {
	a.data(w, r, detailKind, true)
}

// GetAccountsSummary answers a data request for the accounts alone.
func (a *API) GetAccountsSummary(w http.ResponseWriter, r *http.Request) {
	a.data(w, r, summaryKind, false)
}

// GetAccountsSummaryAsync answers a poll of GetAccountsSummary.
func (a *API) GetAccountsSummaryAsync(w http.ResponseWriter, r *http.Request) {
	a.data(w, r, summaryKind, true)
}

// data answers a data request or its Async poll from the login's steps:
// 202 while pending, the 200 payload once ready, or a scripted error.
func (a *API) data(w http.ResponseWriter, r *http.Request, kind dataKind, async bool) {
	name := kind.name
	if async {
		name = asyncName(name)
	}
	t, lib := a.enter(w, r, name)
	if t == nil {
		return
	}
	if !a.credentialsOK(w, r, t, lib) {
		return
	}
	req, ok := a.readDataRequest(w, r, async)
	if !ok {
		return
	}
	e := exchange.Entry(r)
	e.RequestID = req.RequestId
	sess := t.Session(req.RequestId)
	if sess == nil {
		exchange.WriteError(w, r, exchange.Code(r, session.CodeNonexistent, "", ""))
		return
	}
	e.LoginID = sess.Login.LoginID
	call := dataCall{kind: kind, name: name, async: async, opts: req.options(kind), now: a.clock.Now()}
	call.opts = a.withShape(lib, call.opts)
	ans := a.step(r, lib, sess, &call)
	if ans.err != nil {
		exchange.WriteError(w, r, ans.err)
		return
	}
	if ans.rendered {
		t.ChargeSession(sess)
	}
	if kind.events {
		a.detailEvents(t, lib, sess, ans.first, ans.ready())
	}
	if !exchange.Wait(r, ans.step.Latency) {
		return
	}
	writeStep(w, r, sess, ans, variedOf(call.opts.Varied, call.opts.Seed, sess, "202"))
}

// asyncName is the name of the Async poll of a data endpoint, without
// making it again on every poll.
func asyncName(name string) string {
	switch name {
	case "GetAccountsDetail":
		return "GetAccountsDetailAsync"
	case "GetAccountsSummary":
		return "GetAccountsSummaryAsync"
	case "GetStatements":
		return "GetStatementsAsync"
	}
	return name + "Async"
}

// readDataRequest reads the RequestId of a poll from its path, or the body
// of a data request; it answers a body it cannot use itself. A body read
// before is not decoded again (see requestMemo).
func (a *API) readDataRequest(w http.ResponseWriter, r *http.Request, async bool) (dataRequest, bool) {
	var req dataRequest
	if async {
		req.RequestId = exchange.PathValue(r, "requestId")
	} else {
		body := exchange.Body(r)
		held := a.requests.get(body)
		if held == nil {
			var err error
			if held, err = decodeDataRequest(body); err != nil {
				exchange.WriteError(w, r, exchange.Code(r, "INVALID_REQUEST", "Request body: "+exchange.JSONProblem(err), ""))
				return req, false
			}
			a.requests.put(body, held)
		}
		req = *held
	}
	if n := req.idBytes(); n > session.MaxFilterBytes {
		exchange.WriteError(w, r, exchange.Code(r, "INVALID_REQUEST", fmt.Sprintf("AccountsFilter and RefreshDelta hold %d bytes of Ids; the mock takes at most %d", n, session.MaxFilterBytes), ""))
		return req, false
	}
	return req, true
}

// decodeDataRequest decodes the body of a data request.
func decodeDataRequest(body []byte) (*dataRequest, error) {
	req := new(dataRequest)
	if err := json.Unmarshal(body, req); err != nil {
		return nil, err
	}
	return req, nil
}

// idBytes is the length of the Ids a request lists: its AccountsFilter
// joined by commas, and its RefreshDelta as "AccountId:TransactionId,".
func (req *dataRequest) idBytes() int {
	n := max(len(req.AccountsFilter)-1, 0)
	for _, id := range req.AccountsFilter {
		n += len(id)
	}
	for _, d := range req.RefreshDelta {
		n += len(d.AccountId) + len(d.TransactionId) + 2
	}
	return n
}

// requestMemo holds the data requests decoded lately, by the bytes of
// their body: a client polls with the same body again and again. A
// decoded request is only read once made (its lists are shared by the
// calls that find it). It is keyed by a hash of the body, so a lookup
// allocates nothing; the body it keeps tells a hash collision apart.
type requestMemo struct {
	seed     maphash.Seed
	requests *bounded.Memo[uint64, heldRequest]
}

// heldRequest is a decoded request and the body it came from.
type heldRequest struct {
	body []byte
	req  *dataRequest
}

const (
	// requestMemoEntries bounds how many decoded requests are kept.
	requestMemoEntries = 256
	// requestMemoMaxBody bounds the body of a request kept: a larger one
	// is decoded every time.
	requestMemoMaxBody = 1024
)

func newRequestMemo() requestMemo {
	return requestMemo{seed: maphash.MakeSeed(), requests: bounded.NewMemo[uint64, heldRequest](requestMemoEntries)}
}

// get returns the request decoded from body before, or nil.
func (m *requestMemo) get(body []byte) *dataRequest {
	held, ok := m.requests.Get(maphash.Bytes(m.seed, body))
	if !ok || !bytes.Equal(held.body, body) {
		return nil
	}
	return held.req
}

// put holds the request decoded from body.
func (m *requestMemo) put(body []byte, req *dataRequest) {
	if len(body) > requestMemoMaxBody {
		return
	}
	m.requests.Put(maphash.Bytes(m.seed, body), heldRequest{body: bytes.Clone(body), req: req})
}

// dataCall is one call of a data endpoint.
type dataCall struct {
	kind  dataKind
	name  string // the endpoint called: kind.name, or its Async
	async bool
	opts  session.Options
	now   time.Time
}

// dataAnswer is what a data call came to: an error, or the step that
// answers it (with the 200 body when the step is the ready one). first
// tells the call that started the data request.
type dataAnswer struct {
	err   *exchange.Error
	step  scenarios.Step
	body  session.Body
	first bool
	// rendered: the body was rendered by this call, which changed what
	// the session holds.
	rendered bool
}

func (ans dataAnswer) ready() bool { return ans.step.Respond == scenarios.RespondReady }

// step moves a session's data request on by one call, under the session's
// lock: the session must be authorized, a poll must follow a request, and
// a request still processing after the processing timeout expires it.
func (a *API) step(r *http.Request, lib *scenarios.Library, sess *session.Session, c *dataCall) dataAnswer {
	sess.Lock()
	defer sess.Unlock()
	limits := session.LimitsOf(lib.Settings)
	if processing(sess) {
		// The processing timeout, not the lifetime, bounds a session
		// whose data Flinks is still gathering.
		limits.Lifetime = 0
	}
	st, f := session.Data(sess.State, c.now, limits)
	sess.State = st
	if f != nil {
		msg := ""
		if f.Code == session.CodeUnauthorized {
			msg = "/" + c.name + " was called before /Authorize answered 200 for this RequestId: answer its security challenges first"
		}
		return dataAnswer{err: exchange.Code(r, f.Code, msg, sess.ID)}
	}
	op := c.kind.op(sess)
	if c.async && op.Started.IsZero() {
		return dataAnswer{err: exchange.Code(r, "INVALID_REQUEST", "/"+c.name+" polls a request that /"+c.kind.name+" answered with 202; call /"+c.kind.name+" for this RequestId first", sess.ID)}
	}
	var ans dataAnswer
	if !c.async {
		if op.Started.IsZero() {
			op.Started, ans.first = c.now, true
		}
		if c.opts != op.Options {
			op.Options, op.Body = c.opts, session.Kept{}
			sess.Measure()
		}
	}
	if !op.Ready() && c.now.Sub(op.Started) >= lib.Settings.ProcessingTimeout.D() {
		sess.State = session.TimeOut(sess.State)
		return dataAnswer{err: exchange.Code(r, session.CodeExpired, "The data request was still processing after "+lib.Settings.ProcessingTimeout.String()+"; the RequestId has expired", sess.ID)}
	}
	ans.step = op.Cursor.Next(c.kind.steps(sess.Login), c.now)
	if ans.ready() {
		var kept bool
		if ans.body, kept = op.Body.Body(); !kept {
			var shared *session.Shared
			ans.body, shared = c.kind.render(a, sess, op.Options)
			op.Body, ans.rendered = session.Keep(ans.body, shared), true
			sess.Measure()
		}
	}
	op.Last = ans.step.Respond
	return ans
}

// processing reports whether a data request of the session was started
// and has not answered its 200 yet.
func processing(sess *session.Session) bool {
	for _, op := range []*session.Operation{&sess.Detail, &sess.Summary} {
		if !op.Started.IsZero() && !op.Ready() {
			return true
		}
	}
	return false
}

// writeStep answers a data call with its step: the 200 body, a 202, or
// the step's error.
func writeStep(w http.ResponseWriter, r *http.Request, sess *session.Session, ans dataAnswer, varied *shape.Varied) {
	switch ans.step.Respond {
	case scenarios.RespondReady:
		exchange.WriteParts(w, http.StatusOK, ans.body)
	case scenarios.RespondPending, scenarios.RespondDispatched:
		code, message := "OPERATION_PENDING", openapi.MessageOperationPending
		if ans.step.Respond == scenarios.RespondDispatched {
			code, message = "OPERATION_DISPATCHED", openapi.MessageOperationDispatched
		}
		exchange.Entry(r).FlinksCode = code
		writeShaped(w, http.StatusAccepted, pendingBody{
			FlinksCode:     code,
			Links:          pendingLinks,
			HttpStatusCode: http.StatusAccepted,
			Message:        message,
			RequestId:      sess.ID,
		}, shape.Pending, varied)
	default:
		exchange.WriteError(w, r, exchange.Refused(r, stepRefusal(ans.step, sess.ID)))
	}
}
