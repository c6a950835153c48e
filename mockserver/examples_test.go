package mockserver_test

import (
	"context"
	"encoding/json"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/openapi"
)

// example returns an example of a response of the Flinks document: the
// named one, or the only one when name is empty.
func example(doc *openapi3.T, path, method, status, name string) map[string]any {
	GinkgoHelper()
	op := doc.Paths.Find(path).GetOperation(method)
	Expect(op).NotTo(BeNil(), "%s %s", method, path)
	resp := op.Responses.Value(status)
	Expect(resp).NotTo(BeNil(), "%s %s %s", method, path, status)
	media := resp.Value.Content.Get("application/json")
	var v any
	if name == "" {
		v = media.Example
	} else {
		Expect(media.Examples).To(HaveKey(name))
		v = media.Examples[name].Value.Value
	}
	raw, err := json.Marshal(v)
	Expect(err).NotTo(HaveOccurred())
	var out map[string]any
	Expect(json.Unmarshal(raw, &out)).To(Succeed())
	return out
}

// like replaces the values that differ by run (ids, tokens, times) in an
// answer with the example's, so the rest can be compared exactly.
func like(answer, example map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		if _, ok := answer[k]; ok {
			answer[k] = example[k]
		}
	}
	return answer
}

var _ = Describe("The examples of openapi/flinks.yaml", func() {
	var (
		doc *openapi3.T
		f   *fixture
	)
	const base = "/v3/{customerId}/BankingServices/"
	BeforeEach(func() {
		var err error
		doc, err = openapi3.NewLoader().LoadFromData(openapi.Document())
		Expect(err).NotTo(HaveOccurred())
		Expect(doc.Validate(context.Background())).To(Succeed())
		f = newFixture(mockserver.Config{})
	})

	It("are what the mock answers to GenerateAuthorizeToken", func() {
		ok := f.call("POST", "GenerateAuthorizeToken", map[string]string{"flinks-auth-key": "k"}, nil)
		ex := example(doc, base+"GenerateAuthorizeToken", "POST", "200", "")
		Expect(like(ok.Body, ex, "Token")).To(Equal(ex))
		denied := f.call("POST", "GenerateAuthorizeToken", nil, nil)
		Expect(denied.Body).To(Equal(example(doc, base+"GenerateAuthorizeToken", "POST", "401", "")))
	})

	It("are what the mock answers to Authorize", func() {
		greatday := login("greatday")
		var mfa answer
		for i := 0; i < 3; i++ { // the third session gets the example's question
			mfa = f.authorize(map[string]any{"LoginId": greatday.LoginID, "MostRecentCached": false})
		}
		rid := mfa.Body["RequestId"]
		ex := example(doc, base+"Authorize", "POST", "203", "")
		Expect(like(mfa.Body, ex, "RequestId")).To(Equal(ex))

		Expect(f.call("POST", "Authorize", nil, map[string]any{"LoginId": greatday.LoginID}).Body).
			To(Equal(example(doc, base+"Authorize", "POST", "401", "invalidToken")))

		ex = example(doc, base+"Authorize", "POST", "401", "invalidLogin")
		Expect(f.authorize(map[string]any{"LoginId": "396fc774-7f7a-4c31-7c44-08da172863b5", "MostRecentCached": true}).Body).To(Equal(ex))

		ex = example(doc, base+"Authorize", "POST", "401", "wrongAnswer")
		wrong := f.authorize(map[string]any{"RequestId": rid, "SecurityResponses": map[string]any{"What shape do people like most?": []string{"Circle"}}})
		Expect(like(wrong.Body, ex, "RequestId")).To(Equal(ex))

		ex = example(doc, base+"Authorize", "POST", "401", "invalidRequest")
		Expect(f.call("POST", "Authorize", nil, `{"LoginId":5}`).Body).To(Equal(ex))
	})

	It("are what the mock answers while data is processing and for an unknown RequestId", func() {
		rid := f.authorize(map[string]any{"LoginId": login("test_pending").LoginID, "MostRecentCached": true}).Body["RequestId"]
		pending := f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": rid})
		Expect(pending.Status).To(Equal(202))
		resp := doc.Paths.Find(base + "GetAccountsDetail").Post.Responses.Value("202")
		ex := resp.Value.Content.Get("application/json").Examples
		Expect(ex).NotTo(BeEmpty())
		var pendingExample map[string]any
		for _, e := range ex {
			raw, _ := json.Marshal(e.Value.Value)
			var m map[string]any
			Expect(json.Unmarshal(raw, &m)).To(Succeed())
			if m["FlinksCode"] == "OPERATION_PENDING" {
				pendingExample = m
			}
		}
		Expect(like(pending.Body, pendingExample, "RequestId")).To(Equal(pendingExample))

		gone := f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": "fd4e2952-95a8-46a3-b44c-84daf099ce13"})
		Expect(gone.Body).To(Equal(example(doc, base+"GetAccountsDetail", "POST", "400", "")))

		mfa := f.authorize(map[string]any{"LoginId": login("greatday").LoginID, "MostRecentCached": false})
		early := f.call("POST", "GetAccountsDetail", nil, map[string]any{"RequestId": mfa.Body["RequestId"]})
		unauthorized := example(doc, base+"GetAccountsDetail", "POST", "401", "notAuthorized")
		Expect(like(early.Body, unauthorized, "RequestId")).To(Equal(unauthorized))
	})
})
