// Package guard keeps web pages away from what changes the mock's state:
// the admin API and the Connect page's forms. A page of another origin
// may send a browser's "simple" requests to any local port; a page of a
// name its owner points at 127.0.0.1 (DNS rebinding) even reads the
// answers. Guard refuses both, and lets through local tools (curl, the Go
// admin client, tests), which send neither Origin nor Sec-Fetch-Site and
// name the server by a loopback or single-label host.
package guard

import (
	"fmt"
	"net"
	"net/http"
	"strings"
)

// Config says what the guard accepts beyond its defaults.
type Config struct {
	// AllowedHosts are host names (without port) accepted besides
	// loopback names, IP addresses and single-label names; "*" accepts
	// any.
	AllowedHosts []string
	// AllowedOrigins are origins ("scheme://host[:port]") whose pages may
	// change state cross-origin.
	AllowedOrigins []string
}

// Guard checks requests against its Config. It is safe for concurrent
// use and holds no state past its set-up.
type Guard struct {
	cop     *http.CrossOriginProtection
	hosts   map[string]bool
	anyHost bool
}

// New returns the guard of cfg, or why an allowed origin is malformed.
func New(cfg Config) (*Guard, error) {
	g := &Guard{cop: http.NewCrossOriginProtection(), hosts: map[string]bool{}}
	for _, h := range cfg.AllowedHosts {
		h = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
		switch {
		case h == "*":
			g.anyHost = true
		case h != "":
			g.hosts[h] = true
		}
	}
	for _, o := range cfg.AllowedOrigins {
		if err := g.cop.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("allowed origin %q: give scheme://host[:port], such as http://localhost:3000: %w", o, err)
		}
	}
	return g, nil
}

// Refusal is why a request was refused, worded for the person who sent
// it: what was seen and how to allow it.
type Refusal struct {
	Message string
}

func (r *Refusal) Error() string { return r.Message }

// Check returns a *Refusal when r must not reach the handler: a Host the
// server does not answer to, or a state-changing request a browser sent
// from a page of another origin. Safe methods (GET, HEAD, OPTIONS) pass
// the cross-origin check; the Host check applies to every method, since
// a rebound page reads what it asks for.
func (g *Guard) Check(r *http.Request) error {
	if err := g.CheckHost(r.Host); err != nil {
		return err
	}
	if err := g.cop.Check(r); err != nil {
		return &Refusal{Message: fmt.Sprintf("Refused a request a web page of another origin sent (Origin %q, Sec-Fetch-Site %q): pages may not change the mock's state. "+
			"Call the admin API from a local tool (curl, the Go client, a test), which sends neither header, or trust the page's origin with --allowed-origins",
			r.Header.Get("Origin"), r.Header.Get("Sec-Fetch-Site"))}
	}
	return nil
}

// CheckHost returns a *Refusal unless host (a Host header, with or
// without its port) is one the server answers to.
func (g *Guard) CheckHost(host string) error {
	if g.anyHost || g.HostAllowed(host) {
		return nil
	}
	return &Refusal{Message: fmt.Sprintf("Refused the Host %q: a web page can reach a local server through a name it points at 127.0.0.1 (DNS rebinding), "+
		"so the admin API and the Connect forms answer only to loopback names, IP addresses and single-label names such as flinks-mock. "+
		"Add the name with --allowed-hosts (Config.AllowedHosts)", host)}
}

// HostAllowed reports whether host (with or without its port) is
// accepted: an IP address (a browser sends one only for a page it loaded
// from that address, which a rebinding page cannot), localhost and its
// subdomains, a name of one label (a compose service, a container), or
// one of the allowed names.
func (g *Guard) HostAllowed(host string) bool {
	name := hostname(host)
	switch {
	case name == "":
		// HTTP/1.0 without a Host header: no browser sends that.
		return host == ""
	case net.ParseIP(name) != nil:
		return true
	case name == "localhost" || strings.HasSuffix(name, ".localhost"):
		return true
	case !strings.Contains(name, "."):
		return true
	}
	return g.hosts[name]
}

// hostname is host without its port and brackets, lower case, without a
// trailing dot.
func hostname(host string) string {
	h := host
	if name, _, err := net.SplitHostPort(host); err == nil {
		h = name
	}
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	return strings.TrimSuffix(strings.ToLower(h), ".")
}
