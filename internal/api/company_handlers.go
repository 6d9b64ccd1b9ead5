package api

import "net/http"

func (s *Server) companyRoutes(mux *http.ServeMux) {}
