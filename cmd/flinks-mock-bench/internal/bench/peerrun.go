package bench

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// peerLoad is what the peers phase measured of one server: a fresh
// process loaded at once, then again after a warm-up.
type peerLoad struct {
	idleRSS     int64
	cold, warm  float64 // requests per second
	answerBytes int
}

// peers measures the bare reference, flinks-mock and every installed peer
// serving the ~3 KB answer: each in a fresh process, loaded at once and
// again after PeerWarmup; the peers' cold start and idle memory too.
func (r *runner) peers(ctx context.Context) error {
	found, skipped := findPeers(r.cfg.PeersPrefix, exec.LookPath)
	for _, s := range skipped {
		r.progress("peers: %s", s)
		r.note("peers: %s", s)
	}
	hot := r.mocks[0]
	if hot.small == nil {
		return fmt.Errorf("peers: flinks-mock's ~3 KB answer is missing (the load phase did not get to it)")
	}
	r.note("peers: every server answers POST GetAccountsDetail with the same ~3 KB answer (%s), one after the other in a fresh process: loaded for %s at once, then for %s after a warm-up of %s, %d connections",
		formatValue(float64(len(hot.small)), UnitBytes), r.cfg.Duration, r.cfg.Duration, r.cfg.PeerWarmup, r.cfg.Connections)
	bodyFile, err := r.bodyFile(hot.small)
	if err != nil {
		return err
	}
	bare, err := r.loadFresh(ctx, "reference", func(ctx context.Context) (*child, request, error) {
		c, err := startChild(ctx, "reference", r.refBin, "--addr", "127.0.0.1:0", "--body", bodyFile)
		return c, r.smallRequest(c, hot.smallID), err
	})
	if err != nil {
		return err
	}
	mock, err := r.loadFresh(ctx, hot.name(), func(ctx context.Context) (*child, request, error) {
		c, err := startChild(ctx, hot.name(), hot.bin, r.mockArgs()...)
		if err != nil {
			return nil, request{}, err
		}
		m := &mockTree{bin: hot.bin, child: c, fc: &flinksClient{hc: r.hc, base: c.URL}}
		if err := m.openSmall(ctx); err != nil {
			return c, request{}, err
		}
		return c, r.smallRequest(c, m.smallID), nil
	})
	if err != nil {
		return err
	}
	r.peerRows("flinks-mock", mock, bare)
	for _, p := range found {
		if err := r.measurePeer(ctx, p, hot, bare); err != nil {
			return err
		}
	}
	return nil
}

// smallRequest is the POST of the ~3 KB answer to c.
func (r *runner) smallRequest(c *child, requestID string) request {
	if c == nil {
		return request{}
	}
	return request{Method: http.MethodPost, URL: c.URL + "/v3/" + hotCustomerID + "/BankingServices/GetAccountsDetail", Body: detailBody(requestID), Want: http.StatusOK}
}

// measurePeer starts a peer PeerLaunches times for its cold start, then
// once more to load it.
func (r *runner) measurePeer(ctx context.Context, p peer, hot *mockTree, bare *peerLoad) error {
	dir := filepath.Join(r.dir, "peer-"+strings.Fields(p.name)[0])
	if err := p.files(dir, hot.small); err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	var starts []time.Duration
	r.progress("peers: %s, %d cold starts", p.name, r.cfg.PeerLaunches)
	for range r.cfg.PeerLaunches {
		c, _, err := startPeer(ctx, p, dir, hot.smallID)
		if err != nil {
			return err
		}
		starts = append(starts, c.Ready.Sub(c.Started))
		if err := c.stop(); err != nil {
			return err
		}
	}
	load, err := r.loadFresh(ctx, p.name, func(ctx context.Context) (*child, request, error) {
		return startPeer(ctx, p, dir, hot.smallID)
	})
	if err != nil {
		return err
	}
	cold := median(starts)
	r.row(sectionPeers, NewRow(fmt.Sprintf("peer %s: cold start to first 200 (median of %d)", p.name, len(starts)), UnitNanoseconds,
		float64(cold), float64(r.startMedian["reference"]), true, nil))
	r.peerRows("peer "+p.name, load, bare)
	if load.answerBytes != len(hot.small) {
		r.note("peers: %s answers %s where flinks-mock answers %s (it writes the same JSON its own way)", p.name,
			formatValue(float64(load.answerBytes), UnitBytes), formatValue(float64(len(hot.small)), UnitBytes))
	}
	return nil
}

// peerRows adds the memory and throughput rows of one server of the peers
// phase.
func (r *runner) peerRows(who string, s, bare *peerLoad) {
	if who != "flinks-mock" {
		r.row(sectionPeers, NewRow(who+": RSS idle after start", UnitBytes, float64(s.idleRSS), float64(bare.idleRSS), true, nil))
	}
	r.row(sectionPeers, NewRow(who+", ~3 KB answer: throughput of a fresh process", UnitRequestRate, s.cold, bare.cold, true, nil))
	r.row(sectionPeers, NewRow(fmt.Sprintf("%s, ~3 KB answer: throughput after %s warm-up", who, r.cfg.PeerWarmup), UnitRequestRate, s.warm, bare.warm, true, nil))
}

// loadFresh starts a server with start, reads its idle memory, loads it
// for Duration at once, warms it up for PeerWarmup and loads it again.
func (r *runner) loadFresh(ctx context.Context, name string, start func(context.Context) (*child, request, error)) (*peerLoad, error) {
	r.progress("peers: %s, fresh process: %s at once, %s warm-up, %s again", name, r.cfg.Duration, r.cfg.PeerWarmup, r.cfg.Duration)
	c, req, err := start(ctx)
	if c != nil {
		defer func() { _ = c.stop() }()
	}
	if err != nil {
		return nil, err
	}
	hc := newClient(r.cfg.Connections)
	defer hc.CloseIdleConnections()
	keep := req
	keep.Keep = true
	answer, err := send(ctx, hc, keep)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	time.Sleep(200 * time.Millisecond) // let it settle, as the idle memory of the load phase
	out := &peerLoad{answerBytes: len(answer)}
	if out.idleRSS, _, err = c.Memory(); err != nil {
		return nil, err
	}
	u := requestUnit(hc, req)
	for _, step := range []struct {
		d    time.Duration
		rate *float64
	}{{r.cfg.Duration, &out.cold}, {r.cfg.PeerWarmup, nil}, {r.cfg.Duration, &out.warm}} {
		if step.d <= 0 {
			continue
		}
		res := drive(ctx, loadPlan{Workers: r.cfg.Connections, Duration: step.d}, u)
		if res.Err != nil {
			return nil, fmt.Errorf("%s under load: %w", name, res.Err)
		}
		if step.rate != nil {
			*step.rate = res.Rate()
		}
	}
	return out, nil
}

// startPeer starts a peer on a free port and waits for the first 200 of
// the ~3 KB answer, polling on new connections: a peer prints no line the
// runner can read. Ready is the time of that 200.
func startPeer(ctx context.Context, p peer, dir, requestID string) (*child, request, error) {
	port, err := freePort()
	if err != nil {
		return nil, request{}, err
	}
	argv := p.argv(dir, port)
	c := &child{name: p.name, cmd: exec.Command(argv[0], argv[1:]...), done: make(chan struct{})}
	c.cmd.Stdout, c.cmd.Stderr = c, c
	c.URL = fmt.Sprintf("http://127.0.0.1:%d", port)
	probe := request{Method: http.MethodPost, URL: c.URL + "/v3/" + hotCustomerID + "/BankingServices/GetAccountsDetail", Body: detailBody(requestID), Want: http.StatusOK}
	c.Started = time.Now()
	if err := c.cmd.Start(); err != nil {
		return nil, request{}, fmt.Errorf("start %s (%s): %w", p.name, argv[0], err)
	}
	go func() {
		c.waitErr = c.cmd.Wait()
		close(c.done)
	}()
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	deadline := c.Started.Add(startTimeout)
	for {
		_, err := send(ctx, stdClient{hc}, probe)
		if err == nil {
			c.Ready = time.Now()
			return c, probe, nil
		}
		if !c.Alive() {
			return nil, request{}, fmt.Errorf("%s exited before it answered (%v):\n%s", p.name, c.waitErr, c.stderrTail())
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			_ = c.stop()
			return nil, request{}, fmt.Errorf("%s: no 200 within %s: %w\n%s", p.name, startTimeout, err, c.stderrTail())
		}
		time.Sleep(time.Millisecond)
	}
}

// Write keeps the last lines a peer writes, for error messages.
func (c *child) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for line := range bytes.Lines(p) {
		c.tail = append(c.tail, string(bytes.TrimRight(line, "\n")))
	}
	if n := len(c.tail); n > 20 {
		c.tail = c.tail[n-20:]
	}
	return len(p), nil
}

// freePort returns a port of 127.0.0.1 nobody listens on now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
