package inspector

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/tenancy"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/mockserver/timeline"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// maxTimeline bounds the entries a timeline draws: the newest.
const maxTimeline = 300

// funcs are the helpers of the templates.
var funcs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04:05.000")
	},
	"ms":        func(d time.Duration) string { return d.Round(time.Millisecond).String() },
	"printf":    fmt.Sprintf,
	"stateName": func(tx *uiText, key string) string { return tx.States[key] },
	"plus":      func(n, x int) int { return x + n },
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	"fireSession": func(customerID, requestID string) admin.WebhookFire {
		return admin.WebhookFire{CustomerID: customerID, RequestID: requestID}
	},
}

// view is what every view template gets: the text and its own data.
type view struct {
	T    *uiText
	Data any
}

// View serves one view of the page, by name, as a fragment of HTML.
func (in *Inspector) View(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tx := textFor(q.Get("lang"), r.Header.Get("Accept-Language"))
	name := exchange.PathValue(r, "view")
	var data any
	switch name {
	case "customers":
		data = in.customers()
	case "customer":
		data = in.customer(q.Get("customerId"), tx)
	case "timeline":
		data = in.timeline(q.Get("customerId"), q.Get("requestId"), tx)
	case "entry":
		data = in.entry(q.Get("customerId"), q.Get("seq"), tx)
	case "logins":
		data = in.logins(q.Get("customerId"))
	case "clock":
		data = in.clock()
	default:
		exchange.WriteError(w, r, exchange.WithStatus(r, http.StatusNotFound, "INVALID_REQUEST", "The inspector has no view "+name, ""))
		return
	}
	in.render(w, r, name+".tmpl", view{T: tx, Data: data})
}

// customerRow is one customer in the list of customers.
type customerRow struct {
	ID                             string
	Sessions, Requests, Deliveries int
	LastSeen                       time.Time
}

func (in *Inspector) customers() []customerRow {
	var out []customerRow
	for _, t := range in.cfg.Tenants.All() {
		row := customerRow{ID: t.ID(), Sessions: t.SessionCount(), Requests: t.Journal().Len()}
		row.Deliveries = len(in.cfg.Hooks.Deliveries(t.ID(), "", ""))
		if es := t.Journal().Entries(nil); len(es) > 0 {
			row.LastSeen = es[len(es)-1].Time
		}
		out = append(out, row)
	}
	slices.SortFunc(out, func(a, b customerRow) int { return b.LastSeen.Compare(a.LastSeen) })
	return out
}

// sessionRow is one session of a customer, with where it stands.
type sessionRow struct {
	ID, Login, Tag string
	Place          place
	Opened         time.Time
	Diagram        template.HTML
}

// customerPage is a customer's sessions and webhook deliveries.
type customerPage struct {
	ID         string
	Known      bool
	Sessions   []sessionRow
	Deliveries []admin.Delivery
}

func (in *Inspector) customer(id string, tx *uiText) customerPage {
	out := customerPage{ID: id}
	t := in.cfg.Tenants.Lookup(id)
	if t == nil {
		return out
	}
	out.Known = true
	entries := t.Journal().Entries(nil)
	limits := session.LimitsOf(in.cfg.Tenants.Library(t).Settings)
	now := in.cfg.Clock.Now()
	opened := map[string]time.Time{}
	for _, e := range entries {
		if _, ok := opened[e.RequestID]; !ok && e.RequestID != "" {
			opened[e.RequestID] = e.Time
		}
	}
	t.EachSession(func(s *session.Session) bool {
		s.Lock()
		p := placeOf(s, now, limits, entries)
		s.Unlock()
		out.Sessions = append(out.Sessions, sessionRow{ID: s.ID, Login: s.Login.Name, Tag: s.Tag, Place: p, Opened: opened[s.ID]})
		return true
	})
	slices.SortFunc(out.Sessions, func(a, b sessionRow) int { return b.Opened.Compare(a.Opened) })
	for i := range out.Sessions {
		out.Sessions[i].Diagram = in.stateDiagram(out.Sessions[i].Place, tx)
	}
	out.Deliveries = in.cfg.Hooks.Deliveries(id, "", "")
	slices.Reverse(out.Deliveries)
	return out
}

// timelinePage is the timeline of one session (with the
// GenerateAuthorizeToken calls that issued its tokens), or of every
// request of a customer when RequestID is empty.
type timelinePage struct {
	ID, RequestID string
	Diagram       template.HTML
	Shown, Total  int
}

func (in *Inspector) timeline(id, requestID string, tx *uiText) timelinePage {
	out := timelinePage{ID: id, RequestID: requestID}
	t := in.cfg.Tenants.Lookup(id)
	var entries []journal.Entry
	if t != nil {
		entries = t.Journal().Entries(nil)
	}
	if requestID != "" {
		entries = timeline.Session(entries, requestID)
	}
	out.Total = len(entries)
	if len(entries) > maxTimeline {
		entries = entries[len(entries)-maxTimeline:]
	}
	out.Shown = len(entries)
	out.Diagram = timeline.Render(entries, timeline.Options{Labels: tx.TL, Anchor: "entry-"})
	return out
}

// entryPage is one journal entry: what the journal holds of it, and the
// body of its answer as well as it can be had now.
type entryPage struct {
	Detail template.HTML
	Answer answerView
}

// entry shows one journal entry of a customer, by Seq.
func (in *Inspector) entry(id, seq string, tx *uiText) *entryPage {
	n, err := strconv.ParseUint(seq, 10, 64)
	t := in.cfg.Tenants.Lookup(id)
	if err != nil || t == nil {
		return nil
	}
	for _, e := range t.Journal().Entries(func(e *journal.Entry) bool { return e.Seq == n }) {
		return &entryPage{
			Detail: timeline.Detail(e, timeline.Options{Labels: tx.TL}, fmt.Sprintf("entry-%d", e.Seq), ""),
			Answer: in.answerOf(t, e, tx),
		}
	}
	return nil
}

// loginRow is a loaded login as the logins view shows it.
type loginRow struct {
	*scenarios.Login
	Behaviour []string
	Prompts   []promptRow
}

type promptRow struct {
	Round   int
	Prompt  string
	Answers string
}

// logins lists the logins a customer is served (the server's, with its
// run-time scenarios), or the server's when id is empty.
func (in *Inspector) logins(id string) []loginRow {
	var t *tenancy.Tenant
	if id != "" {
		t = in.cfg.Tenants.Lookup(id)
	}
	lib := in.cfg.Tenants.Library(t)
	out := make([]loginRow, 0, len(lib.Logins))
	for _, l := range lib.Logins {
		row := loginRow{Login: l, Behaviour: behaviour(l)}
		if l.MFA != nil {
			for i, round := range l.MFA.Rounds {
				for _, c := range round.Challenges {
					row.Prompts = append(row.Prompts, promptRow{Round: i + 1, Prompt: c.Prompt, Answers: strings.Join(c.Answers, " / ")})
				}
			}
		}
		out = append(out, row)
	}
	return out
}

// behaviour says in short lines what a login's steps do.
func behaviour(l *scenarios.Login) []string {
	var out []string
	line := func(name string, steps []scenarios.Step) {
		if len(steps) == 0 {
			return
		}
		var parts []string
		for _, st := range steps {
			p := st.Respond
			if st.FlinksCode != "" {
				p += " " + st.FlinksCode
			}
			switch {
			case st.Calls > 0:
				p += fmt.Sprintf(" ×%d", st.Calls)
			case st.For > 0:
				p += " for " + st.For.String()
			}
			parts = append(parts, p)
		}
		out = append(out, name+": "+strings.Join(parts, " → "))
	}
	line("authorize", l.Authorize)
	line("accountsDetail", l.AccountsDetail)
	line("accountsSummary", l.AccountsSummary)
	line("statements", l.Statements)
	if l.MFA != nil {
		when := l.MFA.When
		if when == "" {
			when = scenarios.MFAWhenLive
		}
		out = append(out, fmt.Sprintf("mfa: %d round(s), %s", len(l.MFA.Rounds), when))
	}
	return out
}

// clockView is the server clock and whether the page may move it.
type clockView struct {
	Now     time.Time
	Virtual bool
	Steps   []string
}

func (in *Inspector) clock() clockView {
	_, virtual := in.cfg.Clock.(*clock.Virtual)
	return clockView{Now: in.cfg.Clock.Now(), Virtual: virtual, Steps: []string{"10s", "1m", "10m", "30m"}}
}
