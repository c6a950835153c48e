package timeline

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

var t0 = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func entries() []journal.Entry {
	return []journal.Entry{
		{Seq: 1, Time: t0, Kind: journal.KindRequest, Method: "POST", Path: "/v3/c/BankingServices/Authorize", Endpoint: "Authorize", Token: journal.TokenFresh, Status: 203, FlinksCode: "SECURITYRESPONSES_REQUIRED"},
		{Seq: 2, Time: t0.Add(2 * time.Second), Kind: journal.KindRequest, Method: "POST", Path: "/v3/c/BankingServices/Authorize", Endpoint: "Authorize", Token: journal.TokenReused, Status: 401, FlinksCode: "INVALID_REQUEST"},
		{Seq: 3, Time: t0.Add(12 * time.Second), Kind: journal.KindRequest, Method: "GET", Path: "/v3/c/BankingServices/GetAccountsDetailAsync/r", Endpoint: "GetAccountsDetailAsync", Status: 202, FlinksCode: "OPERATION_PENDING"},
		{Seq: 4, Time: t0.Add(22 * time.Second), Kind: journal.KindWebhook, Method: "POST", Path: "/hook", URL: "http://127.0.0.1:1/hook", ResponseType: "GetAccountsDetail", Attempt: 1},
	}
}

func TestRenderIsWellFormedSVG(t *testing.T) {
	out := string(Render(entries(), Options{Marks: map[uint64]string{2: "the token <was> reused"}}))
	dec := xml.NewDecoder(strings.NewReader(out))
	for {
		_, err := dec.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("not well-formed: %v\n%s", err, out)
			}
			break
		}
	}
	for _, want := range []string{
		`href="#2"`, "Authorize", "[token fresh]", "[token reused]", "203 SECURITYRESPONSES_REQUIRED",
		"401 INVALID_REQUEST", "webhook GetAccountsDetail #1", "no answer", "tl-marked", "the token &lt;was&gt; reused", "10s</text>",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the diagram lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "tl-marked") != 1 {
		t.Errorf("one entry is marked, the diagram marks %d", strings.Count(out, "tl-marked"))
	}
}

// The gaps between requests are drawn to one scale: twice the time, twice
// the height; a gap too long for the page shrinks the scale for all.
func TestGapsAreToScale(t *testing.T) {
	tests := []struct {
		name      string
		gaps      []time.Duration
		wantRatio float64
	}{
		{"short gaps at the full scale", []time.Duration{5 * time.Second, 10 * time.Second}, 2},
		{"a long gap shrinks the scale", []time.Duration{30 * time.Second, 10 * time.Minute}, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := []journal.Entry{{Seq: 1, Time: t0}}
			at := t0
			for i, g := range tt.gaps {
				at = at.Add(g)
				es = append(es, journal.Entry{Seq: uint64(i + 2), Time: at})
			}
			d := layout(es, Options{Labels: English})
			h1 := d.Rows[1].GapEnd - d.Rows[1].GapTop
			h2 := d.Rows[2].GapEnd - d.Rows[2].GapTop
			if h1 == 0 || float64(h2)/float64(h1) < tt.wantRatio*0.95 || float64(h2)/float64(h1) > tt.wantRatio*1.05 {
				t.Errorf("gap heights %d and %d, want a ratio of %v", h1, h2, tt.wantRatio)
			}
			if h2 > int(maxGap) {
				t.Errorf("a gap is %d tall, over the bound %v", h2, maxGap)
			}
		})
	}
}

func TestDetailShowsTheEntry(t *testing.T) {
	e := journal.Entry{Seq: 7, Time: t0, Method: "POST", Path: "/v3/c/BankingServices/Authorize", Endpoint: "Authorize",
		Body: `{"LoginId":"x","Password":"[redacted]"}`, Token: journal.TokenFresh, TokenRef: "abc123", Status: 200, APIKey: true}
	out := string(Detail(e, Options{Labels: French}, "e-7", "règle <enfreinte>"))
	for _, want := range []string{`id="e-7"`, "Authorize", "[redacted]", "abc123", "Jeton", "envoyé", "règle &lt;enfreinte&gt;", "tl-marked"} {
		if !strings.Contains(out, want) {
			t.Errorf("the detail lacks %q:\n%s", want, out)
		}
	}
}
