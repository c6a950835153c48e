package cli

import (
	"flag"
	"strings"
)

// flagSynonyms are the names people reach for from other tools, mapped to
// the flag that does the same here. A synonym is suggested only when the
// command has that flag.
var flagSynonyms = map[string][]string{
	"port":       {"addr"},
	"host":       {"addr", "server"},
	"listen":     {"addr"},
	"address":    {"addr", "server"},
	"bind":       {"addr"},
	"url":        {"server"},
	"base-url":   {"server"},
	"endpoint":   {"server"},
	"scenario":   {"scenarios"},
	"scenarios":  {"scenario"},
	"file":       {"scenarios"},
	"date":       {"today"},
	"token":      {"admin-token"},
	"output":     {"out"},
	"webhook":    {"webhook-url"},
	"debug":      {"log-level"},
	"verbose":    {"verbose", "log-level"},
	"key":        {"secret-key"},
	"secret":     {"secret-key", "webhook-secret"},
	"auth-key":   {"secret-key"},
	"api":        {"api-key"},
	"no-default": {"no-default-scenarios"},
}

// flagSuggestion returns " (did you mean --x?)" for the error of an
// unknown flag when the command has a flag close to it, else "".
func flagSuggestion(fs *flag.FlagSet, err error) string {
	const prefix = "flag provided but not defined: -"
	msg := err.Error()
	if !strings.HasPrefix(msg, prefix) {
		return ""
	}
	name := strings.TrimLeft(strings.TrimPrefix(msg, prefix), "-")
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	return didYouMean(name, names, "--", flagSynonyms[name])
}

// didYouMean returns " (did you mean <prefix>x?)" for the candidate closest
// to name: a synonym the candidates hold first, then the nearest by edit
// distance within a third of the name's length (at least 2), then one that
// starts with name. It returns "" when nothing is close.
func didYouMean(name string, candidates []string, prefix string, synonyms []string) string {
	has := map[string]bool{}
	for _, c := range candidates {
		has[c] = true
	}
	for _, s := range synonyms {
		if has[s] && s != name {
			return " (did you mean " + prefix + s + "?)"
		}
	}
	best, bestDist := "", max(2, len(name)/3)+1
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(name), c); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" && len(name) >= 3 {
		for _, c := range candidates {
			if strings.HasPrefix(c, strings.ToLower(name)) {
				best = c
				break
			}
		}
	}
	if best == "" {
		return ""
	}
	return " (did you mean " + prefix + best + "?)"
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
