package mocktest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/mockserver/mocktest"
)

// post sends a JSON body to a Flinks endpoint and returns the status and
// the decoded answer.
func post(url string, header map[string]string, body any) (int, map[string]any) {
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(string(raw)))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// exampleT stands in for the *testing.T an Example does not have.
type exampleT struct{ cleanups []func() }

func (t *exampleT) Helper()                   {}
func (t *exampleT) Cleanup(f func())          { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Fatalf(f string, a ...any) { panic(fmt.Sprintf(f, a...)) }
func (t *exampleT) done() {
	for _, f := range t.cleanups {
		f()
	}
}

// A test starts a mock, points its Flinks client at BaseURL, and reads the
// journal to see what the client did.
func ExampleNewServer() {
	t := &exampleT{} // in a real test: the *testing.T, or GinkgoT()
	defer t.done()

	srv := mocktest.NewServer(t)
	bs := srv.BaseURL() + "/BankingServices/"

	_, tok := post(bs+"GenerateAuthorizeToken", map[string]string{"flinks-auth-key": mockserver.ToolboxSecretKey}, nil)
	status, auth := post(bs+"Authorize", map[string]string{"flinks-auth-key": tok["Token"].(string)},
		map[string]any{"LoginId": srv.Login("greatday_nomfa").LoginID, "MostRecentCached": true})
	fmt.Println("Authorize:", status)
	status, _ = post(bs+"GetAccountsDetail", nil, map[string]any{"RequestId": auth["RequestId"]})
	fmt.Println("GetAccountsDetail:", status)

	for _, e := range srv.Journal() {
		if e.Token != "" {
			fmt.Println(e.Endpoint, e.Status, "token:", e.Token)
		} else {
			fmt.Println(e.Endpoint, e.Status)
		}
	}
	// Output:
	// Authorize: 200
	// GetAccountsDetail: 200
	// GenerateAuthorizeToken 200
	// Authorize 200 token: fresh
	// GetAccountsDetail 200
}

// The virtual clock makes the 30-minute lifetime of an authorize token a
// matter of one call.
func ExampleServer_Advance() {
	t := &exampleT{}
	defer t.done()
	srv := mocktest.NewServer(t)
	bs := srv.BaseURL() + "/BankingServices/"

	_, tok := post(bs+"GenerateAuthorizeToken", map[string]string{"flinks-auth-key": "any"}, nil)
	srv.Advance(30 * time.Minute)
	status, body := post(bs+"Authorize", map[string]string{"flinks-auth-key": tok["Token"].(string)},
		map[string]any{"LoginId": srv.Login("greatday_nomfa").LoginID, "MostRecentCached": true})
	fmt.Println(status, body["FlinksCode"], body["Message"])
	// Output:
	// 401 ACCESS_DENIED You must provide a valid authorize token
}

// Scenarios can be added for one test's customer only, and the admin client
// reads the journal of a running server (in process or a CI sidecar).
func ExampleWithScenarios() {
	t := &exampleT{}
	defer t.done()
	srv := mocktest.NewServer(t, mocktest.WithScenarios(`
logins:
  - name: flaky
    username: flaky
    loginId: 2f0c9a61-5b8e-4f55-9d0a-6a1b2c3d4e5f
    authorize:
      - respond: error
        flinksCode: RETRY_LATER
      - respond: ok
`))
	bs := srv.BaseURL() + "/BankingServices/"
	for i := 0; i < 2; i++ {
		_, tok := post(bs+"GenerateAuthorizeToken", map[string]string{"flinks-auth-key": "any"}, nil)
		status, body := post(bs+"Authorize", map[string]string{"flinks-auth-key": tok["Token"].(string)},
			map[string]any{"LoginId": "2f0c9a61-5b8e-4f55-9d0a-6a1b2c3d4e5f", "MostRecentCached": true})
		fmt.Println(status, body["FlinksCode"])
	}
	page, _ := srv.Admin.Journal(context.Background(), admin.JournalFilter{CustomerID: srv.CustomerID, Endpoint: "Authorize"})
	fmt.Println(len(page.Entries), "Authorize calls journalled")
	// Output:
	// 401 RETRY_LATER
	// 200 <nil>
	// 2 Authorize calls journalled
}

// WithToday pins the day the server takes for today: the virtual clock
// starts there and every login's transactions end on that date, so a test
// that compares balances or dates passes on any day it runs.
func ExampleWithToday() {
	t := &exampleT{}
	defer t.done()
	srv := mocktest.NewServer(t, mocktest.WithToday(time.Date(2028, 2, 29, 9, 0, 0, 0, time.UTC)))
	bs := srv.BaseURL() + "/BankingServices/"

	_, tok := post(bs+"GenerateAuthorizeToken", map[string]string{"flinks-auth-key": "any"}, nil)
	_, auth := post(bs+"Authorize", map[string]string{"flinks-auth-key": tok["Token"].(string)},
		map[string]any{"LoginId": srv.Login("greatday_nomfa").LoginID, "MostRecentCached": true})
	_, detail := post(bs+"GetAccountsDetail", nil, map[string]any{"RequestId": auth["RequestId"]})
	newest := ""
	for _, a := range detail["Accounts"].([]any) {
		for _, tr := range a.(map[string]any)["Transactions"].([]any) {
			newest = max(newest, tr.(map[string]any)["Date"].(string))
		}
	}
	fmt.Println("clock:", srv.Clock.Now().Format(time.RFC3339))
	fmt.Println("newest transaction:", newest)
	// Output:
	// clock: 2028-02-29T09:00:00Z
	// newest transaction: 2028-02-29
}

func TestNewServerFailsTheTestOnABadScenario(t *testing.T) {
	ft := &fatalT{}
	func() {
		defer func() { recover() }()
		mocktest.NewServer(ft, mocktest.WithScenarios("logins:\n  - name: x\n"))
	}()
	if !strings.Contains(ft.msg, "WithScenarios #1:2: logins[0].username: required") {
		t.Errorf("Fatalf got %q", ft.msg)
	}
}

type fatalT struct {
	exampleT
	msg string
}

func (t *fatalT) Fatalf(f string, a ...any) {
	t.msg = fmt.Sprintf(f, a...)
	panic(t.msg)
}
