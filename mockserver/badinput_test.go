package mockserver_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// catalogueMaxHeaderBytes is the MaxHeaderBytes of the HTTP server that
// `flinks-mock serve` runs (cli.newHTTPServer, checked by its own test):
// the catalogue server uses the same, so an oversized header meets the
// same refusal as in production.
const catalogueMaxHeaderBytes = 64 << 10

// hostile is one malformed or hostile request of the catalogue and the
// answer it must get.
type hostile struct {
	name   string
	method string
	// path is relative to /v3/{customerId}/BankingServices/ unless it
	// starts with "/". Placeholders: {rid} an authorized RequestId, {mfa}
	// the RequestId of a 203 whose prompt is {prompt}, {nomfa} and
	// {greatday} the LoginIds of those sandbox logins.
	path   string
	header http.Header // {token} in a value becomes a fresh authorize token
	body   string      // placeholders as in path
	// raw, when set, is sent as is on a TCP connection: for requests that
	// net/http refuses to send.
	raw string

	status int
	code   string // FlinksCode of the answer; "" for a success
	// net is set for a request that the Go HTTP server refuses before any
	// handler runs: its answer is Go's own (not the envelope) and it is
	// not journalled.
	net bool
	// admin is set for the admin API, which is not journalled but for
	// the requests it refuses for their size (refused).
	admin, refused bool
	// allow is the Allow header a 405 must carry.
	allow string
}

const jsonCT = "application/json"

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

// withToken is the header of an /Authorize call with a fresh token.
func withToken(kv ...string) http.Header {
	return hdr(append([]string{"flinks-auth-key", "{token}"}, kv...)...)
}

func nested(open, close string, depth int, inner string) string {
	return strings.Repeat(open, depth) + inner + strings.Repeat(close, depth)
}

func manyKeys(n int) string {
	var b strings.Builder
	b.WriteString(`{"RequestId":"{mfa}","SecurityResponses":{`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"k%d":["a"]`, i)
	}
	b.WriteString("}}")
	return b.String()
}

// hostileCatalogue is the catalogue. Bad request bodies answer 401
// INVALID_REQUEST (Flinks' status for the code), a Content-Type the
// operation does not take 415, a body over 1 MiB 413, a wrong method 405
// and an unknown path 404, all in the Flinks envelope; the admin API
// answers its own 400, 404, 405 and 413 in the same envelope.
func hostileCatalogue() []hostile {
	big := strings.Repeat("x", 900<<10)
	over := `{"Tag":"` + strings.Repeat("x", 1<<20) + `"}`
	// A scenario file may be as large as one on disk, no larger.
	scenario := "logins: []\n#" + strings.Repeat("x", scenarios.MaxFileBytes-len("logins: []\n#"))
	return []hostile{
		// Broken JSON.
		{name: "truncated JSON", method: "POST", path: "Authorize", header: withToken(), body: `{"LoginId":"{nomfa}","MostRecentCached":tr`, status: 401, code: "INVALID_REQUEST"},
		{name: "trailing garbage", method: "POST", path: "Authorize", header: withToken(), body: `{"LoginId":"{nomfa}","MostRecentCached":true} garbage`, status: 401, code: "INVALID_REQUEST"},
		{name: "two JSON values", method: "POST", path: "Authorize", header: withToken(), body: `{} {}`, status: 401, code: "INVALID_REQUEST"},
		{name: "byte order mark", method: "POST", path: "Authorize", header: withToken(), body: "\uFEFF" + `{"LoginId":"{nomfa}","MostRecentCached":true}`, status: 401, code: "INVALID_REQUEST"},
		{name: "block comment", method: "POST", path: "Authorize", header: withToken(), body: `{"LoginId":"{nomfa}" /* cached */, "MostRecentCached":true}`, status: 401, code: "INVALID_REQUEST"},
		{name: "line comment", method: "POST", path: "Authorize", header: withToken(), body: "// cached\n" + `{"LoginId":"{nomfa}","MostRecentCached":true}`, status: 401, code: "INVALID_REQUEST"},
		{name: "trailing comma", method: "POST", path: "Authorize", header: withToken(), body: `{"LoginId":"{nomfa}",}`, status: 401, code: "INVALID_REQUEST"},
		{name: "single quotes", method: "POST", path: "Authorize", header: withToken(), body: `{'LoginId':'{nomfa}'}`, status: 401, code: "INVALID_REQUEST"},
		{name: "NaN", method: "POST", path: "Authorize", header: withToken(), body: `{"LoginId":NaN}`, status: 401, code: "INVALID_REQUEST"},
		{name: "raw NUL byte in a string", method: "POST", path: "Authorize", header: withToken(), body: "{\"LoginId\":\"a\x00b\"}", status: 401, code: "INVALID_REQUEST"},
		{name: "empty body", method: "POST", path: "Authorize", header: withToken("Content-Type", jsonCT), status: 401, code: "INVALID_REQUEST"},
		{name: "null body", method: "POST", path: "Authorize", header: withToken(), body: `null`, status: 401, code: "INVALID_REQUEST"},
		{name: "array body", method: "POST", path: "Authorize", header: withToken(), body: `[]`, status: 401, code: "INVALID_REQUEST"},
		{name: "string body", method: "POST", path: "GetAccountsDetail", body: `"{rid}"`, status: 401, code: "INVALID_REQUEST"},

		// Every field of /Authorize with the wrong type.
		{name: "LoginId number", method: "POST", path: "Authorize", header: withToken(), body: `{"LoginId":123,"MostRecentCached":true}`, status: 401, code: "INVALID_REQUEST"},
		{name: "MostRecentCached string", method: "POST", path: "Authorize", header: withToken(), body: `{"LoginId":"{nomfa}","MostRecentCached":"yes"}`, status: 401, code: "INVALID_REQUEST"},
		{name: "Username boolean", method: "POST", path: "Authorize", header: withToken(), body: `{"Username":true,"Password":"Everyday","Institution":"FlinksCapital"}`, status: 401, code: "INVALID_REQUEST"},
		{name: "Password list", method: "POST", path: "Authorize", header: withToken(), body: `{"Username":"Greatday","Password":["Everyday"],"Institution":"FlinksCapital"}`, status: 401, code: "INVALID_REQUEST"},
		{name: "Institution object", method: "POST", path: "Authorize", header: withToken(), body: `{"Username":"Greatday","Password":"Everyday","Institution":{}}`, status: 401, code: "INVALID_REQUEST"},
		{name: "Language not en or fr", method: "POST", path: "Authorize", header: withToken(), body: `{"LoginId":"{nomfa}","Language":"de"}`, status: 401, code: "INVALID_REQUEST"},
		{name: "Save string", method: "POST", path: "Authorize", header: withToken(), body: `{"LoginId":"{nomfa}","Save":"yes"}`, status: 401, code: "INVALID_REQUEST"},
		{name: "Tag number", method: "POST", path: "Authorize", header: withToken(), body: `{"LoginId":"{nomfa}","Tag":1}`, status: 401, code: "INVALID_REQUEST"},
		{name: "RequestId number", method: "POST", path: "Authorize", header: withToken(), body: `{"RequestId":1,"SecurityResponses":{}}`, status: 401, code: "INVALID_REQUEST"},
		{name: "SecurityResponses string", method: "POST", path: "Authorize", header: withToken(), body: `{"RequestId":"{mfa}","SecurityResponses":"Triangle"}`, status: 401, code: "INVALID_REQUEST"},
		{name: "SecurityResponses value not a list", method: "POST", path: "Authorize", header: withToken(), body: `{"RequestId":"{mfa}","SecurityResponses":{"{prompt}":"x"}}`, status: 401, code: "INVALID_REQUEST"},
		{name: "SecurityResponses answer number", method: "POST", path: "Authorize", header: withToken(), body: `{"RequestId":"{mfa}","SecurityResponses":{"{prompt}":[1]}}`, status: 401, code: "INVALID_REQUEST"},
		{name: "WithMFAQuestions number", method: "POST", path: "Authorize", header: withToken(), body: `{"LoginId":"{nomfa}","WithMFAQuestions":1}`, status: 401, code: "INVALID_REQUEST"},
		{name: "ScheduleRefresh null", method: "POST", path: "Authorize", header: withToken(), body: `{"LoginId":"{nomfa}","ScheduleRefresh":null}`, status: 401, code: "INVALID_REQUEST"},
		{name: "DirectRefresh string", method: "POST", path: "Authorize", header: withToken(), body: `{"LoginId":"{nomfa}","DirectRefresh":"x"}`, status: 401, code: "INVALID_REQUEST"},
		{name: "WithTransactions number in Authorize", method: "POST", path: "Authorize", header: withToken(), body: `{"LoginId":"{nomfa}","WithTransactions":0}`, status: 401, code: "INVALID_REQUEST"},
		{name: "WithBalance list", method: "POST", path: "Authorize", header: withToken(), body: `{"LoginId":"{nomfa}","WithBalance":[]}`, status: 401, code: "INVALID_REQUEST"},

		// Every field of /GetAccountsDetail with the wrong type.
		{name: "RequestId missing", method: "POST", path: "GetAccountsDetail", body: `{"WithTransactions":true}`, status: 401, code: "INVALID_REQUEST"},
		{name: "RequestId number in GetAccountsDetail", method: "POST", path: "GetAccountsDetail", body: `{"RequestId":5}`, status: 401, code: "INVALID_REQUEST"},
		{name: "WithAccountIdentity string", method: "POST", path: "GetAccountsDetail", body: `{"RequestId":"{rid}","WithAccountIdentity":"true"}`, status: 401, code: "INVALID_REQUEST"},
		{name: "WithKYC number", method: "POST", path: "GetAccountsDetail", body: `{"RequestId":"{rid}","WithKYC":1}`, status: 401, code: "INVALID_REQUEST"},
		{name: "WithTransactions string", method: "POST", path: "GetAccountsDetail", body: `{"RequestId":"{rid}","WithTransactions":"false"}`, status: 401, code: "INVALID_REQUEST"},
		{name: "WithBalance string", method: "POST", path: "GetAccountsDetail", body: `{"RequestId":"{rid}","WithBalance":"no"}`, status: 401, code: "INVALID_REQUEST"},
		{name: "WithDetailsAndBankingStatements object", method: "POST", path: "GetAccountsDetail", body: `{"RequestId":"{rid}","WithDetailsAndBankingStatements":{}}`, status: 401, code: "INVALID_REQUEST"},
		{name: "MostRecentCached string in GetAccountsDetail", method: "POST", path: "GetAccountsDetail", body: `{"RequestId":"{rid}","MostRecentCached":"no"}`, status: 401, code: "INVALID_REQUEST"},
		{name: "DaysOfTransactions not in the enum", method: "POST", path: "GetAccountsDetail", body: `{"RequestId":"{rid}","DaysOfTransactions":"Days30"}`, status: 401, code: "INVALID_REQUEST"},
		{name: "DaysOfTransactions number", method: "POST", path: "GetAccountsDetail", body: `{"RequestId":"{rid}","DaysOfTransactions":90}`, status: 401, code: "INVALID_REQUEST"},
		{name: "AccountsFilter string", method: "POST", path: "GetAccountsDetail", body: `{"RequestId":"{rid}","AccountsFilter":"a"}`, status: 401, code: "INVALID_REQUEST"},
		{name: "AccountsFilter numbers", method: "POST", path: "GetAccountsDetail", body: `{"RequestId":"{rid}","AccountsFilter":[1,2]}`, status: 401, code: "INVALID_REQUEST"},
		{name: "NumberOfBankingStatements number", method: "POST", path: "GetAccountsDetail", body: `{"RequestId":"{rid}","NumberOfBankingStatements":3}`, status: 401, code: "INVALID_REQUEST"},

		// Huge numbers and deep nesting.
		{name: "1e400 for a string", method: "POST", path: "Authorize", header: withToken(), body: `{"LoginId":1e400}`, status: 401, code: "INVALID_REQUEST"},
		{name: "2^64 for a boolean", method: "POST", path: "Authorize", header: withToken(), body: `{"LoginId":"{nomfa}","MostRecentCached":18446744073709551616}`, status: 401, code: "INVALID_REQUEST"},
		{name: "1e400 in an unknown field", method: "POST", path: "Authorize", header: withToken(), body: `{"LoginId":"{nomfa}","MostRecentCached":true,"Extra":1e400}`, status: 200},
		{name: "-2^64 for DaysOfTransactions", method: "POST", path: "GetAccountsDetail", body: `{"RequestId":"{rid}","DaysOfTransactions":-18446744073709551616}`, status: 401, code: "INVALID_REQUEST"},
		{name: "10 000 nested arrays", method: "POST", path: "Authorize", header: withToken(), body: nested("[", "]", 10_000, ""), status: 401, code: "INVALID_REQUEST"},
		{name: "10 000 nested objects", method: "POST", path: "Authorize", header: withToken(), body: nested(`{"a":`, "}", 10_000, "1"), status: 401, code: "INVALID_REQUEST"},
		{name: "10 000 nested arrays as an answer", method: "POST", path: "Authorize", header: withToken(), body: `{"RequestId":"{mfa}","SecurityResponses":{"{prompt}":` + nested("[", "]", 10_000, "") + `}}`, status: 401, code: "INVALID_REQUEST"},
		{name: "9 000 nested objects in an unknown field", method: "POST", path: "Authorize", header: withToken(), body: `{"LoginId":"{nomfa}","MostRecentCached":true,"X":` + nested(`{"a":`, "}", 9_000, "1") + `}`, status: 200},

		// Invalid UTF-8, NUL, long strings.
		{name: "invalid UTF-8 in Username", method: "POST", path: "Authorize", header: withToken(), body: "{\"Username\":\"Great\xffday\",\"Password\":\"Everyday\",\"Institution\":\"FlinksCapital\"}", status: 401, code: "INVALID_LOGIN"},
		{name: "invalid UTF-8 in a SecurityResponses key", method: "POST", path: "Authorize", header: withToken(), body: "{\"RequestId\":\"{mfa}\",\"SecurityResponses\":{\"\xc3\x28\":[\"a\"]}}", status: 401, code: "UNKNOWN_CHALLENGE_KEY"},
		{name: "invalid UTF-8 in an answer", method: "POST", path: "Authorize", header: withToken(), body: "{\"RequestId\":\"{mfa}\",\"SecurityResponses\":{\"{prompt}\":[\"\xed\xa0\x80\"]}}", status: 401, code: "INVALID_SECURITY_RESPONSE"},
		{name: "invalid UTF-8 in Tag", method: "POST", path: "Authorize", header: withToken(), body: "{\"LoginId\":\"{nomfa}\",\"MostRecentCached\":true,\"Tag\":\"\xfe\xff\"}", status: 200},
		{name: "escaped NUL in RequestId", method: "POST", path: "GetAccountsDetail", body: `{"RequestId":"\u0000"}`, status: 400, code: "SESSION_NONEXISTENT"},
		{name: "escaped NUL in LoginId", method: "POST", path: "Authorize", header: withToken(), body: `{"LoginId":"\u0000{nomfa}","MostRecentCached":true}`, status: 401, code: "INVALID_LOGIN"},
		{name: "lone surrogate escape in a prompt", method: "POST", path: "Authorize", header: withToken(), body: `{"RequestId":"{mfa}","SecurityResponses":{"\ud800":["a"]}}`, status: 401, code: "UNKNOWN_CHALLENGE_KEY"},
		{name: "4 KiB Tag", method: "POST", path: "Authorize", header: withToken(), body: `{"LoginId":"{nomfa}","MostRecentCached":true,"Tag":"` + big[:4096] + `"}`, status: 200},
		{name: "900 KiB Tag", method: "POST", path: "Authorize", header: withToken(), body: `{"LoginId":"{nomfa}","MostRecentCached":true,"Tag":"` + big + `"}`, status: 401, code: "INVALID_REQUEST"},
		{name: "900 KiB AccountsFilter", method: "POST", path: "GetAccountsDetail", body: `{"RequestId":"{rid}","AccountsFilter":["` + big + `"]}`, status: 401, code: "INVALID_REQUEST"},
		{name: "50 000 AccountsFilter ids", method: "POST", path: "GetAccountsSummary", body: `{"RequestId":"{rid}","AccountsFilter":[` + strings.Repeat(`"a",`, 50_000) + `"a"]}`, status: 401, code: "INVALID_REQUEST"},
		{name: "900 KiB LoginId", method: "POST", path: "Authorize", header: withToken(), body: `{"LoginId":"` + big + `"}`, status: 401, code: "INVALID_LOGIN"},
		{name: "900 KiB RequestId", method: "POST", path: "GetAccountsDetail", body: `{"RequestId":"` + big + `"}`, status: 400, code: "SESSION_NONEXISTENT"},
		{name: "20 000 SecurityResponses keys", method: "POST", path: "Authorize", header: withToken(), body: manyKeys(20_000), status: 401, code: "UNKNOWN_CHALLENGE_KEY"},

		// Headers.
		{name: "no flinks-auth-key", method: "POST", path: "Authorize", body: `{"LoginId":"{nomfa}","MostRecentCached":true}`, status: 401, code: "ACCESS_DENIED"},
		{name: "empty flinks-auth-key for a token", method: "POST", path: "GenerateAuthorizeToken", header: hdr("flinks-auth-key", ""), status: 401, code: "ACCESS_DENIED"},
		{name: "two flinks-auth-key headers, the token first", method: "POST", path: "Authorize", header: withToken("flinks-auth-key", "forged"), body: `{"LoginId":"{nomfa}","MostRecentCached":true}`, status: 200},
		{name: "two flinks-auth-key headers, the token second", method: "POST", path: "Authorize", header: hdr("flinks-auth-key", "forged", "flinks-auth-key", "{token}"), body: `{"LoginId":"{nomfa}","MostRecentCached":true}`, status: 401, code: "ACCESS_DENIED"},
		{name: "two Content-Type headers, JSON first", method: "POST", path: "Authorize", header: withToken("Content-Type", jsonCT, "Content-Type", "text/plain"), body: `{"LoginId":"{nomfa}","MostRecentCached":true}`, status: 200},
		{name: "two Content-Type headers, text first", method: "POST", path: "Authorize", header: withToken("Content-Type", "text/plain", "Content-Type", jsonCT), body: `{"LoginId":"{nomfa}","MostRecentCached":true}`, status: 415, code: "INVALID_REQUEST"},
		{name: "text/plain", method: "POST", path: "GetAccountsDetail", header: hdr("Content-Type", "text/plain"), body: `{"RequestId":"{rid}"}`, status: 415, code: "INVALID_REQUEST"},
		{name: "multipart", method: "POST", path: "Authorize", header: withToken("Content-Type", "multipart/form-data; boundary=x"), body: "--x\r\nContent-Disposition: form-data; name=\"LoginId\"\r\n\r\n{nomfa}\r\n--x--\r\n", status: 415, code: "INVALID_REQUEST"},
		{name: "form encoded", method: "POST", path: "Authorize", header: withToken("Content-Type", "application/x-www-form-urlencoded"), body: "LoginId={nomfa}&MostRecentCached=true", status: 415, code: "INVALID_REQUEST"},
		{name: "unparsable Content-Type", method: "POST", path: "Authorize", header: withToken("Content-Type", ";;;"), body: `{"LoginId":"{nomfa}","MostRecentCached":true}`, status: 415, code: "INVALID_REQUEST"},
		{name: "JSON said to be latin1", method: "POST", path: "Authorize", header: withToken("Content-Type", "application/json; charset=latin1"), body: "{\"LoginId\":\"{nomfa}\",\"MostRecentCached\":true,\"Tag\":\"caf\xe9\"}", status: 200},
		{name: "no Content-Type, JSON body", method: "POST", path: "Authorize", header: withToken("Content-Type", ""), body: `{"LoginId":"{nomfa}","MostRecentCached":true}`, status: 200},
		{name: "a body on a GET poll", method: "GET", path: "GetAccountsDetailAsync/unknown", header: hdr("Content-Type", "text/plain"), body: "ignored", status: 400, code: "SESSION_NONEXISTENT"},
		{name: "header over MaxHeaderBytes", method: "POST", path: "Authorize", header: hdr("X-Padding", strings.Repeat("p", catalogueMaxHeaderBytes+8<<10)), body: `{}`, status: 431, net: true},
		{name: "header name with a space", method: "POST", raw: "POST /v3/c/BankingServices/GenerateAuthorizeToken HTTP/1.1\r\nHost: x\r\nflinks auth key: k\r\nContent-Length: 0\r\n\r\n", status: 400, net: true},

		// Paths.
		{name: "encoded slashes in the RequestId", method: "GET", path: "GetAccountsDetailAsync/..%2f..%2fetc", status: 404, code: "INVALID_REQUEST"},
		{name: "encoded dots as the RequestId", method: "POST", path: "GetAccountsSummaryAsync/%2e%2e", status: 400, code: "SESSION_NONEXISTENT"},
		{name: "encoded NUL as the RequestId", method: "GET", path: "GetAccountsDetailAsync/%00", status: 400, code: "SESSION_NONEXISTENT"},
		{name: "dot segments in the path", method: "POST", raw: "POST /v3/c/BankingServices/../BankingServices/GenerateAuthorizeToken HTTP/1.1\r\nHost: x\r\nflinks-auth-key: k\r\nContent-Length: 0\r\n\r\n", status: 404, code: "INVALID_REQUEST"},
		{name: "double slash", method: "POST", path: "//v3/c/BankingServices/GenerateAuthorizeToken", header: hdr("flinks-auth-key", "k"), status: 404, code: "INVALID_REQUEST"},
		{name: "empty RequestId", method: "GET", path: "GetAccountsDetailAsync/", status: 404, code: "INVALID_REQUEST"},
		{name: "trailing slash", method: "POST", path: "GenerateAuthorizeToken/", header: hdr("flinks-auth-key", "k"), status: 404, code: "INVALID_REQUEST"},
		{name: "endpoint in lower case", method: "POST", path: "generateauthorizetoken", header: hdr("flinks-auth-key", "k"), status: 404, code: "INVALID_REQUEST"},
		{name: "unknown endpoint", method: "POST", path: "AuthorizeMultiple", body: `{"RequestId":"{rid}"}`, status: 404, code: "INVALID_REQUEST"},
		{name: "bad percent-encoding", method: "GET", raw: "GET /v3/c/BankingServices/GetAccountsDetailAsync/%zz HTTP/1.1\r\nHost: x\r\n\r\n", status: 400, net: true},
		{name: "customerId of odd characters", method: "POST", path: "/v3/%E2%98%83%20%22%3C%3E%27%3B/BankingServices/GenerateAuthorizeToken", header: hdr("flinks-auth-key", "k"), status: 200},
		{name: "customerId of invalid UTF-8", method: "POST", path: "/v3/%FF%FE/BankingServices/GenerateAuthorizeToken", header: hdr("flinks-auth-key", "k"), status: 200},
		{name: "customerId with an encoded NUL", method: "POST", path: "/v3/a%00b/BankingServices/GenerateAuthorizeToken", header: hdr("flinks-auth-key", "k"), status: 200},
		{name: "customerId of 10 000 characters", method: "POST", path: "/v3/" + strings.Repeat("c", 10_000) + "/BankingServices/GenerateAuthorizeToken", header: hdr("flinks-auth-key", "k"), status: 401, code: "INVALID_REQUEST"},
		{name: "a query string is ignored", method: "POST", path: "Authorize?LoginId=x&MostRecentCached=false&a=%zz", header: withToken(), body: `{"LoginId":"{nomfa}","MostRecentCached":true}`, status: 200},

		// Methods.
		{name: "PATCH", method: "PATCH", path: "Authorize", body: `{}`, status: 405, code: "INVALID_REQUEST", allow: "POST"},
		{name: "DELETE", method: "DELETE", path: "GetAccountsDetail", status: 405, code: "INVALID_REQUEST", allow: "POST"},
		{name: "OPTIONS", method: "OPTIONS", path: "Authorize", status: 405, code: "INVALID_REQUEST", allow: "POST"},
		{name: "HEAD", method: "HEAD", path: "GenerateAuthorizeToken", status: 405, code: "INVALID_REQUEST", allow: "POST"},
		{name: "GET on a POST endpoint", method: "GET", path: "Authorize", status: 405, code: "INVALID_REQUEST", allow: "POST"},
		{name: "PUT on a poll", method: "PUT", path: "GetAccountsDetailAsync/{rid}", status: 405, code: "INVALID_REQUEST", allow: "GET, POST"},
		{name: "made-up method", method: "BREW", path: "GenerateAuthorizeToken", status: 405, code: "INVALID_REQUEST", allow: "POST"},
		{name: "HEAD on the document", method: "HEAD", path: "/openapi.yaml", status: 200},

		// Bodies over the limit, on every kind of route.
		{name: "body of 1 MiB + 1 on Authorize", method: "POST", path: "Authorize", header: withToken(), body: over, status: 413, code: "INVALID_REQUEST"},
		{name: "body over the limit where none is expected", method: "POST", path: "GenerateAuthorizeToken", header: hdr("flinks-auth-key", "k"), body: over, status: 413, code: "INVALID_REQUEST"},
		{name: "body over the limit on a poll", method: "POST", path: "GetAccountsDetailAsync/{rid}", body: over, status: 413, code: "INVALID_REQUEST"},
		{name: "body over the limit on an unknown path", method: "POST", path: "/nowhere", body: over, status: 413, code: "INVALID_REQUEST"},
		{name: "body over the limit on the Connect pages", method: "POST", path: "/v2/", body: over, status: 413, code: "INVALID_REQUEST"},
		{name: "a scenario file of 4 MiB on the admin API", method: "POST", path: "/__admin/scenarios?customerId=c", header: hdr("Content-Type", "application/yaml"), body: scenario, status: 200, admin: true},
		{name: "a scenario file of 4 MiB + 1 on the admin API", method: "POST", path: "/__admin/scenarios?customerId=c", header: hdr("Content-Type", "application/yaml"), body: scenario + "x", status: 413, code: "INVALID_REQUEST", admin: true, refused: true},
		{name: "body over the limit on the clock", method: "POST", path: "/__admin/clock/advance", body: over, status: 413, code: "INVALID_REQUEST", admin: true, refused: true},

		// The admin API.
		{name: "advance by a number", method: "POST", path: "/__admin/clock/advance", body: `{"by":10}`, status: 400, code: "INVALID_REQUEST", admin: true},
		{name: "advance backwards", method: "POST", path: "/__admin/clock/advance", body: `{"by":"-5m"}`, status: 400, code: "INVALID_REQUEST", admin: true},
		{name: "advance by a huge duration", method: "POST", path: "/__admin/clock/advance", body: `{"by":"9999999999999h"}`, status: 400, code: "INVALID_REQUEST", admin: true},
		{name: "advance with broken JSON", method: "POST", path: "/__admin/clock/advance", body: `{"by":`, status: 400, code: "INVALID_REQUEST", admin: true},
		{name: "set the clock to no time", method: "POST", path: "/__admin/clock/set", body: `{"now":"yesterday"}`, status: 400, code: "INVALID_REQUEST", admin: true},
		{name: "set the clock back", method: "POST", path: "/__admin/clock/set", body: `{"now":"2000-01-01T00:00:00Z"}`, status: 400, code: "INVALID_REQUEST", admin: true},
		{name: "journal limit 0", method: "GET", path: "/__admin/journal?limit=0", status: 400, code: "INVALID_REQUEST", admin: true},
		{name: "journal limit not a number", method: "GET", path: "/__admin/journal?limit=abc", status: 400, code: "INVALID_REQUEST", admin: true},
		{name: "journal limit past int64", method: "GET", path: "/__admin/journal?limit=99999999999999999999", status: 400, code: "INVALID_REQUEST", admin: true},
		{name: "journal since garbage", method: "GET", path: "/__admin/journal?since=yesterday", status: 400, code: "INVALID_REQUEST", admin: true},
		{name: "journal kind unknown", method: "GET", path: "/__admin/journal?kind=everything", status: 400, code: "INVALID_REQUEST", admin: true},
		{name: "scenario file cut short", method: "POST", path: "/__admin/scenarios?customerId=c", header: hdr("Content-Type", "application/yaml"), body: "logins: [", status: 400, code: "INVALID_REQUEST", admin: true},
		{name: "scenario file without customerId", method: "POST", path: "/__admin/scenarios", header: hdr("Content-Type", "application/yaml"), body: "logins: []\n", status: 400, code: "INVALID_REQUEST", admin: true},
		{name: "scenario file as a billion laughs", method: "POST", path: "/__admin/scenarios?customerId=c", header: hdr("Content-Type", "application/yaml"), body: billionLaughs, status: 400, code: "INVALID_REQUEST", admin: true},
		{name: "clock advance as curl -d sends it (a form)", method: "POST", path: "/__admin/clock/advance", header: hdr("Content-Type", "application/x-www-form-urlencoded"), body: `{"by":"1m"}`, status: 200, admin: true},
		{name: "webhook targets as text/plain JSON", method: "PUT", path: "/__admin/webhooks/targets?customerId=c", header: hdr("Content-Type", "text/plain"), body: `{"targets":[]}`, status: 200, admin: true},
		{name: "scenario file in JSON as a form", method: "POST", path: "/__admin/scenarios?customerId=c", header: hdr("Content-Type", "application/x-www-form-urlencoded"), body: `{"logins":[{"username":"formed","loginId":"0b6c3f4e-5a1d-4e2b-9c7f-2d8e6a4b1c91"}]}`, status: 200, admin: true},
		{name: "a form that is no JSON on the clock", method: "POST", path: "/__admin/clock/advance", header: hdr("Content-Type", "application/x-www-form-urlencoded"), body: "by=1m", status: 415, code: "INVALID_REQUEST", admin: true},
		{name: "scenario file as plain text", method: "POST", path: "/__admin/scenarios?customerId=c", header: hdr("Content-Type", "text/plain"), body: "logins: []\n", status: 415, code: "INVALID_REQUEST", admin: true},
		{name: "remove a login never added", method: "DELETE", path: "/__admin/scenarios?customerId=c&name=nope", status: 404, code: "INVALID_REQUEST", admin: true},
		{name: "webhook targets cut short", method: "PUT", path: "/__admin/webhooks/targets?customerId=c", body: `{"targets":`, status: 400, code: "INVALID_REQUEST", admin: true},
		{name: "webhook target that is no URL", method: "PUT", path: "/__admin/webhooks/targets?customerId=c", body: `{"targets":[{"url":"not a url"}]}`, status: 400, code: "INVALID_REQUEST", admin: true},
		{name: "webhook fired for a number", method: "POST", path: "/__admin/webhooks/fire", body: `{"customerId":5}`, status: 400, code: "INVALID_REQUEST", admin: true},
		{name: "reset with PATCH", method: "PATCH", path: "/__admin/reset", status: 405, code: "INVALID_REQUEST", admin: true, allow: "POST"},
		{name: "webhook targets with POST", method: "POST", path: "/__admin/webhooks/targets?customerId=c", status: 405, code: "INVALID_REQUEST", admin: true, allow: "GET, PUT"},
		{name: "scenarios with PUT", method: "PUT", path: "/__admin/scenarios", status: 405, code: "INVALID_REQUEST", admin: true, allow: "DELETE, GET, POST"},
		{name: "Connect page with DELETE", method: "DELETE", path: "/v2/", status: 405, code: "INVALID_REQUEST", allow: "GET, POST"},
		{name: "unknown admin path", method: "GET", path: "/__admin/nowhere", status: 404, code: "INVALID_REQUEST", admin: true},
		{name: "reset a customerId of invalid UTF-8", method: "POST", path: "/__admin/reset?customerId=%FF", status: 200, admin: true},
	}
}

// billionLaughs is a YAML document whose aliases expand exponentially.
const billionLaughs = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
logins: *i
`

// TestBadInputCatalogue sends every request of the catalogue to the real
// handler over HTTP: each gets its status and FlinksCode, in the Flinks
// envelope with HttpStatusCode equal to the status, never a 5xx, and each
// request a handler saw is in the journal.
func TestBadInputCatalogue(t *testing.T) {
	spec, err := openapi.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := mockserver.New(mockserver.Config{Library: library, Clock: clock.NewVirtual(start), Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Config.MaxHeaderBytes = catalogueMaxHeaderBytes
	hs.Start()
	t.Cleanup(hs.Close)
	c := &catalogueClient{t: t, base: hs.URL, customer: "catalogue", http: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}

	rows := hostileCatalogue()
	if len(rows) < 50 {
		t.Fatalf("the catalogue has %d requests; it must keep at least 50", len(rows))
	}
	t.Logf("%d hostile requests", len(rows))
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			c.t = t
			req := c.prepare(row)
			before := c.lastSeq()
			status, header, body := c.send(row, req)

			if status != row.status {
				t.Errorf("status %d, want %d: %.300s", status, row.status, body)
			}
			if status >= 500 {
				t.Errorf("a hostile request got a %d", status)
			}
			if row.allow != "" && header.Get("Allow") != row.allow {
				t.Errorf("Allow %q, want %q", header.Get("Allow"), row.allow)
			}
			if !row.net && row.method != http.MethodHead {
				c.checkEnvelope(row, status, body)
				if req != nil && !row.admin && strings.Contains(req.URL.Path, "/BankingServices/") && status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
					if err := spec.ValidateResponse(req, status, header, body); err != nil {
						t.Errorf("the answer breaks the contract: %v", err)
					}
				}
			}
			after := c.entriesSince(before)
			switch {
			case row.net || (row.admin && !row.refused):
				if len(after) != 0 {
					t.Errorf("journalled %d entries, want none: %+v", len(after), after)
				}
			case len(after) != 1:
				t.Errorf("journalled %d entries, want 1: %+v", len(after), after)
			default:
				e := after[0]
				if e.Status != status || e.FlinksCode != row.code || e.Method != row.method {
					t.Errorf("journal entry %s %d %q, want %s %d %q", e.Method, e.Status, e.FlinksCode, row.method, status, row.code)
				}
			}
		})
	}
}

// catalogueClient sends the catalogue's requests and reads the journal.
type catalogueClient struct {
	t        *testing.T
	base     string
	customer string
	http     *http.Client
}

// prepare fills the placeholders of a row, making the tokens and sessions
// it needs first, and returns the request to send (nil for a raw one).
func (c *catalogueClient) prepare(row hostile) *http.Request {
	t := c.t
	t.Helper()
	if row.raw != "" {
		return nil
	}
	path, body := row.path, row.body
	fill := func(old, new string) {
		path = strings.ReplaceAll(path, old, new)
		body = strings.ReplaceAll(body, old, new)
	}
	fill("{nomfa}", login0("greatday_nomfa").LoginID)
	fill("{greatday}", login0("greatday").LoginID)
	if strings.Contains(path+body, "{rid}") {
		fill("{rid}", c.session(`{"LoginId":"`+login0("greatday_nomfa").LoginID+`","MostRecentCached":true}`, http.StatusOK).rid)
	}
	if strings.Contains(path+body, "{mfa}") {
		s := c.session(`{"LoginId":"`+login0("greatday").LoginID+`","MostRecentCached":false}`, http.StatusNonAuthoritativeInfo)
		fill("{mfa}", s.rid)
		fill("{prompt}", s.prompt)
	}
	target := path
	if !strings.HasPrefix(target, "/") {
		target = "/v3/" + c.customer + "/BankingServices/" + target
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(row.method, c.base+target, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", jsonCT)
	}
	for name, values := range row.header {
		req.Header.Del(name)
		for _, v := range values {
			if v == "{token}" {
				v = c.token()
			}
			if v != "" || name != "Content-Type" {
				req.Header.Add(name, v)
			}
		}
	}
	return req
}

func (c *catalogueClient) send(row hostile, req *http.Request) (int, http.Header, []byte) {
	t := c.t
	t.Helper()
	if row.raw != "" {
		return sendRaw(t, strings.TrimPrefix(c.base, "http://"), row.raw)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", row.method, row.path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read the answer: %v", err)
	}
	return resp.StatusCode, resp.Header, body
}

// sendRaw writes a request as is and reads the answer.
func sendRaw(t *testing.T, addr, raw string) (int, http.Header, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read the answer to %q: %v", raw, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, body
}

func (c *catalogueClient) checkEnvelope(row hostile, status int, body []byte) {
	t := c.t
	t.Helper()
	if status < 400 {
		return
	}
	var env struct {
		HttpStatusCode *int
		FlinksCode     string
		Message        string
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Errorf("the %d answer is not JSON: %v: %.300s", status, err, body)
		return
	}
	if env.HttpStatusCode == nil || *env.HttpStatusCode != status {
		t.Errorf("HttpStatusCode %v, want %d", env.HttpStatusCode, status)
	}
	if env.FlinksCode != row.code {
		t.Errorf("FlinksCode %q, want %q (%s)", env.FlinksCode, row.code, env.Message)
	}
	if env.Message == "" {
		t.Error("the envelope has no Message")
	}
}

type openSession struct{ rid, prompt string }

// session opens a session of the catalogue's customer and checks the
// status of the /Authorize that opened it.
func (c *catalogueClient) session(body string, want int) openSession {
	t := c.t
	t.Helper()
	status, out := c.post("Authorize", c.token(), body)
	if status != want {
		t.Fatalf("setting up a session: /Authorize answered %d, want %d: %v", status, want, out)
	}
	s := openSession{rid: out["RequestId"].(string)}
	if ch, ok := out["SecurityChallenges"].([]any); ok {
		s.prompt = ch[0].(map[string]any)["Prompt"].(string)
	}
	return s
}

func (c *catalogueClient) token() string {
	t := c.t
	t.Helper()
	status, out := c.post("GenerateAuthorizeToken", mockserver.ToolboxSecretKey, "")
	if status != http.StatusOK {
		t.Fatalf("GenerateAuthorizeToken answered %d", status)
	}
	return out["Token"].(string)
}

func (c *catalogueClient) post(endpoint, key, body string) (int, map[string]any) {
	t := c.t
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.base+"/v3/"+c.customer+"/BankingServices/"+endpoint, strings.NewReader(body))
	req.Header.Set("Content-Type", jsonCT)
	req.Header.Set("flinks-auth-key", key)
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

// lastSeq is the sequence number of the newest journal entry.
func (c *catalogueClient) lastSeq() uint64 {
	entries := c.journal("/__admin/journal?limit=1")
	if len(entries) == 0 {
		return 0
	}
	return entries[0].Seq
}

// entriesSince returns the journal entries newer than seq, of every
// customer.
func (c *catalogueClient) entriesSince(seq uint64) []journal.Entry {
	if seq == 0 {
		return c.journal("/__admin/journal")
	}
	return c.journal("/__admin/journal?since=" + strconv.FormatUint(seq, 10))
}

func (c *catalogueClient) journal(path string) []journal.Entry {
	t := c.t
	t.Helper()
	resp, err := c.http.Get(c.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct{ Entries []journal.Entry }
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		t.Fatal(err)
	}
	return page.Entries
}

// login0 is a login of the default library, for plain Go tests.
func login0(name string) *scenarios.Login {
	for _, l := range library.Logins {
		if l.Name == name {
			return l
		}
	}
	panic("no login " + name + " in the default library")
}
