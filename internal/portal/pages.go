package portal

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"time"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pageNames are the pages, each a template of its own on the shared layout.
var pageNames = []string{"tickets", "ticket", "message"}

// parsePages parses the layout and every page once; a broken template is a bug caught by any
// test, so it panics.
func parsePages() map[string]*template.Template {
	funcs := template.FuncMap{
		"date":     func(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04 UTC") },
		"datetime": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"css":      func() string { return stylesheetPath },
	}
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html"))
	pages := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		pages[name] = template.Must(template.Must(layout.Clone()).ParseFS(templateFiles, "templates/"+name+".html"))
	}
	return pages
}

// page is what every page's layout needs.
type page struct {
	Title    string
	SignedIn bool   // shows the sign-out button
	UserName string // who is signed in, when known
}

// messagePage is a page that only says something: a refusal, how to get in, signed out.
type messagePage struct {
	page
	Heading string
	Message string
	Hint    string
}

// render writes a page with a status; a template error is logged and answered with a bare 500,
// since nothing has been written yet.
func (p *Portal) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var b bytes.Buffer
	if err := p.pages[name].ExecuteTemplate(&b, "layout", data); err != nil {
		p.log.Error("portal: render", "page", name, "path", r.URL.Path, "err", err)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// pageError is a page that refuses or fails a request. Title, Message and Hint are shown;
// Cause is logged, never shown.
type pageError struct {
	Status  int
	Title   string
	Message string
	Hint    string
	Cause   error
}

func (e *pageError) Error() string {
	if e.Cause != nil {
		return e.Title + ": " + e.Cause.Error()
	}
	return e.Title + ": " + e.Message
}

func (e *pageError) Unwrap() error { return e.Cause }

// howToGetIn is what every page says to someone who is not signed in.
const howToGetIn = "Open the tickets portal from the product you use (its help or support menu), " +
	"or from the banner at the top of the tickets space in the Messenger: they sign you in."

// errPageNotFound is the answer for anything the user may not see: an unknown path, a
// guessed ticket id, another company's ticket, an internal ticket (N5) all look alike.
var errPageNotFound = &pageError{Status: http.StatusNotFound, Title: "Not found",
	Message: "There is no such page or ticket in your tickets portal.",
	Hint:    "Go back to your tickets to see every ticket of your company."}

// handler is a portal handler: it writes its page, or returns the error page to show.
type handler func(w http.ResponseWriter, r *http.Request) error

// handle adapts a handler to net/http.
func (p *Portal) handle(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			p.fail(w, r, err)
		}
	})
}

// fail shows the page of an error: a *pageError as it says, anything else as a 500 whose cause
// is logged and not shown.
func (p *Portal) fail(w http.ResponseWriter, r *http.Request, err error) {
	var pe *pageError
	if !errors.As(err, &pe) {
		pe = &pageError{Status: http.StatusInternalServerError, Title: "Something went wrong",
			Message: "The tickets portal could not show this page. Please try again in a moment.", Cause: err}
	}
	if pe.Status >= 500 {
		p.log.Error("portal: request failed", "method", r.Method, "path", r.URL.Path, "status", pe.Status, "err", pe.Cause)
	}
	_, signedIn := visitorFrom(r)
	p.render(w, r, pe.Status, "message", messagePage{
		page:    page{Title: pe.Title, SignedIn: signedIn},
		Heading: pe.Title, Message: pe.Message, Hint: pe.Hint,
	})
}
