package inspector

import (
	"reflect"
	"testing"
	"time"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

func TestPollsUntilReady(t *testing.T) {
	pending := func(calls int) scenarios.Step { return scenarios.Step{Respond: scenarios.RespondPending, Calls: calls} }
	ready := scenarios.Step{Respond: scenarios.RespondReady}
	tests := []struct {
		name  string
		steps []scenarios.Step
		want  int
	}{
		{"ready at once", []scenarios.Step{ready}, 0},
		{"call-counted", []scenarios.Step{pending(2), pending(0), ready}, 3},
		{"timed, a poll per 10 s begun", []scenarios.Step{{Respond: scenarios.RespondPending, For: scenarios.Duration(25 * time.Second)}, ready}, 3},
		{"ends in an error", []scenarios.Step{pending(1), {Respond: scenarios.RespondError, FlinksCode: "RETRY_LATER"}}, 0},
	}
	for _, tt := range tests {
		if got := pollsUntilReady(tt.steps); got != tt.want {
			t.Errorf("%s: %d polls, want %d", tt.name, got, tt.want)
		}
	}
}

func TestTextFor(t *testing.T) {
	tests := []struct{ lang, accept, want string }{
		{"", "", "en"},
		{"fr", "", "fr"},
		{"de", "", "en"},
		{"", "fr-CA,fr;q=0.9", "fr"},
		{"", "de-DE, fr;q=0.5", "fr"},
		{"en", "fr", "en"},
	}
	for _, tt := range tests {
		if got := textFor(tt.lang, tt.accept).Lang; got != tt.want {
			t.Errorf("textFor(%q, %q) = %s, want %s", tt.lang, tt.accept, got, tt.want)
		}
	}
	for key := range uiCatalog["en"].States {
		if uiCatalog["fr"].States[key] == "" {
			t.Errorf("the French catalog has no name for the state %s", key)
		}
	}
}

// Every text of the English inspector has its French one.
func TestFrenchHasEveryText(t *testing.T) {
	en, fr := reflect.ValueOf(*uiCatalog["en"]), reflect.ValueOf(*uiCatalog["fr"])
	for i := range en.NumField() {
		if en.Field(i).Kind() == reflect.String && en.Field(i).String() != "" && fr.Field(i).String() == "" {
			t.Errorf("the French catalog has no text for %s", en.Type().Field(i).Name)
		}
	}
}
