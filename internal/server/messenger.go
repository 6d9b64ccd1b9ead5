package server

import (
	"net/http"

	"github.com/helpdesk/helpdesk/internal/messenger"
)

// messengerState is what the messenger surface keeps: the Messenger, with its templates
// parsed and assets hashed once.
type messengerState struct {
	m *messenger.Messenger
}

// initMessenger prepares the messenger surface from the configuration.
func (s *Server) initMessenger() {
	m, err := messenger.New(messenger.Options{
		DB: s.db, Desk: s.desk, Clock: s.clock, Log: s.log,
		BaseURL: s.cfg.BaseURL, IdentitySecret: s.cfg.IdentitySecret,
	})
	if err != nil {
		panic(err) // the embedded templates do not parse: a build that must never ship
	}
	s.messenger.m = m
}

// mountMessenger adds the Messenger's routes (M1-M3, CT3, CT4).
func (s *Server) mountMessenger(mux *http.ServeMux) {
	s.messenger.m.Routes(mux)
}
