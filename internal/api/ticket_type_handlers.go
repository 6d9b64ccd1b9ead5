package api

import "net/http"

// ticketTypeRoutes serves ticket types, their attributes and ticket states (SPEC TT, ST1).
func (s *Server) ticketTypeRoutes(mux *http.ServeMux) {}
