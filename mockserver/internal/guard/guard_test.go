package guard

import (
	"net/http/httptest"
	"testing"
)

func TestHostAllowed(t *testing.T) {
	g, err := New(Config{AllowedHosts: []string{"Mock.Example.test", " ci.internal. "}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		host string
		want bool
	}{
		{"127.0.0.1:8080", true},
		{"127.0.0.1", true},
		{"[::1]:8080", true},
		{"[::1]", true},
		{"10.1.2.3:8080", true},
		{"localhost:8080", true},
		{"LOCALHOST", true},
		{"localhost.:8080", true},
		{"app.localhost:8080", true},
		{"flinks-mock:8080", true},
		{"flinks-mock", true},
		{"mock.example.test:8080", true},
		{"ci.internal", true},
		{"", true},
		{"attacker.example:8080", false},
		{"127.0.0.1.nip.io:8080", false},
		{"localhost.attacker.example", false},
		{"example.test:8080", false},
		{"a.b:1:2", false},
	} {
		if got := g.HostAllowed(tc.host); got != tc.want {
			t.Errorf("HostAllowed(%q) = %v, want %v", tc.host, got, tc.want)
		}
	}
}

func TestAnyHostWithStar(t *testing.T) {
	g, err := New(Config{AllowedHosts: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.CheckHost("attacker.example:8080"); err != nil {
		t.Errorf("with *: %v", err)
	}
}

func TestCheck(t *testing.T) {
	g, err := New(Config{AllowedOrigins: []string{"http://localhost:3000"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		method  string
		host    string
		headers map[string]string
		refused bool
	}{
		{name: "curl", method: "POST", host: "127.0.0.1:8080"},
		{name: "a GET from another origin", method: "GET", host: "127.0.0.1:8080", headers: map[string]string{"Origin": "http://127.0.0.1:9999", "Sec-Fetch-Site": "same-site"}},
		{name: "same origin", method: "POST", host: "127.0.0.1:8080", headers: map[string]string{"Origin": "http://127.0.0.1:8080", "Sec-Fetch-Site": "same-origin"}},
		{name: "typed in the address bar", method: "POST", host: "127.0.0.1:8080", headers: map[string]string{"Sec-Fetch-Site": "none"}},
		{name: "same origin, an old browser", method: "POST", host: "localhost:8080", headers: map[string]string{"Origin": "http://localhost:8080"}},
		{name: "another port", method: "POST", host: "127.0.0.1:8080", headers: map[string]string{"Origin": "http://127.0.0.1:9999", "Sec-Fetch-Site": "same-site"}, refused: true},
		{name: "another site", method: "PUT", host: "127.0.0.1:8080", headers: map[string]string{"Sec-Fetch-Site": "cross-site"}, refused: true},
		{name: "another origin, an old browser", method: "DELETE", host: "127.0.0.1:8080", headers: map[string]string{"Origin": "http://attacker.example"}, refused: true},
		{name: "an allowed origin", method: "POST", host: "127.0.0.1:8080", headers: map[string]string{"Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site"}},
		{name: "a rebound name, same origin to the browser", method: "POST", host: "attacker.example:8080", headers: map[string]string{"Origin": "http://attacker.example:8080", "Sec-Fetch-Site": "same-origin"}, refused: true},
		{name: "a rebound name, read", method: "GET", host: "attacker.example:8080", refused: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "http://"+tc.host+"/__admin/reset", nil)
			r.Host = tc.host
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			err := g.Check(r)
			if (err != nil) != tc.refused {
				t.Fatalf("Check = %v, want refused %v", err, tc.refused)
			}
			if _, ok := err.(*Refusal); err != nil && !ok {
				t.Errorf("Check returned %T, want *Refusal", err)
			}
		})
	}
}

func TestNewRefusesAMalformedOrigin(t *testing.T) {
	if _, err := New(Config{AllowedOrigins: []string{"localhost:3000/path"}}); err == nil {
		t.Error("New accepted an origin with a path")
	}
}
