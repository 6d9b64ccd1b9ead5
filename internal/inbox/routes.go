package inbox

import "net/http"

// Routes adds the Inbox's routes to mux. Every route but the sign-in page and the static files
// needs a signed-in teammate; every form (any method but GET and HEAD) is refused when it comes
// from another site (http.CrossOriginProtection).
func (in *Inbox) Routes(mux *http.ServeMux) {
	protect := http.NewCrossOriginProtection()
	open := func(pattern string, h http.Handler) { mux.Handle(pattern, protect.Handler(h)) }
	signedIn := func(pattern string, h handlerFunc) { open(pattern, in.requireAdmin(in.handle(h))) }

	mux.Handle("GET /{$}", http.RedirectHandler("/inbox", http.StatusSeeOther))
	mux.HandleFunc("GET /inbox/static/{name}", in.serveAsset)
	open("GET /inbox/login", in.handle(in.loginForm))
	open("POST /inbox/login", in.handle(in.login))
	open("POST /inbox/logout", in.handle(in.logout))

	in.viewRoutes(signedIn)      // views.go: the inbox lists, search
	in.threadRoutes(signedIn)    // thread.go: conversations and tickets
	in.peopleRoutes(signedIn)    // people.go: companies and contacts
	in.settingsRoutes(signedIn)  // settings.go
	in.reportRoutes(signedIn)    // reports.go
	in.liveRoutes(signedIn)      // live.go: server-sent events
	in.actionRoutes(signedIn)    // actions.go: a conversation's ticket actions, the tracker
	in.newTicketRoutes(signedIn) // newticket.go: a ticket outside any conversation
}

// route registers a handler for a signed-in teammate.
type route func(pattern string, h handlerFunc)

func (in *Inbox) serveAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := in.assets[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(a.body)
}
