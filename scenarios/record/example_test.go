package record_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/scenarios"
	"github.com/flinks-mock/flinks-mock/scenarios/record"
)

// A recorder in front of a Flinks instance (here a flinks-mock with its
// sandbox logins) writes what it saw as a scenario file.
func ExampleRecorder() {
	lib, _ := scenarios.Load(time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), true)
	mock, _ := mockserver.New(mockserver.Config{Library: lib})
	upstream := httptest.NewServer(mock.Handler())
	defer upstream.Close()

	u, _ := url.Parse(upstream.URL)
	rec, _ := record.New(record.Config{Upstream: u, StopAfter: 1})
	proxy := httptest.NewServer(rec)
	defer proxy.Close()

	// The integration calls the recorder as it would call Flinks.
	base := proxy.URL + "/v3/43387ca6-0391-4c82-857d-70d95f087ecb/BankingServices/"
	post := func(endpoint, key, body string) (int, map[string]any) {
		req, _ := http.NewRequest("POST", base+endpoint, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("flinks-auth-key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		var answer map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&answer)
		return resp.StatusCode, answer
	}
	_, token := post("GenerateAuthorizeToken", mockserver.ToolboxSecretKey, "")
	status, answer := post("Authorize", token["Token"].(string), `{"Username":"test_disabled_account","Password":"Everyday","Institution":"FlinksCapital"}`)
	fmt.Println("the client got", status, answer["FlinksCode"])

	<-rec.Done()
	file, _ := rec.Scenario()
	fmt.Print(string(file[bytes.Index(file, []byte("logins:")):]))
	// Output:
	// the client got 401 DISABLED_LOGIN
	// logins:
	//   - name: test_disabled_account
	//     description: 'Recorded: 1 /Authorize call(s), 0 session(s) authorized.'
	//     username: test_disabled_account
	//     loginId: ea610bb3-1e10-4120-82aa-d54c816c6d6c
	//     authorize:
	//       - respond: error
	//         flinksCode: DISABLED_LOGIN
}
