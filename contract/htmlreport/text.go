package htmlreport

import (
	"fmt"
	"strings"

	"github.com/flinks-mock/flinks-mock/contract"
	"github.com/flinks-mock/flinks-mock/mockserver/timeline"
)

// reportText is every word the report writes of its own, in one language.
// The rules' statements, the guide's sentences, the violations and the
// quoted requests are the harness's, in English, in every language.
type reportText struct {
	Lang                   string // the report's language, for <html lang>
	Note                   string // says that the rules' words stay English; empty in English
	Scenarios              string // the accessible name of the list of runs
	Scenario               string // "scenario" in a run's heading
	ScenarioOne, Scenario2 string // "%d scenario", "%d scenarios" in the summary
	Summary                string // "%s: %d passed, %d failed, %d skipped"
	Skipped                string // "Skipped: %s"
	Login                  string // "Login", before the login's name
	Ran                    string // " (%s): %s in %s; %d requests journalled."
	Returned               string // the end of a run the command did not exit from
	ExitStatus             string // "exit status %s": how a command ended
	Signal                 string // "signal: %s": the signal that ended it
	Killed, NotStarted     string // a command verify killed, or that did not start
	Live, Cached, Webhook  string // the modes of a run
	RunProblem             string // "run: %s"
	OutcomeProblem         string // "outcome: %s"
	Timing                 string // "! timing: %s"
	Timeline, TimelineHow  string
	Offending              string
	Others                 string // "The other requests of the run (%d)"
	Rules                  string
	Rule, Verdict, Wrong   string // the table's columns
	Output                 string
	LinesBefore            string            // "... (%d lines before)"
	Verdicts               map[string]string // a run's: passed, failed, skipped
	RuleVerdicts           map[contract.Verdict]string
	TL                     timeline.Labels
}

// reportCatalog is the message catalog of the report: English (the
// default) and French (--lang fr), like the inspector's. It is read-only.
var reportCatalog = map[string]*reportText{
	"en": {
		Lang: "en", Scenarios: "Scenarios", Scenario: "scenario",
		ScenarioOne: "%d scenario", Scenario2: "%d scenarios",
		Summary: "%s: %d passed, %d failed, %d skipped", Skipped: "Skipped: %s",
		Login: "Login", Ran: " (%s): %s in %s; %d requests journalled.", Returned: "returned",
		ExitStatus: "exit status %s", Signal: "signal: %s", Killed: "killed", NotStarted: "did not start",
		Live: "live refresh", Cached: "cached", Webhook: ", webhook mode",
		RunProblem: "run: %s", OutcomeProblem: "outcome: %s", Timing: "! timing: %s",
		Timeline:    "Timeline of the run",
		TimelineHow: "The requests that broke a rule are highlighted, with the rule beside them; select one for its detail.",
		Offending:   "The requests that broke a rule", Others: "The other requests of the run (%d)",
		Rules: "Rules of the Flinks guide", Rule: "Rule", Verdict: "Verdict", Wrong: "What went wrong",
		Output: "Output of the integration (last lines)", LinesBefore: "... (%d lines before)",
		Verdicts: map[string]string{verdictPassed: "passed", verdictFailed: "failed", verdictSkipped: "skipped"},
		RuleVerdicts: map[contract.Verdict]string{
			contract.Pass: "pass", contract.Fail: "fail", contract.NotApplicable: "n/a", contract.NotJudged: "not judged",
		},
		TL: timeline.English,
	},
	"fr": {
		Lang: "fr", Note: "Les règles, leurs messages et les requêtes citées restent tels que le banc d’essai les écrit, en anglais.",
		Scenarios: "Scénarios", Scenario: "scénario",
		ScenarioOne: "%d scénario", Scenario2: "%d scénarios",
		Summary: "%s — réussis : %d, en échec : %d, ignorés : %d", Skipped: "Ignoré : %s",
		Login: "Connexion", Ran: " (%s) : %s en %s ; %d requêtes journalisées.", Returned: "terminée",
		ExitStatus: "code de sortie %s", Signal: "signal : %s", Killed: "arrêtée de force", NotStarted: "n’a pas démarré",
		Live: "actualisation en direct", Cached: "en cache", Webhook: ", mode webhook",
		RunProblem: "exécution : %s", OutcomeProblem: "résultat : %s", Timing: "! délais : %s",
		Timeline:    "Chronologie de l’exécution",
		TimelineHow: "Les requêtes qui ont enfreint une règle sont surlignées, la règle à côté ; choisissez-en une pour son détail.",
		Offending:   "Les requêtes qui ont enfreint une règle", Others: "Les autres requêtes de l’exécution (%d)",
		Rules: "Règles du guide Flinks", Rule: "Règle", Verdict: "Verdict", Wrong: "Ce qui n’allait pas",
		Output: "Sortie de l’intégration (dernières lignes)", LinesBefore: "... (%d lignes avant)",
		Verdicts: map[string]string{verdictPassed: "réussi", verdictFailed: "en échec", verdictSkipped: "ignoré"},
		RuleVerdicts: map[contract.Verdict]string{
			contract.Pass: "respectée", contract.Fail: "enfreinte", contract.NotApplicable: "sans objet", contract.NotJudged: "non jugée",
		},
		TL: timeline.French,
	},
}

// Languages are the languages the report is written in.
var Languages = []string{"en", "fr"}

// textFor returns the catalog of lang: "en" (or "") and "fr", or a
// language tag of either ("fr-CA"); an error names the ones there are.
func textFor(lang string) (*reportText, error) {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(lang)), "-")
	if base == "" {
		base = "en"
	}
	if t, ok := reportCatalog[base]; ok {
		return t, nil
	}
	return nil, fmt.Errorf("no report in language %q: give %s", lang, strings.Join(Languages, " or "))
}

// CheckLanguage says whether the report can be written in lang.
func CheckLanguage(lang string) error {
	_, err := textFor(lang)
	return err
}

// summary counts the runs by verdict, in the words of t.
func (t *reportText) summary(runs []contract.RunResult) string {
	passed, failed, skipped := contract.Tally(runs)
	n := fmt.Sprintf(t.Scenario2, len(runs))
	if len(runs) == 1 {
		n = fmt.Sprintf(t.ScenarioOne, 1)
	}
	return fmt.Sprintf(t.Summary, n, passed, failed, skipped)
}

// exit says in the words of t how a command ended, as flinks-mock verify
// records it (RunResult.Exit): "exit status N" or "signal: NAME" (the
// words of os.ProcessState), "killed" or "did not start" (verify's own),
// or "" for a run that returned without a command. Other words are shown
// as they are.
func (t *reportText) exit(exit string) string {
	switch exit {
	case "":
		return t.Returned
	case "killed":
		return t.Killed
	case "did not start":
		return t.NotStarted
	}
	if n, ok := strings.CutPrefix(exit, "exit status "); ok {
		return fmt.Sprintf(t.ExitStatus, n)
	}
	if name, ok := strings.CutPrefix(exit, "signal: "); ok {
		return fmt.Sprintf(t.Signal, name)
	}
	return exit
}
