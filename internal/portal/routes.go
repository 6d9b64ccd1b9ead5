package portal

import "net/http"

// routes lists every path of the portal.
func (p *Portal) routes(mux *http.ServeMux) {
	// Ways in (P2, P7): the host product's signed link, a Messenger session's link.
	mux.Handle("GET /portal/login", p.handle(p.login))
	mux.Handle("POST /portal/logout", p.handle(p.logout))

	// The tickets of the user's companies (P1, P4), one ticket (P5), joining its conversation (P6).
	mux.Handle("GET /portal", p.signedIn(p.listTickets))
	mux.Handle("GET /portal/{$}", http.RedirectHandler("/portal", http.StatusMovedPermanently))
	mux.Handle("GET /portal/tickets/{id}", p.signedIn(p.showTicket))
	mux.Handle("POST /portal/tickets/{id}/join", p.signedIn(p.joinConversation))

	mux.Handle("GET /portal/static/{name}", http.HandlerFunc(serveStatic))

	mux.Handle("/portal/", p.handle(func(w http.ResponseWriter, r *http.Request) error {
		return errPageNotFound
	}))
}
