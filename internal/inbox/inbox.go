// Package inbox is the teammates' web application (SPEC IN1-IN6 and the Inbox-facing rules of
// BO, TR, CO, TT, CT): server-rendered html/template pages under /inbox, made lively with htmx
// (vendored, package web) and a little plain JavaScript; no Node build.
//
// Every action calls package desk, where the rules live; pages read through package store.
// Teammates sign in with their email and password (a session cookie); forms are protected from
// cross-site requests by http.CrossOriginProtection.
//
// The package is organised by feature, one file (and its templates, named after it) each:
// auth.go (sign-in), views.go (the inbox lists and search), thread.go (a conversation or a
// ticket), settings.go, reports.go, people.go (companies and contacts), live.go (server-sent
// events). routes.go lists every route.
package inbox

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/helpdesk/helpdesk/internal/clock"
	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/web"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config is what the Inbox needs from the server's configuration.
type Config struct {
	BaseURL        string // HELPDESK_BASE_URL
	IdentitySecret string // HELPDESK_IDENTITY_SECRET, shown as set or not in settings
	// Email is the mail configuration in force, shown read-only in settings (settings.go).
	Email EmailConfig
}

// Inbox serves the teammates' pages.
type Inbox struct {
	cfg    Config
	db     *store.DB
	desk   *desk.Desk
	log    *slog.Logger
	clock  clock.Clock
	secure bool // cookies only over https
	pages  map[string]*template.Template
	assets map[string]asset  // by hashed name
	asset  map[string]string // plain name → URL with the hash
	// live tells open pages of changes (live.go).
	live *hub
}

type asset struct {
	body        []byte
	contentType string
}

// New prepares the Inbox: templates parsed and assets hashed once.
func New(cfg Config, db *store.DB, d *desk.Desk, clk clock.Clock, log *slog.Logger) (*Inbox, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("inbox: base URL: %w", err)
	}
	in := &Inbox{cfg: cfg, db: db, desk: d, log: log, clock: clk, secure: u.Scheme == "https", live: newHub()}
	if err := in.loadAssets(); err != nil {
		return nil, err
	}
	if err := in.loadTemplates(); err != nil {
		return nil, err
	}
	return in, nil
}

// loadAssets hashes the static files into their names, so that they are cached for good.
func (in *Inbox) loadAssets() error {
	in.assets, in.asset = map[string]asset{}, map[string]string{}
	add := func(name string, body []byte) {
		sum := sha256.Sum256(body)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		ct := "text/javascript; charset=utf-8"
		if ext == ".css" {
			ct = "text/css; charset=utf-8"
		}
		in.assets[hashed] = asset{body: body, contentType: ct}
		in.asset[name] = "/inbox/static/" + hashed
	}
	add("htmx.min.js", web.HTMX)
	entries, err := fs.ReadDir(staticFS, "static")
	if err != nil {
		return fmt.Errorf("inbox: assets: %w", err)
	}
	for _, e := range entries {
		body, err := fs.ReadFile(staticFS, "static/"+e.Name())
		if err != nil {
			return fmt.Errorf("inbox: assets: %w", err)
		}
		add(e.Name(), body)
	}
	return nil
}

// assetsEnding lists the URLs of the static files whose names end with ext, but htmx, sorted by
// name: every feature's stylesheet and script (static/FEATURE.css, static/FEATURE.js).
func (in *Inbox) assetsEnding(ext string) []string {
	var names []string
	for name := range in.asset {
		if strings.HasSuffix(name, ext) && name != "htmx.min.js" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	urls := make([]string, len(names))
	for i, n := range names {
		urls[i] = in.asset[n]
	}
	return urls
}

// loadTemplates parses each page (templates/pages/NAME.html) with the layout and every partial
// (templates/partials/*.html), so that a page may use any partial.
func (in *Inbox) loadTemplates() error {
	funcs := template.FuncMap{
		"asset":   func(name string) string { return in.asset[name] },
		"styles":  func() []string { return in.assetsEnding(".css") },
		"scripts": func() []string { return in.assetsEnding(".js") },
		"ago":     func(t time.Time) string { return ago(in.clock.Now(), t) },
		"when":    func(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04") },
	}
	for name, f := range featureFuncs {
		funcs[name] = f(in)
	}
	pages, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil {
		return err
	}
	in.pages = map[string]*template.Template{}
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html", p)
		if err != nil {
			return fmt.Errorf("inbox: template %s: %w", name, err)
		}
		in.pages[name] = t
	}
	return nil
}

// ago says how long before now t was, shortly: "now", "5m", "3h", "2d", or the date.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "now"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	case d < 7*24*time.Hour:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
	return t.UTC().Format("2 Jan")
}
