package contract_test

import (
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// Synthetic journals for the rule tests: each entry is written as the mock
// would journal it, and journalOf numbers them and sets their times.

var t0 = time.Date(2026, 11, 2, 15, 4, 5, 0, time.UTC)

const (
	L1 = "06471b6b-2212-4e49-bff0-250437191029"
	L2 = "ef47846c-ff93-40a0-8535-c0bdd29b61d2"
	R1 = "11111111-1111-4111-8111-111111111111"
	R2 = "22222222-2222-4222-8222-222222222222"
	R9 = "99999999-9999-4999-8999-999999999999"
)

// req is a journal entry being written.
type req journal.Entry

func token() req {
	return req{Kind: journal.KindRequest, Method: "POST", Endpoint: "GenerateAuthorizeToken", Status: 200}
}

// authz is a cached /Authorize of a login with a token in some state.
func authz(login, state, ref string) req {
	return req{Kind: journal.KindRequest, Method: "POST", Endpoint: "Authorize", Mode: "cached", LoginID: login, Token: state, TokenRef: ref}
}

// answer is an MFA answer call.
func answer(rid, state, ref string, prompts ...string) req {
	return req{Kind: journal.KindRequest, Method: "POST", Endpoint: "Authorize", Mode: "mfa-answer", RequestID: rid, Token: state, TokenRef: ref, Answered: prompts}
}

func detail(rid string) req {
	return req{Kind: journal.KindRequest, Method: "POST", Endpoint: "GetAccountsDetail", RequestID: rid, LoginID: L1, APIKey: true}
}

func async(rid string) req {
	return req{Kind: journal.KindRequest, Method: "GET", Endpoint: "GetAccountsDetailAsync", RequestID: rid, LoginID: L1, APIKey: true}
}

func hook(delivery string, attempt, status int, latency time.Duration) req {
	return req{Kind: journal.KindWebhook, Method: "POST", URL: "http://127.0.0.1:9000/hook", DeliveryID: delivery, Attempt: attempt,
		ResponseType: "GetAccountsDetail", RequestID: R1, Status: status, Latency: latency}
}

// is sets the answer; codes of 202s are filled in.
func (r req) is(status int, code ...string) req {
	r.Status = status
	if len(code) > 0 {
		r.FlinksCode = code[0]
	} else if status == 202 {
		r.FlinksCode = "OPERATION_PENDING"
	}
	return r
}

func (r req) rid(id string) req       { r.RequestID = id; return r }
func (r req) login(id string) req     { r.LoginID = id; return r }
func (r req) ref(tokenRef string) req { r.TokenRef = tokenRef; return r }
func (r req) noAPIKey() req           { r.APIKey = false; return r }
func (r req) failed(err string) req   { r.Error = err; return r }

// asks makes the entry a 203 asking these prompts.
func (r req) asks(rid string, prompts ...string) req {
	r.Status, r.RequestID, r.Challenges = 203, rid, prompts
	return r
}

// step is an entry and when it arrived, counted from t0.
type step struct {
	at time.Duration
	e  req
}

func at(d time.Duration, e req) step { return step{d, e} }

func journalOf(steps ...step) []journal.Entry {
	out := make([]journal.Entry, len(steps))
	for i, s := range steps {
		e := journal.Entry(s.e)
		e.Seq = uint64(i + 1)
		e.Time = t0.Add(s.at)
		e.Tenant = "43387ca6-0391-4c82-857d-70d95f087ecb"
		out[i] = e
	}
	return out
}
