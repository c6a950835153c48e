package mockserver_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/mockserver"
)

var _ = Describe("Institutions", func() {
	var f *fixture
	BeforeEach(func() { f = newFixture(mockserver.Config{}) })

	names := func(data []any) []string {
		var out []string
		for _, in := range data {
			out = append(out, in.(map[string]any)["Localizations"].([]any)[0].(map[string]any)["Name"].(string))
		}
		return out
	}

	It("lists FlinksCapital, the big Canadian banks and credit unions, without HttpStatusCode", func() {
		a := f.call("GET", "Institutions", nil, nil)
		Expect(a.Status).To(Equal(200))
		Expect(a.Body).To(HaveLen(2))
		data := a.Body["Data"].([]any)
		Expect(a.Body["Count"]).To(BeNumerically("==", len(data)))
		Expect(names(data)).To(ContainElements("BMO", "Desjardins", "RBC Royal Bank", "TD Canada Trust", "Scotiabank", "CIBC", "National Bank", "Flinks Capital", "Vancity"))
		Expect(data[0]).To(HaveKeyWithValue("Id", 1.0))
		Expect(data[0]).To(HaveKeyWithValue("Country", "CA"))
		Expect(data[0]).To(HaveKeyWithValue("Status", "Enabled"))
	})

	It("pages with skip and take, Count staying the total", func() {
		all := f.call("GET", "Institutions", nil, nil)
		page := f.do("GET", "/v3/"+f.Customer+"/BankingServices/Institutions?skip=2&take=3", nil, nil)
		Expect(page.Status).To(Equal(200))
		Expect(page.Body["Count"]).To(Equal(all.Body["Count"]))
		Expect(page.Body["Data"]).To(Equal(all.Body["Data"].([]any)[2:5]))
		past := f.do("GET", "/v3/"+f.Customer+"/BankingServices/Institutions?skip=500", nil, nil)
		Expect(past.Body["Data"]).To(BeEmpty())
	})

	It("refuses a take over 1000", func() {
		a := f.do("GET", "/v3/"+f.Customer+"/BankingServices/Institutions?take=1001", nil, nil)
		Expect(a.Body).To(HaveKeyWithValue("FlinksCode", "INVALID_REQUEST"))
	})

	It("finds a US institution by routing number, and answers 404 for a number no institution has", func() {
		chase := f.call("GET", "Institutions/RoutingNumber/021000021", nil, nil)
		Expect(chase.Status).To(Equal(200))
		Expect(chase.Body).To(HaveKeyWithValue("Id", 20.0))
		Expect(chase.Body).To(HaveKeyWithValue("Country", "US"))
		Expect(chase.Body["RoutingNumbers"]).To(ContainElement("021000021"))
		Expect(f.call("GET", "Institutions/RoutingNumber/000300001", nil, nil)).To(haveFlinksError(404, "INVALID_REQUEST"))
	})
})
