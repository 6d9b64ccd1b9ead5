package api

import "net/http"

// routes lists every API path. Paths and bodies are Intercom's unless marked as an extension.
func (s *Server) routes(mux *http.ServeMux) {
	mux.Handle("GET /openapi.json", http.HandlerFunc(serveOpenAPI))

	mux.Handle("GET /me", s.handle(s.getMe))
	mux.Handle("GET /admins", s.handle(s.listAdmins))
	mux.Handle("GET /admins/{id}", s.handle(s.getAdmin))
	mux.Handle("GET /teams", s.handle(s.listTeams))
	mux.Handle("GET /teams/{id}", s.handle(s.getTeam))

	mux.Handle("GET /tags", s.handle(s.listTags))
	mux.Handle("POST /tags", s.handle(s.createTag))
	mux.Handle("GET /tags/{id}", s.handle(s.getTag))
	mux.Handle("DELETE /tags/{id}", s.handle(s.deleteTag))

	s.contactRoutes(mux)
	s.companyRoutes(mux)
	s.conversationRoutes(mux)
	s.ticketTypeRoutes(mux)
	s.ticketRoutes(mux)
	s.ticketFormRoutes(mux)

	mux.Handle("/", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return &Error{Status: http.StatusNotFound, Code: codeNotFound, Message: "no API path " + r.Method + " " + r.URL.Path}
	}))
}
