// Package record turns a real Flinks session into a scenario file. A
// Recorder is an HTTP proxy: an integration talks to it as to Flinks (same
// paths), it forwards every request to the upstream Flinks instance and
// returns the answer unchanged, and it notes what the answers say about
// each login: the MFA prompts and the answers that worked, the /Authorize
// outcomes, the 202s before the data, and the accounts. Scenario then
// writes it all as a scenario file that replays the same flows in
// flinks-mock, with personal data, usernames, LoginIds and MFA prompts and
// answers replaced by consistent fakes and no key, token or password in
// it.
package record

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

// DefaultUpstreamTimeout bounds one forwarded request, answer included,
// when Config.UpstreamTimeout is not set: a real GetAccountsDetail may
// take 210 s before Flinks dispatches it, and the client should get the
// 504 before its own connection's limits cut it off.
const DefaultUpstreamTimeout = 4 * time.Minute

// MaxRecordedBody bounds the bodies a Recorder reads to record them; a
// longer one is forwarded all the same but not recorded.
const MaxRecordedBody = 32 << 20

// Config configures a Recorder. Only Upstream is required.
type Config struct {
	// Upstream is the Flinks instance requests are forwarded to, e.g.
	// https://toolbox-api.private.fin.ag; the request's path is appended
	// to its path.
	Upstream *url.URL
	// Transport sends the forwarded requests (default
	// http.DefaultTransport).
	Transport http.RoundTripper
	// Key keys the fakes of personal data; a random key when empty, so
	// that two recordings give different fakes.
	Key []byte
	// StopAfter closes Done once that many flows have completed (0:
	// never). A flow completes when /Authorize answers an error, or when
	// a data request of its RequestId first answers 200 or an error.
	StopAfter int
	// Logger receives a line per flow and per problem (default: discard).
	Logger *slog.Logger
	// Now dates the recording (default time.Now).
	Now func() time.Time
	// UpstreamTimeout bounds one forwarded request, from sending it to
	// the end of the upstream's answer (default DefaultUpstreamTimeout);
	// past it the client gets a 504.
	UpstreamTimeout time.Duration
	// KeepCredentials writes the usernames, LoginIds, MFA prompts,
	// choices and answers as they were recorded, rather than as
	// consistent fakes. Only for a file that stays private: they identify
	// a person and let anyone with them sign in.
	KeepCredentials bool
}

// Recorder is a recording proxy. Create it with New and serve it as an
// http.Handler.
type Recorder struct {
	cfg      Config
	proxy    *httputil.ReverseProxy
	scrub    *Scrubber
	defaults defaultLogins
	log      *slog.Logger
	done     chan struct{}

	mu    sync.Mutex
	state state
}

// New returns a Recorder that forwards to cfg.Upstream.
func New(cfg Config) (*Recorder, error) {
	u := cfg.Upstream
	if u == nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("record: the upstream must be an absolute http or https URL such as https://toolbox-api.private.fin.ag")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.UpstreamTimeout <= 0 {
		cfg.UpstreamTimeout = DefaultUpstreamTimeout
	}
	key := cfg.Key
	if len(key) == 0 {
		key = make([]byte, 32)
		_, _ = rand.Read(key)
	}
	r := &Recorder{
		cfg:      cfg,
		scrub:    NewScrubber(key),
		defaults: loadDefaultLogins(),
		log:      cfg.Logger,
		done:     make(chan struct{}),
		state:    newState(),
	}
	r.proxy = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			// Only the destination changes: no X-Forwarded-* headers are
			// added, so Flinks sees the request the integration sent.
			pr.SetURL(u)
		},
		Transport:      cfg.Transport,
		ModifyResponse: r.capture,
		ErrorHandler:   r.upstreamFailed,
	}
	return r, nil
}

// ServeHTTP forwards a request to the upstream and its answer back,
// recording both.
func (r *Recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, MaxRecordedBody+1))
	if err != nil {
		http.Error(w, "flinks-mock record: reading the request: "+err.Error(), http.StatusBadRequest)
		return
	}
	req.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), req.Body))
	if len(body) > MaxRecordedBody {
		body = nil // forwarded whole, not recorded
	}
	ctx, cancel := context.WithTimeout(req.Context(), r.cfg.UpstreamTimeout)
	defer cancel()
	r.proxy.ServeHTTP(w, req.WithContext(context.WithValue(ctx, requestBodyKey{}, body)))
}

// requestBodyKey carries the body of a request to the capture of its
// answer.
type requestBodyKey struct{}

// capture reads the upstream's answer, records the exchange, and hands the
// answer on unchanged.
func (r *Recorder) capture(resp *http.Response) error {
	out := resp.Request
	reqBody, _ := out.Context().Value(requestBodyKey{}).([]byte)
	raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxRecordedBody+1))
	if err != nil {
		return fmt.Errorf("read the upstream's answer: %w", err)
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(raw), resp.Body), resp.Body}
	if len(raw) > MaxRecordedBody {
		r.log.Warn("an answer too long to record was forwarded", "path", out.URL.Path, "limit", MaxRecordedBody)
		return nil
	}
	answer := raw
	if strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") {
		if answer, err = gunzip(raw); err != nil {
			r.log.Warn("a gzip answer that does not decompress was forwarded unrecorded", "path", out.URL.Path, "err", err)
			return nil
		}
	}
	r.observe(exchange{
		path:   out.URL.Path,
		header: out.Header,
		body:   reqBody,
		status: resp.StatusCode,
		answer: answer,
	})
	return nil
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(zr, MaxRecordedBody))
}

// upstreamFailed answers a request the upstream could not be asked.
func (r *Recorder) upstreamFailed(w http.ResponseWriter, req *http.Request, err error) {
	status, msg := http.StatusBadGateway, "flinks-mock record: the upstream could not be reached: "+err.Error()
	if errors.Is(err, context.DeadlineExceeded) && req.Context().Err() != nil {
		status, msg = http.StatusGatewayTimeout, fmt.Sprintf("flinks-mock record: the upstream did not answer within %s (--upstream-timeout)", r.cfg.UpstreamTimeout)
	}
	r.log.Error("the upstream did not answer", "path", req.URL.Path, "status", status, "err", err)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"HttpStatusCode":%d,"Message":%q}`, status, msg)
}

// Done is closed once StopAfter flows have completed.
func (r *Recorder) Done() <-chan struct{} { return r.done }

// Flows returns how many flows have completed so far.
func (r *Recorder) Flows() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state.flows
}

// flowCompleted counts a flow of login l that ended with this status (and
// FlinksCode), says what the recording holds so far, and closes Done at
// StopAfter. Callers hold r.mu.
func (r *Recorder) flowCompleted(l *loginRec, status int, code string) {
	r.state.flows++
	attrs := []any{"flow", r.state.flows}
	if r.cfg.StopAfter > 0 {
		attrs = append(attrs, "of", r.cfg.StopAfter)
	}
	if l != nil && l.loginID != "" {
		attrs = append(attrs, "loginId", l.loginID)
	}
	attrs = append(attrs, "status", status, "flinksCode", code, "logins", len(r.state.logins), "sessions", len(r.state.sessions))
	r.log.Info("flow recorded", attrs...)
	if r.cfg.StopAfter > 0 && r.state.flows == r.cfg.StopAfter {
		close(r.done)
	}
}

// File returns what was recorded so far as a scenario file, scrubbed, and
// the notes on what could not be recorded.
func (r *Recorder) File() (*scenarios.File, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state.file(r.scrub, r.defaults, r.cfg.KeepCredentials)
}

// Scenario returns what was recorded so far as the text of a scenario
// file (YAML), with a comment on top that says where it comes from.
func (r *Recorder) Scenario() ([]byte, error) {
	f, notes := r.File()
	r.mu.Lock()
	flows := r.state.flows
	r.mu.Unlock()
	origin := url.URL{Scheme: r.cfg.Upstream.Scheme, Host: r.cfg.Upstream.Host}
	header := []string{
		fmt.Sprintf("Recorded by flinks-mock record from %s on %s: %d login(s), %d flow(s).", origin.String(), r.cfg.Now().UTC().Format(time.DateOnly), len(f.Logins), flows),
		"Holder names, addresses, emails, phone numbers, account and transit numbers and",
		"transaction descriptions are consistent fakes; no key, token or password was kept",
		"(every password is Everyday, the default).",
	}
	if r.cfg.KeepCredentials {
		header = append(header, "",
			"KEPT AS RECORDED (--keep-credentials): usernames, LoginIds, MFA prompts, choices and",
			"answers. They identify people and let anyone sign in: keep this file private.")
	} else {
		header = append(header,
			"Usernames, LoginIds, MFA prompts, choices and answers are consistent fakes too, but",
			"those of the public sandbox logins of flinks-mock's library: sign in with the username",
			"written here and answer each prompt with its answers.")
	}
	if len(notes) > 0 {
		header = append(header, "", "Not recorded:")
		for _, n := range notes {
			header = append(header, "- "+n)
		}
	}
	return marshalFile(f, header)
}
