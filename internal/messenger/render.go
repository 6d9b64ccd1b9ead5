package messenger

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/store"
)

// Page is what every page's data carries for the layout.
type Page struct {
	Title string
	Nonce string // of the inline <style>, fresh for each response
	// Base is the session's pages, "/messenger/s/{token}"; empty before signing in.
	Base string
	Tab  string // "home", "messages" or "tickets": the tab shown as current
	// The live updates (events.go): Version is the newest visible part of the contact's threads
	// when the page was made; the page reloads Refresh when the stream tells of a newer one,
	// replacing #region (Mode "replace") or appending to #timeline (Mode "append").
	Version int64
	Refresh string
	Mode    string
	Partial bool // asked for by htmx, which keeps the page's <head>
}

func (p *Page) page() *Page { return p }

// pager is the data of a page: a struct embedding Page.
type pager interface{ page() *Page }

// securityHeaders are sent with every page: nothing is cached or leaks in a Referer (the path
// holds the session token), only our own scripts run, and any site may frame the Messenger.
func securityHeaders(w http.ResponseWriter, nonce string) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	style := "'self'"
	if nonce != "" {
		style += " 'nonce-" + nonce + "'"
	}
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src "+style+
		"; img-src 'self' https: data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors *")
}

func newNonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// render writes page name with data and status.
func (m *Messenger) render(w http.ResponseWriter, r *http.Request, status int, name string, data pager) {
	m.renderTemplate(w, r, status, name, "layout", data)
}

// renderTemplate writes one template of page name's set: the whole page ("layout") or a
// fragment of it.
func (m *Messenger) renderTemplate(w http.ResponseWriter, r *http.Request, status int, name, tmpl string, data pager) {
	p := data.page()
	p.Nonce = newNonce()
	// htmx keeps the <head> of the page it swaps into, so pages it asks for are sent without
	// their stylesheet (its nonce is not the page's, and the browser would complain).
	p.Partial = r.Header.Get("HX-Request") == "true"
	var b bytes.Buffer
	if err := m.pages[name].ExecuteTemplate(&b, tmpl, data); err != nil {
		m.log.Error("messenger: rendering", "page", name, "template", tmpl, "err", err)
		securityHeaders(w, "")
		http.Error(w, "Something went wrong. Please try again.", http.StatusInternalServerError)
		return
	}
	securityHeaders(w, p.Nonce)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// problemPage is a page that says what went wrong and what to do.
type problemPage struct {
	Page
	Heading string
	Message string
	Reload  bool // offer to reload (an ended session)
}

// problem answers with a problem page.
func (m *Messenger) problem(w http.ResponseWriter, r *http.Request, status int, base, heading, message string) {
	m.render(w, r, status, "problem", &problemPage{Page: Page{Title: heading, Base: base}, Heading: heading, Message: message})
}

// notFoundPage is the answer for anything that is not there, or not the contact's: the two
// look alike (N5).
func (m *Messenger) notFoundPage(w http.ResponseWriter, r *http.Request) {
	m.problem(w, r, http.StatusNotFound, "", "Not found", "There is nothing here. It may have moved, or the link is not quite right.")
}

// expired is the answer once a session has ended.
func (m *Messenger) expired(w http.ResponseWriter, r *http.Request) {
	m.render(w, r, http.StatusUnauthorized, "problem", &problemPage{Page: Page{Title: "Please reload"},
		Heading: "Your session has ended", Message: "Please reload the page to continue.", Reload: true})
}

// fail answers a handler's error: a 404 for what is not there or not the contact's, a 500
// otherwise, logged with its cause, which the customer never sees.
func (m *Messenger) fail(w http.ResponseWriter, r *http.Request, v *visit, err error) {
	var nf *desk.NotFoundError
	if errors.Is(err, store.ErrNotFound) || errors.As(err, &nf) {
		m.problem(w, r, http.StatusNotFound, v.base, "Not found", "There is nothing here. It may have moved, or the link is not quite right.")
		return
	}
	m.log.Error("messenger: request failed", "method", r.Method, "path", redactPath(r.URL.Path), "err", err)
	m.problem(w, r, http.StatusInternalServerError, v.base, "Something went wrong", "We could not do that just now. Please try again in a moment.")
}

// redactPath hides the session token of a Messenger path, for logs.
func redactPath(p string) string {
	rest, ok := strings.CutPrefix(p, "/messenger/s/")
	if !ok {
		return p
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		return "/messenger/s/…" + rest[i:]
	}
	return "/messenger/s/…"
}

// writeJSON answers with a JSON value.
func writeJSON(w http.ResponseWriter, status int, v any) {
	securityHeaders(w, "")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// jsString is s as a JavaScript string literal, safe inside a script.
func jsString(s string) (string, error) {
	b, err := json.Marshal(s) // escapes <, >, &, U+2028 and U+2029
	return string(b), err
}
