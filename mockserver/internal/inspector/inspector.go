// Package inspector serves the inspector, a web page of a running server
// at /__admin/ui/: its customers, their sessions and where each stands in
// the flow, the timeline of a session's requests, the webhook deliveries
// with every attempt, the loaded logins, and the virtual clock. Its
// assets are embedded; it needs no build step and no network.
//
// The page itself holds no data and is open; every view and the event
// stream are admin routes, behind the admin token, fetched by the page's
// script with "Authorization: Bearer". What the page changes (the clock,
// webhooks) it changes through the admin API itself, with POST and JSON.
//
// The inspector costs the requests it does not serve nothing: it reads
// the stores when a view is asked for, and an open page follows the
// journal feed, which hands it a signal, never a copy to keep.
package inspector

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"sync"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/tenancy"
	"github.com/flinks-mock/flinks-mock/mockserver/timeline"
	"github.com/flinks-mock/flinks-mock/mockserver/webhook"
)

//go:embed assets/*
var assets embed.FS

//go:embed templates/*.tmpl
var templateFiles embed.FS

// templates are the page's templates, parsed on the first page or view
// served, not at start-up.
var templates = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("").Funcs(funcs).ParseFS(templateFiles, "templates/*.tmpl"))
})

// Prefix is where the inspector is served.
const Prefix = "/__admin/ui/"

// DefaultStreamLife bounds one event stream: the page opens the next one
// at once, and a server shutting down waits for no stream longer.
const DefaultStreamLife = 25 * time.Second

// pagePolicy is the Content-Security-Policy of the page: its styles are
// inline (the diagrams' own), everything else its server's.
const pagePolicy = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"

// Config is what the inspector reads.
type Config struct {
	Tenants *tenancy.Registry
	Clock   clock.Clock
	Hooks   *webhook.Dispatcher
	// Renderer renders again the data answers the journal keeps no body
	// of (nil: they are not shown).
	Renderer Renderer
	Log      *slog.Logger
	// StreamLife bounds one event stream (default DefaultStreamLife).
	StreamLife time.Duration
}

// Inspector serves the inspector of one server.
type Inspector struct {
	cfg Config

	mu      sync.Mutex
	ended   bool
	streams map[chan struct{}]struct{} // each open stream's end signal
}

// New returns the inspector of cfg.
func New(cfg Config) *Inspector {
	if cfg.StreamLife <= 0 {
		cfg.StreamLife = DefaultStreamLife
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Inspector{cfg: cfg, streams: map[chan struct{}]struct{}{}}
}

// Page serves the page: the frame the script fills, in the language of
// ?lang= or of the browser.
func (in *Inspector) Page(w http.ResponseWriter, r *http.Request) {
	tx := textFor(r.URL.Query().Get("lang"), r.Header.Get("Accept-Language"))
	in.render(w, r, "page.tmpl", struct {
		T   *uiText
		CSS template.CSS
	}{tx, timeline.CSS()})
}

// Redirect sends /__admin/ui to /__admin/ui/.
func (in *Inspector) Redirect(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, Prefix, http.StatusFound)
}

// Asset serves the page's stylesheet and script.
func (in *Inspector) Asset(w http.ResponseWriter, r *http.Request) {
	name := path.Base(exchange.PathValue(r, "name"))
	body, err := fs.ReadFile(assets, "assets/"+name)
	if err != nil {
		exchange.WriteError(w, r, exchange.WithStatus(r, http.StatusNotFound, "INVALID_REQUEST", "The inspector has no asset "+name, ""))
		return
	}
	switch path.Ext(name) {
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	}
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(body)
}

// render executes a template into a buffer first, so that a failure
// answers an error rather than half a page.
func (in *Inspector) render(w http.ResponseWriter, r *http.Request, name string, data any) {
	var b bytes.Buffer
	if err := templates().ExecuteTemplate(&b, name, data); err != nil {
		in.cfg.Log.Error("inspector view", "view", name, "err", err)
		exchange.WriteError(w, r, exchange.WithStatus(r, http.StatusInternalServerError, "AGGREGATION_ERROR", "The inspector could not draw this view; the server log has the details", ""))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	// The page loads only its own script and reaches only its own
	// server, and no other site may frame it to steer a click onto its
	// buttons.
	h.Set("Content-Security-Policy", pagePolicy)
	h.Set("X-Frame-Options", "DENY")
	_, _ = w.Write(b.Bytes())
}
