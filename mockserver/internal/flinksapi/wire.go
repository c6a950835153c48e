package flinksapi

import (
	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// The bodies of the Flinks API, field for field in the order of the
// contract (openapi/flinks.yaml); encoding/json writes them in this order.

// link is one entry of a Flinks "Links" array.
type link struct {
	Rel     string  `json:"rel"`
	Href    string  `json:"href"`
	Example *string `json:"example"`
}

func ptr[T any](v T) *T { return &v }

var (
	authorizeLinks = []link{
		{Rel: "AccountsDetail", Href: "/GetAccountsDetail"},
		{Rel: "AccountsSummary", Href: "/GetAccountsSummary"},
		{Rel: "Statements", Href: "/GetStatements"},
	}
	mfaLinks = []link{{Rel: "Authorization", Href: "/Authorize"}}
	// pendingLinks are sent with every 202, literally templated as Flinks
	// sends them.
	pendingLinks = []link{{Rel: "{Endpoint}Async", Href: "/{Endpoint}Async", Example: ptr("/{Endpoint}Async/{requestId}")}}
	summaryLinks = []link{
		{Rel: "AccountsDetail", Href: "/GetAccountsDetail"},
		{Rel: "Statements", Href: "/GetStatements"},
	}
)

type tokenResponse struct {
	HttpStatusCode int
	Token          string
}

type loginInfo struct {
	Username           string
	IsScheduledRefresh bool
	LastRefresh        string
	Type               string
	Id                 string
}

func loginInfoOf(sess *session.Session) loginInfo {
	return loginInfo{
		Username:           sess.Login.Username,
		LastRefresh:        sess.LastRefresh,
		IsScheduledRefresh: sess.ScheduledRefresh,
		Type:               sess.Login.Type,
		Id:                 sess.Login.LoginID,
	}
}

// authorizeOK is the /Authorize 200. The fields with omitempty are the
// ones real bodies leave out, which the minimal shape leaves out too.
type authorizeOK struct {
	HttpStatusCode  int
	Links           []link
	InstitutionName string     `json:",omitempty"`
	Login           *loginInfo `json:",omitempty"`
	InstitutionId   *int       `json:",omitempty"`
	Institution     string
	RequestId       string
}

// institutionOf is what the 200s say of a session's institution: its name
// and id, or nothing in the minimal shape.
func institutionOf(sess *session.Session, minimal bool) (string, *int, *loginInfo) {
	if minimal {
		return "", nil, nil
	}
	login := loginInfoOf(sess)
	return sess.Inst.Name, &sess.Inst.ID, &login
}

type securityChallenge struct {
	Type      string
	Prompt    string
	Iterables []string `json:",omitempty"`
}

type authorizeMFA struct {
	HttpStatusCode     int
	Links              []link
	SecurityChallenges []securityChallenge
	InstitutionName    string
	InstitutionId      int
	Institution        string
	RequestId          string
}

type pendingBody struct {
	FlinksCode     string
	Links          []link
	HttpStatusCode int
	Message        string
	RequestId      string
}

// detailHead and detailTail are the two halves of a GetAccountsDetail 200;
// together they have the fields of the contract, in its order.
type detailHead struct {
	HttpStatusCode int
	Accounts       []scenarios.Account
}

type detailTail struct {
	// Tag is the Tag of /Authorize, at the top level of the data 200s as
	// in the docs' GetAccountsSummary example; absent when none was set.
	Tag             string     `json:",omitempty"`
	InstitutionName string     `json:",omitempty"`
	Login           *loginInfo `json:",omitempty"`
	InstitutionId   *int       `json:",omitempty"`
	Institution     string
	RequestId       string
}

type accountSummary struct {
	EftEligibleRatio       float64
	ETransferEligibleRatio float64
	Title                  string
	AccountNumber          string
	LastFourDigits         *string
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
	Links           []link `json:",omitempty"`
	Tag             string `json:",omitempty"`
	InstitutionName string `json:",omitempty"`
	InstitutionId   *int   `json:",omitempty"`
	Institution     string
	RequestId       string
}

// kycAccount is one account of a KYC webhook: its Id and holder.
type kycAccount struct {
	Id     string
	Holder *scenarios.Holder
}

// kycWebhook is the KYC webhook. Its shape was never seen; it is the
// minimal one openapi/flinks.yaml describes (KYCWebhook).
type kycWebhook struct {
	ResponseType   string
	HttpStatusCode int
	RequestId      string
	Login          loginInfo
	Accounts       []kycAccount
	Tag            string `json:",omitempty"`
}
