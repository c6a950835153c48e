package flinksapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// institutionURL is one web address of an institution.
type institutionURL struct {
	Type string
	Url  string
}

// localization is an institution's name and addresses in one language.
type localization struct {
	Language string
	Name     string
	Urls     []institutionURL
}

// institution is one entry of /Institutions, in Flinks' key order.
type institution struct {
	Id             int
	Localizations  []localization
	Status         string
	Country        string
	RoutingNumbers []string `json:",omitempty"`
}

// knownInstitution is a row of the mock's list of institutions, as
// /Institutions shows it (docs/fidelity.md lists their three-digit
// institution numbers, which the answer does not carry). Only the Ids of
// BMO (1), Desjardins (2), FlinksCapital (14) and Chase (20) were seen in
// Flinks' answers; the others are the mock's own.
type knownInstitution struct {
	id      int
	name    string // the Flinks identifier, as in Authorize's Institution
	en, fr  string // display names
	enURL   string
	frURL   string
	country string
	routing []string
}

// knownInstitutions are the institutions the mock lists: FlinksCapital,
// the big Canadian banks and credit unions that Flinks names, and one US
// bank with its routing numbers (Flinks returns routing numbers for US
// institutions only).
var knownInstitutions = []knownInstitution{
	{1, "BMO", "BMO", "BMO", "https://www.bmo.com/main/personal", "https://www.bmo.com/principal/particuliers", "CA", nil},
	{2, "Desjardins", "Desjardins", "Desjardins", "https://www.desjardins.com/ca/index.jsp", "https://www.desjardins.com/index.jsp", "CA", nil},
	{3, "RBC", "RBC Royal Bank", "RBC Banque Royale", "https://www.rbcroyalbank.com/personal.html", "https://www.rbcbanqueroyale.com/particuliers.html", "CA", nil},
	{4, "TD", "TD Canada Trust", "TD Canada Trust", "https://www.td.com/ca/en/personal-banking", "https://www.td.com/ca/fr/services-bancaires-personnels", "CA", nil},
	{5, "Scotia", "Scotiabank", "Banque Scotia", "https://www.scotiabank.com/ca/en/personal.html", "https://www.scotiabank.com/ca/fr/particuliers.html", "CA", nil},
	{6, "CIBC", "CIBC", "CIBC", "https://www.cibc.com/en/personal-banking.html", "https://www.cibc.com/fr/personal-banking.html", "CA", nil},
	{7, "National", "National Bank", "Banque Nationale", "https://www.nbc.ca/personal.html", "https://www.bnc.ca/particuliers.html", "CA", nil},
	{8, "Tangerine", "Tangerine", "Tangerine", "https://www.tangerine.ca/en", "https://www.tangerine.ca/fr", "CA", nil},
	{9, "Simplii", "Simplii Financial", "Simplii Financial", "https://www.simplii.com/en/home.html", "https://www.simplii.com/fr/accueil.html", "CA", nil},
	{10, "HSBC", "HSBC", "HSBC", "https://www.hsbc.ca/", "https://www.hsbc.ca/fr-ca/", "CA", nil},
	{11, "Laurentienne", "Laurentian Bank", "Banque Laurentienne", "https://www.laurentianbank.ca/en/personal", "https://www.banquelaurentienne.ca/fr/particuliers", "CA", nil},
	{12, "ATB", "ATB Financial", "ATB Financial", "https://www.atb.com/personal/", "https://www.atb.com/personal/", "CA", nil},
	{13, "EQBank", "EQ Bank", "EQ Bank", "https://www.eqbank.ca/", "https://www.eqbank.ca/fr", "CA", nil},
	{14, "FlinksCapital", "Flinks Capital", "Flinks Capital", "https://toolbox.flinks.com/", "https://toolbox.flinks.com/", "CA", nil},
	{15, "PC", "PC Financial", "PC Financial", "https://www.pcfinancial.ca/en/", "https://www.pcfinancial.ca/fr/", "CA", nil},
	{16, "CoastCapital", "Coast Capital Savings", "Coast Capital Savings", "https://www.coastcapitalsavings.com/", "https://www.coastcapitalsavings.com/", "CA", nil},
	{17, "Vancity", "Vancity", "Vancity", "https://www.vancity.com/", "https://www.vancity.com/", "CA", nil},
	{18, "Meridian", "Meridian Credit Union", "Meridian Credit Union", "https://www.meridiancu.ca/", "https://www.meridiancu.ca/", "CA", nil},
	{20, "Chase", "Chase Bank", "", "https://www.chase.com/", "", "US", []string{"071000770", "072413201", "065000029", "071901141", "111100022", "043202409", "311972788", "121143257", "021000021", "322271627"}},
}

// maxInstitutions is the most /Institutions answers at once.
const maxInstitutions = 1000

// institutionsList is the 200 of /Institutions: no HttpStatusCode.
type institutionsList struct {
	Data  []institution
	Count int
}

// institutionsOf lists the known institutions, then those the library
// adds (scenario files), with the Ids they were given.
func institutionsOf(lib *scenarios.Library) []institution {
	out := make([]institution, 0, len(knownInstitutions)+len(lib.Institutions))
	seen := map[string]bool{}
	for _, k := range knownInstitutions {
		seen[strings.ToLower(k.name)] = true
		in := institution{Id: k.id, Status: "Enabled", Country: k.country, RoutingNumbers: k.routing}
		in.Localizations = append(in.Localizations, localization{Language: "en", Name: k.en, Urls: []institutionURL{{"Main", k.enURL}}})
		if k.fr != "" {
			in.Localizations = append(in.Localizations, localization{Language: "fr", Name: k.fr, Urls: []institutionURL{{"Main", k.frURL}}})
		}
		out = append(out, in)
	}
	for _, li := range lib.Institutions {
		if seen[strings.ToLower(li.Name)] {
			continue
		}
		name := li.DisplayName
		if name == "" {
			name = li.Name
		}
		out = append(out, institution{Id: li.ID, Status: "Enabled", Country: "CA",
			Localizations: []localization{{Language: "en", Name: name, Urls: []institutionURL{}}}})
	}
	return out
}

// Institutions lists the institutions, skip and take paging through them
// (at most 1000 at once); Count is the total.
func (a *API) Institutions(w http.ResponseWriter, r *http.Request) {
	t, lib := a.enter(w, r, "Institutions")
	if t == nil || !a.credentialsOK(w, r, t, lib) {
		return
	}
	all := institutionsOf(lib)
	skip, _ := strconv.Atoi(r.URL.Query().Get("skip"))
	take := maxInstitutions
	if v := r.URL.Query().Get("take"); v != "" {
		take, _ = strconv.Atoi(v)
	}
	take = min(take, maxInstitutions)
	skip = min(max(skip, 0), len(all))
	end := min(skip+max(take, 0), len(all))
	exchange.WriteJSON(w, http.StatusOK, institutionsList{Data: all[skip:end], Count: len(all)})
}

// InstitutionByRoutingNumber finds the institution of a US routing
// number; Canadian institutions have none.
func (a *API) InstitutionByRoutingNumber(w http.ResponseWriter, r *http.Request) {
	t, lib := a.enter(w, r, "Institutions")
	if t == nil || !a.credentialsOK(w, r, t, lib) {
		return
	}
	n := exchange.PathValue(r, "routingNumber")
	for _, in := range institutionsOf(lib) {
		for _, rn := range in.RoutingNumbers {
			if rn == n {
				exchange.WriteJSON(w, http.StatusOK, in)
				return
			}
		}
	}
	exchange.WriteError(w, r, exchange.WithStatus(r, http.StatusNotFound, "INVALID_REQUEST",
		"No institution has the routing number "+n+"; routing numbers exist for US institutions only", ""))
}
