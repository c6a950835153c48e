package mockserver_test

import (
	"regexp"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/openapi"
)

var _ = Describe("Links", func() {
	// served is one answer of the mock and the endpoint that gave it.
	type served struct {
		endpoint string // e.g. "GetAccountsDetailAsync"
		answer   answer
	}

	It("point only at endpoints that answer, in every answer of every endpoint", func() {
		f := newFixture(mockserver.Config{})
		var all []served
		call := func(method, path string, header map[string]string, body any) answer {
			GinkgoHelper()
			a := f.call(method, path, header, body)
			endpoint, _, _ := strings.Cut(path, "/")
			all = append(all, served{endpoint: endpoint, answer: a})
			return a
		}
		fresh := func() map[string]string { return map[string]string{"flinks-auth-key": f.token()} }
		answers := map[string]any{"What is the best country on earth?": []string{"Canada"}}
		mfa := login("mock_mfa_always").LoginID

		// /Authorize: 203, then 200; /AuthorizeAsync: 202, 203, 202, 200.
		rid := call("POST", "Authorize", fresh(), map[string]any{"LoginId": mfa, "MostRecentCached": true}).Body["RequestId"]
		Expect(call("POST", "Authorize", fresh(), map[string]any{"RequestId": rid, "SecurityResponses": answers}).Status).To(Equal(200))
		arid := call("POST", "AuthorizeAsync", fresh(), map[string]any{"LoginId": mfa, "MostRecentCached": true}).Body["RequestId"]
		Expect(call("POST", "AuthorizeAsync", nil, map[string]any{"RequestId": arid}).Status).To(Equal(203))
		call("POST", "AuthorizeAsync", fresh(), map[string]any{"RequestId": arid, "SecurityResponses": answers})
		Expect(call("POST", "AuthorizeAsync", nil, map[string]any{"RequestId": arid}).Status).To(Equal(200))

		// The data endpoints: 202s, their polls, and the 200s.
		pending := f.authorized("test_pending")
		for _, endpoint := range []string{"GetAccountsDetail", "GetAccountsSummary"} {
			call("POST", endpoint, nil, map[string]any{"RequestId": pending})
			for i := 0; i < 4; i++ {
				call("GET", endpoint+"Async/"+pending, nil, nil)
			}
		}
		slow := f.authorized("mock_statements")
		call("POST", "GetStatements", nil, map[string]any{"RequestId": slow})
		call("GET", "GetStatementsAsync/"+slow, nil, nil)
		call("GET", "GetStatementsAsync/"+slow, nil, nil)

		// The other endpoints, and an error.
		call("GET", "Institutions", nil, nil)
		call("GET", "Institutions/RoutingNumber/021000021", nil, nil)
		call("POST", "Token", nil, map[string]any{"client_id": f.Customer, "secret": mockserver.ToolboxSecretKey})
		call("GET", "GetMFAQuestions/"+mfa, nil, nil)
		call("PATCH", "AnswerMFAQuestions", nil, map[string]any{"LoginId": mfa, "Questions": []any{map[string]any{"Question": "What is the best country on earth?", "Answer": "Canada"}}})
		call("PATCH", "SetScheduledRefresh", nil, map[string]any{"LoginId": mfa, "IsActivated": true})
		call("GET", "GetNightlyRefreshStatus", map[string]string{"Authorization": "Bearer " + mockserver.ToolboxSecretKey}, nil)
		call("POST", "GenerateAuthorizeToken", map[string]string{"flinks-auth-key": mockserver.ToolboxSecretKey}, nil)
		call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": "fd4e2952-95a8-46a3-b44c-84daf099ce13"})

		// Every endpoint of the Flinks document answered above.
		answered := map[string]bool{}
		for _, s := range all {
			answered[s.endpoint] = true
		}
		for _, m := range regexp.MustCompile(`(?m)^  /v3/\{customerId\}/BankingServices/(\w+)`).FindAllSubmatch(openapi.Document(), -1) {
			if endpoint := string(m[1]); endpoint != "DeleteCard" {
				Expect(answered).To(HaveKey(endpoint), "no answer of %s was looked at", endpoint)
			}
		}

		// Follow every link, as a client would.
		statuses := map[int]bool{}
		for _, s := range all {
			links, _ := s.answer.Body["Links"].([]any)
			if len(links) > 0 {
				statuses[s.answer.Status] = true
			}
			rid, _ := s.answer.Body["RequestId"].(string)
			for _, l := range links {
				href := l.(map[string]any)["href"].(string)
				var a answer
				switch {
				case strings.Contains(href, "{Endpoint}"):
					// The 202's template: the Async poll of the endpoint
					// that answered it.
					base := strings.TrimSuffix(s.endpoint, "Async")
					example := l.(map[string]any)["example"].(string)
					path := strings.NewReplacer("{Endpoint}", base, "{requestId}", rid).Replace(example)
					a = f.call("GET", strings.TrimPrefix(path, "/"), nil, nil)
				case href == "/Authorize":
					// The 203's session was answered above: /Authorize
					// answers that it is (ALREADY_AUTHORIZED), not 404.
					a = f.call("POST", "Authorize", fresh(), map[string]any{"RequestId": rid, "SecurityResponses": answers})
					Expect(a.Body).To(HaveKeyWithValue("RequestId", rid), "the link %s of a 203 answered %d %s", href, a.Status, a.Raw)
					continue
				default:
					a = f.call("POST", strings.TrimPrefix(href, "/"), nil, map[string]any{"RequestId": rid})
				}
				Expect(a.Status).To(BeElementOf(200, 202), "the link %s of a %d of %s answered %d %s", href, s.answer.Status, s.endpoint, a.Status, a.Raw)
			}
		}
		Expect(statuses).To(Equal(map[int]bool{200: true, 202: true, 203: true}), "the answers with Links were looked at")

		// DeleteCard last: it ends the login's data.
		Expect(f.call("DELETE", "DeleteCard/"+login("greatday_nomfa").LoginID, nil, nil).Body).NotTo(HaveKey("Links"))
	})
})
