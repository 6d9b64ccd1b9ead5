// Package portal is the tickets portal of the help center (SPEC P1-P7): server-rendered pages
// where a customer's end user, signed in by the identity their product signs (P2), sees every
// ticket customers may see of every company they belong to (P1), filters them by one state at
// a time (P4), opens one to read its details and history (P5), and joins its conversation in
// the Messenger (P6).
//
// What the pages show comes from the store's customer read model (store.CompanyTickets,
// store.CompanyTicket), which never returns Tracker tickets, unshared Back-office tickets or
// anything internal (N5); the pages add nothing from elsewhere but the ticket type's attributes
// that are visible to contacts and the external labels of states.
//
// A session is the same customer session the Messenger uses (desk.Session): the portal keeps
// its token in an HttpOnly cookie scoped to /portal, so that a Messenger session can open the
// portal (P7) and the portal can open the Messenger.
package portal

import (
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/store"
)

// Config is what the portal takes from the server's configuration.
type Config struct {
	// BaseURL is how customers reach the server; an https one makes the cookie Secure.
	BaseURL string
	// IdentitySecret is HELPDESK_IDENTITY_SECRET; empty: the workspace's setting.
	IdentitySecret string
}

// Portal serves the tickets portal.
type Portal struct {
	cfg    Config
	db     *store.DB
	desk   *desk.Desk
	log    *slog.Logger
	pages  map[string]*template.Template
	secure bool // cookies only over https
}

// New prepares the portal; its templates are parsed here, once.
func New(cfg Config, db *store.DB, d *desk.Desk, log *slog.Logger) *Portal {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Portal{
		cfg: cfg, db: db, desk: d, log: log.With("surface", "portal"),
		pages:  parsePages(),
		secure: strings.HasPrefix(strings.ToLower(cfg.BaseURL), "https://"),
	}
}

// Handler is every route of the portal, with its full paths (/portal, /portal/...).
func (p *Portal) Handler() http.Handler {
	mux := http.NewServeMux()
	p.routes(mux)
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.fail(w, r, &pageError{Status: http.StatusForbidden, Title: "Request refused",
			Message: "This form was sent from another site, so it was not accepted. Open the tickets portal and try again."})
	}))
	var h http.Handler = mux
	h = cop.Handler(h)
	h = p.recoverPanics(h)
	h = securityHeaders(h)
	return h
}

// securityHeaders keeps the portal's pages out of frames, caches and other sites' Referer
// headers: they show a customer's tickets, and the sign-in URL carries an identity token.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; "+
			"form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		next.ServeHTTP(w, r)
	})
}

// recoverPanics answers a panicking handler with the error page, and logs the panic.
func (p *Portal) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				p.log.Error("portal: panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				p.fail(w, r, nil)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
