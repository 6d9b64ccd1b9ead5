package messenger

import "net/http"

// Routes adds every route of the Messenger to mux. Under /messenger/s/{tok}/ every request
// carries the session token and is refused once the session has ended.
func (m *Messenger) Routes(mux *http.ServeMux) {
	// Embedding and signing in (M1).
	mux.HandleFunc("GET /messenger.js", m.serveEmbedScript)
	mux.HandleFunc("GET /messenger/frame", m.serveFrame)
	mux.HandleFunc("POST /messenger/session", m.signIn)
	mux.HandleFunc("GET /messenger/static/{name}", m.serveAsset)

	// The signed-in pages (M2, M3, CT3, CT4).
	mux.Handle("GET /messenger/s/{tok}/{$}", m.session(m.home))
	mux.Handle("GET /messenger/s/{tok}/messages", m.session(m.messages))
	mux.Handle("GET /messenger/s/{tok}/tickets", m.session(m.tickets))
	mux.Handle("GET /messenger/s/{tok}/new", m.session(m.newConversation))
	mux.Handle("POST /messenger/s/{tok}/new", m.session(m.startConversation))
	mux.Handle("GET /messenger/s/{tok}/tickets/new", m.session(m.ticketTypes))
	mux.Handle("GET /messenger/s/{tok}/tickets/new/{type}", m.session(m.newTicket))
	mux.Handle("POST /messenger/s/{tok}/tickets/new/{type}", m.session(m.createTicket))
	mux.Handle("GET /messenger/s/{tok}/c/{id}", m.session(m.thread))
	mux.Handle("GET /messenger/s/{tok}/c/{id}/parts", m.session(m.threadParts))
	mux.Handle("POST /messenger/s/{tok}/c/{id}/reply", m.session(m.reply))
	mux.Handle("POST /messenger/s/{tok}/c/{id}/forms/{form}", m.session(m.submitForm))
	mux.Handle("GET /messenger/s/{tok}/badge", m.session(m.badge))

	// Live updates: their own session check, answered as an event.
	mux.HandleFunc("GET /messenger/s/{tok}/events", m.events)

	mux.HandleFunc("/messenger/", m.notFoundPage)
}
