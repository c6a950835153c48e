package record

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// exchange is one request the Recorder forwarded and the answer it got.
type exchange struct {
	path   string
	header http.Header
	body   []byte
	status int
	answer []byte
}

// state is what the recording has learnt so far, unscrubbed. It lives in
// memory only: Scenario scrubs it on the way out.
type state struct {
	logins   []*loginRec // in the order they were first seen
	byID     map[string]*loginRec
	byUser   map[string]*loginRec
	sessions map[string]*sessionRec // by RequestId
	tokens   map[string]bool        // authorize tokens issued: true once used
	flows    int
}

func newState() state {
	return state{
		byID:     map[string]*loginRec{},
		byUser:   map[string]*loginRec{},
		sessions: map[string]*sessionRec{},
		tokens:   map[string]bool{},
	}
}

// loginRec is what the recording knows of one login.
type loginRec struct {
	loginID, username  string
	institution        string
	institutionID      int
	typ                string
	authorize          []outcome
	rounds             []roundRec
	mfaOnCached        bool // a cached /Authorize was answered 203
	tokenOptional      bool // /Authorize succeeded without a fresh token
	sessions           []*sessionRec
	accounts           []scenarios.Account // the GetAccountsDetail 200 with the most transactions
	transactions       int
	seen               map[string]scenarios.Account // every account of every 200, by Id
	summaryOnly        []scenarios.Account          // GetAccountsSummary's, when no detail came
	unknownCodes       []string
	mergedInto         *loginRec
	sessionsAuthorized int
}

// roundRec is one MFA round: every challenge asked in it, in the order
// first asked, with the answers that worked.
type roundRec struct {
	challenges []challengeRec
	maxAsked   int // the most challenges one 203 of the round asked
}

type challengeRec struct {
	typ, prompt string
	iterables   []string
	answers     []string // nil until an answer call with them succeeded
}

// sessionRec is one RequestId.
type sessionRec struct {
	login           *loginRec
	round           int // the MFA round being asked
	asked           []string
	detail, summary opRec
	completed       bool
}

// opRec is the answers of one data request of a session, until its 200
// or error.
type opRec struct {
	outcomes []outcome
	final    bool
}

// outcome is one answer worth replaying: respond as in a scenario step,
// and for an error its code, status and message.
type outcome struct {
	respond, code, message string
	status                 int
}

// The bodies of the Flinks calls, as far as the recording reads them.
// encoding/json matches names without regard to case, as Flinks does.
type authorizeBody struct {
	LoginId           string
	MostRecentCached  bool
	Username          string
	Institution       string
	RequestId         string
	SecurityResponses map[string][]string
}

type flinksAnswer struct {
	HttpStatusCode     int
	FlinksCode         string
	Message            string
	RequestId          string
	Token              string
	Institution        string
	InstitutionId      int
	Login              *struct{ Username, Type, Id string }
	SecurityChallenges []struct {
		Type, Prompt string
		Iterables    []string
	}
	Accounts []scenarios.Account
}

// replayable reports whether the recording keeps an error with this code.
// It leaves out the codes that answer what the client sent (a stale token,
// a bad body, an unknown login or session, data asked before /Authorize),
// which the mock judges for itself, and the 202 codes, which are no error.
func replayable(code string) bool {
	switch code {
	case "", "ACCESS_DENIED", "INVALID_REQUEST", "INVALID_LOGIN", "UNAUTHORIZED", "SESSION_NONEXISTENT",
		"OPERATION_PENDING", "OPERATION_DISPATCHED":
		return false
	}
	return true
}

// knownCode reports whether the contract (and so a scenario) knows a code.
func knownCode(code string) bool {
	_, ok := openapi.LookupCode(code)
	return ok
}

// flinksEndpoint splits a Flinks path into its endpoint and the segment
// after it (the RequestId of an Async poll).
func flinksEndpoint(path string) (endpoint, arg string, ok bool) {
	_, rest, found := strings.Cut(path, "/BankingServices/")
	if !found {
		return "", "", false
	}
	endpoint, arg, _ = strings.Cut(rest, "/")
	return endpoint, arg, endpoint != ""
}

// observe records one exchange.
func (r *Recorder) observe(x exchange) {
	endpoint, arg, ok := flinksEndpoint(x.path)
	if !ok {
		return
	}
	var ans flinksAnswer
	if len(x.answer) > 0 {
		if err := json.Unmarshal(x.answer, &ans); err != nil {
			r.log.Warn("an answer that is not Flinks JSON was forwarded unrecorded", "path", x.path, "status", x.status)
			return
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	st := &r.state
	switch endpoint {
	case "GenerateAuthorizeToken":
		if x.status == http.StatusOK && ans.Token != "" {
			st.tokens[ans.Token] = false
		}
	case "Authorize":
		var req authorizeBody
		if json.Unmarshal(x.body, &req) != nil {
			return
		}
		if req.RequestId != "" {
			r.answered(x, &req, &ans)
			return
		}
		r.authorized(x, &req, &ans)
	case "GetAccountsDetail", "GetAccountsSummary":
		var req struct{ RequestId string }
		if json.Unmarshal(x.body, &req) != nil {
			return
		}
		r.data(endpoint == "GetAccountsDetail", req.RequestId, x, &ans)
	case "GetAccountsDetailAsync", "GetAccountsSummaryAsync":
		r.data(endpoint == "GetAccountsDetailAsync", arg, x, &ans)
	}
}

// freshToken uses up the flinks-auth-key of an /Authorize and reports
// whether it was a token issued during the recording and unused.
func (st *state) freshToken(h http.Header) bool {
	key := h.Get("flinks-auth-key")
	used, issued := st.tokens[key]
	if issued {
		st.tokens[key] = true
	}
	return issued && !used
}

// authorized records an /Authorize that opens a session (cached, live or
// legacy).
func (r *Recorder) authorized(x exchange, req *authorizeBody, ans *flinksAnswer) {
	st := &r.state
	fresh := st.freshToken(x.header)
	var l *loginRec
	switch {
	case req.LoginId != "":
		l = st.loginByID(req.LoginId)
	case req.Username != "":
		l = st.loginByUsername(req.Username)
		if req.Institution != "" && l.institution == "" {
			l.institution = req.Institution
		}
	default:
		return
	}
	switch x.status {
	case http.StatusOK, http.StatusNonAuthoritativeInfo:
		l = st.learn(l, ans)
		l.authorize = append(l.authorize, outcome{respond: scenarios.RespondOK})
		if !fresh {
			l.tokenOptional = true
		}
		sess := &sessionRec{login: l}
		if ans.RequestId != "" {
			st.sessions[ans.RequestId] = sess
		}
		l.sessions = append(l.sessions, sess)
		if x.status == http.StatusNonAuthoritativeInfo {
			if req.LoginId != "" && req.MostRecentCached {
				l.mfaOnCached = true
			}
			sess.ask(ans)
		} else {
			l.sessionsAuthorized++
		}
	default:
		if x.status < 400 {
			return // no Flinks answer to /Authorize; nothing to replay
		}
		if !replayable(ans.FlinksCode) {
			r.flowCompleted(l, x.status, ans.FlinksCode)
			return
		}
		if !knownCode(ans.FlinksCode) {
			l.unknownCodes = append(l.unknownCodes, ans.FlinksCode)
		} else {
			l.authorize = append(l.authorize, outcome{respond: scenarios.RespondError, code: ans.FlinksCode, status: x.status, message: ans.Message})
		}
		r.flowCompleted(l, x.status, ans.FlinksCode)
	}
}

// answered records the answer to a 203: when it worked (200, or the 203
// of the next round), the answers sent are those of the challenges asked.
func (r *Recorder) answered(x exchange, req *authorizeBody, ans *flinksAnswer) {
	st := &r.state
	fresh := st.freshToken(x.header)
	sess := st.sessions[req.RequestId]
	if sess == nil {
		return
	}
	l := sess.login.root()
	if x.status != http.StatusOK && x.status != http.StatusNonAuthoritativeInfo {
		return // a wrong answer: the client tries again
	}
	if !fresh {
		l.tokenOptional = true
	}
	if sess.round < len(l.rounds) {
		round := &l.rounds[sess.round]
		for _, prompt := range sess.asked {
			for i := range round.challenges {
				if c := &round.challenges[i]; c.prompt == prompt && c.answers == nil && len(req.SecurityResponses[prompt]) > 0 {
					c.answers = append([]string(nil), req.SecurityResponses[prompt]...)
				}
			}
		}
	}
	sess.round++
	sess.asked = nil
	if x.status == http.StatusNonAuthoritativeInfo {
		sess.ask(ans)
		return
	}
	st.learn(l, ans)
	l.sessionsAuthorized++
}

// ask records the challenges of a 203 in the session's round.
func (sess *sessionRec) ask(ans *flinksAnswer) {
	l := sess.login.root()
	for len(l.rounds) <= sess.round {
		l.rounds = append(l.rounds, roundRec{})
	}
	round := &l.rounds[sess.round]
	round.maxAsked = max(round.maxAsked, len(ans.SecurityChallenges))
	sess.asked = nil
	for _, c := range ans.SecurityChallenges {
		sess.asked = append(sess.asked, c.Prompt)
		known := false
		for _, have := range round.challenges {
			known = known || have.prompt == c.Prompt
		}
		if !known {
			round.challenges = append(round.challenges, challengeRec{typ: c.Type, prompt: c.Prompt, iterables: c.Iterables})
		}
	}
}

// data records an answer of GetAccountsDetail or GetAccountsSummary (or
// their Async poll) for a session.
func (r *Recorder) data(detail bool, requestID string, x exchange, ans *flinksAnswer) {
	sess := r.state.sessions[requestID]
	if sess == nil {
		return
	}
	op := &sess.summary
	if detail {
		op = &sess.detail
	}
	if op.final {
		return
	}
	l := r.state.learn(sess.login.root(), ans)
	switch {
	case x.status == http.StatusAccepted && ans.FlinksCode == "OPERATION_DISPATCHED":
		op.outcomes = append(op.outcomes, outcome{respond: scenarios.RespondDispatched})
		return
	case x.status == http.StatusAccepted:
		op.outcomes = append(op.outcomes, outcome{respond: scenarios.RespondPending})
		return
	case x.status == http.StatusOK:
		op.outcomes = append(op.outcomes, outcome{respond: scenarios.RespondReady})
		l.keepAccounts(detail, ans.Accounts)
	case x.status < 400 || !replayable(ans.FlinksCode):
		return // the client's mistake, not the data's, or no Flinks answer
	case !knownCode(ans.FlinksCode):
		l.unknownCodes = append(l.unknownCodes, ans.FlinksCode)
		return
	default:
		op.outcomes = append(op.outcomes, outcome{respond: scenarios.RespondError, code: ans.FlinksCode, status: x.status, message: ans.Message})
	}
	op.final = true
	if !sess.completed {
		sess.completed = true
		r.flowCompleted(sess.login, x.status, ans.FlinksCode)
	}
}

// keepAccounts notes the accounts of a 200: every account by Id (for the
// holders and ratios other answers lack), and the GetAccountsDetail answer
// with the most transactions as the login's accounts.
func (l *loginRec) keepAccounts(detail bool, accounts []scenarios.Account) {
	if l.seen == nil {
		l.seen = map[string]scenarios.Account{}
	}
	for _, a := range accounts {
		prev, ok := l.seen[a.Id]
		if !ok || (prev.Holder == nil && a.Holder != nil) {
			l.seen[a.Id] = a
		}
		if a.EftEligibleRatio != nil || a.ETransferEligibleRatio != nil {
			merged := l.seen[a.Id]
			merged.EftEligibleRatio = a.EftEligibleRatio
			merged.ETransferEligibleRatio = a.ETransferEligibleRatio
			l.seen[a.Id] = merged
		}
	}
	if !detail {
		if l.accounts == nil && l.summaryOnly == nil {
			l.summaryOnly = accounts
		}
		return
	}
	n := 0
	for _, a := range accounts {
		n += len(a.Transactions)
	}
	if l.accounts == nil || n > l.transactions {
		l.accounts, l.transactions = accounts, n
		if l.accounts == nil {
			l.accounts = []scenarios.Account{}
		}
	}
}
