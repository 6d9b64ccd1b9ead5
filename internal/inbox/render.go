package inbox

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"regexp"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/store"
)

// featureFuncs are template functions that feature files add, each in an init:
//
//	func init() { featureFuncs["stateLabel"] = func(in *Inbox) any { return in.stateLabel } }
var featureFuncs = map[string]func(*Inbox) any{}

// Page is what every page's data carries for the layout.
type Page struct {
	Title string
	Admin store.Admin // the teammate signed in; zero on the sign-in page
	// Nav is the layout's current section: "inbox", "search", "reports", "settings", ...
	Nav string
	// Partial is a request by htmx (HX-Request) that wants the page's main content only.
	Partial bool
	// Flash is a one-line message shown at the top (an error or a confirmation).
	Flash string
}

func (p *Page) page() *Page { return p }

// pager is the data of a page: a struct embedding Page.
type pager interface{ page() *Page }

type ctxKey int

const adminKey ctxKey = 0

// currentAdmin is the teammate signed in, put in the context by requireAdmin.
func currentAdmin(ctx context.Context) store.Admin {
	a, _ := ctx.Value(adminKey).(store.Admin)
	return a
}

// securityHeaders go with every page: nothing cached, no Referer, only our own scripts and
// styles, never framed.
func securityHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "+
		"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
}

// render writes page name with data: the whole page, or, for an htmx request that targets
// #main, only the page's "main" template. The teammate signed in is filled in.
func (in *Inbox) render(w http.ResponseWriter, r *http.Request, status int, name string, data pager) {
	p := data.page()
	if p.Admin.ID == 0 {
		p.Admin = currentAdmin(r.Context())
	}
	p.Partial = r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Target") == "main"
	t, ok := in.pages[name]
	if !ok {
		in.fail(w, r, errors.New("inbox: no page "+name))
		return
	}
	root := "layout"
	if p.Partial {
		root = "main"
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, root, data); err != nil {
		in.fail(w, r, err)
		return
	}
	securityHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderPart writes one named template of page name (a fragment for htmx), without the layout.
func (in *Inbox) renderPart(w http.ResponseWriter, r *http.Request, status int, name, part string, data any) {
	t, ok := in.pages[name]
	if !ok {
		in.fail(w, r, errors.New("inbox: no page "+name))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, part, data); err != nil {
		in.fail(w, r, err)
		return
	}
	securityHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// messagePage is a page with a heading and a message: errors, refusals, confirmations.
type messagePage struct {
	Page
	Heading string
	Message string
}

// fail answers an unexpected error: logged, and a page that says so without details.
func (in *Inbox) fail(w http.ResponseWriter, r *http.Request, err error) {
	in.log.Error("inbox", "path", r.URL.Path, "err", err)
	securityHeaders(w)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte("Something went wrong on our side; it has been logged. Try again.\n"))
}

// notFound answers a page that does not exist or that the teammate cannot see.
func (in *Inbox) notFound(w http.ResponseWriter, r *http.Request) {
	in.render(w, r, http.StatusNotFound, "message", &messagePage{Page: Page{Title: "Not found"},
		Heading: "Not found", Message: "There is nothing here, or it was deleted."})
}

// handlerFunc is an Inbox handler: it writes its answer, or returns the error to answer with.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (in *Inbox) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				in.notFound(w, r)
				return
			}
			in.fail(w, r, err)
		}
	})
}

// ruleIDs are the SPEC rule numbers package ticket's messages end with, for developers: "(BO7)",
// "(TR2, BO7)".
var ruleIDs = regexp.MustCompile(`\s*\((?:[A-Z]{1,3}\d+(?:[-, ]+[A-Z]{0,3}\d+)*)\)`)

// plainMessage is a rule's message as a teammate reads it, without rule numbers.
func plainMessage(s string) string { return ruleIDs.ReplaceAllString(s, "") }

// stateWord is a conversation's state (CV2) as the Inbox writes it.
func stateWord(s conversation.State) string {
	switch s {
	case conversation.Open:
		return "Open"
	case conversation.Snoozed:
		return "Snoozed"
	case conversation.Closed:
		return "Closed"
	}
	return string(s)
}
