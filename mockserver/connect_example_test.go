package mockserver_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/flinks-mock/flinks-mock/mockserver"
	"github.com/flinks-mock/flinks-mock/mockserver/clock"
)

// pageEvents returns the events a Connect page posts to its parent.
func pageEvents(html string) []map[string]any {
	var events []map[string]any
	if m := regexp.MustCompile(`var events = (.*);\n`).FindStringSubmatch(html); m != nil {
		_ = json.Unmarshal([]byte(m[1]), &events)
	}
	return events
}

// The Connect page is plain HTML forms, so a test without a browser can
// walk it with net/http: open the iframe URL, then post each form back to
// that same URL. The events the page posts to its parent window are in its
// script.
func Example_connect() {
	srv, err := mockserver.New(mockserver.Config{Library: library})
	if err != nil {
		panic(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()

	// The back end asks for an authorize token, and the front end puts it
	// in the iframe URL, with the host of the mock instead of Flinks'.
	req, _ := http.NewRequest(http.MethodPost, hs.URL+"/v3/"+mockserver.ToolboxCustomerID+"/BankingServices/GenerateAuthorizeToken", nil)
	req.Header.Set("flinks-auth-key", mockserver.ToolboxSecretKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	var tok struct{ Token string }
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	page := hs.URL + "/v2/?demo=true&redirectUrl=https://app.example/thank-you&authorizeToken=" + tok.Token

	show := func(resp *http.Response, err error) {
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		html, _ := io.ReadAll(resp.Body)
		var line []string
		for _, ev := range pageEvents(string(html)) {
			line = append(line, ev["step"].(string))
			if ev["step"] == "REDIRECT" {
				line = append(line, ev["url"].(string))
			}
		}
		fmt.Println(strings.Join(line, " "))
	}
	show(http.Get(page))
	show(http.PostForm(page, url.Values{"step": {"institution"}, "institution": {"FlinksCapital"}}))
	show(http.PostForm(page, url.Values{"step": {"credentials"}, "institution": {"FlinksCapital"},
		"username": {"greatday_nomfa"}, "password": {"Everyday"}}))
	// Output:
	// APP_MOUNTED COMPONENT_LOAD_INSTITUTION_SELECTOR
	// INSTITUTION_SELECTED COMPONENT_LOAD_CREDENTIAL
	// SUBMIT_CREDENTIAL REDIRECT https://app.example/thank-you?loginId=ef47846c-ff93-40a0-8535-c0bdd29b61d2&institution=FlinksCapital
}

// FuzzConnectPage sends arbitrary queries and forms to the Connect page:
// it never fails, and always answers a page of its own.
func FuzzConnectPage(f *testing.F) {
	f.Add("GET", "demo=true&language=fr", "")
	f.Add("POST", "demo=true", "step=credentials&institution=FlinksCapital&username=Greatday&password=Everyday")
	f.Add("POST", "requestId=x", "step=mfa&requestId=x&prompt-0=a&answer-0=b&prompt-1=c")
	f.Add("POST", "redirectUrl=javascript:x&mockEventNames=:", "step=%zz")
	f.Add("GET", "authorizeToken=t&customerId="+strings.Repeat("c", 300), "")
	f.Add("POST", "consentEnable=true&closeEnable=true", "step=consent&consent=deny")
	f.Add("GET", "\x16", "")

	srv, err := mockserver.New(mockserver.Config{Library: library, Clock: clock.Real{}})
	if err != nil {
		f.Fatal(err)
	}
	h := srv.Handler()
	f.Fuzz(func(t *testing.T, method, query, form string) {
		if method != http.MethodGet && method != http.MethodPost {
			return
		}
		if _, err := url.ParseRequestURI("/v2/?" + query); err != nil || strings.ContainsAny(query, " #") {
			return // not a URL a browser sends
		}
		req := httptest.NewRequest(method, "http://127.0.0.1/v2/?"+query, strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			t.Fatalf("%s ?%s %q answered %d: %s", method, query, form, w.Code, w.Body)
		}
		if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" || !strings.Contains(w.Body.String(), "flinks-mock") {
			t.Fatalf("%s ?%s %q answered %s: %s", method, query, form, ct, w.Body)
		}
	})
}
