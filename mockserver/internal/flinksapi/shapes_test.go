package flinksapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
	"github.com/flinks-mock/flinks-mock/mockserver/webhook"
	"github.com/flinks-mock/flinks-mock/openapi"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// shapeBody is one answer rendered for the shape tests: the request it
// answers, its status and its bytes (webhook names a webhook body).
type shapeBody struct {
	req     *http.Request
	status  int
	body    []byte
	webhook string
}

// shapeFixture renders every answer body the mock makes for a session.
type shapeFixture struct {
	api  *API
	lib  *scenarios.Library
	spec *openapi.Spec
}

func newShapeFixture(t testing.TB) *shapeFixture {
	t.Helper()
	spec, err := openapi.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	lib, err := scenarios.Load(today, true)
	if err != nil {
		t.Fatal(err)
	}
	return &shapeFixture{api: New(Config{Clock: clock.NewVirtual(today)}), lib: lib, spec: spec}
}

func (f *shapeFixture) login(t testing.TB, name string) *scenarios.Login {
	t.Helper()
	for _, l := range f.lib.Logins {
		if l.Name == name {
			return l
		}
	}
	t.Fatalf("no login %q", name)
	return nil
}

func flinksRequest(method, endpoint string) *http.Request {
	return httptest.NewRequest(method, "/v3/43387ca6-0391-4c82-857d-70d95f087ecb/BankingServices/"+endpoint, nil)
}

// bodies renders each answer of a session in a shape: the /Authorize 200
// and 203, a 202, the data 200s, the statements and both webhooks.
func (f *shapeFixture) bodies(login *scenarios.Login, sh scenarios.Shape, ordinal int, o session.Options) []shapeBody {
	sess := &session.Session{ID: "b851931b-7d7c-4279-9b82-344c0e846b52", Login: login, Inst: f.lib.Institution(login.Institution),
		Tag: "order-42", LastRefresh: "2026-11-02T04:04:31.0777383", Ordinal: ordinal}
	o.Minimal, o.Varied, o.Seed = sh.Mode == scenarios.ShapesMinimal, sh.Varied(), sh.Seed
	var out []shapeBody
	record := func(endpoint string, write func(w http.ResponseWriter)) {
		rec := httptest.NewRecorder()
		write(rec)
		out = append(out, shapeBody{req: flinksRequest(http.MethodPost, endpoint), status: rec.Code, body: rec.Body.Bytes()})
	}
	record("Authorize", func(w http.ResponseWriter) { writeAuthorized(w, sess, sh) })
	if login.MFA != nil {
		asked := login.MFA.Rounds[0].Challenges
		record("Authorize", func(w http.ResponseWriter) { writeMFA(w, flinksRequest("POST", "Authorize"), sess, asked, sh) })
	}
	record("GetAccountsDetail", func(w http.ResponseWriter) {
		writeStep(w, flinksRequest("POST", "GetAccountsDetail"), sess, dataAnswer{step: scenarios.Step{Respond: scenarios.RespondPending}}, variedOf(o.Varied, o.Seed, sess, "202"))
	})
	detailBody, _ := f.api.renderDetail(sess, o)
	summaryBody, _ := f.api.renderSummary(sess, o)
	detail := detailBody.Bytes()
	out = append(out,
		shapeBody{req: flinksRequest(http.MethodPost, "GetAccountsDetail"), status: 200, body: detail},
		shapeBody{req: flinksRequest(http.MethodPost, "GetAccountsSummary"), status: 200, body: summaryBody.Bytes()},
		shapeBody{webhook: openapi.WebhookAccountsDetail, body: webhook.Body(openapi.WebhookAccountsDetail, detail, "")},
		shapeBody{webhook: openapi.WebhookKYC, body: f.api.kycBody(sess, o)},
	)
	if o.Months > 0 {
		// The statements are PDFs, slow to make: only when asked for.
		statements, _ := f.api.renderStatements(sess, o)
		out = append(out, shapeBody{req: flinksRequest(http.MethodPost, "GetStatements"), status: 200, body: statements.Bytes()})
	}
	return out
}

func (f *shapeFixture) check(t *testing.T, what string, b shapeBody) {
	t.Helper()
	var err error
	if b.webhook != "" {
		err = f.spec.ValidateWebhook(b.webhook, b.body)
	} else {
		err = f.spec.ValidateResponse(b.req, b.status, http.Header{"Content-Type": {"application/json"}}, b.body)
	}
	if err != nil {
		t.Fatalf("%s: %v\n%s", what, err, b.body)
	}
}

// Every answer in every shape matches openapi/flinks.yaml: the full and
// minimal shapes, and the varied one over thousands of seeds (with the
// transactions for one seed in twenty: they are most of the bytes, and
// the statements for one in a hundred).
func TestEveryShapeMatchesTheContract(t *testing.T) {
	f := newShapeFixture(t)
	nomfa, mfa := f.login(t, "greatday_nomfa"), f.login(t, "greatday")
	small := session.DefaultOptions()
	small.Transactions = false
	all := session.DefaultOptions()
	all.Months = 1
	for _, mode := range []string{scenarios.ShapesFull, scenarios.ShapesMinimal} {
		for _, b := range f.bodies(mfa, scenarios.Shape{Mode: mode}, 0, all) {
			f.check(t, mode, b)
		}
	}
	seeds := 2000
	if testing.Short() || raceDetector {
		// The same draws on fewer seeds: the race detector looks for
		// races, and the plain run proves the thousands.
		seeds = 200
	}
	for seed := range uint64(seeds) {
		login, o := nomfa, small
		if seed%2 == 1 {
			login = mfa
		}
		if seed%20 == 0 {
			o = session.DefaultOptions()
		}
		if seed%100 == 0 {
			o.Months = 1
		}
		o.NoBalance = seed%7 == 0
		for _, b := range f.bodies(login, scenarios.Shape{Mode: scenarios.ShapesVaried, Seed: seed}, int(seed%3), o) {
			f.check(t, fmt.Sprintf("varied(%d)", seed), b)
		}
	}
}

// The varied shape draws every kind of legal shape, the same bytes for
// the same seed and session, and other bytes for another session.
func TestVariedShapesAreReproducibleAndVaried(t *testing.T) {
	f := newShapeFixture(t)
	login := f.login(t, "greatday")
	seen := map[string]bool{}
	sameSession := 0
	for seed := range uint64(200) {
		sh := scenarios.Shape{Mode: scenarios.ShapesVaried, Seed: seed}
		o := session.DefaultOptions()
		o.Transactions = seed%10 == 0
		one := f.bodies(login, sh, 0, o)
		two := f.bodies(login, sh, 0, o)
		other := f.bodies(login, sh, 1, o)
		for i := range one {
			if !bytes.Equal(one[i].body, two[i].body) {
				t.Fatalf("varied(%d) gave two bodies for one session:\n%s\n%s", seed, one[i].body, two[i].body)
			}
		}
		if bytes.Equal(one[3].body, other[3].body) {
			sameSession++
		}
		for _, b := range one {
			noteShapes(seen, b.body)
		}
	}
	if sameSession > 20 {
		t.Errorf("two sessions got the same GetAccountsDetail for %d seeds of 200", sameSession)
	}
	for _, want := range []string{"null", "absent Login", "absent InstitutionName", "empty Transactions", "unicode", "long", "negative", "zero"} {
		if !seen[want] {
			t.Errorf("200 seeds never drew %s", want)
		}
	}
}

// noteShapes notes which odd shapes a body has.
func noteShapes(seen map[string]bool, body []byte) {
	s := string(body)
	var top map[string]any
	_ = json.Unmarshal(body, &top)
	for _, key := range []string{"Login", "InstitutionName"} {
		if _, ok := top[key]; !ok && top["Accounts"] != nil {
			seen["absent "+key] = true
		}
	}
	checks := map[string]bool{
		"null":               strings.Contains(s, `"Title":null`) || strings.Contains(s, `"Current":null`),
		"empty Transactions": strings.Contains(s, `"Transactions":[]`),
		"unicode":            strings.ContainsAny(s, "王é🏦"),
		"long":               strings.Contains(s, strings.Repeat("Très long libellé ✓ 長い ", 12)),
		"negative":           strings.Contains(s, `"Current":-`),
		"zero":               strings.Contains(s, `"Current":0,`),
	}
	for k, v := range checks {
		if v {
			seen[k] = true
		}
	}
}
