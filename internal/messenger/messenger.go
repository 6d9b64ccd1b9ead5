// Package messenger serves the Messenger (SPEC M1-M3, CT3, CT4, N1, BO10): the customer-facing
// widget a host product embeds with one script tag. The script adds a launcher button and an
// iframe; the iframe signs the user in with the host's identity (package identity, through
// desk.SignInWithJWT or desk.SignInWithUserHash) and shows server-rendered pages, made lively by
// htmx and a little plain JavaScript: Home with Recent tickets, the conversations, the tickets
// space, each thread with its comments and customer-visible events, ticket forms, and a reply
// box. A server-sent event stream tells the page when something new is there to show, and the
// launcher's badge how many threads have news (M3).
//
// Everything a customer sees comes from the store's customer read model (store.CustomerThreads,
// CustomerThreadFor, VisibleParts, UnseenThreads): visible parts only, of threads the signed-in
// contact takes part in (N5). Everything a customer does goes through package desk.
//
// The session token travels in the path of every page (/messenger/s/{token}/...), since
// third-party cookies do not work in an iframe on the customer's site; pages send
// Referrer-Policy: no-referrer so that it never leaves in a Referer, and the identity itself
// reaches the frame in the URL fragment, which browsers never send to servers.
package messenger

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"path"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"

	"github.com/helpdesk/helpdesk/internal/clock"
	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/sse"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/web"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/frame.js static/messenger.js
var staticFS embed.FS

// Options is what the Messenger needs from the server that mounts it.
type Options struct {
	DB    *store.DB
	Desk  *desk.Desk
	Clock clock.Clock
	Log   *slog.Logger
	// BaseURL is how browsers reach this server (HELPDESK_BASE_URL), without a trailing slash:
	// the embedding script points its iframe there and trusts messages from its origin only.
	BaseURL string
	// IdentitySecret is HELPDESK_IDENTITY_SECRET; empty: the workspace setting.
	IdentitySecret string
	// PollEvery is how often an open event stream looks in the store for news (default one
	// second). Polling the store, not an in-process signal, makes it work across instances.
	PollEvery time.Duration
	// Heartbeat is how often an idle event stream sends a comment, so that proxies keep it
	// open (default 15 seconds).
	Heartbeat time.Duration
	// StreamFor bounds one event stream; the browser then reconnects (default 10 minutes).
	StreamFor time.Duration
}

// Messenger is the Messenger's HTTP surface.
type Messenger struct {
	db        *store.DB
	desk      *desk.Desk
	clock     clock.Clock
	log       *slog.Logger
	baseURL   string
	secret    string
	pollEvery time.Duration
	heartbeat time.Duration
	streamFor time.Duration

	pages    map[string]*template.Template // by page name, each with the layout
	assets   map[string]asset              // by content-hashed name
	assetURL map[string]string             // by plain name: its content-hashed URL
	embedJS  []byte                        // messenger.js with the base URL in it
	ugc      *bluemonday.Policy            // what stored comment HTML may keep when shown

	shutdowns sse.Shutdowns // ends the event streams of a server shutting down
}

// asset is an embedded static file.
type asset struct {
	body        []byte
	contentType string
}

// pageNames are the templates in templates/, each parsed with layout.html and parts.html.
var pageNames = []string{"frame", "refused", "home", "list", "thread", "new", "types", "ticketnew", "problem"}

// New prepares the Messenger: templates parsed and assets hashed once, here.
func New(o Options) (*Messenger, error) {
	m := &Messenger{
		db: o.DB, desk: o.Desk, clock: o.Clock, log: o.Log,
		baseURL: strings.TrimRight(o.BaseURL, "/"), secret: o.IdentitySecret,
		pollEvery: o.PollEvery, heartbeat: o.Heartbeat, streamFor: o.StreamFor,
	}
	if m.clock == nil {
		m.clock = clock.System{}
	}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	if m.pollEvery <= 0 {
		m.pollEvery = time.Second
	}
	if m.heartbeat <= 0 {
		m.heartbeat = 15 * time.Second
	}
	if m.streamFor <= 0 {
		m.streamFor = 10 * time.Minute
	}
	m.ugc = bluemonday.UGCPolicy()
	m.ugc.RequireNoReferrerOnLinks(true)
	m.ugc.AddTargetBlankToFullyQualifiedLinks(true)

	if err := m.loadAssets(); err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"asset": func(name string) string { return m.assetURL[name] },
	}
	m.pages = map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS,
			"templates/layout.html", "templates/parts.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("messenger: templates: %w", err)
		}
		m.pages[name] = t
	}
	return m, nil
}

// loadAssets hashes the static files into their names, so that they can be cached for good,
// and fills the base URL into the embedding script.
func (m *Messenger) loadAssets() error {
	m.assets, m.assetURL = map[string]asset{}, map[string]string{}
	for _, name := range []string{"htmx.min.js", "frame.js"} {
		body, err := fs.ReadFile(staticFS, "static/"+name)
		if name == "htmx.min.js" {
			body, err = web.HTMX, nil
		}
		if err != nil {
			return fmt.Errorf("messenger: assets: %w", err)
		}
		sum := sha256.Sum256(body)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		m.assets[hashed] = asset{body: body, contentType: "text/javascript; charset=utf-8"}
		m.assetURL[name] = "/messenger/static/" + hashed
	}
	src, err := fs.ReadFile(staticFS, "static/messenger.js")
	if err != nil {
		return fmt.Errorf("messenger: assets: %w", err)
	}
	base, err := jsString(m.baseURL)
	if err != nil {
		return err
	}
	m.embedJS = []byte(strings.Replace(string(src), `"{{BASE_URL}}"`, base, 1))
	return nil
}
