package openapi

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"
)

// keyOf is the memo key of r as validate builds it, after reading its
// body.
func keyOf(t *testing.T, s *Spec, r *http.Request) []byte {
	t.Helper()
	route, params, err := s.router.FindRoute(r)
	if err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.URL, err)
	}
	var data []byte
	if hasBody(r) {
		var e *RequestError
		if data, e = s.readBody(r); e != nil {
			t.Fatal(e)
		}
	}
	return requestKey(nil, route, r, params, hasBody(r), data)
}

func TestRequestKeyTellsRequestsApart(t *testing.T) {
	s := loadSpec(t)
	detail := `{"RequestId":"` + requestID + `"}`
	same := func() *http.Request { return newRequest(http.MethodPost, "GetAccountsDetail", jsonCT, detail) }
	tests := []struct {
		name  string
		other func() *http.Request
	}{
		{"another body", func() *http.Request {
			return newRequest(http.MethodPost, "GetAccountsDetail", jsonCT, `{"RequestId":"x"}`)
		}},
		{"another Content-Type", func() *http.Request {
			return newRequest(http.MethodPost, "GetAccountsDetail", "text/plain", detail)
		}},
		{"another customerId", func() *http.Request {
			r := same()
			r.URL.Path = "/v3/not-a-uuid/BankingServices/GetAccountsDetail"
			return r
		}},
		{"a query", func() *http.Request {
			r := same()
			r.URL.RawQuery = "x=1"
			return r
		}},
		{"a cookie", func() *http.Request {
			r := same()
			r.Header.Set("Cookie", "a=b")
			return r
		}},
		{"another operation", func() *http.Request {
			return newRequest(http.MethodPost, "GetAccountsSummary", jsonCT, detail)
		}},
		{"no body", func() *http.Request {
			return newRequest(http.MethodPost, "GetAccountsDetail", jsonCT, "")
		}},
	}
	want := keyOf(t, s, same())
	if again := keyOf(t, s, same()); !bytes.Equal(want, again) {
		t.Fatalf("the same request has two keys:\n%q\n%q", want, again)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := keyOf(t, s, tt.other()); bytes.Equal(got, want) {
				t.Errorf("a request with %s has the same key %q", tt.name, got)
			}
		})
	}
}

func TestValidRequestsAreRememberedAndProblemsNever(t *testing.T) {
	s, err := Load(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	valid := func() *http.Request {
		return newRequest(http.MethodPost, "GetAccountsDetail", jsonCT, `{"RequestId":"`+requestID+`"}`)
	}
	invalid := func() *http.Request {
		return newRequest(http.MethodPost, "GetAccountsDetail", jsonCT, `{"RequestId":42}`)
	}
	if s.memo.remembered(keyOf(t, s, valid())) {
		t.Fatal("a new Spec remembers a request")
	}
	for range 2 {
		if e := s.ValidateRequest(valid()); e != nil {
			t.Fatalf("valid request: %v", e)
		}
	}
	if !s.memo.remembered(keyOf(t, s, valid())) {
		t.Error("a valid request is not remembered")
	}
	for i := range 2 {
		e := s.ValidateRequest(invalid())
		if e == nil || e.Status != http.StatusUnauthorized {
			t.Fatalf("invalid request, call %d: %v, want INVALID_REQUEST", i+1, e)
		}
	}
	if s.memo.remembered(keyOf(t, s, invalid())) {
		t.Error("an invalid request is remembered")
	}
}

// The body is still there for the handler, on a remembered request too.
func TestARememberedRequestKeepsItsBody(t *testing.T) {
	s := loadSpec(t)
	want := `{"RequestId":"` + requestID + `"}`
	valid := func() *http.Request { return newRequest(http.MethodPost, "GetAccountsDetail", jsonCT, want) }
	if e := s.ValidateRequest(valid()); e != nil {
		t.Fatal(e)
	}
	r := valid()
	if !s.memo.remembered(keyOf(t, s, valid())) {
		t.Fatal("the request is not remembered")
	}
	if e := s.ValidateRequest(r); e != nil {
		t.Fatal(e)
	}
	if data, err := readAll(r.Body, -1); err != nil || string(data) != want {
		t.Errorf("Body after validation = %q, %v; want %s", data, err, want)
	}
	again, err := r.GetBody()
	if err != nil {
		t.Fatal(err)
	}
	if data, err := readAll(again, -1); err != nil || string(data) != want {
		t.Errorf("GetBody after validation = %q, %v; want %s", data, err, want)
	}
}

func TestTheMemoIsBounded(t *testing.T) {
	m := newValidMemo()
	for i := range 3 * memoEntries {
		m.remember(fmt.Appendf(nil, "request %d", i))
	}
	if len(m.keys) != memoEntries {
		t.Errorf("the memo holds %d requests, want %d", len(m.keys), memoEntries)
	}
	if m.remembered([]byte("request 0")) {
		t.Error("the oldest request is still remembered")
	}
	if !m.remembered(fmt.Appendf(nil, "request %d", 3*memoEntries-1)) {
		t.Error("the newest request is not remembered")
	}
	m.remember(bytes.Repeat([]byte("x"), memoMaxKey+1))
	if m.remembered(bytes.Repeat([]byte("x"), memoMaxKey+1)) {
		t.Error("a request over memoMaxKey is remembered")
	}
}
