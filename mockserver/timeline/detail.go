package timeline

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// field is one line of an entry's detail.
type field struct{ Name, Value string }

// detail is what the detail template shows of one entry.
type detail struct {
	ID                string
	E                 journal.Entry
	L                 Labels
	Headline          string
	Marked            bool
	Message           string
	Request, Response []field
}

// Detail shows what the journal holds of one entry, the request and its
// answer, secrets redacted as the journal keeps them: with id as the
// element id (the fragment the diagram's arrows link to) and message,
// when not empty, as the broken rule's words.
func Detail(e journal.Entry, o Options, id, message string) template.HTML {
	if o.Labels.Client == "" {
		o.Labels = English
	}
	l := o.Labels
	d := detail{ID: id, E: e, L: l, Marked: message != "", Message: message}
	d.Headline = e.Method + " " + e.Path
	add := func(list *[]field, name, value string) {
		if value != "" {
			*list = append(*list, field{name, value})
		}
	}
	add(&d.Request, l.Time, e.Time.UTC().Format(time.RFC3339Nano))
	if e.Kind == journal.KindWebhook {
		d.Headline = fmt.Sprintf("webhook %s → %s", e.ResponseType, e.URL)
		add(&d.Request, l.URL, e.URL)
		add(&d.Request, l.Delivery, e.DeliveryID)
		add(&d.Request, l.Attempt, fmt.Sprint(e.Attempt))
	} else {
		add(&d.Request, l.Method, e.Method)
		add(&d.Request, l.Path, e.Path)
		add(&d.Request, l.Endpoint, e.Endpoint)
		add(&d.Request, l.APIKey, yesNo(e.APIKey, l))
		add(&d.Request, l.Bearer, yesNo(e.Bearer, l))
	}
	add(&d.Request, l.RequestID, e.RequestID)
	add(&d.Request, l.LoginID, e.LoginID)
	if e.Token != "" {
		add(&d.Request, l.TokenState, tokenWord(l, e.Token))
	}
	add(&d.Request, l.TokenRef, e.TokenRef)
	add(&d.Request, l.Mode, e.Mode)
	add(&d.Request, l.Answered, strings.Join(e.Answered, " · "))
	add(&d.Request, l.Body, e.Body)
	add(&d.Response, l.Status, Answer(e, l))
	add(&d.Response, l.FlinksCode, e.FlinksCode)
	add(&d.Response, l.Challenges, strings.Join(e.Challenges, " · "))
	add(&d.Response, l.Error, e.Error)
	add(&d.Response, l.Latency, e.Latency.Round(time.Microsecond).String())
	var b bytes.Buffer
	if err := tmpl().ExecuteTemplate(&b, "detail.tmpl", d); err != nil {
		panic(fmt.Sprintf("timeline: %v", err))
	}
	return template.HTML(b.String()) //nolint:gosec // built by html/template
}

func yesNo(sent bool, l Labels) string {
	if sent {
		return l.Sent
	}
	return l.NotSent
}

//go:embed timeline.css
var css string

// CSS is the stylesheet of the diagrams and details, for the page that
// shows them to put inline.
func CSS() template.CSS { return template.CSS(css) } //nolint:gosec // a fixed file
