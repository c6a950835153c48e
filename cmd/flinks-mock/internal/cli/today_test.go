package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// serverNow reads the clock of a running server through its admin API.
func serverNow(t *testing.T, base string) time.Time {
	t.Helper()
	status, body := httpDo(t, "GET", base+"/__admin/clock", "", "")
	var st struct{ Now time.Time }
	if err := json.Unmarshal([]byte(body), &st); status != 200 || err != nil {
		t.Fatalf("GET /__admin/clock: %d %s (%v)", status, body, err)
	}
	return st.Now
}

// newestTransaction runs a cached flow of greatday_nomfa and returns the
// date of the newest transaction it got.
func newestTransaction(t *testing.T, base string) string {
	t.Helper()
	var newest string
	detail := flinksFlow(t, base, "ef47846c-ff93-40a0-8535-c0bdd29b61d2")
	for _, a := range detail.Accounts {
		for _, tr := range a.Transactions {
			newest = max(newest, tr.Date)
		}
	}
	return newest
}

// accountsDetail is the part of a GetAccountsDetail 200 the tests read.
type accountsDetail struct {
	Accounts []struct {
		Transactions []struct{ Date string }
	}
}

// flinksFlow authorizes a login with cached data and returns its
// GetAccountsDetail 200.
func flinksFlow(t *testing.T, base, loginID string) accountsDetail {
	t.Helper()
	base += "/v3/" + ToolboxCustomerID
	auth := map[string]string{"flinks-auth-key": "k"}
	_, tok := flinksPost(t, base, "GenerateAuthorizeToken", auth, nil)
	status, authz := flinksPost(t, base, "Authorize", map[string]string{"flinks-auth-key": tok["Token"].(string)},
		map[string]any{"LoginId": loginID, "MostRecentCached": true})
	if status != 200 {
		t.Fatalf("Authorize: %d %v", status, authz)
	}
	status, detail := flinksPost(t, base, "GetAccountsDetail", nil, map[string]any{"RequestId": authz["RequestId"]})
	if status != 200 {
		t.Fatalf("GetAccountsDetail: %d %v", status, detail)
	}
	raw, _ := json.Marshal(detail)
	var out accountsDetail
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestServeToday(t *testing.T) {
	machine := time.Date(2031, 7, 4, 10, 30, 0, 0, time.UTC)
	onMachine := func(env map[string]string) Program {
		return Program{Now: func() time.Time { return machine }, Getenv: func(k string) string { return env[k] }}
	}
	tests := []struct {
		name      string
		env       map[string]string
		args      []string
		wantClock time.Time // exact for a virtual clock, the day for a real one
		exact     bool
	}{
		{"--today on a virtual clock", nil, []string{"--today", "2028-02-29", "--clock", "virtual"},
			time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC), true},
		{"FLINKS_MOCK_TODAY on the real clock", map[string]string{"FLINKS_MOCK_TODAY": "2026-12-31"}, nil,
			time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC), false},
		{"the flag wins over the environment", map[string]string{"FLINKS_MOCK_TODAY": "2026-12-31"}, []string{"--today", "2040-01-15", "--clock", "virtual"},
			time.Date(2040, 1, 15, 12, 0, 0, 0, time.UTC), true},
		{"unpinned: the machine's date", nil, []string{"--clock", "virtual"}, machine, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, _, _ := startProgram(t, onMachine(tt.env), append([]string{"--addr", "127.0.0.1:0"}, tt.args...)...)
			now := serverNow(t, base)
			if tt.exact && !now.Equal(tt.wantClock) || !tt.exact && now.Format(time.DateOnly) != tt.wantClock.Format(time.DateOnly) {
				t.Errorf("the server clock reads %s, want %s", now, tt.wantClock)
			}
			if got, want := newestTransaction(t, base), tt.wantClock.Format(time.DateOnly); got > want || got < tt.wantClock.AddDate(0, 0, -7).Format(time.DateOnly) {
				t.Errorf("the newest transaction is dated %s; the data should end on %s", got, want)
			}
		})
	}
}

func TestTodayFlagRefusesWhatIsNotADate(t *testing.T) {
	for _, cmd := range []string{"serve", "verify", "record", "validate"} {
		for _, bad := range []string{"2026-02-30", "tomorrow", "26-11-02", "0001-01-01"} {
			code, _, stderr := run(t, nil, cmd, "--today", bad)
			first, _, _ := strings.Cut(stderr, "\n")
			if code != ExitUsage || !strings.Contains(first, "-today") || !strings.Contains(first, bad) {
				t.Errorf("%s --today %s: exit %d, first line %q; want a usage error naming --today and the value", cmd, bad, code, first)
			}
		}
	}
}
