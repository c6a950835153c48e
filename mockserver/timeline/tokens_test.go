package timeline

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// tokenFlow is a session r1 whose MFA answer reused its first token,
// beside a session r2 and a token never used.
func tokenFlow() []journal.Entry {
	gen := func(seq uint64, ref string) journal.Entry {
		return journal.Entry{Seq: seq, Time: t0.Add(time.Duration(seq) * time.Second), Kind: journal.KindRequest, Method: "POST", Endpoint: "GenerateAuthorizeToken", TokenRef: ref, Status: 200}
	}
	auth := func(seq uint64, rid, state, ref string, status int) journal.Entry {
		return journal.Entry{Seq: seq, Time: t0.Add(time.Duration(seq) * time.Second), Kind: journal.KindRequest, Method: "POST", Endpoint: "Authorize", RequestID: rid, Token: state, TokenRef: ref, Status: status}
	}
	return []journal.Entry{
		gen(1, "aa"),
		auth(2, "r1", journal.TokenFresh, "aa", 203),
		gen(3, "bb"),
		gen(4, "cc"),
		auth(5, "r2", journal.TokenFresh, "bb", 200),
		auth(6, "r1", journal.TokenReused, "aa", 401),
		{Seq: 7, Time: t0.Add(7 * time.Second), Kind: journal.KindRequest, Method: "GET", Endpoint: "GetAccountsDetailAsync", RequestID: "r1", Status: 202},
		gen(8, ""), // refused: no token issued
	}
}

func TestSessionTakesTheTokenCallsThatLedToIt(t *testing.T) {
	tests := []struct {
		requestID string
		want      []uint64
	}{
		{"r1", []uint64{1, 2, 6, 7}},
		{"r2", []uint64{3, 5}},
		{"r3", nil},
	}
	for _, tt := range tests {
		var got []uint64
		for _, e := range Session(tokenFlow(), tt.requestID) {
			got = append(got, e.Seq)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Session(%s) = %v, want %v", tt.requestID, got, tt.want)
		}
	}
}

func TestIssuedTokensShowWhatBecameOfThem(t *testing.T) {
	tests := []struct {
		name   string
		labels Labels
		seq    uint64
		want   string
	}{
		{"used once, then again", English, 1, "[issued token reused]"},
		{"used once", English, 3, "[issued token fresh]"},
		{"never used", English, 4, "[issued token unused]"},
		{"en français", French, 1, "[jeton émis réutilisé]"},
		{"the use itself, en français", French, 2, "[jeton neuf]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := layout(tokenFlow(), Options{Labels: tt.labels})
			for _, r := range d.Rows {
				if r.Seq == tt.seq {
					if got := "[" + r.TokenLabel + "]"; got != tt.want {
						t.Errorf("entry %d is marked %s, want %s", tt.seq, got, tt.want)
					}
					return
				}
			}
			t.Fatalf("no row %d", tt.seq)
		})
	}
	if out := string(Render(tokenFlow(), Options{})); strings.Contains(out, "[issued token ]") || !strings.Contains(out, "tl-token-unused") {
		t.Errorf("the diagram marks the tokens wrongly:\n%s", out)
	}
}

// Every state a token can be in has a word in each language.
func TestTokenStatesHaveWords(t *testing.T) {
	states := []string{journal.TokenMissing, journal.TokenFresh, journal.TokenReused, journal.TokenExpired, journal.TokenUnknown, journal.TokenSecret, TokenUnused}
	for _, l := range []Labels{English, French} {
		for _, s := range states {
			if l.TokenStates[s] == "" {
				t.Errorf("the labels of %q have no word for the token state %s", l.Client+" "+l.Request, s)
			}
		}
	}
	if French.TokenStates[journal.TokenFresh] == journal.TokenFresh {
		t.Error("the French labels say fresh in English")
	}
}
