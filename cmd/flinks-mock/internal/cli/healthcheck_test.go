package cli

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestHealthURL(t *testing.T) {
	tests := []struct {
		name, addr, base string
		want             string // empty when an error is expected
		wantErr          string
	}{
		{name: "default", addr: DefaultAddr, want: "http://127.0.0.1:8080/__admin/health"},
		{name: "all IPv4 interfaces", addr: "0.0.0.0:8080", want: "http://127.0.0.1:8080/__admin/health"},
		{name: "all IPv6 interfaces", addr: "[::]:9000", want: "http://127.0.0.1:9000/__admin/health"},
		{name: "empty host", addr: ":8081", want: "http://127.0.0.1:8081/__admin/health"},
		{name: "host name kept", addr: "localhost:8080", want: "http://localhost:8080/__admin/health"},
		{name: "IPv6 loopback kept", addr: "[::1]:8080", want: "http://[::1]:8080/__admin/health"},
		{name: "url", base: "http://flinks-mock:8080", want: "http://flinks-mock:8080/__admin/health"},
		{name: "url with slash", base: "https://mock.example:8443/", want: "https://mock.example:8443/__admin/health"},
		{name: "url with prefix", base: "http://gateway/flinks", want: "http://gateway/flinks/__admin/health"},
		{name: "url wins over addr", addr: "0.0.0.0:1", base: "http://sidecar:8080", want: "http://sidecar:8080/__admin/health"},
		{name: "no port", addr: "127.0.0.1", wantErr: "give host:port"},
		{name: "empty port", addr: "127.0.0.1:", wantErr: "give host:port"},
		{name: "port name", addr: ":http", wantErr: "give host:port"},
		{name: "port out of range", addr: ":65536", wantErr: "give host:port"},
		{name: "bad host", addr: "a b:8080", wantErr: "not a host name"},
		{name: "host with a URL character", addr: "#:8080", wantErr: "not a host name"},
		{name: "port 0", addr: "127.0.0.1:0", wantErr: "port 0"},
		{name: "url without scheme", base: "flinks-mock:8080", wantErr: "base URL"},
		{name: "url of another scheme", base: "ftp://flinks-mock", wantErr: "base URL"},
		{name: "url without host", base: "http://", wantErr: "base URL"},
		{name: "url with query", base: "http://mock:8080/?x=1", wantErr: "without a query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := healthURL(tt.addr, tt.base)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("healthURL(%q, %q) = %q, %v; want an error containing %q", tt.addr, tt.base, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("healthURL(%q, %q) = %q, %v; want %q", tt.addr, tt.base, got, err, tt.want)
			}
		})
	}
}

func FuzzHealthURL(f *testing.F) {
	f.Add("0.0.0.0:8080", "")
	f.Add("[::]:1", "")
	f.Add("", "http://flinks-mock:8080/")
	f.Add("x", "https://h/p?q")
	f.Add(":A", "")
	f.Add("0", "http://0?")
	f.Add("[ ]:1", "")
	f.Add("#:1", "")
	f.Fuzz(func(t *testing.T, addr, base string) {
		got, err := healthURL(addr, base)
		if err != nil {
			return
		}
		u, perr := url.Parse(got)
		if perr != nil {
			t.Fatalf("healthURL(%q, %q) = %q, which does not parse: %v", addr, base, got, perr)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !strings.HasSuffix(u.Path, HealthPath) {
			t.Fatalf("healthURL(%q, %q) = %q, not an http(s) URL of %s", addr, base, got, HealthPath)
		}
		switch u.Hostname() {
		case "0.0.0.0", "::":
			t.Fatalf("healthURL(%q, %q) = %q dials a wildcard address", addr, base, got)
		}
	})
}

// runHealthcheck runs 'flinks-mock healthcheck args...' with env as the
// whole environment.
func runHealthcheck(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	p := Program{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }}
	code = p.Run(context.Background(), append([]string{"healthcheck"}, args...))
	return code, out.String(), errOut.String()
}

// serverPort starts h on 127.0.0.1 and returns its port.
func serverPort(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return port
}

func TestHealthcheck(t *testing.T) {
	ok := func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != HealthPath {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	}
	okPort := serverPort(t, ok)
	failingPort := serverPort(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not ready", http.StatusInternalServerError)
	})
	// The hanging server answers only when the client gives up.
	hangingPort := serverPort(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	redirectPort := serverPort(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.0.0.1:"+okPort+HealthPath, http.StatusFound)
	})
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusedAddr := closed.Addr().String()
	closed.Close()

	tests := []struct {
		name       string
		env        map[string]string
		args       []string
		wantCode   int
		wantStdout string // substring; empty means stdout must be empty
		wantStderr string // substring; empty means stderr must be empty
	}{
		{name: "200 is healthy and quiet", args: []string{"--addr", "127.0.0.1:" + okPort}, wantCode: ExitOK},
		{name: "verbose says so", args: []string{"--addr", "127.0.0.1:" + okPort, "--verbose"}, wantCode: ExitOK,
			wantStdout: "healthy: http://127.0.0.1:" + okPort + "/__admin/health answered 200"},
		{name: "0.0.0.0 probes loopback", args: []string{"--addr", "0.0.0.0:" + okPort}, wantCode: ExitOK},
		{name: "[::] probes loopback", args: []string{"--addr", "[::]:" + okPort}, wantCode: ExitOK},
		{name: "addr from the environment as in the image", env: map[string]string{"FLINKS_MOCK_ADDR": "0.0.0.0:" + okPort}, wantCode: ExitOK},
		{name: "flag beats the environment", env: map[string]string{"FLINKS_MOCK_ADDR": refusedAddr},
			args: []string{"--addr", "127.0.0.1:" + okPort}, wantCode: ExitOK},
		{name: "server", args: []string{"--server", "http://localhost:" + okPort}, wantCode: ExitOK},
		{name: "500 is unhealthy", args: []string{"--addr", "127.0.0.1:" + failingPort}, wantCode: ExitFailure,
			wantStderr: "answered 500 Internal Server Error, want 200"},
		{name: "no answer in time is unhealthy", args: []string{"--addr", "127.0.0.1:" + hangingPort, "--timeout", "50ms"}, wantCode: ExitFailure,
			wantStderr: "no answer within 50ms"},
		{name: "timeout from the environment", env: map[string]string{"FLINKS_MOCK_TIMEOUT": "50ms"},
			args: []string{"--addr", "127.0.0.1:" + hangingPort}, wantCode: ExitFailure, wantStderr: "no answer within 50ms"},
		{name: "connection refused is unhealthy", args: []string{"--addr", refusedAddr}, wantCode: ExitFailure,
			wantStderr: "connection refused"},
		{name: "a redirect is not followed", args: []string{"--addr", "127.0.0.1:" + redirectPort}, wantCode: ExitFailure,
			wantStderr: "answered 302"},
		{name: "bad addr exits 1, not Docker's reserved 2", args: []string{"--addr", "nowhere"}, wantCode: ExitFailure,
			wantStderr: "give host:port"},
		{name: "unknown flag exits 1", args: []string{"--nope"}, wantCode: ExitFailure, wantStderr: "flag provided but not defined"},
		{name: "bad environment exits 1", env: map[string]string{"FLINKS_MOCK_TIMEOUT": "soon"}, wantCode: ExitFailure,
			wantStderr: "FLINKS_MOCK_TIMEOUT"},
		{name: "zero timeout", args: []string{"--timeout", "0s"}, wantCode: ExitFailure, wantStderr: "positive duration"},
		{name: "argument", args: []string{"extra"}, wantCode: ExitFailure, wantStderr: `unexpected argument "extra"`},
		{name: "help", args: []string{"--help"}, wantCode: ExitOK, wantStdout: "Usage: flinks-mock healthcheck"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runHealthcheck(t, tt.env, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d (stderr %q)", code, tt.wantCode, stderr)
			}
			check := func(what, got, want string) {
				if want == "" && got != "" {
					t.Errorf("%s = %q, want nothing", what, got)
				}
				if !strings.Contains(got, want) {
					t.Errorf("%s = %q, want it to contain %q", what, got, want)
				}
			}
			check("stdout", stdout, tt.wantStdout)
			check("stderr", stderr, tt.wantStderr)
			if code == ExitFailure && strings.Count(strings.TrimSpace(stderr), "\n") > 0 && !strings.Contains(stderr, "Usage") {
				t.Errorf("stderr has more than one line: %q", stderr)
			}
		})
	}
}

// A sidecar reached by host name is probed with --server; the exit status is
// all a container health check reads.
func ExampleProgram_Run_healthcheck() {
	sidecar := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"status":"ok"}`)
	}))
	defer sidecar.Close()

	code := Program{}.Run(context.Background(), []string{"healthcheck", "--server", sidecar.URL})
	fmt.Println("exit status", code)
	// Output: exit status 0
}
