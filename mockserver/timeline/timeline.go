// Package timeline draws the journal entries of a session as a sequence
// diagram: the client, the mock and the webhook receiver as lifelines,
// each request an arrow labelled with its endpoint, its answer's status and
// FlinksCode and the state of the token it carried, the time between two
// requests drawn to scale. The inspector page of a running server and the
// HTML report of flinks-mock verify both draw with it, so they agree.
package timeline

import (
	"bytes"
	"cmp"
	"embed"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

//go:embed *.tmpl
var files embed.FS

// tmpl is parsed on the first diagram drawn, not at start-up.
var tmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("").Funcs(template.FuncMap{
		// x | minus n is x-n; x | plus n is x+n.
		"minus":     func(n, x int) int { return x - n },
		"plus":      func(n, x int) int { return x + n },
		"mid":       func(a, b int) int { return (a + b) / 2 },
		"laneWidth": func() int { return laneReceiver + 60 - 28 },
	}).ParseFS(files, "*.tmpl"))
})

// Labels are the words of a diagram, in one language.
type Labels struct {
	Client, Mock, Receiver    string
	Token                     string // "token %s": %s the state of the token
	NoAnswer                  string // an attempt no answer came for
	Empty                     string // a session with no entry
	Request, Response         string // the headings of an entry's detail
	Title                     string // the diagram's accessible name
	Method, Path, Endpoint    string
	RequestID, LoginID        string
	TokenState, TokenRef      string
	APIKey, Bearer            string
	Mode, Answered, Body      string
	Status, FlinksCode        string
	Challenges, Latency, Time string
	URL, Delivery, Attempt    string
	Error, Sent, NotSent      string
	// Issued is "issued token %s": %s what became of the token a
	// GenerateAuthorizeToken call issued.
	Issued string
	// TokenStates name the states of a token (journal.Token*,
	// TokenUnused).
	TokenStates map[string]string
}

// English and French are the labels the project ships.
var (
	English = Labels{
		Client: "client", Mock: "flinks-mock", Receiver: "webhook receiver",
		Token: "token %s", NoAnswer: "no answer", Empty: "No request yet.",
		Request: "Request", Response: "Response", Title: "Sequence of the requests",
		Method: "Method", Path: "Path", Endpoint: "Endpoint", RequestID: "RequestId", LoginID: "LoginId",
		TokenState: "Token", TokenRef: "Token reference", APIKey: "x-api-key", Bearer: "Authorization: Bearer",
		Mode: "Mode", Answered: "Prompts answered", Body: "Body (secrets redacted)",
		Status: "Status", FlinksCode: "FlinksCode", Challenges: "Challenges asked", Latency: "Latency", Time: "Time",
		URL: "URL", Delivery: "Delivery", Attempt: "Attempt", Error: "Error", Sent: "sent", NotSent: "not sent",
		Issued: "issued token %s",
		TokenStates: map[string]string{
			journal.TokenFresh: "fresh", journal.TokenReused: "reused", journal.TokenExpired: "expired",
			journal.TokenUnknown: "unknown", journal.TokenMissing: "missing", journal.TokenSecret: "secret key",
			TokenUnused: "unused",
		},
	}
	French = Labels{
		Client: "client", Mock: "flinks-mock", Receiver: "récepteur des webhooks",
		Token: "jeton %s", NoAnswer: "aucune réponse", Empty: "Aucune requête pour l’instant.",
		Request: "Requête", Response: "Réponse", Title: "Séquence des requêtes",
		Method: "Méthode", Path: "Chemin", Endpoint: "Point d’accès", RequestID: "RequestId", LoginID: "LoginId",
		TokenState: "Jeton", TokenRef: "Référence du jeton", APIKey: "x-api-key", Bearer: "Authorization: Bearer",
		Mode: "Mode", Answered: "Questions répondues", Body: "Corps (secrets masqués)",
		Status: "Statut", FlinksCode: "FlinksCode", Challenges: "Questions posées", Latency: "Latence", Time: "Heure",
		URL: "URL", Delivery: "Livraison", Attempt: "Tentative", Error: "Erreur", Sent: "envoyé", NotSent: "absent",
		Issued: "jeton émis %s",
		TokenStates: map[string]string{
			journal.TokenFresh: "neuf", journal.TokenReused: "réutilisé", journal.TokenExpired: "expiré",
			journal.TokenUnknown: "inconnu", journal.TokenMissing: "absent", journal.TokenSecret: "clé secrète",
			TokenUnused: "inutilisé",
		},
	}
)

// Options say how to draw a diagram.
type Options struct {
	// Labels default to English.
	Labels Labels
	// Marks highlights entries, by Seq, with the message to show beside
	// each (a broken rule's).
	Marks map[uint64]string
	// Anchor is the prefix of the fragment each arrow links to: the
	// arrow of entry n links to #<Anchor><n>, where Details puts its
	// detail.
	Anchor string
}

// Geometry of a diagram, in SVG user units.
const (
	laneClient   = 70
	laneMock     = 330
	laneReceiver = 590
	plainWidth   = 680
	markedWidth  = 1120
	top          = 50
	rowHeight    = 56
	// maxGap bounds the tallest gap between two requests; shorter gaps
	// keep the same scale, so every gap is drawn to scale.
	maxGap = 160.0
	// pxPerSecond is the scale when even the longest gap fits.
	pxPerSecond = 4.0
)

// diagram is what the template draws.
type diagram struct {
	Width, Height int
	Labels        Labels
	Lanes         []lane
	Rows          []row
	Empty         bool
}

type lane struct {
	X     int
	Label string
}

// row is one entry: an arrow there and an arrow back.
type row struct {
	Seq            uint64
	Href           string
	Y, ReplyY      int
	From, To       int
	Label, Reply   string
	Token          string // "fresh", "reused"...; empty when none
	TokenLabel     string
	Failed, Marked bool
	Message        string
	ShortMessage   string
	Gap            string // the time since the previous entry, when drawn
	GapTop, GapEnd int
	Aria           string
}

// Render draws entries (oldest first) as a sequence diagram in inline
// SVG.
func Render(entries []journal.Entry, o Options) template.HTML {
	if o.Labels.Client == "" {
		o.Labels = English
	}
	d := layout(entries, o)
	var b bytes.Buffer
	if err := tmpl().ExecuteTemplate(&b, "diagram.tmpl", d); err != nil {
		// The template is fixed and its data plain: an error is a bug.
		panic(fmt.Sprintf("timeline: %v", err))
	}
	return template.HTML(b.String()) //nolint:gosec // built by html/template
}

// layout places the rows: each below the one before, lower by the time
// between them at one scale for the whole diagram.
func layout(entries []journal.Entry, o Options) diagram {
	d := diagram{Width: plainWidth, Labels: o.Labels, Empty: len(entries) == 0}
	if len(o.Marks) > 0 {
		d.Width = markedWidth
	}
	d.Lanes = []lane{{laneClient, o.Labels.Client}, {laneMock, o.Labels.Mock}, {laneReceiver, o.Labels.Receiver}}
	scale := gapScale(entries)
	issued := issuedStates(entries)
	y := top + 20
	for i, e := range entries {
		r := row{}
		if i > 0 {
			dt := e.Time.Sub(entries[i-1].Time)
			if h := int(math.Round(dt.Seconds() * scale)); h > 0 {
				r.GapTop, r.GapEnd = y-rowHeight/2+4, y-rowHeight/2+4+h
				if h >= 10 {
					r.Gap = "+" + shortDuration(dt)
				}
				y += h
			}
		}
		fill(&r, e, o, issued)
		r.Y, r.ReplyY = y, y+18
		d.Rows = append(d.Rows, r)
		y += rowHeight
	}
	d.Height = y + 10
	return d
}

// gapScale is the pixels per second of the gaps: pxPerSecond, or less
// when the longest gap would be taller than maxGap.
func gapScale(entries []journal.Entry) float64 {
	longest := 0.0
	for i := 1; i < len(entries); i++ {
		longest = max(longest, entries[i].Time.Sub(entries[i-1].Time).Seconds())
	}
	if longest*pxPerSecond <= maxGap {
		return pxPerSecond
	}
	return maxGap / longest
}

// fill writes what the row of e says; issued tells what became of the
// tokens the drawn entries issued.
func fill(r *row, e journal.Entry, o Options, issued map[string]string) {
	r.Seq = e.Seq
	r.Href = fmt.Sprintf("#%s%d", o.Anchor, e.Seq)
	r.From, r.To = laneClient, laneMock
	name := e.Endpoint
	if name == "" {
		name = e.Path
	}
	r.Label = e.Method + " " + name
	if e.Kind == journal.KindWebhook {
		r.From, r.To = laneMock, laneReceiver
		r.Label = fmt.Sprintf("webhook %s #%d", e.ResponseType, e.Attempt)
	}
	r.Reply = Answer(e, o.Labels)
	r.Failed = e.Status == 0 || e.Status >= 400
	switch {
	case e.Token != journal.TokenNone:
		r.Token = e.Token
		r.TokenLabel = fmt.Sprintf(o.Labels.Token, tokenWord(o.Labels, e.Token))
	case e.Endpoint == generateToken && e.TokenRef != "" && e.Status == http.StatusOK:
		r.Token = cmp.Or(issued[e.TokenRef], TokenUnused)
		r.TokenLabel = fmt.Sprintf(o.Labels.Issued, tokenWord(o.Labels, r.Token))
	}
	if msg, ok := o.Marks[e.Seq]; ok {
		r.Marked, r.Message, r.ShortMessage = true, msg, clip(msg, 55)
	}
	r.Aria = strings.Join(nonEmpty(r.Label, r.Reply, r.TokenLabel, r.Message), ", ")
}

// Answer says in a few words what an entry was answered: its status and
// FlinksCode.
func Answer(e journal.Entry, l Labels) string {
	if e.Status == 0 {
		if e.Error != "" {
			return l.NoAnswer + ": " + clip(e.Error, 40)
		}
		return l.NoAnswer
	}
	return strings.Join(nonEmpty(fmt.Sprint(e.Status), e.FlinksCode), " ")
}

func nonEmpty(s ...string) []string {
	out := s[:0:0]
	for _, v := range s {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// clip cuts s to n characters, marking the cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// shortDuration writes d as "12s", "2m30s" or "350ms".
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
