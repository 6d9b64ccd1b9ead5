package server

import (
	"net/http"
)

// portalState is what the portal surface keeps. (Stub: to be built.)
type portalState struct{}

// initPortal prepares the portal surface from the configuration.
func (s *Server) initPortal() {}

// mountPortal adds the tickets portal's routes.
func (s *Server) mountPortal(mux *http.ServeMux) {}
