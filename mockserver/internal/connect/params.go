package connect

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// connectParameter is one query parameter of the Connect page.
type connectParameter struct {
	Name     string
	Honoured bool
}

// connectParameters are the query parameters of the Flinks Connect iframe
// URL the Connect page knows, with whether it acts on them. Names match
// without regard to case; any other parameter is listed in the journal
// entry as unknown. docs/connect.md describes each one (a test checks).
var connectParameters = []connectParameter{
	{"authorizeToken", true},
	{"redirectUrl", true},
	{"demo", true},
	{"language", true},
	{"tag", true},
	{"institutionFilterEnable", true},
	{"innerRedirect", true},
	{"jsRedirect", true},
	{"headerEnable", true},
	{"consentEnable", true},
	{"customerName", true},
	{"backEnable", true},
	{"closeEnable", true},
	{"requestId", true},
	{"stringify", true},
	// Mock extensions.
	{"customerId", true},
	{"mockEventNames", true},
	// Known to Flinks Connect, without effect on the mock's page.
	{"headerImgEnable", false},
	{"staticLoadingEnable", false},
	{"removePadding", false},
	{"theme", false},
	{"desktopLayout", false},
	{"backgroundColor", false},
	{"foregroundColor1", false},
	{"termsUrl", false},
	{"accountSelectorEnable", false},
	{"showAllOperationsAccounts", false},
	{"productType", false},
	{"demoOutbound", false},
	{"oauthWindowRedirect", false},
	{"enhancedMFA", false},
	{"skipEnhancedMFA", false},
}

// connectParams is what the query of a Connect page asks for. Every form
// of the page posts back to the same URL, so the query holds for the
// whole flow.
type connectParams struct {
	authorizeToken string
	redirectURL    *url.URL // nil: none, or not usable (see problems)
	demo           bool
	language       string // "en" or "fr"
	tag            string
	filterEnable   bool
	innerRedirect  bool
	jsRedirect     bool
	headerEnable   bool
	consentEnable  bool
	customerName   string
	backEnable     bool
	closeEnable    bool
	requestID      string
	stringify      bool
	customerID     string
	rename         map[string]string
	// unknown lists the parameters the page does not know, sorted.
	unknown []string
	// problems says which values were not usable, for the developer.
	problems []string
}

// parseConnectParams reads the query of a Connect page. Booleans are
// "true" or "false" in any case; anything else leaves the default.
// Defaults follow Flinks Connect's parameter tables: headerEnable and
// backEnable true, the rest false, language en.
func parseConnectParams(q url.Values) connectParams {
	p := connectParams{language: "en", headerEnable: true, backEnable: true}
	r := query{values: q, problems: &p.problems}
	p.authorizeToken, _ = r.get("authorizeToken")
	if raw, ok := r.get("redirectUrl"); ok && raw != "" {
		u, err := checkRedirectURL(raw)
		r.note(err)
		p.redirectURL = u
	}
	r.flag("demo", &p.demo)
	if lang, _ := r.get("language"); strings.HasPrefix(strings.ToLower(lang), "fr") {
		p.language = "fr"
	}
	p.tag, _ = r.get("tag")
	r.flag("institutionFilterEnable", &p.filterEnable)
	r.flag("innerRedirect", &p.innerRedirect)
	r.flag("jsRedirect", &p.jsRedirect)
	r.flag("headerEnable", &p.headerEnable)
	r.flag("consentEnable", &p.consentEnable)
	p.customerName, _ = r.get("customerName")
	r.flag("backEnable", &p.backEnable)
	r.flag("closeEnable", &p.closeEnable)
	p.requestID, _ = r.get("requestId")
	r.flag("stringify", &p.stringify)
	p.customerID, _ = r.get("customerId")
	if raw, ok := r.get("mockEventNames"); ok {
		rename, err := parseEventNames(raw)
		r.note(err)
		p.rename = rename
	}
	p.unknown = unknownParams(q)
	return p
}

// query reads the parameters of a Connect page, noting the values it
// cannot use.
type query struct {
	values   url.Values
	problems *[]string
}

// get returns the first value of a parameter, its name matched without
// regard to case.
func (q query) get(name string) (string, bool) {
	for k, v := range q.values {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0], true
		}
	}
	return "", false
}

// flag reads a boolean parameter into into, leaving the default when it
// is absent or neither true nor false.
func (q query) flag(name string, into *bool) {
	v, ok := q.get(name)
	switch {
	case !ok:
	case strings.EqualFold(v, "true"):
		*into = true
	case strings.EqualFold(v, "false"):
		*into = false
	default:
		q.note(fmt.Errorf("%s=%q is neither true nor false; the default applies", name, v))
	}
}

func (q query) note(err error) {
	if err != nil {
		*q.problems = append(*q.problems, err.Error())
	}
}

// unknownParams lists, sorted, the parameters of q the page does not know.
func unknownParams(q url.Values) []string {
	var unknown []string
	for k := range q {
		if !slices.ContainsFunc(connectParameters, func(c connectParameter) bool { return strings.EqualFold(c.Name, k) }) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	return unknown
}

// checkRedirectURL accepts an absolute redirectUrl: http(s), or an app's
// own scheme (myapp://callback), as Flinks documents for mobile apps.
// Schemes that would run code in the page are refused.
func checkRedirectURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("redirectUrl %q is not a URL (%v); the page will not redirect", raw, err)
	}
	switch strings.ToLower(u.Scheme) {
	case "":
		return nil, fmt.Errorf("redirectUrl %q is not absolute; write it with its scheme, e.g. https://example.com/thank-you", raw)
	case "javascript", "data", "vbscript", "file", "blob":
		return nil, fmt.Errorf("redirectUrl %q uses the %s scheme, which the page does not follow", raw, u.Scheme)
	}
	return u, nil
}

// parseEventNames reads mockEventNames: comma-separated FROM:TO pairs that
// rename the steps of the events the page posts, e.g.
// "REDIRECT:SUCCESS,SUBMIT_MFA:MFA_SENT". A pair it cannot read is an
// error; the pairs before it still apply.
func parseEventNames(raw string) (map[string]string, error) {
	out := map[string]string{}
	for pair := range strings.SplitSeq(raw, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		from, to, ok := strings.Cut(pair, ":")
		from, to = strings.TrimSpace(from), strings.TrimSpace(to)
		if !ok || from == "" || to == "" {
			return out, fmt.Errorf("mockEventNames: %q is not FROM:TO (e.g. REDIRECT:SUCCESS)", pair)
		}
		out[from] = to
	}
	return out, nil
}

// eventName is the step an event is posted with: its Flinks name, or the
// name mockEventNames gives it.
func (p *connectParams) eventName(step string) string {
	if to, ok := p.rename[step]; ok {
		return to
	}
	return step
}

// redirectTarget is redirectUrl with the parameters Flinks Connect appends
// after a successful connection, in the order of Flinks' examples:
// loginId, tag (when the page was given one), institution.
func redirectTarget(base *url.URL, loginID, tag, institution string) string {
	u := *base
	extra := "loginId=" + url.QueryEscape(loginID)
	if tag != "" {
		extra += "&tag=" + url.QueryEscape(tag)
	}
	extra += "&institution=" + url.QueryEscape(institution)
	if u.RawQuery == "" {
		u.RawQuery = extra
	} else {
		u.RawQuery += "&" + extra
	}
	u.ForceQuery = false
	return u.String()
}
