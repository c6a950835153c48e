package record_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/scenarios/record"
)

// proxyTo starts a recorder in front of upstream.
func proxyTo(t *testing.T, upstream string, cfg record.Config) (*record.Recorder, string) {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Upstream = u
	rec, err := record.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	return rec, srv.URL
}

func TestRecorderForwardsRequestsAndAnswersUnchanged(t *testing.T) {
	type seen struct {
		Method, Path, Query, Host, Body string
		Header                          http.Header
	}
	var got seen
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got = seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Host, string(body), r.Header.Clone()}
		w.Header().Set("X-Upstream", "yes")
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusTeapot)
		_, _ = io.WriteString(w, `{"HttpStatusCode":418,"FlinksCode":"NOT_A_FLINKS_CODE","Message":"as sent"}`)
	}))
	defer upstream.Close()
	_, base := proxyTo(t, upstream.URL+"/prefix", record.Config{})

	req, _ := http.NewRequest(http.MethodPost, base+"/v3/cust/BankingServices/GetAccountsDetailAsync/rid?x=1", strings.NewReader(`{"RequestId":"rid"}`))
	req.Header.Set("flinks-auth-key", "the-key")
	req.Header.Set("x-api-key", "the-api-key")
	req.Header.Set("Authorization", "Bearer b")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)

	u, _ := url.Parse(upstream.URL)
	want := seen{Method: "POST", Path: "/prefix/v3/cust/BankingServices/GetAccountsDetailAsync/rid", Query: "x=1", Host: u.Host, Body: `{"RequestId":"rid"}`}
	if got.Method != want.Method || got.Path != want.Path || got.Query != want.Query || got.Host != want.Host || got.Body != want.Body {
		t.Errorf("the upstream got %+v, want %+v", got, want)
	}
	for _, h := range []string{"flinks-auth-key", "x-api-key", "Authorization", "Content-Type"} {
		if got.Header.Get(h) != req.Header.Get(h) {
			t.Errorf("header %s reached the upstream as %q, sent %q", h, got.Header.Get(h), req.Header.Get(h))
		}
	}
	if got.Header.Get("X-Forwarded-For") != "" {
		t.Errorf("the recorder added X-Forwarded-For %q", got.Header.Get("X-Forwarded-For"))
	}
	if resp.StatusCode != http.StatusTeapot || resp.Header.Get("X-Upstream") != "yes" || string(body) != `{"HttpStatusCode":418,"FlinksCode":"NOT_A_FLINKS_CODE","Message":"as sent"}` {
		t.Errorf("the client got %d %v %s", resp.StatusCode, resp.Header, body)
	}
}

func TestRecorderReadsGzipAnswers(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.WriteHeader(http.StatusUnauthorized)
		answer := `{"HttpStatusCode":401,"FlinksCode":"RETRY_LATER","Message":"later"}`
		zw := gzip.NewWriter(w)
		_, _ = io.WriteString(zw, answer)
		_ = zw.Close()
	}))
	defer upstream.Close()
	rec, base := proxyTo(t, upstream.URL, record.Config{StopAfter: 1, KeepCredentials: true})

	req, _ := http.NewRequest(http.MethodPost, base+"/v3/c/BankingServices/Authorize", strings.NewReader(`{"Username":"someone","Password":"p","Institution":"FlinksCapital"}`))
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if _, err := gzip.NewReader(bytes.NewReader(raw)); err != nil {
		t.Errorf("the client did not get the gzip answer as sent: %v", err)
	}
	select {
	case <-rec.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the flow was not recorded")
	}
	f, _ := rec.File()
	if len(f.Logins) != 1 || f.Logins[0].Username != "someone" || f.Logins[0].Authorize[0].FlinksCode != "RETRY_LATER" || f.Logins[0].Authorize[0].Message != "later" {
		t.Errorf("recorded %+v", f.Logins)
	}
}

func TestRecorderAnswersWhenTheUpstreamIsDown(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	rec, base := proxyTo(t, down.URL, record.Config{})
	resp, err := http.Post(base+"/v3/c/BankingServices/GenerateAuthorizeToken", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		HttpStatusCode int
		Message        string
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusBadGateway || body.HttpStatusCode != 502 || !strings.Contains(body.Message, "the upstream could not be reached") {
		t.Errorf("answered %d %+v", resp.StatusCode, body)
	}
	if rec.Flows() != 0 {
		t.Errorf("%d flows", rec.Flows())
	}
}

// TestRecorderGivesUpOnAnUpstreamThatHangs: an upstream that sends
// nothing, or its headers and then nothing, is given up after
// UpstreamTimeout and the client gets a 504 saying so.
func TestRecorderGivesUpOnAnUpstreamThatHangs(t *testing.T) {
	release := make(chan struct{})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v3/c/BankingServices/GetAccountsDetail" {
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, `{"Accounts":[`)
			w.(http.Flusher).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer upstream.Close()
	defer close(release)
	_, base := proxyTo(t, upstream.URL, record.Config{UpstreamTimeout: 200 * time.Millisecond})
	client := &http.Client{Timeout: 30 * time.Second}
	for _, endpoint := range []string{"GenerateAuthorizeToken", "GetAccountsDetail"} {
		resp, err := client.Post(base+"/v3/c/BankingServices/"+endpoint, "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatalf("%s: %v", endpoint, err)
		}
		var body struct {
			HttpStatusCode int
			Message        string
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusGatewayTimeout || body.HttpStatusCode != 504 || !strings.Contains(body.Message, "did not answer within 200ms") {
			t.Errorf("%s answered %d %+v (%v), want a 504 naming the timeout", endpoint, resp.StatusCode, body, err)
		}
	}
}

func TestNewRefusesABadUpstream(t *testing.T) {
	for _, raw := range []string{"", "toolbox-api.private.fin.ag", "ftp://host", "https://"} {
		u, _ := url.Parse(raw)
		if _, err := record.New(record.Config{Upstream: u}); err == nil {
			t.Errorf("New accepted the upstream %q", raw)
		}
	}
}
