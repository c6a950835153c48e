package bench

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver"
)

// mockTree is one flinks-mock tree the run measures: this one (no label),
// or the baseline. Each runs as one long-lived child for the load phases.
type mockTree struct {
	label string
	dir   string // the root of the module it is built from
	bin   string

	child     *child
	fc        *flinksClient
	requestID string        // of the ready session of the hot path
	ready     []byte        // its 200 body
	smallID   string        // of the ready session of bench_small
	small     []byte        // its 200 body, the ~3 KB answer
	requests  uint64        // every request sent to the child
	flows     atomic.Uint64 // complete flows it answered
	hot       *hotSession   // the hot path under mixed load
	phases    [5]*phase     // hot POST, hot GET, flows, small POST, small GET
	idleRSS   int64
	loadedRSS int64
	peakRSS   int64
}

// name is the child's name in messages.
func (m *mockTree) name() string {
	if m.label == "" {
		return "flinks-mock"
	}
	return "flinks-mock (" + m.label + ")"
}

// figure names a figure of this tree: the baseline's rows say so.
func (m *mockTree) figure(f string) string {
	if m.label == "" {
		return f
	}
	return m.label + ": " + f
}

// target is t for this tree; the baseline is judged by no target.
func (m *mockTree) target(t *Target) *Target {
	if m.label != "" {
		return nil
	}
	return t
}

// countFlows counts the flows of u that the tree answered in full.
func (m *mockTree) countFlows(u unit) unit {
	return func(ctx context.Context, w, i int) (int, error) {
		n, err := u(ctx, w, i)
		if err == nil {
			m.flows.Add(1)
		}
		return n, err
	}
}

// load runs the throughput phases and the memory phases against one
// long-lived child of each tree and one long-lived reference.
func (r *runner) load(ctx context.Context) error {
	for _, m := range r.mocks {
		if err := r.startMock(ctx, m); err != nil {
			return err
		}
		defer func() { _ = m.child.stop() }()
	}
	hot := r.mocks[0]
	r.note("hot path: one ready session of greatday_nomfa in one tenant, shared by all %d connections; its 200 body is %s", r.cfg.Connections, formatValue(float64(len(hot.ready)), UnitBytes))
	r.note("hot path, ~3 KB answer: one ready session of bench_small (a scenario file the runner adds with --scenarios) in the same tenant; its 200 body is %s", formatValue(float64(len(hot.small)), UnitBytes))
	ref, refPost, err := r.startReference(ctx, "reference", hot.ready, hot.requestID)
	if err != nil {
		return err
	}
	defer func() { _ = ref.stop() }()
	refSmall, refSmallPost, err := r.startReference(ctx, "reference (~3 KB answer)", hot.small, hot.smallID)
	if err != nil {
		return err
	}
	defer func() { _ = refSmall.stop() }()

	// Idle memory: all have served their first answers and settled.
	time.Sleep(200 * time.Millisecond)
	refIdle, _, err := ref.Memory()
	if err != nil {
		return err
	}
	r.refIdleRSS = refIdle
	for _, m := range r.mocks {
		if m.idleRSS, _, err = m.child.Memory(); err != nil {
			return err
		}
		r.row(sectionMemory, NewRow(m.figure("RSS idle after start"), UnitBytes, float64(m.idleRSS), float64(refIdle), true, m.target(targetIdleRSS)))
	}
	refRes, refSmallRes, err := r.hotPath(ctx, refPost, refSmallPost)
	if err != nil {
		return err
	}
	for _, m := range r.mocks {
		r.latencyRows(m, "hot path POST GetAccountsDetail", m.phases[0].res, refRes)
		r.latencyRows(m, "hot path GET GetAccountsDetailAsync", m.phases[1].res, refRes)
		r.latencyRows(m, "hot path POST GetAccountsDetail, ~3 KB answer", m.phases[3].res, refSmallRes)
		r.latencyRows(m, "hot path GET GetAccountsDetailAsync, ~3 KB answer", m.phases[4].res, refSmallRes)
	}
	if err := r.flowPhases(ctx); err != nil {
		return err
	}
	return r.memoryAfterLoad(ctx, ref, refPost)
}

// startMock starts the child of a tree and opens its hot path session.
func (r *runner) startMock(ctx context.Context, m *mockTree) error {
	c, err := startChild(ctx, m.name(), m.bin, r.mockArgs()...)
	if err != nil {
		return err
	}
	m.child = c
	m.fc = &flinksClient{hc: r.hc, base: c.URL}
	if m.requestID, m.ready, err = m.fc.readySession(ctx, hotCustomerID); err != nil {
		return fmt.Errorf("%s: %w", m.name(), err)
	}
	m.requests += 3
	return m.openSmall(ctx)
}

// startReference starts a bare server answering body, and returns the
// request that loads it: the hot path's, with requestID.
func (r *runner) startReference(ctx context.Context, name string, body []byte, requestID string) (*child, request, error) {
	bodyFile, err := r.bodyFile(body)
	if err != nil {
		return nil, request{}, err
	}
	ref, err := startChild(ctx, name, r.refBin, "--addr", "127.0.0.1:0", "--body", bodyFile)
	if err != nil {
		return nil, request{}, err
	}
	refPost := request{Method: http.MethodPost, URL: ref.URL + "/v3/" + hotCustomerID + "/BankingServices/GetAccountsDetail", Body: detailBody(requestID), Want: http.StatusOK}
	if _, err := send(ctx, r.hc, refPost); err != nil {
		_ = ref.stop()
		return nil, request{}, fmt.Errorf("the %s server: %w", name, err)
	}
	r.refRequests++
	return ref, refPost, nil
}

// bodyFile writes an answer for the reference's --body into the run's
// directory, named by its size.
func (r *runner) bodyFile(body []byte) (string, error) {
	path := filepath.Join(r.dir, fmt.Sprintf("answer-%d.json", len(body)))
	if err := os.WriteFile(path, body, 0o644); err != nil {
		return "", fmt.Errorf("write the answer for the reference: %w", err)
	}
	return path, nil
}

// hotPath loads the references and the hot paths of every tree in turn,
// and returns the references' figures (the 66 KiB answer, the ~3 KB one).
func (r *runner) hotPath(ctx context.Context, refPost, refSmallPost request) (*loadResult, *loadResult, error) {
	refPhase := &phase{what: "reference", u: requestUnit(r.hc, refPost)}
	refSmallPhase := &phase{what: "reference, ~3 KB answer", u: requestUnit(r.hc, refSmallPost)}
	phases := []*phase{refPhase, refSmallPhase}
	for _, m := range r.mocks {
		post := request{Method: http.MethodPost, URL: m.fc.url(hotCustomerID, "GetAccountsDetail"), Body: detailBody(m.requestID), Want: http.StatusOK}
		async := request{Method: http.MethodGet, URL: m.fc.url(hotCustomerID, "GetAccountsDetailAsync/"+m.requestID), Want: http.StatusOK}
		m.phases[0] = &phase{what: m.figure("hot path POST GetAccountsDetail"), u: requestUnit(r.hc, post)}
		m.phases[1] = &phase{what: m.figure("hot path GET GetAccountsDetailAsync"), u: requestUnit(r.hc, async)}
		m.phases[3], m.phases[4] = m.smallPhases(r.hc)
		phases = append(phases, m.phases[0], m.phases[1], m.phases[3], m.phases[4])
	}
	err := r.measureInterleaved(ctx, phases...)
	r.refRequests += refPhase.res.Requests
	for _, m := range r.mocks {
		for _, i := range []int{0, 1, 3, 4} {
			if m.phases[i].res != nil {
				m.requests += m.phases[i].res.Requests
			}
		}
	}
	if err != nil {
		return nil, nil, err
	}
	if r.cfg.Rounds > 1 {
		r.note("the reference and the hot path loads ran in turn, %d rounds of %s each, so that other work on the machine weighs on all alike", r.cfg.Rounds, r.cfg.Duration/time.Duration(r.cfg.Rounds))
	}
	return refPhase.res, refSmallPhase.res, nil
}

// flowPhases runs complete flows on every tree in turn.
func (r *runner) flowPhases(ctx context.Context) error {
	var phases []*phase
	for _, m := range r.mocks {
		m.phases[2] = &phase{what: m.figure(fmt.Sprintf("complete flows over %d tenants", r.cfg.Tenants)), u: m.countFlows(m.fc.flowUnit(r.cfg.Connections, r.cfg.Tenants, r.answers))}
		phases = append(phases, m.phases[2])
	}
	err := r.measureInterleaved(ctx, phases...)
	for _, m := range r.mocks {
		m.requests += m.phases[2].res.Requests
	}
	if err != nil {
		return err
	}
	for _, m := range r.mocks {
		res := m.phases[2].res
		flows := m.figure(fmt.Sprintf("complete flows (Greatday, MFA, 202; %d tenants)", r.cfg.Tenants))
		r.row(sectionFlows, NewRow(flows+": throughput", UnitFlowRate, res.Rate(), 0, false, m.target(targetFlows)))
		r.row(sectionFlows, NewRow(flows+": p50 per flow", UnitNanoseconds, float64(res.Latency.Percentile(0.5)), 0, false, nil))
		r.row(sectionFlows, NewRow(flows+": p99 per flow", UnitNanoseconds, float64(res.Latency.Percentile(0.99)), 0, false, nil))
	}
	return nil
}

// memoryAfterLoad loads the reference alone, then each tree under mixed
// load (half the connections on the hot path, half running flows over the
// tenants), until each has served RSSRequests in all, and reads their
// memory.
func (r *runner) memoryAfterLoad(ctx context.Context, ref *child, refPost request) error {
	want := uint64(r.cfg.RSSRequests)
	if r.refRequests < want {
		r.progress("reference: %d more requests before its memory is read", want-r.refRequests)
		res := drive(ctx, loadPlan{Workers: r.cfg.Connections, MaxRequests: want - r.refRequests, MaxDuration: r.cfg.MaxLoadTime}, requestUnit(r.hc, refPost))
		r.refRequests += res.Requests
		if res.Err != nil {
			return fmt.Errorf("reference under load: %w", res.Err)
		}
	}
	refLoaded, _, err := ref.Memory()
	if err != nil {
		return err
	}
	_ = ref.stop()
	for _, m := range r.mocks {
		if err := r.mixedLoad(ctx, m, want); err != nil {
			return err
		}
		label := fmt.Sprintf("RSS after %s requests", groupThousands(int64(m.requests)))
		r.row(sectionMemory, NewRow(m.figure(label), UnitBytes, float64(m.loadedRSS), float64(refLoaded), true, m.target(targetLoadedRSS)))
		r.row(sectionMemory, NewRow(m.figure("peak RSS (VmHWM) of the same run"), UnitBytes, float64(m.peakRSS), 0, false, nil))
		r.memoryNotes(m)
	}
	return nil
}

// mixedLoad sends a tree's child the requests it still needs to reach
// want, half on the hot path and half in flows, and reads its memory.
func (r *runner) mixedLoad(ctx context.Context, m *mockTree, want uint64) error {
	m.hot = &hotSession{fc: m.fc, id: m.requestID}
	forgotten, n, err := m.hot.revive(ctx)
	m.requests += uint64(n)
	if err != nil {
		return fmt.Errorf("%s: %w", m.name(), err)
	}
	if forgotten {
		r.note("%s forgot the hot path session while it sat idle through the flows phase (the bound forgets the session least recently used); the runner opened a new one before the mixed load", m.name())
	}
	hot, hotAsync := m.hot.unit(false), m.hot.unit(true)
	flow := m.countFlows(m.fc.flowUnit(r.cfg.Connections/2, r.cfg.Tenants, r.answers))
	mixed := func(ctx context.Context, w, i int) (int, error) {
		if w%2 == 1 {
			return flow(ctx, w/2, i)
		}
		if i%2 == 0 {
			return hot(ctx, w, i)
		}
		return hotAsync(ctx, w, i)
	}
	// capped is set by the load's watcher goroutine and read here after.
	var capped atomic.Bool
	overCap := func() bool {
		rss, _, err := m.child.Memory()
		capped.Store(err == nil && rss > r.cfg.RSSCap)
		return capped.Load()
	}
	if m.requests < want {
		r.progress("%s: %d more requests (mixed: hot path and flows over %d tenants) before its memory is read", m.name(), want-m.requests, r.cfg.Tenants)
		res := drive(ctx, loadPlan{Workers: r.cfg.Connections, MaxRequests: want - m.requests, MaxDuration: r.cfg.MaxLoadTime, Stop: overCap}, mixed)
		m.requests += res.Requests
		if res.Err != nil {
			return fmt.Errorf("%s under mixed load: %w", m.name(), res.Err)
		}
		if res.Stopped != "" {
			r.note("the mixed load on %s stopped early (%s) after %s requests in all", m.name(), res.Stopped, groupThousands(int64(m.requests)))
		}
	}
	if m.loadedRSS, m.peakRSS, err = m.child.Memory(); err != nil {
		return err
	}
	if !m.child.Alive() {
		return fmt.Errorf("%s exited during the load:\n%s", m.name(), m.child.stderrTail())
	}
	if capped.Load() {
		r.note("%s passed the RSS cap of %d MiB under mixed load", m.name(), r.cfg.RSSCap>>20)
	}
	return nil
}

// memoryNotes explains the memory figures of a tree.
func (r *runner) memoryNotes(m *mockTree) {
	flowsDone := m.flows.Load()
	r.note("memory after load: %s served %s requests (hot path on one tenant, %s complete flows over %d tenants), the reference %s",
		m.name(), groupThousands(int64(m.requests)), groupThousands(int64(flowsDone)), r.cfg.Tenants, groupThousands(int64(r.refRequests)))
	if n := m.hot.Reopened(); n > 0 {
		r.note("under mixed load %s forgot the hot path session %d times (SESSION_NONEXISTENT) although it was polled all the time; the runner opened a new one each time", m.name(), n)
	}
	if flowsDone > 0 && m.loadedRSS > m.idleRSS {
		r.note("%s grew by %s per complete flow: what its sessions, tokens and journal entries keep until their bounds evict them (%d sessions per tenant by default, and the cross-tenant bounds of mockserver.Config)",
			m.name(), formatValue(float64(m.loadedRSS-m.idleRSS)/float64(flowsDone), UnitBytes), mockserver.DefaultMaxSessions)
	}
}

// latencyRows adds the throughput, p50 and p99 rows of a hot path phase.
func (r *runner) latencyRows(m *mockTree, what string, mock, ref *loadResult) {
	what = m.figure(what)
	r.row(sectionHotPath, NewRow(what+": throughput", UnitRequestRate, mock.Rate(), ref.Rate(), true, m.target(targetHotPath)))
	r.row(sectionHotPath, NewRow(what+": p50", UnitNanoseconds, float64(mock.Latency.Percentile(0.5)), float64(ref.Latency.Percentile(0.5)), true, nil))
	r.row(sectionHotPath, NewRow(what+": p99", UnitNanoseconds, float64(mock.Latency.Percentile(0.99)), float64(ref.Latency.Percentile(0.99)), true, m.target(targetP99)))
}

// goBench runs the Go benchmarks of a tree and adds their per-request
// figures.
func (r *runner) goBench(ctx context.Context, m *mockTree) error {
	r.progress("go test -bench . -benchmem -count %d ./mockserver/ in %s (benchtime %q)", r.cfg.GoBenchCount, m.dir, r.cfg.GoBenchTime)
	res, _, err := runGoBench(ctx, m.dir, r.cfg.GoBenchTime, r.cfg.GoBenchCount)
	if err != nil {
		return err
	}
	res = Fastest(res)
	if r.cfg.GoBenchCount > 1 && m.label == "" {
		r.note("Go benchmarks: the fastest of %d runs of each (-count %d)", r.cfg.GoBenchCount, r.cfg.GoBenchCount)
	}
	bare, bareOK := findGoBench(res, "BareHandler")
	for _, c := range []struct{ name, label string }{
		{"HotPath", "in-process POST GetAccountsDetail (Go bench)"},
		{"HotPathAsync", "in-process GET GetAccountsDetailAsync (Go bench)"},
	} {
		b, ok := findGoBench(res, c.name)
		if !ok {
			return fmt.Errorf("go test -bench printed no Benchmark%s", c.name)
		}
		r.row(sectionGoBench, NewRow(m.figure(c.label+": time/op"), UnitNanoseconds, b.NsPerOp, bare.NsPerOp, bareOK, nil))
		r.row(sectionGoBench, NewRow(m.figure(c.label+": allocs/op"), UnitAllocs, b.AllocsPerOp, bare.AllocsPerOp, bareOK, nil))
		r.row(sectionGoBench, NewRow(m.figure(c.label+": bytes/op"), UnitBytes, b.BytesPerOp, bare.BytesPerOp, bareOK, nil))
	}
	if b, ok := findGoBench(res, "Flow"); ok {
		r.row(sectionGoBench, NewRow(m.figure("in-process complete flow (Go bench): time/flow"), UnitNanoseconds, b.NsPerOp, 0, false, nil))
		r.row(sectionGoBench, NewRow(m.figure("in-process complete flow (Go bench): allocs/flow"), UnitAllocs, b.AllocsPerOp, 0, false, nil))
		r.row(sectionGoBench, NewRow(m.figure("in-process complete flow (Go bench): bytes/flow"), UnitBytes, b.BytesPerOp, 0, false, nil))
	}
	if b, ok := findGoBench(res, "Startup"); ok {
		r.row(sectionGoBench, NewRow(m.figure("in-process startup: library, contract, New (Go bench)"), UnitNanoseconds, b.NsPerOp, 0, false, nil))
	}
	return nil
}
