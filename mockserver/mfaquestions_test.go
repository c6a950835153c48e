package mockserver_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/mockserver"
)

var _ = Describe("GetMFAQuestions and AnswerMFAQuestions", func() {
	var (
		f        *fixture
		greatday string
	)
	BeforeEach(func() {
		f = newFixture(mockserver.Config{})
		greatday = login("greatday").LoginID
	})

	questions := func(id string) []any {
		GinkgoHelper()
		a := f.call("GET", "GetMFAQuestions/"+id, nil, nil)
		Expect(a.Status).To(Equal(200), string(a.Raw))
		Expect(a.Body).To(HaveKeyWithValue("Message", "SUCCESS"))
		return a.Body["Questions"].([]any)
	}

	It("lists the login's questions, leaving out those answered with AnswerMFAQuestions", func() {
		all := questions(greatday)
		Expect(all).To(ContainElement(map[string]any{"Question": "What shape do people like most?"}))
		a := f.call("PATCH", "AnswerMFAQuestions", nil, map[string]any{"LoginId": greatday, "Questions": []any{
			map[string]any{"Question": "What shape do people like most?", "Answer": "Triangle"},
		}})
		Expect(a.Status).To(Equal(200))
		Expect(a.Body).To(Equal(map[string]any{"Message": "Answers updated"}))
		left := questions(greatday)
		Expect(left).To(HaveLen(len(all) - 1))
		Expect(left).NotTo(ContainElement(map[string]any{"Question": "What shape do people like most?"}))
	})

	It("leaves out the question answered in a live /Authorize", func() {
		mfa := f.authorize(map[string]any{"LoginId": greatday, "MostRecentCached": false})
		Expect(mfa.Status).To(Equal(203))
		prompt := mfa.Body["SecurityChallenges"].([]any)[0].(map[string]any)["Prompt"].(string)
		answers := map[string]string{"What city were you born in?": "Montreal", "What is the best country on earth?": "Canada", "What shape do people like most?": "Triangle"}
		ok := f.authorize(map[string]any{"RequestId": mfa.Body["RequestId"], "SecurityResponses": map[string]any{prompt: []string{answers[prompt]}}})
		Expect(ok.Status).To(Equal(200), string(ok.Raw))
		Expect(questions(greatday)).NotTo(ContainElement(map[string]any{"Question": prompt}))
	})

	It("lists no question for a login without MFA, and takes loginId in camelCase", func() {
		id := login("greatday_nomfa").LoginID
		Expect(questions(id)).To(BeEmpty())
		a := f.call("PATCH", "AnswerMFAQuestions", nil, map[string]any{"loginId": id, "Questions": []any{map[string]any{"Question": "Q?", "Answer": "A"}}})
		Expect(a.Status).To(Equal(200))
	})

	It("answers INVALID_LOGIN for an unknown or deleted LoginId, and INVALID_REQUEST without questions", func() {
		Expect(f.call("GET", "GetMFAQuestions/11111111-2222-3333-4444-555555555555", nil, nil)).To(haveFlinksError(401, "INVALID_LOGIN"))
		id := login("greatday_nomfa").LoginID
		Expect(f.call("DELETE", "DeleteCard/"+id, nil, nil).Status).To(Equal(200))
		Expect(f.call("GET", "GetMFAQuestions/"+id, nil, nil)).To(haveFlinksError(401, "INVALID_LOGIN"))
		Expect(f.call("PATCH", "AnswerMFAQuestions", nil, map[string]any{"LoginId": id, "Questions": []any{map[string]any{"Question": "Q?", "Answer": "A"}}})).To(haveFlinksError(401, "INVALID_LOGIN"))
		Expect(f.call("PATCH", "AnswerMFAQuestions", nil, map[string]any{"LoginId": greatday}).Body).To(HaveKeyWithValue("FlinksCode", "INVALID_REQUEST"))
	})
})
