package server

import (
	"context"
	"net/http"
)

// inboundState is what the inbound surface keeps. (Stub: to be built.)
type inboundState struct{}

// initInbound prepares the inbound surface from the configuration.
func (s *Server) initInbound() {}

// mountInbound adds the HTTP endpoint for raw MIME from mail services.
func (s *Server) mountInbound(mux *http.ServeMux) {}

// runInbound runs the inbound SMTP listener until ctx ends.
func (s *Server) runInbound(ctx context.Context) {}
