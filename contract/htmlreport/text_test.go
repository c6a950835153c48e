package htmlreport

import (
	"reflect"
	"strings"
	"testing"
)

// Every word the English report writes has its French text: no string
// of the catalog, no verdict and no label of the timeline is missing.
func TestFrenchHasEveryEnglishText(t *testing.T) {
	en, fr := reflect.ValueOf(*reportCatalog["en"]), reflect.ValueOf(*reportCatalog["fr"])
	for i := range en.NumField() {
		field := en.Type().Field(i)
		t.Run(field.Name, func(t *testing.T) {
			for _, key := range missing(en.Field(i), fr.Field(i)) {
				t.Errorf("French has no text for %s%s", field.Name, key)
			}
		})
	}
}

// missing returns the keys (".Field" of a struct, "[key]" of a map; ""
// for a string itself) that en has a text for and fr has not.
func missing(en, fr reflect.Value) []string {
	var out []string
	switch en.Kind() {
	case reflect.String:
		if en.String() != "" && fr.String() == "" {
			out = append(out, "")
		}
	case reflect.Map:
		for _, k := range en.MapKeys() {
			if v := fr.MapIndex(k); !v.IsValid() || (en.MapIndex(k).String() != "" && v.String() == "") {
				out = append(out, "["+k.String()+"]")
			}
		}
	case reflect.Struct:
		for i := range en.NumField() {
			for _, key := range missing(en.Field(i), fr.Field(i)) {
				out = append(out, "."+en.Type().Field(i).Name+key)
			}
		}
	}
	return out
}

// missing itself finds what is left out, so the test above can fail.
func TestMissingFindsAGap(t *testing.T) {
	type cat struct {
		A string
		M map[string]string
		S struct{ B string }
	}
	en := cat{A: "a", M: map[string]string{"x": "x", "y": "y"}}
	en.S.B = "b"
	fr := cat{M: map[string]string{"x": "x"}}
	got := strings.Join(missing(reflect.ValueOf(en), reflect.ValueOf(fr)), " ")
	if got != ".A .M[y] .S.B" {
		t.Errorf("missing = %q, want %q", got, ".A .M[y] .S.B")
	}
}

func TestTextFor(t *testing.T) {
	for _, tc := range []struct {
		lang, want string
	}{
		{"", "en"}, {"en", "en"}, {"fr", "fr"}, {"FR", "fr"}, {"fr-CA", "fr"}, {"en-GB", "en"},
		{"de", ""}, {"francais", ""},
	} {
		got, err := textFor(tc.lang)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("textFor(%q) = %s, want an error", tc.lang, got.Lang)
		case tc.want == "" && !strings.Contains(err.Error(), "en or fr"):
			t.Errorf("textFor(%q): error %q does not name the languages", tc.lang, err)
		case tc.want != "" && (err != nil || got.Lang != tc.want):
			t.Errorf("textFor(%q) = %v, %v; want %s", tc.lang, got, err, tc.want)
		}
	}
}

// How a command ended reads in the report's language; words it does not
// know stay as they are.
func TestExitInTheReportsWords(t *testing.T) {
	tests := []struct{ exit, en, fr string }{
		{"", "returned", "terminée"},
		{"exit status 0", "exit status 0", "code de sortie 0"},
		{"exit status 1", "exit status 1", "code de sortie 1"},
		{"signal: killed", "signal: killed", "signal : killed"},
		{"killed", "killed", "arrêtée de force"},
		{"did not start", "did not start", "n’a pas démarré"},
		{"something else", "something else", "something else"},
	}
	for _, tt := range tests {
		if got := reportCatalog["en"].exit(tt.exit); got != tt.en {
			t.Errorf("English: exit(%q) = %q, want %q", tt.exit, got, tt.en)
		}
		if got := reportCatalog["fr"].exit(tt.exit); got != tt.fr {
			t.Errorf("French: exit(%q) = %q, want %q", tt.exit, got, tt.fr)
		}
	}
}
