package server

import (
	"net/http"
)

// messengerState is what the messenger surface keeps. (Stub: to be built.)
type messengerState struct{}

// initMessenger prepares the messenger surface from the configuration.
func (s *Server) initMessenger() {}

// mountMessenger adds the Messenger's routes.
func (s *Server) mountMessenger(mux *http.ServeMux) {}
