package server

import (
	"net/http"

	"github.com/helpdesk/helpdesk/internal/portal"
)

// portalState is what the portal surface keeps: its pages, parsed once.
type portalState struct {
	handler http.Handler
}

// initPortal prepares the tickets portal from the configuration.
func (s *Server) initPortal() {
	p := portal.New(portal.Config{BaseURL: s.cfg.BaseURL, IdentitySecret: s.cfg.IdentitySecret}, s.db, s.desk, s.log)
	s.portal.handler = p.Handler()
}

// mountPortal adds the tickets portal's routes (P1-P7), all under /portal.
func (s *Server) mountPortal(mux *http.ServeMux) {
	mux.Handle("/portal", s.portal.handler)
	mux.Handle("/portal/", s.portal.handler)
}
